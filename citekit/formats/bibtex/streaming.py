"""Reading a file in chunks of blocks, so that memory does not grow with the file, and so that the
chunks can be read in worker processes (``citekit convert --jobs``).

The scanner, as bibtexparser's splitter, ends whatever block it is in at a line that starts a
block (``@type{`` after optional white space), so cutting the text before such lines changes
nothing: each chunk is read with the next block's start (``@type{``) appended, so that a block
left open fails as it would in the whole file, and the block starting there is dropped. Line
numbers are shifted by the lines before the chunk, counted as the splitter counts them (a newline
after a backslash is not counted).

Each chunk is read on its own (:func:`read_chunk`), knowing only the file-wide ``@string``\\ s
(:func:`file_strings`, a first pass), and numbers its entries from 1; :class:`Merger` then
numbers them across the file and reports keys and ``@string``\\ s defined again in an earlier
chunk, so that the chunks together give what :func:`~.reader.read` gives for the whole file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from citekit.diagnostics import Diagnostic, ReadResult
from citekit.formats.bibtex.reader import Reader, read
from citekit.formats.bibtex.table import Dialect
from citekit.formats.bibtex.values import EXPANSION_ALLOWANCE

CHUNK_BLOCKS = 1000
"""Blocks per chunk when a file is read in chunks: enough to amortise the work of handing a chunk
to a worker, few enough that memory does not grow with the file."""
_LINE_BLOCK_START = re.compile(r"^[^\S\n]*@\w*[ \t]*[{(]", re.MULTILINE)
_NEWLINE_BLOCK_START = re.compile(r"\n[^\S\n]*@\w*[ \t]*[{(]")
_STRING = re.compile(r"@string", re.IGNORECASE)
_CROSSREF = re.compile(r"\bcrossref\s*=\s*[{\"]?\s*([^\s,{}\"]+)", re.IGNORECASE)
_ENTRY_KEY = re.compile(r"^[^\S\n]*@\w+[ \t]*[{(]\s*([^\s,]+)", re.MULTILINE)
_READ_SIZE = 1 << 20


@dataclass(frozen=True, slots=True)
class Chunk:
    """Whole blocks of a file; ``lookahead`` is the next block's start (empty at the end)."""

    text: str
    lookahead: str
    line_offset: int


@dataclass(slots=True)
class Strings:
    """What the first pass found: the ``@string`` table, the expansion allowance left, and its
    diagnostics (the encoding's included)."""

    table: dict[str, str] = field(default_factory=dict)
    allowance: int = EXPANSION_ALLOWANCE
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parents: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    """The entries a ``crossref`` names (see :meth:`.reader.Reader.define_parents`)."""


@dataclass(slots=True)
class ChunkRead:
    """One chunk read on its own: entries numbered from 1, and what :class:`Merger` needs."""

    file: str
    result: ReadResult
    entries: int
    string_keys: list[tuple[str, int]]
    """Each ``@string``'s name and line, in order."""
    first_keys: dict[str, int]
    """Each key's first record in the chunk (its position in ``result.records``)."""


def read_chunks(
    path: str | Path, file: str, dialect: Dialect = "bibtex", blocks_per_chunk: int | None = None
) -> Iterator[ReadResult]:
    """The file read in chunks, with the same records and diagnostics as :func:`~.reader.read`.

    The first result holds what the ``@string`` pass found; ``blocks_per_chunk`` defaults to
    :data:`CHUNK_BLOCKS`. A file that declares another encoding than UTF-8 is read whole."""
    path = Path(path)
    if declares_encoding(path):  # UTF-16, a JabRef "% Encoding:" line: the chunks below are UTF-8
        from citekit.formats import decode  # the package imports this module

        text, diagnostics = decode(path.read_bytes(), file)
        whole = read(text, file, dialect)
        whole.diagnostics[:0] = diagnostics
        yield whole
        return
    strings = file_strings(path, file, dialect)
    yield ReadResult(diagnostics=strings.diagnostics)
    merger = Merger()
    for chunk in chunks(path, file, blocks_per_chunk or CHUNK_BLOCKS):
        yield merger.merge(read_chunk(chunk, file, dialect, strings))


def declares_encoding(path: Path) -> bool:
    """Whether the file says it is not UTF-8 (a BOM of UTF-16 or 32, JabRef's ``% Encoding:``)."""
    from citekit.formats import declared_encoding  # the package imports this module

    with path.open("rb") as stream:
        return declared_encoding(stream.read(4096)) is not None


