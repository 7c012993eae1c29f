"""BibTeX and BibLaTeX: one reader for both dialects, a writer for each, one field table.

Reading uses bibtexparser v2's splitter with no middleware: v2 resolves a value only when it is a
single macro and does not evaluate ``#`` concatenation (``ieee # " Conf"``, ``jan # "~15"``), so
values are evaluated here (:func:`evaluate`), month macros and ``@string``\\ s alike. Text is
decoded to Unicode (math kept as ``$…$``), names go through :mod:`citekit.names`, arXiv ids are
gathered from every spelling people use, and every field the model lacks is kept, raw, in
``record.custom`` so that BibTeX → model → BibTeX loses nothing.

:data:`FIELDS` drives both directions: a field is read into an attribute only for the CSL types
its row applies to (``number`` is the issue of an article, the number of a report), and written
back through the same row. The writers escape text (:mod:`citekit.formats.latex`), so nothing in a
record can break a field or run as a command.
"""

from __future__ import annotations

import codecs
import dataclasses
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Literal

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)
from bibtexparser.model import Field as BibField
from bibtexparser.writer import BibtexFormat

from citekit.diagnostics import Diagnostic, Level, ReadResult
from citekit.formats.base import Format
from citekit.formats.latex import decode, is_inert, plain_identifier, to_latex
from citekit.ids import ArxivId, find_arxiv_id, is_arxiv_doi, normalize_doi, parse_arxiv_id
from citekit.keys import assign_keys
from citekit.model import Date, Name, Origin, Record
from citekit.names import format_name, parse_name, split_names
from citekit.text import squash

# bibtexparser logs every broken block; the reader reports them as diagnostics instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

