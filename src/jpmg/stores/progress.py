"""A tiny progress bar on stderr, drawn only for a terminal or when asked (``--progress``).

No dependency: one line, redrawn with a carriage return at most ten times a second, then finished with a
newline. When the stream is not a terminal (a log file, CI) and ``--progress`` was given, it prints a plain
line every tenth of the way instead, so that logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Counts ``total`` units (triples) of work; :meth:`advance` adds some, :meth:`close` ends the line."""

    WIDTH = 30

    def __init__(
        self, total: int, label: str = "triples", *, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.total = max(total, 0)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.done = 0
        self.started = time.perf_counter()
        self._last_draw = 0.0
        self._last_tenth = -1
        self._terminal = bool(getattr(self.stream, "isatty", lambda: False)())

    def advance(self, amount: int) -> None:
        self.done = min(self.done + amount, self.total) if self.total else self.done + amount
        if not self.enabled:
            return
        now = time.perf_counter()
        if self._terminal:
            if now - self._last_draw >= 0.1 or self.done >= self.total:
                self._last_draw = now
                self.stream.write("\r" + self.render())
                self.stream.flush()
        else:
            tenth = (10 * self.done // self.total) if self.total else 10
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                self.stream.write(self.render() + "\n")
                self.stream.flush()

    def render(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = round(self.WIDTH * fraction)
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = self.done / elapsed
        return (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {100 * fraction:5.1f}% "
            f"{self.done:,}/{self.total:,} {self.label} {rate:,.0f}/s"
        )

    def close(self) -> None:
        if self.enabled and self._terminal:
            self.stream.write("\r" + self.render() + "\n")
            self.stream.flush()


def wanted(requested: bool, stream: TextIO | None = None) -> bool:
    """Draw a bar when asked, or by default when the stream (stderr) is a terminal."""
    stream = stream if stream is not None else sys.stderr
    return requested or bool(getattr(stream, "isatty", lambda: False)())
