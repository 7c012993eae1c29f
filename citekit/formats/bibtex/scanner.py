"""The BibTeX scanner: a file's blocks (entries, ``@string``, ``@preamble``, ``@comment``, the text
between them, and blocks that could not be read, kept with their raw text), with their lines.

Hand-written for speed (measured, ``bench/convert.py``): bibtexparser v2's splitter walks every
brace, quote, comma and newline in Python and took a fifth of ``citekit convert``. Here a
well-formed ``{``-delimited block is matched by a few regular expressions (one per field), with
nested braces matched by the regex engine; anything else (``(``-delimited blocks, an unbalanced
brace, a backslash or ``@`` where it could change the splitting, braces nested deeper than
:data:`_DEPTH`) is handed to bibtexparser's splitter, which then decides the block exactly as it
would in the whole file: its splitter ends whatever block it is in at a line that starts a block
(``@type{`` after optional white space), so it is given the text from the block to the next such
line, that line included. The agreement is tested block for block against bibtexparser's
splitter on every file in the tests and with hypothesis (``tests/test_scanner.py``).

Line numbers are counted as bibtexparser counts them: from 0, newlines escaped by a backslash
not counted; a field's line is that of its ``=``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from bibtexparser.model import Block as BibBlock
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ExplicitComment,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)
from bibtexparser.splitter import Splitter

# bibtexparser logs every broken block; the reader reports them as diagnostics instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

Kind = Literal["entry", "string", "preamble", "comment", "implicit", "failed"]


@dataclass(slots=True, eq=False)
class Block:
    """One block. ``value`` is a ``@string``'s value, a ``@preamble``'s, a comment's text;
    ``fields`` an entry's ``(name, raw value)``; ``error`` why a failed block failed."""

    kind: Kind
    line: int
    raw: str
    type: str = ""
    key: str = ""
    value: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    _lines: list[int] | None = None
    _body: int = 0

    def field_lines(self) -> list[int]:
        """The line of each field's ``=`` (counted when asked: only diagnostics need them)."""
        if self._lines is None:
            raw, lines = self.raw, _Lines(self.raw)
            equals = (raw.index("=", match.end(1)) for match in _FIELD.finditer(raw, self._body))
            self._lines = [self.line + lines.at(position) for position in equals]
        return self._lines


_DEPTH = 6
_BLOCK_START = re.compile(r"@\w*[ \t]*(?=[{(])")
_LINE_BLOCK_START = re.compile(r"^[^\S\n]*@\w*[ \t]*[{(]", re.MULTILINE)
_INNER_LINE_START = re.compile(r"\n\s*@\w*[ \t]*[{(]")
"""A block start at the start of a line inside a block: bibtexparser aborts the block there."""


def _balanced(depth: int) -> str:
    """Text with braces balanced ``depth`` deep; a brace after a backslash is not counted (as
    bibtexparser: whatever precedes that backslash), so runs of backslashes take it along."""
    pattern = r"(?:[^{}\\]++|\\++[{}]?)*+"
    for _ in range(depth):
        pattern = r"(?:[^{}\\]++|\\++[{}]?|\{" + pattern + r"\})*+"
    return pattern


# In quotes, braces do not count, and a quote is not the closing one after a backslash or as {"}.
_QUOTED = r'"(?:[^"\\{]++|\\++"?|\{(?:"(?=\}[\s\S]))?)*+"'
_PLAIN = r'[^{}",=@\\]*+'
_VALUE = r'(?:[^{}",@\\]++|\{' + _balanced(_DEPTH) + r"\}|" + _QUOTED + r")*+"
# The same, with the white space around names and values left out of the groups.
_NAME = r'\s*+((?:[^{}",=@\\\s]++|\s++(?=[^\s=]))*+)\s*+'
_STRIPPED_VALUE = (
    r'\s*+((?:[^{}",@\\\s]++|\s++(?=[^\s,}])|\{' + _balanced(_DEPTH) + r"\}|" + _QUOTED + r")*+)"
)
_HEAD = re.compile(r"@(\w*)[ \t]*\{")
_ENTRY = re.compile(
    r'([^{}",=@\\]*+)(?:,((?:' + _PLAIN + "=" + _VALUE + ",)*+(?:" + _PLAIN + "=" + _VALUE + r")?)\s*+)?\}"
)
_FIELD = re.compile(_NAME + "=" + _STRIPPED_VALUE)
_STRING_BODY = re.compile(r"(" + _PLAIN + r")=(" + _balanced(_DEPTH) + r")\}")
_BODY = re.compile(r"(" + _balanced(_DEPTH) + r")\}")


def scan(text: str) -> list[Block]:
    """Every block of the text, in order."""
    return list(iter_blocks(text))


