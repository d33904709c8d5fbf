"""Where a finding's resource is written (file and line), found once for all findings, only when there are some.

The reference pipeline (:mod:`jpmg.locate`) searches every file that mentions a resource, once per finding, on rdflib
graphs. The fast path has no rdflib graphs and may have thousands of findings in a file of a million triples, so it
reads each data file once, the first time a finding needs a place, and looks every resource up in what it read:

* a resource is placed on the first line that starts with it as a subject, written in full (``<https://...>``),
  prefixed (``jpmg:...``) or relative to the file's ``@base`` (``<session/x>``), in the files in load order;
* a resource written nowhere as a subject (a misspelt property, a class) on the first line, outside comments,
  that mentions it;
* a blank node (a derivation, an interval) at the place of the named resource it hangs from;
* an ill-typed literal on the first line of its file that holds its text in quotes.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox

from jpmg.checks.store import LoadedStore
from jpmg.findings import Finding

_BASE = re.compile(r"^\s*(?:@base|BASE)\s*<([^>]*)>", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


class Locator:
    """Places of resources in the data files of a loaded store, read lazily and at most once per file."""

    def __init__(self, loaded: LoadedStore) -> None:
        self.loaded = loaded
        self.files = loaded.data_files
        self.texts: dict[Path, list[str]] = {}
        self.subjects: dict[str, tuple[Path, int]] | None = None
        self.owners: dict[str, str | None] = {}

    def lines(self, path: Path) -> list[str]:
        lines = self.texts.get(path)
        if lines is None:
            lines = self.texts[path] = path.read_text(encoding="utf-8").split("\n")
        return lines

    # -- index of subjects --

    def _index(self, wanted: set[str]) -> None:
        """Find the first subject line of every IRI in ``wanted`` (one pass over each file)."""
        found: dict[str, tuple[Path, int]] = {} if self.subjects is None else self.subjects
        remaining = {iri for iri in wanted if iri not in found}
        for path in self.files:
            if not remaining:
                break
            forms: dict[str, str] = {}
            base: str | None = None
            prefixes: dict[str, str] = {}
            lines = self.lines(path)
            # the forms depend on the declarations, which are at the top in practice; read them first
            for line in lines:
                if line.startswith(("@", "PREFIX", "BASE", "prefix", "base")):
                    match = _PREFIX.match(line)
                    if match:
                        prefixes[match.group(1) or ""] = match.group(2)
                    match = _BASE.match(line)
                    if match:
                        base = match.group(1)
            for iri in remaining:
                for form in _forms(iri, prefixes, base):
                    forms.setdefault(form, iri)
            for number, line in enumerate(lines, start=1):
                if not line or line[0] in " \t#":
                    continue
                token = line.split(None, 1)[0]
                iri = forms.get(token)
                if iri is None and token.endswith((";", ".", ",")):
                    iri = forms.get(token[:-1])
                if iri is not None and iri not in found:
                    found[iri] = (path, number)
            remaining = {iri for iri in remaining if iri not in found}
        self.subjects = found

    def _mention(self, iri: str) -> tuple[Path | None, int | None]:
        for path in self.files:
            prefixes = self.loaded.prefixes.get(path, {})
            base = None
            for line in self.lines(path)[:200]:
                match = _BASE.match(line)
                if match:
                    base = match.group(1)
            forms = _forms(iri, prefixes, base)
            patterns = [re.escape(f) if f.startswith("<") else re.escape(f) + r"(?![\w\-.:]*[\w\-:])" for f in forms]
            pattern = re.compile("|".join(patterns))
            for number, line in enumerate(self.lines(path), start=1):
                if line.lstrip().startswith("#"):
                    continue
                if pattern.search(line):
                    return path, number
        return None, None

    def owner(self, label: str) -> str | None:
        """The IRI of the named resource a blank node hangs from (following subjects upwards)."""
        if label in self.owners:
            return self.owners[label]
        node: object = ox.BlankNode(label)
        seen = set()
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            parent = next(iter(self.loaded.store.quads_for_pattern(None, None, node, None)), None)
            if parent is None:
                break
            node = parent.subject
        self.owners[label] = node.value if isinstance(node, ox.NamedNode) else None
        return self.owners[label]

    def place(self, iri: str) -> tuple[Path | None, int | None]:
        if self.subjects is None or iri not in self.subjects:
            self._index({iri})
        assert self.subjects is not None
        if iri in self.subjects:
            return self.subjects[iri]
        return self._mention(iri)

    def locate(self, findings: list[Finding]) -> list[Finding]:
        """The findings with file and line filled in where they can be found."""
        targets: dict[int, str] = {}
        for n, finding in enumerate(findings):
            if finding.file is not None or finding.focus_node is None:
                continue
            focus = finding.focus_node
            if focus.startswith("_:"):
                focus = self.owner(focus[2:]) or ""
            if focus:
                targets[n] = focus
        if targets:
            self._index(set(targets.values()))
        located = list(findings)
        for n, iri in targets.items():
            path, line = self.place(iri)
            if path is not None:
                located[n] = replace(findings[n], file=str(path), line=line)
        return located

    def line_of_text(self, path: Path, text: str) -> int | None:
        for number, line in enumerate(self.lines(path), start=1):
            if text in line:
                return number
        return None


def _forms(iri: str, prefixes: dict[str, str], base: str | None) -> list[str]:
    forms = [f"<{iri}>"]
    for prefix, namespace in prefixes.items():
        if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
            forms.append(f"{prefix}:{iri[len(namespace) :]}")
    if base and iri.startswith(base) and len(iri) > len(base):
        forms.append(f"<{iri[len(base) :]}>")
    elif base:
        # a relative reference the base resolves to this IRI (other than a plain suffix): rare, checked exactly
        relative = iri.rsplit("/", 1)[-1]
        if urljoin(base, relative) == iri and f"<{relative}>" not in forms:
            forms.append(f"<{relative}>")
    return forms
