"""BibTeX and BibLaTeX: one reader for both dialects, a writer for each, one field table.

The package is split along its seams: :mod:`.table` (the field and type tables, which drive both
directions), :mod:`.values` (field values and ``@string``\\ s), :mod:`.arxiv` (arXiv ids in any
spelling), :mod:`.reader`, :mod:`.streaming` (reading in chunks) and :mod:`.writer`. Every field
the model lacks is kept, raw, in ``record.custom`` so that BibTeX → model → BibTeX loses nothing.
"""

from __future__ import annotations

from functools import partial

from citekit.formats.base import Format, Layout
from citekit.formats.bibtex.reader import read, sniff
from citekit.formats.bibtex.streaming import CHUNK_BLOCKS, read_chunks
from citekit.formats.bibtex.table import (
    ENTRYTYPE,
    FIELDS,
    JOURNAL_TYPES,
    MONTHS,
    READ_TYPES,
    WRITE_TYPES,
    Dialect,
    FieldRule,
)
from citekit.formats.bibtex.values import MONTH_MACROS, evaluate
from citekit.formats.bibtex.writer import write

__all__ = [
    "BIBLATEX",
    "BIBTEX",
    "CHUNK_BLOCKS",
    "ENTRYTYPE",
    "FIELDS",
    "JOURNAL_TYPES",
    "MONTHS",
    "MONTH_MACROS",
    "READ_TYPES",
    "WRITE_TYPES",
    "Dialect",
    "FieldRule",
    "evaluate",
    "read",
    "read_chunks",
    "sniff",
    "write",
]
LAYOUT = Layout(separator="\n")
"""Entries end with a newline; a blank line between them."""


def _format(dialect: Dialect, description: str, suffixes: tuple[str, ...], priority: int) -> Format:
    return Format(
        name=dialect,
        description=description,
        suffixes=suffixes,
        sniff=sniff,
        read=partial(read, dialect=dialect),
        write=partial(write, dialect=dialect),
        read_chunks=partial(read_chunks, dialect=dialect),
        write_body=partial(write, dialect=dialect),
        layout=LAYOUT,
        priority=priority,
    )


BIBTEX = _format(
    "bibtex",
    "BibTeX (.bib) for bibtex/natbib: LaTeX-encoded, year/month, archivePrefix/primaryClass",
    (".bib",),
    20,
)
BIBLATEX = _format(
    "biblatex", "BibLaTeX for biber: UTF-8, date, journaltitle, eprinttype/eprintclass", (), 21
)
