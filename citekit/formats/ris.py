"""RIS ↔ :class:`~citekit.model.Record`, as Zotero's RIS translator reads and writes it.

Reading uses a small tokenizer, not ``rispy.loads``: rispy gives no line numbers, silently drops a
final record without ``ER`` and ignores lines outside records, while every input record must be
accounted for with its line. Writing is line by line for the same reason in reverse: rispy's writer
puts a numbered header line before ``TY`` and writes LF. The tests re-read the output with rispy.

Conventions (features.md §2.1 RIS.js, §3):
- CRLF, ``TY`` first, ``ER  - `` last and a blank line; one ``AU  - Family, Given[, Suffix]`` per
  author, particles with the family name, organisations without a comma (read back as literals).
- A preprint is ``TY  - RPRT`` with ``M3  - Preprint``, ``PB  - arXiv`` and ``SN  - arXiv:<id>``:
  Zotero's RIS translator has no preprint type and reads ``GEN`` as a journal article; a report
  keeps the genre (report type "Preprint"), the repository (institution), the arXiv number (report
  number) and the DOI (in Extra, as ``DOI: …``). The reader turns that shape back into a preprint.
- ``M2`` is Zotero's Extra: ``arXiv: <id>`` and, for a field the model has but this record's RIS type
  has no tag for, model-only fields (arXiv class and version, a type RIS cannot tell apart) and
  ``custom`` entries, ``M2  - name: value`` lines (``tex.name`` for a field that is no CSL variable,
  as Better BibTeX writes Extra), which the reader turns back into fields; so do such lines in
  ``N1``, while a line naming no field ("Comment: …") stays note text, as in Zotero.
- The note is one ``N1`` (Zotero makes a child note of each ``N1``); its lines, and those of the
  abstract, are continuation lines (a line that would read as a tag gets a leading space). Unknown tags are kept in
  ``custom`` as ``ris:<TAG>`` (so are second values of one-value tags) and written back as that tag; tags Zotero maps to a CSL variable the
  model lacks (``ET``, ``J2``, ``AN`` …) are kept under that CSL name, so other formats can use them.
- Line breaks inside other values are folded to spaces, so no value can forge a tag line.
- A name in RIS has no dropping particle: both particles are read back as non-dropping.
- Not written: ``provenance`` (enrichment bookkeeping, not bibliographic data).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

from citekit.diagnostics import Diagnostic, ReadResult
from citekit.formats.base import Format
from citekit.formats.csljson import (
    adopt_arxiv,
    date_from_text,
    extra_fields,
    fold_lines,
    lift_note,
    note_lifted,
    note_lines,
)
from citekit.ids import arxiv_doi, arxiv_url, normalize_doi
from citekit.model import CSL_FIELDS, Date, Name, Origin, Record
from citekit.text import plain_text

# CSL type → RIS type (written, and read back).
TYPES: dict[str, str] = {
    "article-journal": "JOUR",
    "article": "GEN",
    "paper-conference": "CONF",
    "chapter": "CHAP",
    "book": "BOOK",
    "report": "RPRT",
    "thesis": "THES",
    "webpage": "ELEC",
    "manuscript": "MANSCPT",
    "dataset": "DATA",
    "software": "COMP",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "patent": "PAT",
    "legal_case": "CASE",
    "bill": "BILL",
    "legislation": "STAT",
    "speech": "SLIDE",
    "song": "SOUND",
    "motion_picture": "MPCT",
    "graphic": "ART",
    "map": "MAP",
    "hearing": "HEAR",
    "personal_communication": "PCOMM",
    "entry-encyclopedia": "ENCYC",
    "entry-dictionary": "DICT",
    "post-weblog": "BLOG",
    "standard": "STAND",
    "pamphlet": "PAMP",
    "musical_score": "MUSIC",
}
# Import-only RIS types (Zotero's importTypeMap aliases) → CSL type.
IMPORT_TYPES: dict[str, str] = {
    "CPAPER": "paper-conference",
    "EJOUR": "article-journal",
    "JFULL": "article-journal",
    "ABST": "article-journal",
    "INPR": "manuscript",
    "UNPD": "manuscript",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CLSWK": "book",
    "ECHAP": "chapter",
    "WEB": "webpage",
    "GOVDOC": "report",
    "VIDEO": "motion_picture",
    "ADVS": "motion_picture",
    "DBASE": "dataset",
    "AGGR": "dataset",
}
READ_TYPES = {**{ris: csl for csl, ris in TYPES.items()}, **IMPORT_TYPES}
JOURNAL_TYPES = frozenset({"JOUR", "MGZN", "NEWS"})
"""Where Zotero reads ``SN`` as the ISSN; elsewhere it is the ISBN."""

# (tag, field) in writing order. A field is a Record attribute, or a CSL variable kept in custom.
TAGS: tuple[tuple[str, str], ...] = (
    ("ID", "key"),
    ("AU", "author"),
    ("A2", "editor"),
    ("TI", "title"),
    ("T2", "container_title"),
    ("C3", "container_title"),
    ("T3", "collection_title"),
    ("PY", "issued"),
    ("DA", "issued"),
    ("VL", "volume"),
    ("IS", "issue"),
    ("SP", "page"),
    ("EP", "page"),
    ("PB", "publisher"),
    ("CY", "publisher_place"),
    ("SN", "number"),
    ("SN", "issn"),
    ("SN", "isbn"),
    ("ET", "edition"),
    ("LA", "language"),
    ("KW", "keyword"),
    ("DO", "doi"),
    ("UR", "url"),
    ("AN", "archive_location"),
    ("J2", "container-title-short"),
    ("ST", "title-short"),
    ("DB", "archive"),
    ("DP", "source"),
    ("CN", "call-number"),
    ("Y2", "accessed"),
    ("NV", "number-of-volumes"),
    ("SE", "section"),
    ("M3", "genre"),
    ("AB", "abstract"),
    ("M2", "extra"),
    ("N1", "note"),
)
# Import-only tags (Zotero's "degenerate" tags) → the tag they stand for.
ALIASES = {
    "A1": "AU",
    "ED": "A2",
    "T1": "TI",
    "CT": "TI",
    "JF": "T2",
    "JO": "T2",
    "BT": "T2",
    "JA": "J2",
    "Y1": "PY",
    "N2": "AB",
}
_PREFERENCE = ("DA", "T2", "JF", "JO", "BT", "PY", "Y1")
"""Among tags for the same field, these win in this order (DA over PY: zotero/translators#2125)."""
_ATTRIBUTES = {f.name for f in dataclasses.fields(Record)}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
"""Everything some reader takes for a line break (as :func:`~citekit.formats.csljson.fold_lines`)."""
_MULTILINE_TAGS = frozenset({"AB", "N1", "N2", "M2"})
_GENRE_TYPES = frozenset({"RPRT", "THES", "MANSCPT", "ELEC", "BLOG"})
"""Where Zotero reads ``M3`` as the item's own type field (elsewhere it is a DOI)."""
PREPRINT_GENRE = "Preprint"


def _tag_applies(tag: str, field_name: str, ris_type: str) -> bool:
    if tag == "SN":
        if ris_type == "RPRT":
            return field_name == "number"
        return field_name != "number" and (field_name == "issn") == (ris_type in JOURNAL_TYPES)
    if tag == "M3":
        return ris_type in _GENRE_TYPES
    return tag != "C3" or ris_type in ("CONF", "CPAPER")


def _field_for(tag: str, ris_type: str) -> str | None:
    tag = ALIASES.get(tag, tag)
    return next((f for t, f in TAGS if t == tag and _tag_applies(t, f, ris_type)), None)


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class _RawRecord:
    index: int
    line: int
    type: str
    entries: list[tuple[str, str, int]] = field(default_factory=list)
    ended: bool = False


def read(text: str, file: str) -> ReadResult:
    """Every ``TY`` starts a record (a missing ``ER`` is reported, the record kept)."""
    raws, diagnostics = _tokenise(text, file)
    result = ReadResult(diagnostics=diagnostics)
    for raw in raws:
        record = _build(raw, file, result.diagnostics)
        record.origin = Origin(file, raw.index, raw.line, "ris")
        result.records.append(record)
    result.diagnostics.sort(key=lambda d: d.line or 0)
    return result


def tag_lines(text: str) -> Iterator[tuple[int, str, str, str]]:
    """Each line of a RIS text: its number (from 1), its tag and the value after it (both "" when
    the line has no tag), and the line itself. The tokenizer of the reader and of ``citekit check``."""
    for number, line in enumerate(_NEWLINE.split(text.removeprefix("\ufeff")), start=1):
        match = _TAG_LINE.match(line)
        yield (number, match.group(1), match.group(2) or "", line) if match else (number, "", "", line)


def _tokenise(text: str, file: str) -> tuple[list[_RawRecord], list[Diagnostic]]:
    raws: list[_RawRecord] = []
    diagnostics: list[Diagnostic] = []
    stray: list[tuple[int, str]] = []

    def report_stray() -> None:
        if stray:
            message = f"{len(stray)} line(s) outside any TY … ER record ignored"
            raw = "\n".join(line for _, line in stray)
            diagnostics.append(
                Diagnostic("warning", "ris.outside-record", message, file, stray[0][0], raw=raw)
            )
            stray.clear()

    def close(current: _RawRecord | None, where: str) -> None:
        if current and not current.ended:
            message = f"record {current.index} has no ER line; it ends at {where}"
            diagnostics.append(
                Diagnostic("warning", "ris.missing-er", message, file, current.line, current.index)
            )

    current: _RawRecord | None = None
    for number, tag, value, line in tag_lines(text):
        # Folding here too: \f, \u2028 … end lines for str.splitlines, so the writer folds them as well.
        value = fold_lines(value if tag else line)
        if tag == "TY":
            close(current, f"the TY on line {number}")
            report_stray()
            current = _RawRecord(len(raws) + 1, number, value)
            raws.append(current)
        elif current is None or current.ended:
            if line.strip():
                stray.append((number, line))
        elif tag == "ER":
            current.ended = True
        elif tag:
            current.entries.append((tag, value, number))
        elif value and current.entries:
            last_tag, last_value, at = current.entries[-1]
            joiner = "\n" if last_tag in _MULTILINE_TAGS else " "
            current.entries[-1] = (last_tag, f"{last_value}{joiner}{value}".strip(), at)
        elif value:
            message = f"text before the first tag of record {current.index} ignored"
            diagnostics.append(
                Diagnostic("warning", "ris.stray-line", message, file, number, current.index, line)
            )
    close(current, "the end of the input")
    report_stray()
    return raws, diagnostics


def _build(raw: _RawRecord, file: str, diagnostics: list[Diagnostic]) -> Record:
    ris_type = raw.type.upper()
    record = Record(type=READ_TYPES.get(ris_type, "article"))
    if ris_type not in READ_TYPES:
        record.custom.update({"ris:TY": raw.type} if raw.type else {})
        message = f"unknown RIS type {raw.type!r}; read as a generic article"
        diagnostics.append(Diagnostic("warning", "ris.unknown-type", message, file, raw.line, raw.index))
    by_field: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for tag, value, line in raw.entries:
        field_name = _field_for(tag, ris_type)
        if field_name is None:
            _keep_rest(record, "", [(tag, value)])
            message = f"tag {tag} has no Zotero field; kept as custom ris:{tag}"
            diagnostics.append(Diagnostic("info", "ris.unknown-tag", message, file, line, raw.index))
        elif value:
            by_field[field_name].append((tag, value))
    for field_name, values in by_field.items():
        values.sort(key=lambda tv: _PREFERENCE.index(tv[0]) if tv[0] in _PREFERENCE else len(_PREFERENCE))
        _READERS.get(field_name, _read_text)(record, field_name, values)
    if (
        ris_type == "RPRT"
        and record.custom.get("genre") == PREPRINT_GENRE
        and record.number.lower().startswith("arxiv:")
    ):
        record.type = "article"
        del record.custom["genre"]
    archive_ids = [v for _, v in by_field.get("archive_location", [])] + [record.number]
    adopt_arxiv(record, archive_ids, [v for _, v in by_field.get("url", [])])
    return record


def _set(record: Record, field_name: str, value: str) -> None:
    if field_name in _ATTRIBUTES:
        setattr(record, field_name, value)
    else:
        record.custom[field_name] = value


def _keep_rest(record: Record, kept: str, values: Sequence[tuple[str, str]]) -> None:
    """Second values of a one-value field: kept as ``custom["ris:<TAG>"]`` unless they repeat the first."""
    for tag, value in values:
        if value and value != kept:
            key = f"ris:{tag}"
            record.custom[key] = "\n".join(filter(None, [record.custom.get(key), value]))


def _read_text(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    if field_name == "archive_location":
        values = [(t, v) for t, v in values if not v.lower().startswith("arxiv:")]
    if values:
        _set(record, field_name, values[0][1])
        _keep_rest(record, values[0][1], values[1:])


def _read_names(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    setattr(record, field_name, [parse_ris_name(v) for _, v in values])


def _read_date(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    """The first date (``DA`` over ``PY``); a month 21–24 is a season. A month or day out of range
    ends the date, and the value is kept as written."""
    record.issued = date_from_text(values[0][1])
    if not _whole_date(values[0][1], record.issued):
        _keep_rest(record, "", values[:1])
    others = [(tag, value, date_from_text(value)) for tag, value in values[1:]]
    kept = [
        (t, v) for t, v, d in others if d.year != record.issued.year or d.literal or not _whole_date(v, d)
    ]
    _keep_rest(record, "", kept)


def _whole_date(text: str, date: Date) -> bool:
    """Whether ``date`` holds every number of the RIS date ``text`` (``2019/21//``: a season)."""
    numbers = [part for part in re.split(r"[-/]", text.strip())[:3] if part.strip()]
    return date.literal != "" or len(numbers) <= len(date.parts) + bool(date.season)


def _read_pages(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    """``SP``-``EP``; a range already in ``SP`` (some exporters) keeps ``EP`` aside."""
    start = next((v for t, v in values if t == "SP"), "")
    end = next((v for t, v in values if t == "EP"), "") if "-" not in start else ""
    record.page = "-".join(filter(None, [start, end]))
    used = [("SP", start), ("EP", end)]
    _keep_rest(record, "", [tv for tv in values if tv not in used])


def _read_container(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    """CONF: ``C3`` is the proceedings title and ``T2`` the conference name (Zotero's mapping)."""
    proceedings = [v for t, v in values if t == "C3"]
    others = [(t, v) for t, v in values if t != "C3"]
    if proceedings:
        record.container_title = proceedings[0]
        if others and others[0][1] != proceedings[0]:
            record.event_title = others.pop(0)[1]
        _keep_rest(record, record.container_title, [("C3", v) for v in proceedings[1:]] + others)
    else:
        _read_text(record, field_name, values)


def _read_doi(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    record.doi = normalize_doi(values[0][1])
    _keep_rest(record, record.doi, values[int(bool(record.doi)) :])


def _read_keywords(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    record.keyword = ", ".join(v for _, v in values)


def _read_notes(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    lines = [line for _, value in values for line in value.split("\n")]
    record.note = "\n".join(lift_note(record, lines))


def _read_extra(record: Record, field_name: str, values: list[tuple[str, str]]) -> None:
    """Zotero's Extra: ``name: value`` lines become fields; other lines are kept as ``ris:M2``."""
    lines = [line for _, value in values for line in value.split("\n")]
    _keep_rest(record, "", [("M2", line) for line in lift_note(record, lines)])


_READERS = {
    "author": _read_names,
    "editor": _read_names,
    "issued": _read_date,
    "page": _read_pages,
    "container_title": _read_container,
    "doi": _read_doi,
    "keyword": _read_keywords,
    "note": _read_notes,
    "extra": _read_extra,
}


def parse_ris_name(text: str) -> Name:
    """``Family, Given[, Suffix]``; without a comma, an organisation (as Zotero reads it).

    Leading lower-case words of the family part are its particle (BibTeX's von rule), done here on
    plain text because bibtexparser's name grammar reads ``~`` and braces as LaTeX.
    """
    if "," not in text:
        return Name(literal=text.strip())
    family, _, rest = text.partition(",")
    given, _, suffix = rest.partition(",")
    words = family.split()
    cut = 0
    while cut < len(words) - 1 and words[cut][:1].islower():
        cut += 1
    return Name(
        family=" ".join(words[cut:]),
        given=given.strip(),
        suffix=suffix.strip(),
        non_dropping_particle=" ".join(words[:cut]),
    )


# ---------------------------------------------------------------------------------------------- writing


def format_ris_name(name: Name) -> str:
    if name.literal:
        return name.literal
    family = " ".join(p for p in (name.dropping_particle, name.non_dropping_particle, name.family) if p)
    return f"{family}, {name.given}" + (f", {name.suffix}" if name.suffix else "")


def ris_type(record: Record) -> str:
    return "RPRT" if record.is_preprint else TYPES.get(record.type, "GEN")


def _record_lines(record: Record) -> list[tuple[str, str]]:
    record = note_lifted(record)
    kind = ris_type(record)
    lines: list[tuple[str, str]] = [("TY", kind)]
    leftovers = extra_fields(record)
    if READ_TYPES[kind] != record.type and not record.is_preprint:
        leftovers["type"] = record.type
    written = _written_field_names(kind)
    for tag, field_name, writer, multiline in _written_tags(kind):
        for value in writer(record, field_name, tag, kind):
            text = value if writer is _write_names else value and plain_text(value)  # a name has no markup
            if text and (text := _multiline(text) if multiline else fold_lines(text)):
                lines.append((tag, text))
    for attr, value in _untagged(record, written, kind).items():
        leftovers[CSL_FIELDS[attr]] = plain_text(value)
    raw_tags: list[tuple[str, str]] = []
    for name, value in sorted(record.custom.items()):
        tag = name.removeprefix("ris:")
        if name.startswith("ris:") and _TAG_LINE.match(f"{tag}  - ") and tag not in ("TY", "ER", "N1"):
            implied = ("M3", _implied(record, "genre"))  # a preprint's genre, already written
            raw_tags += [
                (tag, v) for line in value.split("\n") if (v := fold_lines(line)) and (tag, v) != implied
            ]
        elif (
            name not in leftovers
            and not (name in written and name not in _ATTRIBUTES)
            and not (name in _ATTRIBUTES and getattr(record, name) == value)
        ):
            leftovers[name] = (
                value  # a custom entry named as a model field (an ``issue`` beside ``number``) too
            )
    extra = [("M2", line) for line in note_lines(record, leftovers)]
    note = [("N1", text)] if (text := _multiline(record.note)) else []
    return lines + extra + note + raw_tags + [("ER", "")]


@cache
def _written_tags(kind: str) -> tuple[tuple[str, str, _Writer, bool], ...]:
    """The tags a record of this RIS type is written with (``N1`` and ``M2`` come last, apart), in
    :data:`TAGS` order: (tag, field, its writer, whether it takes continuation lines)."""
    return tuple(
        (tag, field_name, _WRITERS.get(field_name, _write_text), tag in _MULTILINE_TAGS)
        for tag, field_name in TAGS
        if tag not in ("N1", "M2") and _tag_applies(tag, field_name, kind)
    )


@cache
def _written_field_names(kind: str) -> frozenset[str]:
    return frozenset(field_name for _, field_name, _, _ in _written_tags(kind))


def _multiline(text: str) -> str:
    """Lines of a note or abstract as RIS continuation lines; one that would read as a tag is indented."""
    lines = [line.strip() for line in _BREAKS.split(text) if line.strip()]
    return "\r\n".join(f" {line}" if i and _TAG_LINE.match(line) else line for i, line in enumerate(lines))


def _untagged(record: Record, written: frozenset[str], kind: str) -> dict[str, str]:
    """Model text fields this RIS type has no tag for (they go to ``M2  - name: value``)."""
    untagged = {attr: getattr(record, attr) for attr in CSL_FIELDS if attr not in written and attr != "note"}
    if kind == "CONF" and record.container_title:
        untagged.pop("event_title")
    return {attr: value for attr, value in untagged.items() if value and value != _implied(record, attr)}


def _implied(record: Record, attr: str) -> str:
    """The repository and number a preprint has even when the record does not say them."""
    if attr not in _IMPLIED or not record.is_preprint:
        return ""
    return {"number": f"arXiv:{record.arxiv_id}", "publisher": "arXiv", "genre": PREPRINT_GENRE}[attr]


_IMPLIED = frozenset({"number", "publisher", "genre"})


def _write_text(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    if field_name in _ATTRIBUTES:
        return [getattr(record, field_name) or _implied(record, field_name)]
    return [record.custom.get(field_name, "") or _implied(record, field_name)]


def _write_names(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    return [format_ris_name(n) for n in getattr(record, field_name)]


def _write_date(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    date = record.issued or Date()
    if tag == "PY":
        return [f"{date.year:04d}" if date.year is not None else ""]
    parts = [f"{p:0{4 if i == 0 else 2}d}" for i, p in enumerate(date.parts)]
    if date.season and len(parts) == 1:
        parts.append(str(20 + date.season))  # ISO 8601-2's season: Zotero's RIS import keeps "2019-21"
    return ["/".join((parts + ["", "", ""])[:3]) + "/" if parts else date.literal]


def _write_pages(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    start, _, end = record.page.partition("-")
    if not (start.strip() and end.strip()):
        start, end = record.page, ""
    return [start.strip() if tag == "SP" else end.strip()]


def _write_container(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    """CONF: the proceedings in ``C3`` and the conference in ``T2``, as Zotero reads them; a
    conference name without proceedings stays in ``N1`` (a lone ``T2`` reads as proceedings)."""
    if kind == "CONF":
        if tag == "C3":
            return [record.container_title]
        return [record.event_title if record.container_title else ""]
    return [record.container_title if tag == "T2" else ""]


def _write_doi(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    return [record.doi or (arxiv_doi(record.arxiv_id) if record.is_preprint else "")]


def _write_url(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    return [record.url or (arxiv_url(record.arxiv_id) if record.is_preprint else "")]


def _write_archive(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    """Only a real archive location: the arXiv id is an Extra line (Zotero's place for it)."""
    return [record.custom.get(field_name, "")]


def _write_keywords(record: Record, field_name: str, tag: str, kind: str) -> list[str]:
    return [k.strip() for k in record.keyword.split(",")]


_Writer = Callable[[Record, str, str, str], list[str]]
"""A field's values as RIS lines give them: (record, field, tag, RIS type) → values."""
_WRITERS: dict[str, _Writer] = {
    "author": _write_names,
    "editor": _write_names,
    "issued": _write_date,
    "page": _write_pages,
    "container_title": _write_container,
    "doi": _write_doi,
    "url": _write_url,
    "archive_location": _write_archive,
    "keyword": _write_keywords,
}


def write(records: Sequence[Record]) -> str:
    """RIS with CRLF line endings; records in input order, tags in :data:`TAGS` order."""
    return "".join(
        "".join(f"{tag}  - {value}\r\n" for tag, value in _record_lines(record)) + "\r\n"
        for record in records
    )


def sniff(text: str) -> bool:
    """As Zotero: a ``TY  - `` line among the first five non-empty lines."""
    lines = [line.lstrip() for line in _NEWLINE.split(text.lstrip("\ufeff")[:8192]) if line.strip()][:5]
    return any(re.match(r"^TY {1,2}- ", line) for line in lines)


FORMAT = Format(
    name="ris",
    description="RIS (Zotero, EndNote, Mendeley)",
    suffixes=(".ris",),
    sniff=sniff,
    read=read,
    write=write,
    priority=10,
    write_body=write,
)