def iter_blocks(text: str) -> Iterator[Block]:
    lines = _Lines(text)
    position = 0
    while True:
        start = _BLOCK_START.search(text, position)
        comment_end = start.start() if start else len(text)
        if comment := _implicit(text, position, comment_end, lines):
            yield comment
        if start is None:
            return
        block = _fast_block(text, start.start(), lines)
        if block is not None:
            yield block
            position = block_end = start.start() + len(block.raw)
            continue
        blocks, block_end = _slow_blocks(text, start.start(), lines)
        yield from blocks
        position = block_end


class _Lines:
    """Line numbers of positions, counted forward as bibtexparser counts them."""

    __slots__ = ("escaped", "line", "position", "text")

    def __init__(self, text: str) -> None:
        self.text, self.position, self.line = text, 0, 0
        self.escaped = "\\\n" in text  # rare: else escaped newlines need not be counted

    def at(self, position: int) -> int:
        """The line of ``position``, which must not be before the last one asked for."""
        text, start = self.text, self.position
        self.line += text.count("\n", start, position)
        if self.escaped:
            self.line -= text.count("\\\n", max(start - 1, 0), position)
        self.position = position
        return self.line


def _implicit(text: str, start: int, end: int, lines: _Lines) -> Block | None:
    """The text between blocks, without its leading and trailing white space."""
    comment = text[start:end].strip()
    if not comment:
        return None
    first = start + len(text[start:end]) - len(text[start:end].lstrip())
    return Block("implicit", lines.at(first), comment, value=comment)


def _fast_block(text: str, start: int, lines: _Lines) -> Block | None:
    """A well-formed ``{``-delimited block at ``start``, or None when bibtexparser must decide."""
    head = _HEAD.match(text, start)
    if head is None:
        return None
    kind = head.group(1).lower()
    body = head.end()
    if kind.startswith(("comment", "preamble")):
        match = _BODY.match(text, body)
        if match is None or _INNER_LINE_START.search(text, start, match.end()):
            return None
        raw, line = text[start : match.end()], lines.at(start)
        if kind.startswith("comment"):
            return Block("comment", line, raw, value=match.group(1).strip())
        return Block("preamble", line, raw, value=match.group(1))
    if kind.startswith("string"):
        match = _STRING_BODY.match(text, body)
        if match is None or _INNER_LINE_START.search(text, start, match.end()):
            return None
        return Block(
            "string",
            lines.at(start),
            text[start : match.end()],
            key=match.group(1).strip(),
            value=match.group(2).strip(),
        )
    return _fast_entry(text, start, head.group(1).lower(), body, lines)


def _fast_entry(text: str, start: int, entry_type: str, body: int, lines: _Lines) -> Block | None:
    match = _ENTRY.match(text, body)
    if match is None or _INNER_LINE_START.search(text, start, match.end()):
        return None
    start_fields, end_fields = match.span(2)
    fields = _FIELD.findall(text, start_fields, end_fields) if start_fields < end_fields else []
    return Block(
        "entry",
        lines.at(start),
        text[start : match.end()],
        type=entry_type,
        key=match.group(1).strip(),
        fields=fields,
        _body=start_fields - start if fields else 0,
    )


def _slow_blocks(text: str, start: int, lines: _Lines) -> tuple[list[Block], int]:
    """bibtexparser's blocks from ``start`` to the next line that starts a block, and where they end.

    That line's block start (``@type{``) is given to bibtexparser too, as the block before may end
    differently when it meets one (its raw text may then hold it); the block it starts is dropped."""
    after = _LINE_BLOCK_START.search(text, start + 1)
    first = lines.at(start)
    if after is None:
        return [_converted(block, first) for block in Splitter(text[start:]).split().blocks], len(text)
    blocks = Splitter(text[start : after.end()]).split().blocks[:-1]
    return [_converted(block, first) for block in blocks], after.end() - len(after.group().lstrip())


def _converted(block: BibBlock, offset: int) -> Block:
    """One of bibtexparser's blocks as a :class:`Block`, its line shifted by ``offset``."""
    if isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock) and block.ignore_error_block:
        block = block.ignore_error_block
    line = (block.start_line or 0) + offset
    raw = block.raw or ""
    if isinstance(block, Entry):
        fields = [(f.key, str(f.value)) for f in block.fields]
        return Block(
            "entry",
            line,
            raw,
            type=block.entry_type,
            key=block.key,
            fields=fields,
            _lines=[f.start_line + offset for f in block.fields],
        )
    if isinstance(block, String):
        return Block("string", line, raw, key=block.key, value=str(block.value))
    if isinstance(block, Preamble):
        return Block("preamble", line, raw, value=block.value)
    if isinstance(block, ExplicitComment):
        return Block("comment", line, raw, value=block.comment)
    if isinstance(block, ImplicitComment):
        return Block("implicit", line, raw, value=block.comment)
    assert isinstance(block, ParsingFailedBlock)
    reason = getattr(block.error, "abort_reason", "") or str(block.error) or "syntax error"
    return Block("failed", line, raw, error=reason)
