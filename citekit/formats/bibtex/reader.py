"""Reading: blocks from :mod:`.scanner` (bibtexparser v2's splitting, faster); values evaluated (:mod:`.values`), text
decoded to Unicode (math kept as ``$…$``), names parsed by :mod:`citekit.names`, arXiv ids gathered
(:mod:`.arxiv`), and every field the model lacks kept, raw, in ``record.custom``."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from functools import cache, lru_cache, partial

from citekit.diagnostics import Diagnostic, Level, ReadResult
from citekit.formats.bibtex.arxiv import take_arxiv
from citekit.formats.bibtex.crossref import CROSSREF, resolve, targets
from citekit.formats.bibtex.scanner import Block, scan
from citekit.formats.bibtex.table import (
    ENTRYTYPE,
    FIELDS,
    MONTHS,
    NEEDS_EDITOR,
    ORGANIZATION_TYPES,
    PREPRINT_BASES,
    PREPRINT_TYPE,
    READ_TYPES,
    SUBTYPE,
    ZOTERO_ENTRY_TYPES,
    Dialect,
    default_type,
    simple_rule,
)
from citekit.formats.bibtex.values import DELIMITERS, EXPANSION_ALLOWANCE, EXPANSION_PER_CHAR, evaluate
from citekit.formats.csljson import adopt_arxiv, csl_types
from citekit.formats.latex import decode, decode_protected, plain_identifier
from citekit.ids import normalize_doi
from citekit.model import SEASONS, Date, Name, Origin, Record, season_named, season_of
from citekit.names import has_parts, parse_name, split_names
from citekit.text import squash

_EMPTY_NAME_PART = re.compile(r"^\s*,|,\s*,|,\s*$")
_YEAR = re.compile(r"\d{1,4}")
_MONTH_DAY = re.compile(r"\s*([A-Za-z]+|\d{1,2})\.?(?:\s+(\d{1,2}))?\s*")
_DASHES = re.compile(r"\s*(?:-+|–|—)\s*")
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T[\d:.]+Z?)?(?:/.*)?")
_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_NOT_ENTRIES = re.compile(r"^\s*@\s*(?:string|comment|preamble)\b", re.IGNORECASE)
# A line that starts like an entry but that bibtexparser left in the text between entries (a typo
# in the entry type: "@]article{", "@mis=c{"): the user meant an entry, so it is reported as one lost.
_LOST_ENTRY = re.compile(
    r"^[ \t]*@(?![ \t]*(?:string|comment|preamble)\b)[^\n{(]*[{(]", re.IGNORECASE | re.MULTILINE
)


_KEYLESS = re.compile(
    r"^([^\S\n]*@[^\S\n]*(?!(?:string|comment|preamble)\b)[A-Za-z]+\s*[{(])(?=\s*[A-Za-z][\w\-:.]*\s*=)",
    re.IGNORECASE | re.MULTILINE,
)
"""``@techreport{`` followed by a field, not a key: a comma after the brace makes it an entry with an
empty key (reported as such, then given one)."""
_NEWLINE_KEYLESS = re.compile("\n" + _KEYLESS.pattern.removeprefix("^"), re.IGNORECASE)
"""The same after a newline: searched for first, four times faster than ``_KEYLESS.sub`` (measured),
which is needed only when there is one."""


def sniff(text: str) -> bool:
    return bool(_ENTRY_START.search(text))


# ---------------------------------------------------------------------------------------- reading


def read(text: str, file: str, dialect: Dialect = "bibtex") -> ReadResult:
    """Every entry becomes a record or an error diagnostic; never raises on content."""
    result = ReadResult()
    reader = Reader(file, dialect, result)
    blocks = reader.split(text)
    if blocks is not None:
        reader.define_strings(blocks)
        reader.define_parents(blocks)
        reader.read_blocks(blocks)
    return result


class Reader:
    """One file: the ``@string`` table, the keys seen, and the entry being read (for diagnostics).

    A file read in chunks is read by one reader, so entry numbers, keys and strings carry over.
    """

    def __init__(self, file: str, dialect: Dialect, result: ReadResult) -> None:
        self.file, self.dialect, self.result = file, dialect, result
        self.strings: dict[str, str] = {}
        self.string_keys: set[str] = set()
        self.string_keys_read: list[tuple[str, int]] = []
        """Each ``@string`` read by :meth:`read_blocks`: its name and line."""
        self.keys: set[str] = set()
        self.index: int | None = None
        self.allowance = EXPANSION_ALLOWANCE
        """Characters @string expansion may still add (see :data:`EXPANSION_ALLOWANCE`)."""
        self.count = 0
        self.line_offset = 0
        self.parents: dict[str, tuple[str, dict[str, str]]] = {}
        """Entries a ``crossref`` names (by casefolded key): their type and evaluated fields."""

    def split(self, text: str, line_offset: int = 0, drop_last: bool = False) -> list[Block] | None:
        """The blocks (but the last with ``drop_last``); None (and an error) when the text cannot be
        split at all."""
        self.line_offset = line_offset
        if "=" in text and (_KEYLESS.match(text) or _NEWLINE_KEYLESS.search(text)):
            text = _KEYLESS.sub(r"\1,", text)  # an entry with no key, read as pybtex reads it
        try:
            blocks = scan(text)
        except Exception as error:  # noqa: BLE001 - the reader must not raise, whatever the input
            message = f"the file could not be split into entries ({type(error).__name__}: {error})"
            self.result.diagnostics.append(
                Diagnostic("error", "bibtex.parse-error", message, self.file, line_offset + 1, raw=text)
            )
            return None
        return blocks[:-1] if drop_last else blocks

    def line(self, block: Block) -> int:
        return block.line + 1 + self.line_offset

    def warn(
        self,
        code: str,
        message: str,
        line: int | None,
        level: Level = "warning",
        raw: str = "",
        index: int | None = None,
    ) -> None:
        index = index if index is not None else self.index
        self.result.diagnostics.append(Diagnostic(level, code, message, self.file, line, index, raw))

    def define_strings(self, blocks: Sequence[Block]) -> None:
        """All ``@string``\\ s before any entry: bibtexparser resolves them file-wide too."""
        for block in blocks:
            if block.kind == "string":
                self.strings[block.key.lower()] = self.evaluate(block.value, partial(self.line, block))

    def define_parents(self, blocks: Sequence[Block], wanted: set[str] | None = None) -> None:
        """The entries named by a ``crossref`` among ``blocks`` (or named in ``wanted``): a parent
        may come before or after its children."""
        if wanted is None:
            entries = (b for b in blocks if b.kind == "entry")
            wanted = targets(v for b in entries for k, v in b.fields if k.strip().lower() == CROSSREF)
        for block in blocks:
            if block.kind == "entry" and block.key.casefold() in wanted:
                fields = {
                    k.strip().lower(): evaluate(v, self.strings, self.allowance)[0] for k, v in block.fields
                }
                self.parents.setdefault(block.key.casefold(), (block.type, fields))

    def read_blocks(self, blocks: Sequence[Block]) -> None:
        for block in blocks:
            kind, line = block.kind, self.line(block)
            if kind == "entry":
                self.count += 1
                self.entry_block(block, self.count, line)
            elif kind == "preamble":
                self.warn("bibtex.preamble", "@preamble ignored", line, "info")
            elif kind == "string":
                if block.key in self.string_keys:
                    message = f"@string {block.key} defined again; the last wins"
                    self.warn("bibtex.duplicate-string", message, line)
                self.string_keys.add(block.key)
                self.string_keys_read.append((block.key, line))
            elif kind == "failed" and not _NOT_ENTRIES.match(block.raw):
                self.count += 1
                message = f"entry {self.count} could not be read: {block.error.strip()}"
                self.warn("bibtex.failed-block", message, line, "error", block.raw, self.count)
            elif kind == "failed":
                self.warn(
                    "bibtex.failed-block",
                    "a @string, @comment or @preamble could not be read",
                    line,
                    "error",
                    block.raw,
                )
            elif kind == "implicit":
                for offset, raw in _lost_entries(block.raw):
                    self.count += 1
                    start = raw.split("\n", 1)[0].strip()[:40]
                    message = f"entry {self.count} could not be read: {start!r} does not start an entry"
                    self.warn("bibtex.failed-block", message, line + offset, "error", raw, self.count)

    def entry_block(self, block: Block, index: int, line: int) -> None:
        self.index = index
        try:
            record = self.entry(block, line)
        except Exception as error:  # noqa: BLE001 - one odd entry must not stop the file
            self.warn(
                "bibtex.failed-block", f"entry {index} could not be read: {error}", line, "error", block.raw
            )
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

    def entry(self, entry: Block, line: int) -> Record:
        fields: dict[str, str] = {}
        spelled: dict[str, str] = {}
        """A field's name as the file spells it, where that is not its name: a field kept in ``custom``
        keeps its case (``ris:L2``)."""
        # the delimited values' length, added to the allowance before an evaluation and at the end
        delimited_length = 0
        for position, (key, value) in enumerate(entry.fields):
            name = key.lower()
            if name in fields:
                self.warn(
                    "bibtex.duplicate-field",
                    f"{entry.key}: field {name} repeated; the first kept",
                    self.field_line(entry, position),
                    raw=f"{key} = {value}",
                )
                continue
            if name != key:
                spelled[name] = key.strip()
            delimited = _delimited(value)
            if delimited is not None:  # what evaluate gives, without its bookkeeping (most values)
                delimited_length += len(value)
                fields[name] = delimited
            else:
                self.allowance += EXPANSION_PER_CHAR * delimited_length
                delimited_length = 0
                fields[name] = self.evaluate(value, partial(self.field_line, entry, position))
        self.allowance += EXPANSION_PER_CHAR * delimited_length
        entry_type = entry.type
        if CROSSREF in fields:
            gained, problem = resolve(entry.key, entry_type, fields, self.parents)
            fields.update(gained)
            if problem:
                self.warn("bibtex.crossref-missing", problem, line)
        record = Record(type=_csl_type(entry_type, fields), key=entry.key)
        arxiv, record.arxiv_class = take_arxiv(fields)
        preprint_report = (
            bool(arxiv) and record.type == "report" and _is_preprint_genre(fields.get("type", ""))
        )
        if preprint_report:
            del fields["type"]
        if arxiv:
            record.arxiv_id, record.arxiv_version = arxiv.id, arxiv.version
            container = _has_container(fields, record.type) or _has_container(fields, "article")
            if record.type in PREPRINT_BASES and not container:
                record.type = "article"
        record.issued = self.date(fields, line)
        for bibtex_name, attr in _NAME_FIELDS:
            if bibtex_name in fields:
                names, truncated = self.names(fields.pop(bibtex_name), line)
                setattr(record, attr, names)
                if attr == "author":
                    record.authors_truncated = truncated
                elif truncated:
                    self.warn("bibtex.truncated-editors", "the model has no 'and others' for editors", line)
        if entry_type in ORGANIZATION_TYPES and "publisher" not in fields and "organization" in fields:
            fields["publisher"] = fields.pop("organization")  # as the BibLaTeX writer puts it
        for name, raw in fields.items():
            self.field(record, name, raw, line, spelled.get(name, name))
        if not record.doi and "doi.org/" in record.url:
            record.doi = normalize_doi(record.url)
        if preprint_report and not record.container_title:
            record.type = "article"  # how the writer gives a preprint to Zotero (see table.WRITE_TYPES)
        adopt_arxiv(record, [], [])  # a preprint's shape, as every reader gives it
        if _keeps_entry_type(entry_type, record):
            record.custom[ENTRYTYPE] = entry_type
        return record

    def field(self, record: Record, name: str, raw: str, line: int | None, spelled: str = "") -> None:
        """Into the model when a row of :data:`FIELDS` takes it for this type, else into ``custom``."""
        if not raw.strip():
            return
        rule = simple_rule(name, record.type)
        value = _DECODERS[rule.kind](raw) if rule and not getattr(record, rule.attr) else ""
        if rule and value:
            setattr(record, rule.attr, value)
            return
        if rule and rule.kind == "doi":
            self.warn("bibtex.bad-doi", f"{record.key}: {raw!r} is not a DOI; kept as field doi", line)
        record.custom[spelled if spelled.lower() == name else name] = raw

    def field_line(self, entry: Block, position: int) -> int:
        return entry.field_lines()[position] + 1 + self.line_offset

    def evaluate(self, raw: str, line: Callable[[], int]) -> str:
        """The value (see :func:`.values.evaluate`); ``line`` is asked for only to report a problem."""
        self.allowance += EXPANSION_PER_CHAR * len(raw)
        value, undefined, cut = evaluate(raw, self.strings, self.allowance)
        self.allowance -= max(0, len(value) - len(raw))
        for name in undefined:
            self.warn("bibtex.undefined-string", f"@string {name!r} is not defined; kept as text", line())
        for name in cut:
            message = f"@string {name!r} not expanded: the @strings grow past any real use; kept as text"
            self.warn("bibtex.string-too-long", message, line())
        return value

    def names(self, raw: str, line: int | None) -> tuple[list[Name], bool]:
        parts, truncated = split_names(raw)
        names: list[Name] = []
        for part in parts:
            name, empty_part = _parsed_name(part)
            if empty_part:
                self.warn("bibtex.bad-name", f"name {part!r} has an empty part", line)
            if name is not None:
                names.append(name)
        return names, truncated

    def month_of(self, fields: dict[str, str], parts: tuple[int, ...]) -> tuple[int, ...]:
        """A ``month`` (and ``day``) beside a ``date`` of a year only (BibDesk writes both); a month
        the date has already is dropped."""
        month, day = _month_day(decode(fields.get("month", "")))
        if not month or (len(parts) > 1 and month != parts[1]):
            return ()
        del fields["month"]  # it adds to the date, or says what the date says
        if len(parts) > 1:
            return ()
        return (month, day) if day and _valid_date((parts[0], month, day)) else (month,)

    def date(self, fields: dict[str, str], line: int | None) -> Date | None:
        """biblatex ``date`` (ISO 8601; a range keeps its start; ``2019-21`` is a season, as ISO
        8601-2 has it), else ``year``/``month``/``day`` (``month = {Spring}``: a season)."""
        if "date" in fields:
            raw = decode(fields.pop("date"))
            match = _ISO_DATE.fullmatch(raw)
            parts = tuple(int(p) for p in match.groups() if p) if match else ()
            if match and _valid_date(parts):
                _drop_same(fields, "year", str(parts[0]))  # biblatex's year, when it says the same
                date = Date(parts + self.month_of(fields, parts))
                if others := [name for name in ("year", "month") if name in fields]:
                    message = f"date {raw!r} and {' and '.join(others)} disagree; the date is used"
                    self.warn("bibtex.date-conflict", message, line)
                return date
            if len(parts) == 2 and season_of(parts[1]):
                _drop_same(fields, "year", str(parts[0]))  # as the BibTeX writer gives a season
                _drop_same(fields, "month", SEASONS[season_of(parts[1]) - 1])
                return Date(parts[:1], season=season_of(parts[1]))
            self.warn("bibtex.bad-date", f"date {raw!r} is not ISO 8601; kept as text", line)
            return Date(literal=raw)
        if "year" not in fields:
            return None
        text = decode(fields.pop("year"))
        if not _YEAR.fullmatch(text) or not int(text):
            self.warn("bibtex.bad-date", f"year {text!r} is not a number; kept as text", line)
            return Date(literal=text)
        year = int(text)
        if "month" not in fields:  # most entries; the month checks below cost 0.5 % of a convert (measured)
            return Date((year,))
        if season := season_named(decode(fields.get("month", ""))):
            del fields["month"]
            return Date((year,), season=season)
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


_NAME_FIELDS = tuple((rule.bibtex, rule.attr) for rule in FIELDS if rule.kind == "names")
"""(BibTeX field, model field) of the name lists, from the table, read once."""


def _delimited(raw: str) -> str | None:
    """A value that is one ``{…}`` or ``"…"`` (no ``#``): its text, as :func:`.values.evaluate`
    gives it; None for any other value."""
    if "#" in raw:
        return None
    value = raw.strip()
    if len(value) > 1 and (value[0], value[-1]) in DELIMITERS:
        return value[1:-1]
    return None


@lru_cache(maxsize=1 << 15)
def _parsed_name(part: str) -> tuple[Name | None, bool]:
    """The name as :func:`~citekit.names.parse_name` reads it (None when it has no part), and
    whether it has an empty part (``Last, , First``). Cached, the same (immutable) :class:`Name`
    for every use: authors recur across a file, and parsing took a fifth of ``convert``."""
    name = parse_name(part, decode=decode)
    empty_part = "," in part and bool(_EMPTY_NAME_PART.search(part))
    return (name if has_parts(name) else None), empty_part


_CSL_TYPES = frozenset(csl_types())
_ONLY_ENTRY_TYPE = {
    csl: entry for entry, csl in READ_TYPES.items() if list(READ_TYPES.values()).count(csl) == 1
}
"""CSL type → the one entry type read as it (dataset → dataset, periodical → periodical)."""


def _csl_type(entry_type: str, fields: dict[str, str]) -> str:
    """The CSL type the entry type says, or the one its ``entrysubtype`` names (then taken out)."""
    named = decode(fields[SUBTYPE]).strip() if SUBTYPE in fields else ""
    if named in _CSL_TYPES:
        del fields[SUBTYPE]
        return named
    return READ_TYPES.get(entry_type, "document")


def _drop_same(fields: dict[str, str], name: str, value: str) -> None:
    """Drop a field that says what the date says already."""
    if decode(fields.get(name, "")).casefold() == value.casefold():
        del fields[name]


def _keeps_entry_type(entry_type: str, record: Record) -> bool:
    """Whether the type read says more than the CSL type (``mastersthesis``, ``conference``).

    A preprint's ``@article``/``@misc``/``@online`` says nothing more: it is written as a preprint.
    """
    if entry_type in (default_type(record, "bibtex"), default_type(record, "biblatex")):
        return False
    if entry_type not in ZOTERO_ENTRY_TYPES and _ONLY_ENTRY_TYPE.get(record.type) == entry_type:
        return False  # @dataset: the CSL type says it, and Zotero would discard the entry
    if entry_type == "inbook" and default_type(record, "biblatex") in NEEDS_EDITOR and not record.editor:
        return False  # how the BibLaTeX writer gives a chapter (or an entry) with no editor
    return not (record.is_preprint and READ_TYPES.get(entry_type) in PREPRINT_BASES)


def _is_preprint_genre(raw: str) -> bool:
    return decode(raw).strip().casefold() == PREPRINT_TYPE.casefold()


def _has_container(fields: dict[str, str], csl_type: str) -> bool:
    return not _container_fields(csl_type).isdisjoint(fields)


@cache
def _container_fields(csl_type: str) -> frozenset[str]:
    """The fields that give this type its container title (cached: asked for every entry with an
    arXiv id; walking :data:`FIELDS` each time cost 0.5 % of a convert, measured)."""
    return frozenset(
        name
        for rule in FIELDS
        if rule.attr == "container_title" and rule.applies(csl_type)
        for name in rule.names
    )


def _month_day(text: str) -> tuple[int | None, int | None]:
    """``oct``, ``October``, ``Oct.``, ``10``, and ``September 14`` (from ``sep # "~14"``)."""
    match = _MONTH_DAY.fullmatch(text)
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
    "title": decode_protected,
    "pages": lambda raw: _DASHES.sub("-", decode(raw)),
    "doi": lambda raw: normalize_doi(plain_identifier(raw)),
    "url": lambda raw: squash(plain_identifier(raw)),
}
