"""Diagnostics: what readers report instead of raising.

Readers never raise on bad content (as bibtexparser v2 keeps a failed block and carries on).
Each problem is a :class:`Diagnostic` with a stable ``code`` that tests and scripts can rely on;
the wording may change, the code does not. A diagnostic with ``index`` set and level ``error``
means that input record could not be read: the report lists it with status ``error``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from citekit.model import Record

Level = Literal["error", "warning", "info"]


@dataclass(slots=True)
class Diagnostic:
    level: Level
    code: str
    """Stable, dotted: ``bibtex.failed-block``, ``ris.missing-er``, ``csljson.schema`` …"""
    message: str
    file: str = ""
    line: int | None = None
    index: int | None = None
    """1-based position of the input record this is about, when it is about one."""
    raw: str = ""
    """The offending text, for a lost record: so that nothing is lost, even then."""

    def format(self) -> str:
        """``file:line: level code: message``, the form compilers and editors understand."""
        where = f"{self.file or '<input>'}:{self.line}" if self.line else (self.file or "<input>")
        return f"{where}: {self.level} {self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"level": self.level, "code": self.code, "message": self.message}
        if self.line is not None:
            data["line"] = self.line
        return data


@dataclass(slots=True)
class ReadResult:
    """What a reader returns: the records it could read and what it has to say."""

    records: list[Record] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed_indices(self) -> set[int]:
        """Input records that could not be read at all."""
        return {d.index for d in self.diagnostics if d.level == "error" and d.index is not None}

    def extend(self, other: ReadResult) -> None:
        self.records.extend(other.records)
        self.diagnostics.extend(other.diagnostics)
