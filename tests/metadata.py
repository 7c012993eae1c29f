"""The bundled metadata snapshot (seeds/metadata/) as Records, for tests that need real papers."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from citekit.model import Record
from citekit.sources.convert import arxiv_bulk_to_record, crossref_work_to_record

METADATA = Path(__file__).resolve().parent.parent / "seeds" / "metadata"


@cache
def _arxiv() -> dict[str, Record]:
    lines = (METADATA / "arxiv.jsonl").read_text(encoding="utf-8").splitlines()
    return {r.arxiv_id: r for r in (arxiv_bulk_to_record(json.loads(line)) for line in lines)}


@cache
def _crossref() -> dict[str, Record]:
    lines = (METADATA / "crossref.jsonl").read_text(encoding="utf-8").splitlines()
    return {r.doi.casefold(): r for r in (crossref_work_to_record(json.loads(line)) for line in lines)}


def arxiv(arxiv_id: str) -> Record:
    """A fresh copy of the arXiv record with this id."""
    return _arxiv()[arxiv_id].copy()


def crossref(doi: str) -> Record:
    return _crossref()[doi.casefold()].copy()


def all_arxiv() -> list[Record]:
    return [r.copy() for r in _arxiv().values()]


def all_crossref() -> list[Record]:
    return [r.copy() for r in _crossref().values()]
