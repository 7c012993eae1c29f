"""Identifier lists: one DOI or arXiv id per line, in any usual spelling.

Read-only. ``arXiv:2101.00001v2``, ``https://arxiv.org/abs/…``, ``hep-th/9901001``,
``https://doi.org/10.…``, ``doi:10.…`` and bare ``10.…/…`` are all understood (through
:mod:`citekit.ids`); blank lines and ``#`` comments (whole-line or trailing) are skipped. Every
other line is one input record: a line that is no identifier is reported as an error with its
index, so the report accounts for it. An arXiv DOI (``10.48550/arXiv.…``) is read as the arXiv id.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from citekit.diagnostics import Diagnostic, ReadResult
from citekit.formats.base import Format
from citekit.ids import ArxivId, is_arxiv_doi, normalize_doi, parse_arxiv_id
from citekit.model import Origin, Record

NAME = "ids"

_COMMENT = re.compile(r"(?:^|\s)#.*$")
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|(?:https?://)?(?:dx\.|www\.)?doi\.org/)", re.IGNORECASE)


def parse_identifier(text: str) -> Record | None:
    """A record holding only the DOI or arXiv id (and version) that ``text`` is; None if it is none.

    The whole text must be the identifier: ``see 10.1000/x`` is not an identifier line.
    """
    candidate = text.strip()
    arxiv = parse_arxiv_id(candidate)
    if arxiv is not None:
        return _arxiv_record(arxiv)
    bare = unquote(_DOI_PREFIX.sub("", candidate)) if _DOI_PREFIX.match(candidate) else candidate
    doi = normalize_doi(bare)
    if not doi or doi != bare.rstrip(".,;:)]"):
        return None
    if is_arxiv_doi(doi):
        arxiv = parse_arxiv_id(doi)
        return _arxiv_record(arxiv) if arxiv is not None else None
    return Record(doi=doi)


def sniff(text: str) -> bool:
    """More than half of the identifier lines (not blank, not comments) are identifiers."""
    lines = [line for _, line in _identifier_lines(text)]
    found = sum(1 for line in lines if parse_identifier(line) is not None)
    return found > 0 and found * 2 > len(lines)


def read(text: str, file: str) -> ReadResult:
    result = ReadResult()
    first_seen: dict[str, int] = {}
    for index, (number, line) in enumerate(_identifier_lines(text), start=1):
        record = parse_identifier(line)
        if record is None:
            result.diagnostics.append(
                Diagnostic(
                    "error",
                    "ids.unrecognised",
                    f"not a DOI or arXiv id: {line[:80]!r}",
                    file,
                    number,
                    index,
                    line,
                )
            )
            continue
        record.origin = Origin(file, index, number, NAME)
        result.records.append(record)
        # The same paper listed twice is kept twice (the list is the user's) but pointed out.
        identity = record.arxiv_id or record.doi.casefold()
        if identity in first_seen:
            result.diagnostics.append(
                Diagnostic(
                    "info",
                    "ids.duplicate",
                    f"same identifier as line {first_seen[identity]}",
                    file,
                    number,
                    index,
                )
            )
        first_seen.setdefault(identity, number)
    return result


def _identifier_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text without comment) of every line that should hold an identifier."""
    lines = []
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = _COMMENT.sub("", raw_line).strip()
        if line:
            lines.append((number, line))
    return lines


def _arxiv_record(arxiv: ArxivId) -> Record:
    return Record(arxiv_id=arxiv.id, arxiv_version=arxiv.version)


FORMAT = Format(
    name=NAME,
    description="Identifier lists: one DOI or arXiv id per line (read-only)",
    suffixes=(".ids",),
    sniff=sniff,
    read=read,
    write=None,
    priority=80,
)