def file_strings(path: Path, file: str, dialect: Dialect) -> Strings:
    """The ``@string``\\ s of the whole file (they apply file-wide, also before their definition),
    and the entries a ``crossref`` names (a second pass, for files that have one).

    The ``@string`` pass runs before any chunk can be converted, so it looks at pieces of about
    :data:`_READ_SIZE` (not at chunks: finding every block start cost as much as the rest) and reads
    only the blocks that hold an ``@string``."""
    found = Strings()
    reader = Reader(file, dialect, ReadResult())
    crossref, wanted = _mentions(path, b"crossref"), set[str]()
    line = 0  # the piece's first line, counted once: up to each @string's block, then to its end
    for text, lookahead in _pieces(path, file, found.diagnostics):
        if crossref:
            wanted.update(key.casefold() for key in _CROSSREF.findall(text))
        counted = 0
        for start, end in _string_blocks(text) if _STRING.search(text) else ():
            line, counted = line + _lines_in(text, counted, start), start
            after = _block_start(text, end) if end < len(text) else lookahead
            reader.define_strings(reader.split(text[start:end] + after, line, bool(after)) or [])
        line += _lines_in(text, counted)
    found.table, found.allowance = reader.strings, reader.allowance
    found.diagnostics.extend(reader.result.diagnostics)
    if wanted:
        found.parents = _parents(path, file, reader, wanted)
    return found


def _parents(
    path: Path, file: str, reader: Reader, wanted: set[str]
) -> dict[str, tuple[str, dict[str, str]]]:
    """The entries named in ``wanted``, wherever they are (a parent may follow its children)."""
    for chunk in chunks(path, file, CHUNK_BLOCKS):
        if wanted.intersection(key.casefold() for key in _ENTRY_KEY.findall(chunk.text)):
            blocks = reader.split(chunk.text + chunk.lookahead, chunk.line_offset, bool(chunk.lookahead))
            reader.define_parents(blocks or [], wanted)
    return reader.parents


def _mentions(path: Path, word: bytes) -> bool:
    """Whether the file holds ``word`` (lower case) in any case: on the raw bytes, lowered, five
    times faster than a case-blind regular expression on the text (measured), and most files have
    no ``crossref``."""
    with path.open("rb") as stream:
        tail = b""
        while data := stream.read(_READ_SIZE):
            data = (tail + data).lower()
            if word in data:
                return True
            tail = data[-len(word) + 1 :]
    return False


def _string_blocks(text: str) -> Iterator[tuple[int, int]]:
    """Where the blocks that hold an ``@string`` start and end, found from the ``@string``\\ s
    themselves (a file may have them throughout): a block starts at the last line that starts one
    (or at the text's start) and ends where the next such line starts."""
    end = 0
    for match in _STRING.finditer(text):
        if match.start() < end:
            continue  # in the block just found
        following = _NEWLINE_BLOCK_START.search(text, match.start())
        end = following.start() + 1 if following else len(text)
        yield _enclosing_block_start(text, match.start()), end


def _enclosing_block_start(text: str, position: int) -> int:
    """The start of the last line at or before ``position`` that starts a block, else 0."""
    start = text.rfind("\n", 0, position) + 1
    while start and not _LINE_BLOCK_START.match(text, start):
        start = text.rfind("\n", 0, start - 1) + 1
    return start


def read_chunk(chunk: Chunk, file: str, dialect: Dialect, strings: Strings) -> ChunkRead:
    """One chunk's records and diagnostics, its entries numbered from 1."""
    reader = Reader(file, dialect, ReadResult())
    reader.strings, reader.allowance, reader.parents = strings.table, strings.allowance, strings.parents
    blocks = reader.split(chunk.text + chunk.lookahead, chunk.line_offset, bool(chunk.lookahead)) or []
    reader.read_blocks(blocks)
    first_keys: dict[str, int] = {}
    for position, record in enumerate(reader.result.records):
        first_keys.setdefault(record.key, position)
    return ChunkRead(file, reader.result, reader.count, reader.string_keys_read, first_keys)


class Merger:
    """Chunks read on their own, in file order, made one file's reading."""

    def __init__(self) -> None:
        self.entries = 0
        self.keys: set[str] = set()
        self.string_keys: set[str] = set()

    def merge(self, read: ChunkRead) -> ReadResult:
        result, base = read.result, self.entries
        if base:
            for record in result.records:
                if record.origin is not None:
                    record.origin.index += base
            result.diagnostics = [_renumbered(d, base) for d in result.diagnostics]
        firsts: dict[str, int] = {}
        for key, line in read.string_keys:
            firsts.setdefault(key, line)
        for key, line in firsts.items():
            if key in self.string_keys:
                _insert(
                    result,
                    Diagnostic(
                        "warning",
                        "bibtex.duplicate-string",
                        f"@string {key} defined again; the last wins",
                        read.file,
                        line,
                    ),
                )
        for key, position in read.first_keys.items():
            if key in self.keys:
                record = result.records[position]
                assert record.origin is not None
                _insert(
                    result,
                    Diagnostic(
                        "warning",
                        "bibtex.duplicate-key",
                        f"key {key!r} used again",
                        record.origin.file,
                        record.origin.line,
                        record.origin.index,
                    ),
                )
        self.entries += read.entries
        self.keys.update(read.first_keys)
        self.string_keys.update(key for key, _ in read.string_keys)
        return result


