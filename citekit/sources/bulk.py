"""Streams records out of the files the local index loads, one at a time, whatever their size.

Recognised, gzipped or not:

- arXiv's bulk metadata snapshot: JSON Lines, one paper a line;
- Crossref work objects: JSON Lines (bare works or ``/works/{doi}`` responses), or JSON documents
  such as the files of Crossref's public data file (``{"items": [...]}``) and ``/works`` pages;
- dblp's XML dump (``dblp.xml.gz`` with its ``dblp.dtd``): see :mod:`citekit.sources.dblp_dump`;
- any file :mod:`citekit.formats` reads and writes (BibTeX, BibLaTeX, CSL-JSON, RIS), taken as
  reference data. Those files are read whole (they are bibliographies, not dumps), except BibTeX,
  read a chunk of entries at a time, for ACL Anthology's ``anthology+abstracts.bib.gz``.

Nothing here raises on content: a line or item that cannot be read becomes an error
:class:`~citekit.diagnostics.Diagnostic` with its file, line and 1-based position, and reading goes on.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from citekit.diagnostics import Diagnostic
from citekit.model import Origin, Record
from citekit.sources.convert import arxiv_bulk_to_record, crossref_work_to_record

ARXIV = "arxiv"
CROSSREF = "crossref"
DBLP = "dblp"
REFERENCE = "reference"
"""Kinds of record: an arXiv listing, a Crossref work, a dblp record, or a user's reference data."""

_CONVERTERS: dict[str, Callable[[dict[str, Any]], Record]] = {
    ARXIV: arxiv_bulk_to_record,
    CROSSREF: crossref_work_to_record,
}
# A JSON document (not JSON Lines) opens with one of the keys of a Crossref file or response.
_JSON_DOCUMENT = re.compile(r'\{\s*"(?:items|message|status|message-type|message-version)"\s*:')
# Converters index into whatever the dump holds; these are what malformed values raise.
_CONVERSION_ERRORS = (AttributeError, TypeError, ValueError, KeyError, IndexError)
_CHUNK = 1 << 20
_Binary = IO[bytes] | gzip.GzipFile
"""A file read as bytes: a plain one, or a gzip stream over one."""


@dataclass(slots=True)
class Loaded:
    """A record read from a bulk file, with the kind of source it stands for."""

    kind: str
    record: Record
    crossref: str = ""
    """The dblp key of a proceedings volume this record still needs its venue from."""


def read_bulk(path: str | Path, dtd: str | Path | None = None) -> Iterator[Loaded | Diagnostic]:
    """Every record of one file, in order, and a diagnostic for each one that could not be read.

    ``dtd`` is the DTD of a dblp dump, if not the ``dblp.dtd`` beside it.
    """
    path = Path(path)
    try:
        yield from _read_by_content(path, dtd)
    except (OSError, EOFError, zlib.error) as error:  # a corrupt or cut-off gzip stream
        yield Diagnostic(
            "error",
            "index.corrupt-file",
            f"cannot be decompressed: {error}; the records before the fault were read",
            _display_name(path),
        )


def _read_by_content(path: Path, dtd: str | Path | None) -> Iterator[Loaded | Diagnostic]:
    head = _head(path)
    if head.startswith("<"):
        # Imported here: lxml is needed only for dblp's dump.
        from citekit.sources.dblp_dump import is_dblp, read_dblp

        if is_dblp(head):
            yield from read_dblp(path, _display_name(path), dtd)
            return
    if _JSON_DOCUMENT.match(head):
        yield from _read_json_documents(path)
    elif head.startswith("{"):
        yield from _read_json_lines(path)
    else:
        yield from _read_reference(path)


def _open(path: Path) -> _Binary:
    handle = path.open("rb")
    if handle.read(2) == b"\x1f\x8b":
        handle.close()
        return gzip.open(path, "rb")
    handle.seek(0)
    return handle


def _head(path: Path) -> str:
    """The file's first characters; of a gzipped file, what its first 64 kB hold (a cut-off file too)."""
    with path.open("rb") as handle:
        raw = handle.read(1 << 16)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, 4096)
        except zlib.error:
            raw = b""
    return raw[:4096].decode("utf-8-sig", errors="replace").lstrip()


def _display_name(path: Path) -> str:
    return path.name.removesuffix(".gz")


def _read_json_lines(path: Path) -> Iterator[Loaded | Diagnostic]:
    file, index = _display_name(path), 0
    with _open(path) as handle:
        for line_number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            index += 1
            try:
                value = json.loads(line)
            except ValueError as error:  # JSONDecodeError and UnicodeDecodeError alike
                raw = line.decode("utf-8", errors="replace").rstrip("\n")
                yield Diagnostic(
                    "error", "index.bad-json", f"not a JSON object: {error}", file, line_number, index, raw
                )
                continue
            for work in _works_in(value):
                yield _convert(work, file, index, line_number)


def _read_json_documents(path: Path) -> Iterator[Loaded | Diagnostic]:
    file, index = _display_name(path), 0
    with _open(path) as handle:
        stream = _JsonStream(handle)
        try:
            for value, line in stream.top_level_works():
                index += 1
                yield _convert(value, file, index, line)
        except ValueError as error:
            yield Diagnostic(
                "error",
                "index.bad-json",
                f"JSON broken after item {index}: {error}; the rest of the file was not read",
                file,
                stream.line,
                index + 1,
                stream.excerpt(),
            )


def _works_in(value: Any) -> list[Any]:
    """The work objects a JSON value holds: itself, a response's ``message``, or a list's ``items``."""
    if isinstance(value, dict) and isinstance(value.get("message"), dict):
        value = value["message"]
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        items: list[Any] = value["items"]
        return items
    return [value]


