"""Reading a file in chunks of blocks, so that memory does not grow with the file."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from citekit.diagnostics import Diagnostic, ReadResult
from citekit.formats.bibtex.reader import Reader, read
from citekit.formats.bibtex.table import Dialect

CHUNK_BLOCKS = 1000
"""Blocks per chunk when a file is read in chunks: enough to amortise the splitter, few enough
that memory does not grow with the file."""
_LINE_BLOCK_START = re.compile(r"^[^\S\n]*@\w*[ \t]*[{(]")


def read_chunks(path: str | Path, file: str, dialect: Dialect = "bibtex",
                blocks_per_chunk: int | None = None) -> Iterator[ReadResult]:
    """The file read in chunks of blocks, with the same records and diagnostics as :func:`read`.

    bibtexparser's splitter ends whatever block it is in at a line that starts a block
    (``@type{`` after optional white space), so cutting the text before such lines changes
    nothing: each chunk is parsed with the next block's first line appended (so a block left
    open fails as it would in the whole file) and the blocks starting there are dropped. Line
    numbers are shifted by the lines before the chunk, counted as the splitter counts them (a
    newline after a backslash is not counted). ``@string``\\ s apply file-wide, also before their
    definition, so a first pass reads them (and checks the encoding); the first result holds
    what it found. Entry numbers and the keys seen carry across chunks. ``blocks_per_chunk``
    defaults to :data:`CHUNK_BLOCKS`. A file that declares another encoding than UTF-8 is read whole.
    """
    path = Path(path)
    from citekit.formats import declared_encoding, decode  # the package imports this module

    with path.open("rb") as stream:
        declared = declared_encoding(stream.read(4096))
    if declared is not None:  # UTF-16, a JabRef "% Encoding:" line: the lines below are UTF-8 lines
        text, diagnostics = decode(path.read_bytes(), file)
        whole = read(text, file, dialect)
        whole.diagnostics[:0] = diagnostics
        yield whole
        return
    reader = Reader(file, dialect, ReadResult())
    encoding: list[Diagnostic] = []
    for body, lookahead, offset in _chunks(_decoded_lines(path, file, encoding), 1, strings_only=True):
        reader.define_strings(reader.split(body + lookahead, offset, _lines_in(body)) or [])
    reader.result.diagnostics[:0] = encoding
    yield reader.result
    for body, lookahead, offset in _chunks(_decoded_lines(path, file, []), blocks_per_chunk or CHUNK_BLOCKS):
        reader.result = ReadResult()
        reader.read_blocks(reader.split(body + lookahead, offset, _lines_in(body)) or [])
        yield reader.result


def _decoded_lines(path: Path, file: str, diagnostics: list[Diagnostic]) -> Iterator[str]:
    """Lines (split at LF only, as the splitter counts them) decoded as :func:`formats.decode` does:
    UTF-8 without BOM, bytes that are not UTF-8 replaced and the first of them reported."""
    offset = 0
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                if not diagnostics:
                    message = f"not UTF-8 at byte {offset + error.start}; undecodable bytes replaced"
                    diagnostics.append(Diagnostic("warning", "input.encoding", message, file, number))
                yield raw.decode("utf-8", errors="replace")
            offset += len(raw)


def _chunks(lines: Iterable[str], blocks_per_chunk: int,
            strings_only: bool = False) -> Iterator[tuple[str, str, int]]:
    """``(body, lookahead, line offset)``: runs of whole blocks cut before block-starting lines,
    the line that follows, and the splitter's line count before the body. ``strings_only`` keeps
    only single blocks that may hold an ``@string``."""
    body: list[str] = []
    blocks, offset, counted, wanted = 0, 0, 0, not strings_only
    for line in lines:
        if "@" in line:
            if _LINE_BLOCK_START.match(line):
                if blocks >= blocks_per_chunk:
                    if wanted:
                        yield "".join(body), line, offset
                    body, blocks, offset, wanted = [], 0, counted, not strings_only
                blocks += 1
            wanted = wanted or "@string" in line.lower()
        body.append(line)
        counted += line.endswith("\n") and not line.endswith("\\\n")
    if wanted and body:
        yield "".join(body), "", offset


def _lines_in(text: str) -> int:
    """Lines as the splitter counts them: newlines not escaped by a backslash, and a last line
    with no newline after it (a block starting there is in the chunk too)."""
    return text.count("\n") - text.count("\\\n") + (bool(text) and not text.endswith("\n"))