def _renumbered(diagnostic: Diagnostic, base: int) -> Diagnostic:
    """The diagnostic of a chunk's entry, numbered across the file (its message too)."""
    index = diagnostic.index
    if index is None:
        return diagnostic
    message = diagnostic.message
    if message.startswith(f"entry {index} "):
        message = f"entry {index + base} " + message[len(f"entry {index} ") :]
    return Diagnostic(
        diagnostic.level,
        diagnostic.code,
        message,
        diagnostic.file,
        diagnostic.line,
        index + base,
        diagnostic.raw,
    )


def _insert(result: ReadResult, diagnostic: Diagnostic) -> None:
    """After the diagnostics of blocks before the diagnostic's line and of its own entry."""
    line, index = diagnostic.line or 0, diagnostic.index
    position = next(
        (
            i
            for i, d in enumerate(result.diagnostics)
            if index is not None and d.index == index and d.code == "bibtex.missing-key"
        ),
        None,
    )
    if position is None:
        position = next(
            (
                i
                for i, d in enumerate(result.diagnostics)
                if (d.line or 0) > line and (index is None or d.index != index)
            ),
            len(result.diagnostics),
        )
    result.diagnostics.insert(position, diagnostic)


def chunks(
    path: Path, file: str, blocks_per_chunk: int, diagnostics: list[Diagnostic] | None = None
) -> Iterator[Chunk]:
    """The file in chunks of ``blocks_per_chunk`` blocks (the first also holds what precedes its
    first block), cut before lines that start a block. The encoding's diagnostic, if any, goes to
    ``diagnostics``."""
    pending, offset = "", 0
    for text in _decoded(path, file, diagnostics):
        pending += text
        starts = _line_block_starts(pending)
        start = 0
        for cut in starts[blocks_per_chunk::blocks_per_chunk]:
            body = pending[start:cut]
            yield Chunk(body, _block_start(pending, cut), offset)
            offset += _lines_in(body)
            start = cut
        pending = pending[start:]
    if pending:
        yield Chunk(pending, "", offset)


def _line_block_starts(text: str) -> list[int]:
    """Where the lines that start a block start: what ``_LINE_BLOCK_START.finditer`` finds, four
    times faster (measured) by searching from newline to newline."""
    starts = [match.start() + 1 for match in _NEWLINE_BLOCK_START.finditer(text)]
    return [0, *starts] if _LINE_BLOCK_START.match(text) else starts


def _pieces(path: Path, file: str, diagnostics: list[Diagnostic]) -> Iterator[tuple[str, str]]:
    """The file in pieces of whole blocks, of about :data:`_READ_SIZE` each (one larger block makes a
    larger piece), cut before the last line of each read that starts a block; with each piece, the
    next block's start (empty at the end)."""
    pending = ""
    for text in _decoded(path, file, diagnostics):
        pending += text
        cut = _last_block_start(pending, len(pending) - len(text))
        if cut:
            yield pending[:cut], _block_start(pending, cut)
            pending = pending[cut:]
    if pending:
        yield pending, ""


def _last_block_start(text: str, since: int) -> int:
    """The start of the last line from ``since`` on that starts a block (0 if none), walked back line
    by line: blocks are short, and no line before ``since`` but the first starts one."""
    end = len(text)
    while end > since:
        start = max(text.rfind("\n", since, end - 1) + 1, since)
        if _LINE_BLOCK_START.match(text, start):
            return start
        end = start
    return 0


def _block_start(text: str, position: int) -> str:
    match = _LINE_BLOCK_START.match(text, position)
    assert match is not None
    return match.group().lstrip()


def _decoded(path: Path, file: str, diagnostics: list[Diagnostic] | None) -> Iterator[str]:
    """The file decoded as :func:`formats.decode` does (UTF-8 without BOM, bytes that are not
    UTF-8 replaced and the first of them reported), in pieces that end at a line's end."""
    with path.open("rb") as stream:
        carry, offset, lines = b"", 0, 0
        first = True
        while data := stream.read(_READ_SIZE):
            data = carry + data
            if first and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            first = False
            end = data.rfind(b"\n") + 1
            piece, carry = data[:end], data[end:]
            if piece:
                yield _decode(piece, offset, lines, file, diagnostics)
                offset, lines = offset + len(piece), lines + piece.count(b"\n")
        if carry:
            yield _decode(carry, offset, lines, file, diagnostics)


def _decode(data: bytes, offset: int, lines: int, file: str, diagnostics: list[Diagnostic] | None) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if diagnostics is not None and not any(d.code == "input.encoding" for d in diagnostics):
            message = f"not UTF-8 at byte {offset + error.start}; undecodable bytes replaced"
            line = lines + data.count(b"\n", 0, error.start) + 1
            diagnostics.append(Diagnostic("warning", "input.encoding", message, file, line))
        return data.decode("utf-8", errors="replace")


def _lines_in(text: str, start: int = 0, end: int | None = None) -> int:
    """Lines of ``text[start:end]`` as the splitter counts them: newlines not escaped by a backslash,
    and a last line with no newline after it (a block starting there is in the chunk too)."""
    end = len(text) if end is None else end
    last = start < end and text[end - 1] != "\n"
    return text.count("\n", start, end) - text.count("\\\n", start, end) + last
