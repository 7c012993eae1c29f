"""The report: every input record accounted for, exactly once.

One schema for every command (``convert``, ``enrich``, ``export``)::

    {"version": 1, "generator": "citekit 0.1.0",
     "records": [{"input": {"file": "refs.bib", "index": 3, "line": 17},
                  "status": "converted" | "matched" | "ambiguous" | "unmatched" | "error",
                  "key": "jegou2011product", "ids": {"doi": …, "arxiv": …},
                  "diagnostics": [...], "match": {...},
                  "fingerprint": "…", "record": {"title": …, "authors": […], …}}],
     "diagnostics": [...],           # about whole files, not one record
     "summary": {"inputs": 80, "outputs": 56, "matched": …}}

``key`` and ``ids`` are those of the *output* record the input went into, so after merging
duplicates several inputs point at one key. Records that went through matching (``enrich``,
``export``) also carry what the input said (``record``, see :func:`citekit.brief.input_brief`) and its
fingerprint (:func:`citekit.decisions.fingerprint`): what ``citekit review`` shows and decides on.
``version`` is :data:`VERSION`, raised whenever the shape changes incompatibly.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from citekit import __version__
from citekit.brief import input_brief
from citekit.decisions import fingerprint
from citekit.diagnostics import Diagnostic, ReadResult
from citekit.model import Record

STATUSES = ("converted", "matched", "ambiguous", "unmatched", "error")
VERSION = 1
"""The report format's version (the ``version`` key): what ``citekit review`` checks it reads."""


@dataclass(slots=True)
class Written:
    """What the report shows of an output record that has been written and let go."""

    key: str
    doi: str
    arxiv_id: str


@dataclass(slots=True)
class Entry:
    """One input record's fate."""

    file: str
    index: int
    line: int | None
    status: str
    output: Record | Written | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    match: dict[str, Any] | None = None
    read: Record | None = None
    """The input record as read, once matched (what the review page shows and fingerprints)."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "input": {"file": self.file, "index": self.index, "line": self.line},
            "status": self.status,
            "key": self.output.key if self.output else None,
            "ids": {
                "doi": (self.output.doi or None) if self.output else None,
                "arxiv": (self.output.arxiv_id or None) if self.output else None,
            },
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }
        if self.match is not None:
            data["match"] = self.match
        if self.read is not None:
            data["fingerprint"] = fingerprint(self.read)
            data["record"] = input_brief(self.read)
        return data


@dataclass(slots=True)
class SourceSummary:
    """What one source did during a run: for the end-of-run lines, not part of the JSON report
    (which is about records; a source's failures are in it as ``source.failed`` diagnostics)."""

    name: str
    requests: int = 0
    cached: int = 0
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    offline_misses: int = 0

    @property
    def active(self) -> bool:
        return bool(self.requests or self.cached or self.failures)

    def line(self) -> str:
        missed = f", {self.offline_misses} unanswered offline" if self.offline_misses else ""
        return (
            f"{self.name}: {self.requests} requests, {self.cached} answered from the cache, "
            f"{self.retries} retried, {len(self.failures)} failed{missed}"
        )


class DuplicateEntryError(ValueError):
    """A programming error: one input record reported twice."""


@dataclass(slots=True)
class Report:
    entries: dict[tuple[str, int], Entry] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """File-level diagnostics (not about one record)."""
    itemised: bool = True
    """False: a record with nothing to say is only counted, not listed (``convert`` without
    ``--report`` streams, and a list of every record would grow with the input)."""
    unlisted: Counter[str] = field(default_factory=Counter)
    """Records counted but not listed, by status."""
    sources: list[SourceSummary] = field(default_factory=list)
    """What each source did, when records were enriched."""

    def add_read(self, result: ReadResult, status: str = "converted") -> None:
        """Account for what one reader returned: its records and the records it lost."""
        per_record: dict[int, list[Diagnostic]] = {}
        for diagnostic in result.diagnostics:
            if diagnostic.index is None:
                self.diagnostics.append(diagnostic)
            else:
                per_record.setdefault(diagnostic.index, []).append(diagnostic)
        for record in result.records:
            origin = record.origin
            if origin is None:
                continue
            if not self.itemised and origin.index not in per_record:
                self.unlisted[status] += 1
                continue
            self._add(
                Entry(
                    origin.file, origin.index, origin.line, status, record, per_record.pop(origin.index, [])
                )
            )
        for index, diagnostics in per_record.items():
            first = diagnostics[0]
            self._add(Entry(first.file, index, first.line, "error", None, diagnostics))

    def account(self, records: Sequence[Record]) -> None:
        """Account for records the report has not seen (made in Python, or read without it)."""
        unseen = [
            r for r in records if r.origin is not None and (r.origin.file, r.origin.index) not in self.entries
        ]
        if unseen:
            self.add_read(ReadResult(unseen))

    def entry_for(self, record: Record) -> Entry:
        origin = record.origin
        assert origin is not None, "records from readers always carry their origin"
        return self.entries[(origin.file, origin.index)]

    def settle(
        self,
        record: Record,
        *,
        status: str,
        output: Record,
        match: dict[str, Any] | None = None,
        diagnostics: list[Diagnostic] | None = None,
    ) -> None:
        """Say what became of an input record (after matching and merging)."""
        entry = self.entry_for(record)
        entry.status, entry.output, entry.match, entry.read = status, output, match, record
        entry.diagnostics.extend(diagnostics or [])

    def release(self, records: Sequence[Record]) -> None:
        """Keep only the key and identifiers of these (read) records: ``convert`` streams, and a
        report holding every record would hold the whole input."""
        for record in records:
            origin = record.origin
            entry = self.entries.get((origin.file, origin.index)) if origin else None
            if entry is not None:
                entry.output = Written(record.key, record.doi, record.arxiv_id)

    def rename_keys(self, rename: Callable[[str], str]) -> None:
        """Map the keys of released records (placeholders while ``convert`` streams)."""
        for entry in self.entries.values():
            if isinstance(entry.output, Written):
                entry.output.key = rename(entry.output.key)

    @property
    def failed(self) -> int:
        return sum(1 for e in self.entries.values() if e.status == "error")

    def all_diagnostics(self) -> list[Diagnostic]:
        found = list(self.diagnostics)
        for entry in self.entries.values():
            found.extend(entry.diagnostics)
        return found

    def counts(self) -> Counter[str]:
        return Counter(e.status for e in self.entries.values()) + self.unlisted

    def as_dict(self, outputs: int | None = None) -> dict[str, Any]:
        ordered = sorted(self.entries.values(), key=lambda e: (e.file, e.index))
        counts = self.counts()
        summary: dict[str, Any] = {"inputs": counts.total(), **dict(sorted(counts.items()))}
        if outputs is not None:
            summary["outputs"] = outputs
        return {
            "version": VERSION,
            "generator": f"citekit {__version__}",
            "records": [e.as_dict() for e in ordered],
            "diagnostics": [{"file": d.file, **d.as_dict()} for d in self.diagnostics],
            "summary": summary,
        }

    def to_json(self, outputs: int | None = None) -> str:
        return json.dumps(self.as_dict(outputs), ensure_ascii=False, indent=2) + "\n"

    def summary_line(self, outputs: int) -> str:
        counts = self.counts()
        parts = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        return f"{counts.total()} input records → {outputs} output records ({parts})"

    def _add(self, entry: Entry) -> None:
        key = (entry.file, entry.index)
        if key in self.entries:
            raise DuplicateEntryError(f"{entry.file} record {entry.index} reported twice")
        self.entries[key] = entry