def _kind_of(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if "DOI" in value:
        return CROSSREF
    if "id" in value and ("authors_parsed" in value or "versions" in value or "categories" in value):
        return ARXIV
    return None


def _convert(value: Any, file: str, index: int, line: int | None) -> Loaded | Diagnostic:
    kind = _kind_of(value)
    if kind is None:
        return Diagnostic(
            "error",
            "index.unknown-record",
            "neither an arXiv listing nor a Crossref work",
            file,
            line,
            index,
            json.dumps(value, ensure_ascii=False),
        )
    try:
        record = _CONVERTERS[kind](value)
    except _CONVERSION_ERRORS as error:
        return Diagnostic(
            "error",
            "index.bad-record",
            f"unreadable {kind} record: {error!r}",
            file,
            line,
            index,
            json.dumps(value, ensure_ascii=False),
        )
    record.origin = Origin(file, index, line, kind)
    return Loaded(kind, record)


@contextmanager
def _plain(path: Path) -> Iterator[Path]:
    """The file itself, or a gzipped file decompressed to a temporary file (a stream copy)."""
    with path.open("rb") as handle:
        packed = handle.read(2) == b"\x1f\x8b"
    if not packed:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="citekit-") as folder:
        plain = Path(folder) / path.name.removesuffix(".gz")
        with gzip.open(path, "rb") as source, plain.open("wb") as target:
            shutil.copyfileobj(source, target, _CHUNK)
        yield plain


def _read_reference(path: Path) -> Iterator[Loaded | Diagnostic]:
    # Imported here: the registry loads every reader, which a dump of arXiv listings never needs.
    from citekit import formats

    file = _display_name(path)
    if (chunked := formats.by_suffix(file)) is not None and chunked.read_chunks is not None:
        # BibTeX: read a chunk of entries at a time (ACL Anthology's file is 130k entries).
        with _plain(path) as plain:
            for part in chunked.read_chunks(plain, file):
                yield from part.diagnostics
                yield from (Loaded(REFERENCE, record) for record in part.records)
        return
    with _open(path) as handle:
        text, problems = formats.decode(handle.read(), file)
    try:
        fmt = formats.detect(file, text)
    except formats.UnknownFormatError as error:
        yield Diagnostic("error", "index.unknown-format", str(error), file)
        return
    if fmt.write is None:
        yield Diagnostic(
            "error",
            "index.not-reference-data",
            f"{fmt.name} is scraped text, not reference data: convert it first",
            file,
        )
        return
    result = fmt.read(text, file)
    yield from problems
    yield from result.diagnostics
    for record in result.records:
        yield Loaded(REFERENCE, record)


class _JsonStream:
    """Walks JSON documents a value at a time, so a 1 GB ``{"items": [...]}`` never sits in memory.

    Hand-written on purpose: :meth:`json.JSONDecoder.raw_decode` parses every value; this class only
    steps through the top-level object and its ``items`` array, which needs no new dependency.
    """

    def __init__(self, handle: _Binary) -> None:
        self._handle = handle
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._json = json.JSONDecoder()
        self._text = ""
        self._pos = 0
        self._eof = False
        self.line = 1
        """Line of the current position (1-based), for diagnostics."""

    def top_level_works(self) -> Iterator[tuple[Any, int]]:
        """Each work with its starting line, from one or more concatenated top-level objects."""
        while self._skip_space():
            self._expect("{")
            if self._skip_space() == "}":
                self._pos += 1
                continue
            while True:
                key = self._value()
                if not isinstance(key, str):
                    raise ValueError("expected an object key")
                self._expect(":")
                self._skip_space()
                if key == "items":
                    yield from self._array_items()
                else:
                    line, value = self.line, self._value()
                    if key == "message":
                        yield from ((work, line) for work in _works_in(value))
                if self._skip_space() == "}":
                    self._pos += 1
                    break
                self._expect(",")
                self._skip_space()

    def excerpt(self) -> str:
        return self._text[self._pos : self._pos + 200]

    def _array_items(self) -> Iterator[tuple[Any, int]]:
        self._skip_space()
        self._expect("[")
        if self._skip_space() == "]":
            self._pos += 1
            return
        while True:
            line = self.line
            yield self._value(), line
            if self._skip_space() == "]":
                self._pos += 1
                return
            self._expect(",")
            self._skip_space()

    def _value(self) -> Any:
        """The JSON value at the position; reads on while it runs past the buffered text."""
        while True:
            try:
                value, end = self._json.raw_decode(self._text, self._pos)
            except json.JSONDecodeError:
                if self._eof:
                    raise
                self._fill()
                continue
            if end == len(self._text) and not self._eof:  # a number may go on in the next chunk
                self._fill()
                continue
            self._advance(end)
            return value

    def _skip_space(self) -> str:
        """Moves past white space; the next character, or ``""`` at the end of the input."""
        while True:
            while self._pos < len(self._text) and self._text[self._pos] in " \t\r\n":
                self._advance(self._pos + 1)
            if self._pos < len(self._text):
                return self._text[self._pos]
            if self._eof:
                return ""
            self._fill()

    def _expect(self, char: str) -> None:
        if self._skip_space() != char:
            raise ValueError(f"expected {char!r} at line {self.line}")
        self._pos += 1

    def _advance(self, end: int) -> None:
        self.line += self._text.count("\n", self._pos, end)
        self._pos = end

    def _fill(self) -> None:
        chunk = self._handle.read(_CHUNK)
        self._eof = not chunk
        self._text = self._text[self._pos :] + self._decoder.decode(chunk, final=self._eof)
        self._pos = 0