Dialect = Literal["bibtex", "biblatex"]
JOURNAL_TYPES = frozenset({"article-journal", "article-magazine", "article-newspaper", "article"})
ENTRYTYPE = "entrytype"
"""``custom`` key keeping an entry type the CSL type does not imply (``mastersthesis``)."""


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One model attribute ↔ one field, for the CSL types the row applies to."""

    attr: str
    bibtex: str
    biblatex: str
    kind: str = "text"
    """text, title (case-protected), pages, doi, url; names, date and eprint are compound."""
    types: frozenset[str] | None = None
    exclude: frozenset[str] = frozenset()

    @property
    def names(self) -> tuple[str, str]:
        return self.bibtex, self.biblatex

    def applies(self, csl_type: str) -> bool:
        return (self.types is None or csl_type in self.types) and csl_type not in self.exclude

    def field(self, dialect: Dialect) -> str:
        return self.bibtex if dialect == "bibtex" else self.biblatex


FIELDS: tuple[FieldRule, ...] = (
    FieldRule("author", "author", "author", "names"),
    FieldRule("editor", "editor", "editor", "names"),
    FieldRule("title", "title", "title", "title"),
    FieldRule("container_title", "journal", "journaltitle", types=JOURNAL_TYPES),
    FieldRule("container_title", "booktitle", "booktitle", "title", exclude=JOURNAL_TYPES),
    FieldRule("collection_title", "series", "series", "title"),
    FieldRule("event_title", "eventtitle", "eventtitle"),
    FieldRule("volume", "volume", "volume"),
    FieldRule("issue", "number", "number", types=JOURNAL_TYPES),
    FieldRule("issue", "issue", "issue", exclude=JOURNAL_TYPES),
    FieldRule("number", "number", "number", exclude=JOURNAL_TYPES),
    FieldRule("number", "eid", "eid", types=JOURNAL_TYPES),
    FieldRule("page", "pages", "pages", "pages"),
    FieldRule("issued", "year", "date", "date"),
    FieldRule("publisher", "school", "institution", types=frozenset({"thesis"})),
    FieldRule("publisher", "institution", "institution", types=frozenset({"report"})),
    FieldRule("publisher", "publisher", "publisher", exclude=frozenset({"thesis", "report"})),
    FieldRule("publisher_place", "address", "location"),
    FieldRule("isbn", "isbn", "isbn"),
    FieldRule("issn", "issn", "issn"),
    FieldRule("doi", "doi", "doi", "doi"),
    FieldRule("arxiv_id", "eprint", "eprint", "eprint"),
    FieldRule("url", "url", "url", "url"),
    FieldRule("language", "language", "language"),
    FieldRule("keyword", "keywords", "keywords"),
    FieldRule("note", "note", "note"),
    FieldRule("abstract", "abstract", "abstract"),
)
_SIMPLE = {"text", "title", "pages", "doi", "url"}

READ_TYPES: dict[str, str] = {
    "article": "article-journal", "inproceedings": "paper-conference", "conference": "paper-conference",
    "incollection": "chapter", "inbook": "chapter", "bookinbook": "chapter", "suppbook": "chapter",
    "suppcollection": "chapter", "inreference": "entry-encyclopedia", "book": "book", "mvbook": "book",
    "collection": "book", "mvcollection": "book", "proceedings": "book", "mvproceedings": "book",
    "reference": "book", "mvreference": "book", "booklet": "book", "phdthesis": "thesis",
    "mastersthesis": "thesis", "thesis": "thesis", "techreport": "report", "report": "report",
    "manual": "report", "unpublished": "manuscript", "online": "webpage", "electronic": "webpage",
    "www": "webpage", "dataset": "dataset", "software": "software", "patent": "patent",
    "standard": "standard", "periodical": "periodical", "misc": "document", "preprint": "article",
}
# CSL type → (BibTeX, BibLaTeX). A preprint is @misc in BibTeX, as arXiv's own export writes it,
# and @online in BibLaTeX, as Better BibTeX does: biblatex's @online is complete with an eprint
# alone (its required fields are author, title, date and one of doi/eprint/url) and the standard
# styles print the eprint for it.
WRITE_TYPES: dict[str, tuple[str, str]] = {
    "article-journal": ("article", "article"), "article-magazine": ("article", "article"),
    "article-newspaper": ("article", "article"), "article": ("misc", "online"),
    "paper-conference": ("inproceedings", "inproceedings"), "chapter": ("incollection", "incollection"),
    "entry-encyclopedia": ("incollection", "inreference"),
    "entry-dictionary": ("incollection", "inreference"),
    "book": ("book", "book"), "thesis": ("phdthesis", "phdthesis"), "report": ("techreport", "techreport"),
    "manuscript": ("unpublished", "unpublished"), "webpage": ("misc", "online"),
    "dataset": ("misc", "dataset"),
    "software": ("misc", "software"), "patent": ("misc", "patent"), "standard": ("misc", "standard"),
    "periodical": ("misc", "periodical"),
}
_PREPRINT_BASES = {"article-journal", "document", "webpage", "article"}
_BIBTEX_TYPES = {
    "article", "book", "booklet", "conference", "inbook", "incollection", "inproceedings", "manual",
    "mastersthesis", "misc", "phdthesis", "proceedings", "techreport", "unpublished",
}
_KNOWN_TYPES: dict[str, set[str]] = {
    "bibtex": _BIBTEX_TYPES,
    "biblatex": _BIBTEX_TYPES | set(READ_TYPES) | {
        "suppperiodical", "artwork", "audio", "image", "movie", "music", "performance", "video",
        "letter", "review", "set",
    },
}

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
MONTH_MACROS = {name[:3]: name.capitalize() for name in MONTHS}
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T[\d:.]+Z?)?(?:/.*)?")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-:.+]*$")
_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_NOT_ENTRIES = re.compile(r"^\s*@\s*(?:string|comment|preamble)\b", re.IGNORECASE)
# @strings defined by doubling (s2 = s1 # s1, s3 = s2 # s2 …) make a value of 2**n characters from
# n short lines: a 1 kB file could fill the memory. Expansion may add ten characters per character
# of the values read so far, plus 20,000: far beyond any real file (a journal macro adds tens of
# characters per entry), and reading stays linear in the input. Not more: decoding LaTeX runs at
# about 150,000 characters a second, so with a million a fuzzed 1.6 kB file took 2 s.
_EXPANSION_ALLOWANCE = 20_000
_EXPANSION_PER_CHAR = 10
# A line that starts like an entry but that bibtexparser left in the text between entries (a typo
# in the entry type: "@]article{", "@mis=c{"): the user meant an entry, so it is reported as one lost.
_LOST_ENTRY = re.compile(r"^[ \t]*@(?![ \t]*(?:string|comment|preamble)\b)[^\n{(]*[{(]",
                         re.IGNORECASE | re.MULTILINE)
_ARXIV_VENUE = re.compile(r"^\s*(?:arxiv|corr)\b", re.IGNORECASE)
_ARXIV_WORDS = re.compile(r"^[\W_]*(?:(?:arxiv|corr|preprint|e-?prints?|abs)\b[\W_]*)*$", re.IGNORECASE)
_ARXIV_ID_TEXT = re.compile(r"\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?")
_ARXIV_CLASS = re.compile(r"\[\s*([a-z\-]+(?:\.[A-Za-z\-]+)?)")


def sniff(text: str) -> bool:
    return bool(_ENTRY_START.search(text))


# ---------------------------------------------------------------------------------------- reading


def read(text: str, file: str, dialect: Dialect = "bibtex") -> ReadResult:
    """Every entry becomes a record or an error diagnostic; never raises on content."""
    result = ReadResult()
    reader = _Reader(file, dialect, result)
    blocks = reader.split(text)
    if blocks is not None:
        reader.define_strings(blocks)
        reader.read_blocks(blocks)
    return result


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
    defaults to :data:`CHUNK_BLOCKS`.
    """
    path = Path(path)
    reader = _Reader(file, dialect, ReadResult())
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
    """Lines as the splitter counts them: newlines not escaped by a backslash."""
    return text.count("\n") - text.count("\\\n")


