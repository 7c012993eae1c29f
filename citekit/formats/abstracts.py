"""Abstract lists: scraped text where each ``Abstract: …`` line is one paper's abstract.

Read-only. Records carry only ``abstract`` (matching fills in the rest); the blank-line group a
line sits in is kept in ``origin.group``, because such lists group the papers of one listing.
The format is line-based with no grammar a library could parse, so the reader is hand-written.

LaTeX in scraped abstracts (``68.4\\%``, ``\\textit{…}``) is decoded like arXiv's own metadata,
so that both compare equal, but only where decoding is safe: a bare ``%`` (``by 50%``, common in
scraped text) would start a LaTeX comment and cut the abstract short, and an escaped ``\\$``
would turn into a math delimiter. See :func:`scraped_to_unicode`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from citekit.diagnostics import Diagnostic, ReadResult
from citekit.formats.base import Format
from citekit.model import Origin, Record
from citekit.text import latex_to_unicode, squash

NAME = "abstracts"

_LABELLED = re.compile(r"^\s*(?P<label>abstract)\s*:(?P<text>.*)$", re.IGNORECASE | re.DOTALL)
# "Keywords: …", "Title: …": a labelled line is never glued onto the abstract before it.
_OTHER_LABEL = re.compile(r"^\s*[A-Za-z][A-Za-z ]{0,30}:\s")
_MATH = re.compile(r"\$[^$]*\$")
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
_LATEX_HINT = re.compile(r"[\\{}~]")


def scraped_to_unicode(text: str) -> tuple[str, bool]:
    """LaTeX-ish scraped text → Unicode with ``$math$`` verbatim; ``(text, decoded?)``.

    If decoding would change the ``$…$`` segments (an escaped ``\\$``, unbalanced dollars), the
    text is kept as written (white space squashed) and ``decoded`` is False.
    """
    if not _LATEX_HINT.search(text):
        return squash(text), True
    decoded = latex_to_unicode(text)
    same_math = _MATH.findall(decoded) == [squash(m) for m in _MATH.findall(text)]
    same_dollars = decoded.count("$") == len(_UNESCAPED_DOLLAR.findall(text))
    if same_math and same_dollars:
        return decoded, True
    return squash(text), False


@dataclass(slots=True)
class _Entry:
    """One ``Abstract:`` line plus any continuation lines glued onto it."""

    index: int
    line: int
    group: int
    parts: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)


def sniff(text: str) -> bool:
    """Most non-blank lines are ``Abstract:`` lines (at least one)."""
    lines = [line for line in text.split("\n") if line.strip()]
    labelled = sum(1 for line in lines if _LABELLED.match(line))
    return labelled > 0 and labelled * 2 > len(lines)


def read(text: str, file: str) -> ReadResult:
    result = ReadResult()
    entries = _scan(text, file, result.diagnostics)
    for entry in entries:
        record = _to_record(entry, file, result.diagnostics)
        if record is not None:
            result.records.append(record)
    return result


def _scan(text: str, file: str, diagnostics: list[Diagnostic]) -> list[_Entry]:
    """Split into entries; report every line that is neither blank nor an ``Abstract:`` line."""
    entries: list[_Entry] = []
    group = 0
    current: _Entry | None = None  # the entry a following line would continue
    previous_blank = True
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.rstrip("\r")
        if not line.strip():
            previous_blank, current = True, None
            continue
        if previous_blank:
            group += 1
        previous_blank = False
        labelled = _LABELLED.match(line)
        if labelled:
            current = _Entry(len(entries) + 1, number, group, [labelled.group("text")], [line])
            entries.append(current)
        elif current is not None and not _OTHER_LABEL.match(line):
            current.parts.append(line)
            current.raw.append(line)
            diagnostics.append(
                Diagnostic(
                    "warning",
                    "abstracts.stray-line",
                    f"line without 'Abstract:' appended to abstract {current.index} as a continuation",
                    file,
                    number,
                    current.index,
                    line,
                )
            )
        else:
            current = None
            diagnostics.append(
                Diagnostic(
                    "warning",
                    "abstracts.stray-line",
                    "line is neither blank nor an 'Abstract:' line; not read",
                    file,
                    number,
                    None,
                    line,
                )
            )
    return entries


def _to_record(entry: _Entry, file: str, diagnostics: list[Diagnostic]) -> Record | None:
    raw = "\n".join(entry.raw)
    text, decoded = scraped_to_unicode(" ".join(entry.parts))
    if not text:
        diagnostics.append(
            Diagnostic(
                "error",
                "abstracts.empty",
                "'Abstract:' line with no text",
                file,
                entry.line,
                entry.index,
                raw,
            )
        )
        return None
    if not decoded:
        diagnostics.append(
            Diagnostic(
                "info",
                "abstracts.latex-kept",
                "LaTeX left as written: decoding would alter its $…$ math",
                file,
                entry.line,
                entry.index,
            )
        )
    return Record(abstract=text, origin=Origin(file, entry.index, entry.line, NAME, entry.group))


FORMAT = Format(
    name=NAME,
    description="Abstract lists: one 'Abstract: …' line per paper (read-only)",
    suffixes=(),
    sniff=sniff,
    read=read,
    write=None,
    priority=70,
)
