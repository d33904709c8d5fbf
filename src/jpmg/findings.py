"""The one shape every check reports in: a finding, with where it is and how bad it is.

Checks (vocabulary, reasoning, SHACL) find different things, but a person reads them in one report and a program
filters them the same way; a single small record type keeps the report module ignorant of where a finding
came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    """How bad a finding is, in SHACL's terms so that SHACL results map one to one."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


@dataclass(frozen=True)
class Finding:
    """One problem found by one check.

    ``focus_node``, ``path``, ``value`` and ``source_shape`` follow SHACL's result vocabulary; ``file`` and
    ``line`` say where in the input a person should look, when the check can tell.
    """

    check: str
    severity: Severity
    message: str
    focus_node: str | None = None
    path: str | None = None
    value: str | None = None
    source_shape: str | None = None
    file: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary, without the empty fields."""
        record = asdict(self)
        record["severity"] = self.severity.value
        return {key: value for key, value in record.items() if value is not None}
