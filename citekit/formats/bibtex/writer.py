"""Writing: entries in the given order, fields in table order; text escaped by
:mod:`citekit.formats.latex`, so nothing in a record can break a field or run as a command."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Block, Entry
from bibtexparser.model import Field as BibField
from bibtexparser.writer import BibtexFormat

from citekit.formats.bibtex.table import (
    BIBLATEX_INVALID,
    BIBLATEX_UNKNOWN,
    CUSTOM_ALIASES,
    ENTRYTYPE,
    FIELDS,
    KNOWN_TYPES,
    MONTHS,
    NEEDS_EDITOR,
    ORGANIZATION_TYPES,
    PREPRINT_TYPE,
    READ_TYPES,
    SUBTYPE,
    VERBATIM_CUSTOM,
    ZOTERO_ENTRY_TYPES,
    Dialect,
    FieldRule,
    default_type,
)
from citekit.formats.latex import balanced, is_inert, to_latex
from citekit.ids import arxiv_doi, arxiv_url
from citekit.keys import keyed
from citekit.model import SEASONS, Date, Name, Record
from citekit.names import format_name, has_parts
from citekit.text import plain_text

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-:.+]*$")
"""A name bibtex, biber and bibtexparser read as a field name (JabRef's ``__markedentry`` too)."""


def write(records: Sequence[Record], dialect: Dialect = "bibtex") -> str:
    """Entries in the given order, fields in table order, 2-space indent, a blank line between."""
    entries: list[Block] = [_entry(record, dialect) for record in keyed(records)]
    if not entries:
        return ""
    layout = BibtexFormat()  # type: ignore[no-untyped-call]  # bibtexparser 2.1 leaves __init__ unannotated
    layout.indent = "  "
    layout.block_separator = "\n"
    return write_string(Library(entries), unparse_stack=[], bibtex_format=layout)


def _entry(record: Record, dialect: Dialect) -> Entry:
    ascii_only = dialect == "bibtex"
    fields: dict[str, str] = {}
    preprint = record.is_preprint
    if preprint:
        record = _as_report(record)
    custom_names = {name.lower() for name in record.custom}
    for rule in FIELDS:
        if rule.kind == "names":
            fields.update(_names_field(rule.field(dialect), record, rule.attr, ascii_only))
        elif rule.kind == "date":
            fields.update(_date_fields(record.issued, dialect))
        elif rule.kind == "eprint":
            fields.update(_arxiv_fields(record, dialect))
        elif rule.attr == "number" and record.number == f"arXiv:{record.arxiv_id}" and not preprint:
            continue  # Zotero's archive id of a preprint: the eprint fields say it already
        elif rule.applies(record.type) and getattr(record, rule.attr):
            name = _free_name(rule, dialect, custom_names)
            guess = not _braces_as_read(record, rule.attr)
            fields.setdefault(name, _encode(getattr(record, rule.attr), rule.kind, ascii_only, guess))
    if preprint:
        fields.setdefault("type", "{" + PREPRINT_TYPE + "}")
    written = {name.lower() for name in fields}
    for name, value in record.custom.items():
        if name == "container-title-short":
            continue  # CSL's short venue: BibLaTeX's place for it is eventtitle, from the record's event
        alias = CUSTOM_ALIASES.get(name, name)
        name = alias if alias.lower() not in written and alias not in record.custom else name
        if name.lower() not in written and name != ENTRYTYPE and _FIELD_NAME.match(name) and value:
            fields[name] = "{" + _custom_value(name, value, ascii_only) + "}"
    kind = default_type(Record(type="article"), dialect) if preprint else _entry_type(record, dialect)
    if dialect == "biblatex":
        kind = _fit_datamodel(kind, fields)
    if not preprint and READ_TYPES.get(kind, "document") != record.type and SUBTYPE not in record.custom:
        fields[SUBTYPE] = "{" + record.type + "}"
    return Entry(kind, record.key, [BibField(k, v) for k, v in fields.items()])


def _free_name(rule: FieldRule, dialect: Dialect, custom_names: set[str]) -> str:
    """The field a model attribute is written as: the dialect's, or the other dialect's name when a
    field kept in ``custom`` has the dialect's (ACM's ``location`` and ``address``: the one read
    into the model goes under the other name, which the reader reads the same, and neither is lost)."""
    name = rule.field(dialect)
    other = rule.biblatex if name == rule.bibtex else rule.bibtex
    return other if name.lower() in custom_names and other.lower() not in custom_names else name


def _custom_value(name: str, value: str, ascii_only: bool) -> str:
    """A field the model lacks, as read (raw LaTeX, its line breaks too) when that is safe; a file
    path or other verbatim field as it is when its braces balance; else as text."""
    if name.lower() in VERBATIM_CUSTOM and balanced(value) and not _odd_trailing_backslash(value):
        return value
    return value if is_inert(value) else to_latex(value, ascii_only=ascii_only)


def _odd_trailing_backslash(value: str) -> bool:
    return (len(value) - len(value.rstrip("\\"))) % 2 == 1


def _braces_as_read(record: Record, attr: str) -> bool:
    """Whether a title-like field is a .bib file's own: its braces (nocase spans) then say which
    proper nouns it has, and none is guessed (see :func:`~citekit.formats.latex.to_latex`)."""
    origin_format = record.origin.format if record.origin else ""
    return origin_format in ("bibtex", "biblatex") and record.provenance.get(attr, "input") == "input"


def _encode(value: str, kind: str, ascii_only: bool, guess_proper_nouns: bool = True) -> str:
    if kind in ("doi", "url"):
        return "{" + _verbatim(value) + "}"
    if kind == "pages":
        parts = _PAGE_DASH.split(value)
        return "{" + "--".join(to_latex(part, ascii_only=ascii_only) for part in parts) + "}"
    text = value if kind == "title" else plain_text(value)
    protect = kind == "title"
    return (
        "{"
        + to_latex(text, ascii_only=ascii_only, protect=protect, guess_proper_nouns=guess_proper_nouns)
        + "}"
    )


_PAGE_DASH = re.compile(r"\s*(?:-+|–|—)\s*")
_BREAKS_FIELD = re.compile(r"[\\{}\t\n\r\f\v]|(?<= ) ")


def _verbatim(identifier: str) -> str:
    """A URL, DOI or eprint as written, for biblatex's verbatim fields and ``\\url``: what would
    break the field or be changed on reading is percent-encoded, as biber encodes it (a brace, a
    backslash, a line break or tab, a space after a space). A single space is kept: Zotero and
    pandoc read the field as written, and biber encodes it itself (``%20``)."""
    return _BREAKS_FIELD.sub(lambda m: f"%{ord(m.group()):02X}", identifier.strip())


def _names_field(field: str, record: Record, attr: str, ascii_only: bool) -> dict[str, str]:
    encode = partial(_name_part, ascii_only=ascii_only)
    names = [format_name(_writable_name(n), encode) for n in getattr(record, attr) if has_parts(n)]
    if attr == "author" and record.authors_truncated and names:
        names.append("others")
    return {field: "{" + " and ".join(names) + "}"} if names else {}


def _writable_name(name: Name) -> Name:
    """A name with a given name only is written as its family name: an empty part makes biber loop."""
    if name.literal or name.family:
        return name
    return Name(family=name.given or name.non_dropping_particle or name.dropping_particle or name.suffix)


def _name_part(text: str, ascii_only: bool) -> str:
    encoded = to_latex(text, ascii_only=ascii_only)
    return "{" + encoded + "}" if _SPLITS_NAME.search(encoded) else encoded


_SPLITS_NAME = re.compile(r",|\band\b", re.IGNORECASE)
"""What would split a name part that is not braced: a comma, the word "and"."""


def _date_fields(issued: Date | None, dialect: Dialect) -> dict[str, str]:
    if issued is None or not (issued.parts or issued.literal):
        return {}
    if issued.month is not None and not 1 <= issued.month <= 12:
        issued = Date(issued.parts[:1])  # a bad month: bibtex and biber know no such month
    if not issued.parts:
        return {"year": "{" + to_latex(issued.literal, ascii_only=dialect == "bibtex") + "}"}
    if issued.season and len(issued.parts) == 1:
        # biblatex reads ISO 8601-2's seasons (21-24), and so does Zotero's BibTeX import (it ignores
        # a month it does not know); bibtex styles print the month field as written.
        season = f"{issued.year:04d}-{20 + issued.season}"
        if dialect == "biblatex":
            return {"date": "{" + season + "}"}
        return {
            "year": "{" + str(issued.year) + "}",
            "month": "{" + SEASONS[issued.season - 1] + "}",
            "date": "{" + season + "}",
        }
    if dialect == "biblatex":
        return {"date": "{" + issued.iso() + "}"}
    fields = {"year": "{" + str(issued.year) + "}"}
    if issued.month:
        fields["month"] = MONTHS[issued.month - 1][:3]
    if issued.day:
        fields["day"] = "{" + str(issued.day) + "}"
    return fields


def _arxiv_fields(record: Record, dialect: Dialect) -> dict[str, str]:
    """arXiv's recommended ``eprint``/``archivePrefix``/``primaryClass``; biblatex's ``eprinttype``.

    BibTeX gets ``eprinttype`` too: it is what Zotero's BibTeX import turns into an ``arXiv: <id>``
    line in Extra (it ignores ``archivePrefix``), and bibtex styles ignore it.
    """
    if not record.arxiv_id:
        return {}
    safe = partial(_encode, kind="url", ascii_only=True)
    eprint = record.arxiv_id + (f"v{record.arxiv_version}" if record.arxiv_version else "")
    if dialect == "bibtex":
        fields = {"eprint": safe(eprint), "archivePrefix": "{arXiv}", "eprinttype": "{arxiv}"}
        return fields | ({"primaryClass": safe(record.arxiv_class)} if record.arxiv_class else {})
    fields = {"eprint": safe(eprint), "eprinttype": "{arxiv}"}
    return fields | ({"eprintclass": safe(record.arxiv_class)} if record.arxiv_class else {})


def _fit_datamodel(kind: str, fields: dict[str, str]) -> str:
    """Leave out what biblatex's data model does not allow on this entry type (biber warns about
    each); a chapter with no editor is an @inbook (@incollection requires one)."""
    if kind in NEEDS_EDITOR and "editor" not in fields:
        kind = "inbook"
    invalid = BIBLATEX_INVALID.get(kind, frozenset()) | BIBLATEX_UNKNOWN
    for name in [n for n in fields if n.lower() in invalid]:
        value = fields.pop(name)
        if name.lower() in ("publisher", "booktitle") and kind in ORGANIZATION_TYPES:
            fields.setdefault("organization", value)  # a web page's site, when it has no publisher
    return kind


def _as_report(record: Record) -> Record:
    """A preprint as the report it is written as: repository arXiv, number ``arXiv:<id>``, the arXiv DOI."""
    report = record.copy()
    report.type = "report"
    report.publisher = record.publisher or "arXiv"
    report.number = record.number or f"arXiv:{record.arxiv_id}"
    report.doi = record.doi or arxiv_doi(record.arxiv_id)
    report.url = record.url or arxiv_url(record.arxiv_id)
    return report


def _entry_type(record: Record, dialect: Dialect) -> str:
    """The entry type read, when it still fits the record and the dialect has it; else the table's."""
    kept = record.custom.get(ENTRYTYPE, "").lower()
    fits = READ_TYPES.get(kept, "document") == record.type
    keep = kept in KNOWN_TYPES[dialect] and kept in ZOTERO_ENTRY_TYPES and fits
    return kept if keep else default_type(record, dialect)
