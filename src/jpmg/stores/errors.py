"""The one exception of the store tools: a one-line message and a hint that says what to do."""

from __future__ import annotations


class StoreError(Exception):
    """A store operation that failed, said in one line: what went wrong, then (in brackets) how to fix it.

    The message never holds a password: the credentials module keeps it out of every string it builds, and
    nothing here formats request headers.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[type[StoreError], tuple[str, str]]:
        return (type(self), (self.message, self.hint))

    def __str__(self) -> str:
        text = f"{self.message} ({self.hint})" if self.hint else self.message
        return " ".join(text.split())