class _Reader:
    """One file: the ``@string`` table, the keys seen, and the entry being read (for diagnostics).

    A file read in chunks is read by one reader, so entry numbers, keys and strings carry over.
    """

    def __init__(self, file: str, dialect: Dialect, result: ReadResult) -> None:
        self.file, self.dialect, self.result = file, dialect, result
        self.strings: dict[str, str] = {}
        self.string_keys: set[str] = set()
        self.keys: set[str] = set()
        self.index: int | None = None
        self.allowance = _EXPANSION_ALLOWANCE
        """Characters @string expansion may still add (see :data:`_EXPANSION_ALLOWANCE`)."""
        self.count = 0
        self.line_offset = 0

    def split(self, text: str, line_offset: int = 0, lines: int | None = None) -> list[Block] | None:
        """bibtexparser's blocks, those starting within the first ``lines`` lines (all when None);
        None (and an error) when the text cannot be split at all."""
        self.line_offset = line_offset
        try:
            library = bibtexparser.parse_string(text, parse_stack=[])
        except Exception as error:  # noqa: BLE001 - the reader must not raise, whatever the input
            message = f"the file could not be split into entries ({type(error).__name__}: {error})"
            self.result.diagnostics.append(Diagnostic("error", "bibtex.parse-error", message, self.file,
                                                      line_offset + 1, raw=text))
            return None
        if lines is None:
            return library.blocks
        return [block for block in library.blocks if block.start_line < lines]

    def line(self, block: object) -> int | None:
        start = getattr(block, "start_line", None)
        return start + 1 + self.line_offset if start is not None else None

    def warn(self, code: str, message: str, line: int | None, level: Level = "warning", raw: str = "",
             index: int | None = None) -> None:
        index = index if index is not None else self.index
        self.result.diagnostics.append(Diagnostic(level, code, message, self.file, line, index, raw))

    def define_strings(self, blocks: Sequence[Block]) -> None:
        """All ``@string``\\ s before any entry: bibtexparser resolves them file-wide too."""
        for block in blocks:
            string = block.ignore_error_block if isinstance(block, DuplicateBlockKeyBlock) else block
            if isinstance(string, String):
                self.strings[string.key.lower()] = self.evaluate(string.value, self.line(string))

    def read_blocks(self, blocks: Sequence[Block]) -> None:
        for block in blocks:
            line = self.line(block)
            string = block.ignore_error_block if isinstance(block, DuplicateBlockKeyBlock) else block
            if isinstance(block, Preamble):
                self.warn("bibtex.preamble", "@preamble ignored", line, "info")
            elif isinstance(string, String):
                if string.key in self.string_keys:
                    message = f"@string {string.key} defined again; the last wins"
                    self.warn("bibtex.duplicate-string", message, line)
                self.string_keys.add(string.key)
            elif isinstance(block, Entry | DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
                self.count += 1
                self.entry_block(block, self.count, line)
            elif isinstance(block, ParsingFailedBlock) and not _NOT_ENTRIES.match(block.raw or ""):
                self.count += 1
                reason = getattr(block.error, "abort_reason", "") or str(block.error) or "syntax error"
                message = f"entry {self.count} could not be read: {reason.strip()}"
                self.warn("bibtex.failed-block", message, line, "error", block.raw or "", self.count)
            elif isinstance(block, ParsingFailedBlock):
                self.warn("bibtex.failed-block", "a @string, @comment or @preamble could not be read", line,
                          "error", block.raw or "")
            elif isinstance(block, ImplicitComment):
                for offset, raw in _lost_entries(block.raw or ""):
                    self.count += 1
                    kind = raw.split("\n", 1)[0].strip()[:40]
                    message = f"entry {self.count} could not be read: {kind!r} does not start an entry"
                    self.warn("bibtex.failed-block", message, (line or 1) + offset, "error", raw, self.count)

    def entry_block(self, block: Block, index: int, line: int | None) -> None:
        entry = block if isinstance(block, Entry) else block.ignore_error_block
        self.index = index
        try:
            record = self.entry(entry, line)
        except Exception as error:  # noqa: BLE001 - one odd entry must not stop the file
            self.warn("bibtex.failed-block", f"entry {index} could not be read: {error}", line, "error",
                      getattr(entry, "raw", "") or "")
            return
        finally:
            self.index = None
        if record.key in self.keys:
            self.warn("bibtex.duplicate-key", f"key {record.key!r} used again", line, index=index)
        if not record.key:
            self.warn("bibtex.missing-key", "entry has no citation key", line, index=index)
        self.keys.add(record.key)
        record.origin = Origin(self.file, index, line, self.dialect)
        self.result.records.append(record)

    def entry(self, entry: Entry, line: int | None) -> Record:
        fields: dict[str, str] = {}
        for field in entry.fields:
            name, field_line = field.key.lower(), self.line(field) or line
            if name in fields:
                self.warn("bibtex.duplicate-field", f"{entry.key}: field {name} repeated; the first kept",
                          field_line, raw=f"{field.key} = {field.value}")
                continue
            fields[name] = self.evaluate(str(field.value), field_line)
        entry_type = entry.entry_type.lower()
        record = Record(type=READ_TYPES.get(entry_type, "document"), key=entry.key.strip())
        arxiv, record.arxiv_class = _take_arxiv(fields)
        if arxiv:
            record.arxiv_id, record.arxiv_version = arxiv.id, arxiv.version
            container = _has_container(fields, record.type) or _has_container(fields, "article")
            if record.type in _PREPRINT_BASES and not container:
                record.type = "article"
        record.issued = self.date(fields, line)
        for rule in FIELDS:
            if rule.kind == "names" and rule.bibtex in fields:
                names, truncated = self.names(fields.pop(rule.bibtex), line)
                setattr(record, rule.attr, names)
                record.authors_truncated |= truncated and rule.attr == "author"
                if truncated and rule.attr != "author":
                    self.warn("bibtex.truncated-editors", "the model has no 'and others' for editors", line)
        for name, raw in fields.items():
            self.field(record, name, raw, line)
        if not record.doi and "doi.org/" in record.url:
            record.doi = normalize_doi(record.url)
        if _keeps_entry_type(entry_type, record):
            record.custom[ENTRYTYPE] = entry_type
        return record

    def field(self, record: Record, name: str, raw: str, line: int | None) -> None:
        """Into the model when a row of :data:`FIELDS` takes it for this type, else into ``custom``."""
        if not raw.strip():
            return
        rule = _simple_rule(name, record.type)
        value = _DECODERS[rule.kind](raw) if rule and not getattr(record, rule.attr) else ""
        if value:
            setattr(record, rule.attr, value)
            return
        if rule and rule.kind == "doi":
            self.warn("bibtex.bad-doi", f"{record.key}: {raw!r} is not a DOI; kept as field doi", line)
        record.custom[name] = raw

    def evaluate(self, raw: str, line: int | None) -> str:
        self.allowance += _EXPANSION_PER_CHAR * len(raw)
        value, undefined, cut = evaluate(raw, self.strings, self.allowance)
        self.allowance -= max(0, len(value) - len(raw))
        for name in undefined:
            self.warn("bibtex.undefined-string", f"@string {name!r} is not defined; kept as text", line)
        for name in cut:
            message = f"@string {name!r} not expanded: the @strings grow past any real use; kept as text"
            self.warn("bibtex.string-too-long", message, line)
        return value

    def names(self, raw: str, line: int | None) -> tuple[list[Name], bool]:
        parts, truncated = split_names(raw)
        names: list[Name] = []
        for part in parts:
            if re.search(r"^\s*,|,\s*,|,\s*$", part):
                self.warn("bibtex.bad-name", f"name {part!r} has an empty part", line)
            name = parse_name(part, decode=decode)
            if _has_parts(name):
                names.append(name)
        return names, truncated

    def date(self, fields: dict[str, str], line: int | None) -> Date | None:
        """biblatex ``date`` (ISO 8601; a range keeps its start), else ``year``/``month``/``day``."""
        if "date" in fields:
            raw = decode(fields.pop("date"))
            match = _ISO_DATE.fullmatch(raw)
            parts = tuple(int(p) for p in match.groups() if p) if match else ()
            if match and _valid_date(parts):
                return Date(parts)
            self.warn("bibtex.bad-date", f"date {raw!r} is not ISO 8601; kept as text", line)
            return Date(literal=raw)
        if "year" not in fields:
            return None
        text = decode(fields.pop("year"))
        if not re.fullmatch(r"\d{1,4}", text) or not int(text):
            self.warn("bibtex.bad-date", f"year {text!r} is not a number; kept as text", line)
            return Date(literal=text)
        year = int(text)
        month, day = _month_day(decode(fields.get("month", "")))
        if month and day and not _valid_date((year, month, day)):
            month = None
        if not month:
            if "month" in fields:
                message = f"month {fields['month']!r} not understood; kept as field"
                self.warn("bibtex.bad-month", message, line)
            return Date((year,))
        del fields["month"]
        text = decode(fields.get("day", ""))
        if not day and text.isdigit() and _valid_date((year, month, int(text))):
            day = int(fields.pop("day") and text)
        return Date((year, month, day) if day else (year, month))


@cache
def _simple_rule(name: str, csl_type: str) -> FieldRule | None:
    """The row of :data:`FIELDS` that reads field ``name`` as text for this type, if any."""
    return next((r for r in FIELDS if name in r.names and r.kind in _SIMPLE and r.applies(csl_type)), None)


def evaluate(raw: str, strings: dict[str, str], limit: int | None = None) -> tuple[str, list[str], list[str]]:
    """A field value: ``{…}``, ``"…"``, numbers and macros joined by ``#``; month macros and
    ``@string``\\ s resolved (case-insensitively). Returns the value, undefined macro names, and
    the names of ``@string``\\ s left as text because the value would have grown past ``limit``."""
    pieces: list[str] = []
    undefined: list[str] = []
    cut: list[str] = []
    length = 0
    for token in _concatenation(raw):
        if len(token) > 1 and (token[0], token[-1]) in {("{", "}"), ('"', '"')}:
            pieces.append(token[1:-1])
        elif not token or token.isdigit():
            pieces.append(token)
        elif token.lower() in strings and limit is not None and length + len(strings[token.lower()]) > limit:
            cut.append(token)
            pieces.append(token)
        elif token.lower() in strings:
            pieces.append(strings[token.lower()])
        elif token.lower() in MONTH_MACROS:
            pieces.append(MONTH_MACROS[token.lower()])
        else:
            undefined.append(token)
            pieces.append(token)
        length += len(pieces[-1])
    return "".join(pieces), undefined, cut


def _concatenation(raw: str) -> Iterable[str]:
    """Split at ``#`` outside braces and quotes (braces counted as bibtexparser does)."""
    if "#" not in raw:  # most values: one piece, no need to walk the characters
        return [raw.strip()]
    return _split_concatenation(raw)


def _split_concatenation(raw: str) -> Iterator[str]:
    depth, quoted, start, position = 0, False, 0, 0
    while position < len(raw):
        char = raw[position]
        if char == "\\":
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            yield raw[start:position].strip()
            start = position + 1
        position += 1
    yield raw[start:].strip()


def _take_arxiv(fields: dict[str, str]) -> tuple[ArxivId | None, str]:
    """The arXiv id and primary class, from any spelling; fields that only said "arXiv" are consumed.

    ``eprint`` + ``archivePrefix``/``eprinttype`` (with ``primaryClass``/``eprintclass``),
    ``journal = {CoRR}`` + ``volume = {abs/…}``, ``journal = {arXiv preprint arXiv:… [cs.CL]}``,
    ADS's ``eid``/``pages = {arXiv:…}``, arXiv DOIs and URLs (those two stay as DOI and URL).
    The first id found wins; a field naming another id is left alone.
    """
    mentions = _arxiv_mentions(fields)
    ids = [ident for _, ident, _ in mentions if ident]
    if not ids:
        return None, ""
    first = ids[0]
    same = [(names, hint) for names, ident, hint in mentions if ident is None or ident.id == first.id]
    for names, _ in same:
        for name in names:
            fields.pop(name, None)
    arxiv_class = next((hint for _, hint in same if hint), "")
    if "eprint" not in fields:  # else primaryClass/eprintclass belong to that other (PubMed…) eprint
        stated = fields.pop("primaryclass", "") or fields.pop("eprintclass", "")
        arxiv_class = plain_identifier(stated) or arxiv_class
    version = next((ident.version for ident in ids if ident.id == first.id and ident.version), None)
    return ArxivId(first.id, version), arxiv_class


def _arxiv_mentions(fields: dict[str, str]) -> list[tuple[tuple[str, ...], ArxivId | None, str]]:
    """Where arXiv is mentioned: (fields saying nothing else, the id if given, the class if given)."""
    mentions: list[tuple[tuple[str, ...], ArxivId | None, str]] = []
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").strip().lower()
    if prefix == "arxiv" and (ident := parse_arxiv_id(plain_identifier(fields.get("eprint", "")))):
        mentions.append((("eprint", "archiveprefix", "eprinttype"), ident, ""))
    volume = re.fullmatch(r"\s*abs/(\S+)\s*", fields.get("volume", ""))
    if volume and (ident := parse_arxiv_id(volume.group(1))):
        mentions.append((("volume",), ident, ""))
    doi = normalize_doi(plain_identifier(fields.get("doi", "")))
    for ident in (parse_arxiv_id(doi) if is_arxiv_doi(doi) else None, _arxiv_url(fields.get("url", ""))):
        if ident:
            mentions.append(((), ident, ""))
    for name in ("journal", "journaltitle", "howpublished", "note", "eid", "pages"):
        if name not in fields:
            continue
        text = decode(fields[name])
        only_arxiv = bool(_ARXIV_WORDS.match(_ARXIV_CLASS.sub("", _ARXIV_ID_TEXT.sub("", text))))
        venue = name in ("journal", "journaltitle") and bool(_ARXIV_VENUE.match(text))
        if text and (only_arxiv or venue):
            mentions.append(((name,), find_arxiv_id(text), next(iter(_ARXIV_CLASS.findall(text)), "")))
    return mentions


def _arxiv_url(url: str) -> ArxivId | None:
    return parse_arxiv_id(plain_identifier(url)) if "arxiv.org/" in url.lower() else None


def _keeps_entry_type(entry_type: str, record: Record) -> bool:
    """Whether the type read says more than the CSL type (``mastersthesis``, ``conference``).

    A preprint's ``@article``/``@misc``/``@online`` says nothing more: it is written as a preprint.
    """
    if entry_type in (_default_type(record, "bibtex"), _default_type(record, "biblatex")):
        return False
    return not (record.is_preprint and READ_TYPES.get(entry_type) in _PREPRINT_BASES)


def _has_container(fields: dict[str, str], csl_type: str) -> bool:
    return any(name in fields for rule in FIELDS if rule.attr == "container_title" and rule.applies(csl_type)
               for name in rule.names)


def _month_day(text: str) -> tuple[int | None, int | None]:
    """``oct``, ``October``, ``Oct.``, ``10``, and ``September 14`` (from ``sep # "~14"``)."""
    match = re.fullmatch(r"\s*([A-Za-z]+|\d{1,2})\.?(?:\s+(\d{1,2}))?\s*", text)
    if not match:
        return None, None
    name, day = match.group(1).lower(), int(match.group(2)) if match.group(2) else None
    if name.isdigit():
        return (int(name), day) if 1 <= int(name) <= 12 else (None, None)
    month = next((i for i, full in enumerate(MONTHS, 1) if len(name) >= 3 and full.startswith(name)), None)
    return month, day if month else None


def _valid_date(parts: tuple[int, ...]) -> bool:
    return len(parts) < 2 or (1 <= parts[1] <= 12 and (len(parts) < 3 or 1 <= parts[2] <= 31))


def _lost_entries(text: str) -> list[tuple[int, str]]:
    """Entry-like starts in text between entries: (line offset, text up to the next one)."""
    starts = [match.start() for match in _LOST_ENTRY.finditer(text)]
    lost, offset, previous = [], 0, 0
    for start, end in itertools.pairwise([*starts, len(text)]):
        offset += text.count("\n", previous, start)  # counted piecewise: thousands of them stay linear
        previous = start
        lost.append((offset, text[start:end].strip()))
    return lost


_DECODERS: dict[str, Callable[[str], str]] = {
    "text": decode,
    "title": decode,
    "pages": lambda raw: re.sub(r"\s*(?:-+|–|—)\s*", "-", decode(raw)),
    "doi": lambda raw: normalize_doi(plain_identifier(raw)),
    "url": lambda raw: squash(plain_identifier(raw)),
}


# ---------------------------------------------------------------------------------------- writing


def write(records: Sequence[Record], dialect: Dialect = "bibtex") -> str:
    """Entries in the given order, fields in table order, 2-space indent, a blank line between."""
    entries = [_entry(record, dialect) for record in _keyed(records)]
    if not entries:
        return ""
    layout = BibtexFormat()
    layout.indent = "  "
    layout.block_separator = "\n"
    return bibtexparser.write_string(Library(entries), unparse_stack=[], bibtex_format=layout)


def write_chunks(batches: Iterable[Sequence[Record]], dialect: Dialect = "bibtex") -> Iterator[str]:
    """What :func:`write` gives for all the batches' records, a batch at a time (so that ``convert``
    streams); keys are made unique within a batch: give every record a unique key first."""
    written = False
    for records in batches:
        text = write(records, dialect)
        if text:
            yield ("\n" if written else "") + text
            written = True


def _keyed(records: Sequence[Record]) -> list[Record]:
    """Copies with unique valid keys: a key used again is given up (the first use keeps it)."""
    copies = [record.copy() for record in records]
    seen: set[str] = set()
    for record in copies:
        if record.key in seen:
            record.key = ""
        seen.add(record.key)
    assign_keys(copies)
    return copies


def _entry(record: Record, dialect: Dialect) -> Entry:
    ascii_only = dialect == "bibtex"
    fields: dict[str, str] = {}
    for rule in FIELDS:
        if rule.kind == "names":
            fields.update(_names_field(rule.field(dialect), record, rule.attr, ascii_only))
        elif rule.kind == "date":
            fields.update(_date_fields(record.issued, dialect))
        elif rule.kind == "eprint":
            fields.update(_arxiv_fields(record, dialect))
        elif rule.attr == "number" and record.number == f"arXiv:{record.arxiv_id}":
            continue  # Zotero's archive id of a preprint: the eprint fields say it already
        elif rule.applies(record.type) and getattr(record, rule.attr):
            fields.setdefault(rule.field(dialect), _encode(getattr(record, rule.attr), rule.kind, ascii_only))
    written = {name.lower() for name in fields}
    for name, value in record.custom.items():
        if name == "container-title-short":
            continue  # CSL's short venue: BibLaTeX's place for it is eventtitle, from the record's event
        if name.lower() not in written and name != ENTRYTYPE and _FIELD_NAME.match(name) and value:
            value = squash(value)
            fields[name] = "{" + (value if is_inert(value) else to_latex(value, ascii_only=ascii_only)) + "}"
    return Entry(_entry_type(record, dialect), record.key, [BibField(k, v) for k, v in fields.items()])


def _encode(value: str, kind: str, ascii_only: bool) -> str:
    if kind in ("doi", "url"):
        # Identifiers are verbatim for biblatex and \url; only what would break the field is encoded.
        value = re.sub(r"[\\{}\s]", lambda m: f"%{ord(m.group()):02X}", value.strip())
        return "{" + value + "}"
    if kind == "pages":
        value = re.sub(r"\s*(?:-+|–|—)\s*", "--", value)
    return "{" + to_latex(value, ascii_only=ascii_only, protect=kind == "title") + "}"


def _names_field(field: str, record: Record, attr: str, ascii_only: bool) -> dict[str, str]:
    encode = partial(_name_part, ascii_only=ascii_only)
    names = [format_name(_writable_name(n), encode)
             for n in getattr(record, attr) if _has_parts(n)]
    if attr == "author" and record.authors_truncated and names:
        names.append("others")
    return {field: "{" + " and ".join(names) + "}"} if names else {}


def _has_parts(name: Name) -> bool:
    """Any part set (``dataclasses.astuple`` deep-copies every part: a tenth of the reading time)."""
    return any(getattr(name, part.name) for part in _NAME_PARTS)


_NAME_PARTS = dataclasses.fields(Name)


def _writable_name(name: Name) -> Name:
    """A name with a given name only is written as its family name: an empty part makes biber loop."""
    if name.literal or name.family:
        return name
    return Name(family=name.given or name.non_dropping_particle or name.dropping_particle or name.suffix)


def _name_part(text: str, ascii_only: bool) -> str:
    encoded = to_latex(text, ascii_only=ascii_only)
    return "{" + encoded + "}" if re.search(r",|\band\b", encoded, re.IGNORECASE) else encoded


def _date_fields(issued: Date | None, dialect: Dialect) -> dict[str, str]:
    if issued is None or not (issued.parts or issued.literal):
        return {}
    if not issued.parts:
        return {"year": "{" + to_latex(issued.literal, ascii_only=dialect == "bibtex") + "}"}
    if dialect == "biblatex":
        return {"date": "{" + issued.iso() + "}"}
    fields = {"year": "{" + str(issued.year) + "}"}
    if issued.month:
        fields["month"] = MONTHS[issued.month - 1][:3]
    if issued.day:
        fields["day"] = "{" + str(issued.day) + "}"
    return fields


def _arxiv_fields(record: Record, dialect: Dialect) -> dict[str, str]:
    """arXiv's recommended ``eprint``/``archivePrefix``/``primaryClass``; biblatex's ``eprinttype``."""
    if not record.arxiv_id:
        return {}
    safe = partial(_encode, kind="url", ascii_only=True)
    eprint = record.arxiv_id + (f"v{record.arxiv_version}" if record.arxiv_version else "")
    if dialect == "bibtex":
        fields = {"eprint": safe(eprint), "archivePrefix": "{arXiv}"}
        return fields | ({"primaryClass": safe(record.arxiv_class)} if record.arxiv_class else {})
    fields = {"eprint": safe(eprint), "eprinttype": "{arxiv}"}
    return fields | ({"eprintclass": safe(record.arxiv_class)} if record.arxiv_class else {})


def _entry_type(record: Record, dialect: Dialect) -> str:
    """The entry type read, when it still fits the record and the dialect has it; else the table's."""
    kept = record.custom.get(ENTRYTYPE, "").lower()
    fits = READ_TYPES.get(kept, "document") == record.type
    return kept if kept in _KNOWN_TYPES[dialect] and fits else _default_type(record, dialect)


def _default_type(record: Record, dialect: Dialect) -> str:
    if record.type == "article" and record.container_title:
        return "article"
    bibtex_type, biblatex_type = WRITE_TYPES.get(record.type, ("misc", "misc"))
    return bibtex_type if dialect == "bibtex" else biblatex_type


BIBTEX = Format(
    name="bibtex",
    description="BibTeX (.bib) for bibtex/natbib: LaTeX-encoded, year/month, archivePrefix/primaryClass",
    suffixes=(".bib",),
    sniff=sniff,
    read=partial(read, dialect="bibtex"),
    write=partial(write, dialect="bibtex"),
    read_chunks=partial(read_chunks, dialect="bibtex"),
    write_chunks=partial(write_chunks, dialect="bibtex"),
    priority=20,
)
BIBLATEX = Format(
    name="biblatex",
    description="BibLaTeX for biber: UTF-8, date, journaltitle, eprinttype/eprintclass",
    suffixes=(),
    sniff=sniff,
    read=partial(read, dialect="biblatex"),
    write=partial(write, dialect="biblatex"),
    read_chunks=partial(read_chunks, dialect="biblatex"),
    write_chunks=partial(write_chunks, dialect="biblatex"),
    priority=21,
)
