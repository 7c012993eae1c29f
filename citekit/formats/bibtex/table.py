"""The BibTeX/BibLaTeX field and type tables: one row per model attribute ↔ field, read and written
through the same row (``number`` is the issue of an article, the number of a report)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from citekit.model import Record

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
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "incollection": "chapter",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry-encyclopedia",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "mvreference": "book",
    "booklet": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "unpublished": "manuscript",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "dataset": "dataset",
    "software": "software",
    "patent": "patent",
    "standard": "standard",
    "periodical": "periodical",
    "misc": "document",
    "preprint": "article",
}
# CSL type → (BibTeX, BibLaTeX). A preprint is a report of type "Preprint" from arXiv, numbered
# arXiv:<id> (see PREPRINT_TYPE): Zotero's BibTeX import (zotero/translators, BibTeX.js) has no
# preprint type and makes @misc a "document" and @online a "webpage"; a report keeps the genre, the
# repository (institution), the number and the DOI (in Extra), and bibtex/biblatex styles print it
# as "Preprint arXiv:<id>, arXiv, <year>".
#
# A CSL type the entry type does not say (every type not read back from its entry type by
# READ_TYPES) is named in ``entrysubtype`` (see SUBTYPE). Zotero's BibTeX import knows @online,
# @software and @patent (a web page, a computer program, a patent), but it discards @dataset,
# @standard, @periodical and the other types biblatex's data model has, and biber accepts no field
# at all on @letter, @movie, @legislation and the like: those are @misc, which Zotero keeps (as a
# document) and every style prints. bibtex styles know none of them: all are @misc for BibTeX.
WRITE_TYPES: dict[str, tuple[str, str]] = {
    "article-journal": ("article", "article"),
    "article-magazine": ("article", "article"),
    "article-newspaper": ("article", "article"),
    "article": ("techreport", "report"),
    "paper-conference": ("inproceedings", "inproceedings"),
    "chapter": ("incollection", "incollection"),
    "entry": ("incollection", "inreference"),
    "entry-encyclopedia": ("incollection", "inreference"),
    "entry-dictionary": ("incollection", "inreference"),
    "book": ("book", "book"),
    "classic": ("book", "book"),
    "collection": ("book", "collection"),
    "pamphlet": ("booklet", "booklet"),
    "thesis": ("phdthesis", "phdthesis"),
    "report": ("techreport", "techreport"),
    "manuscript": ("unpublished", "unpublished"),
    "webpage": ("misc", "online"),
    "post": ("misc", "online"),
    "post-weblog": ("misc", "online"),
    "software": ("misc", "software"),
    "patent": ("misc", "patent"),
}
ZOTERO_ENTRY_TYPES = frozenset(
    "article book booklet collection conference electronic inbook incollection inproceedings "
    "inreference jurisdiction legislation letter manual mastersthesis misc movie mvbook online patent "
    "phdthesis proceedings report software techreport thesis unpublished artwork audio video".split()
)
"""The entry types Zotero's BibTeX import reads (zotero/translators, BibTeX.js, bibtex2zoteroTypeMap);
it discards an entry of any other type, so a type read from the input is written again only if it is
one of these."""
SUBTYPE = "entrysubtype"
"""The field naming a CSL type that the entry type does not say (``@misc{…, entrysubtype = {dataset}``):
biblatex's own field for a finer type, in its data model for every entry type; bibtex styles and
Zotero ignore it."""
PREPRINT_BASES = {"article-journal", "document", "webpage", "article"}
PREPRINT_TYPE = "Preprint"
"""The ``type`` field of a preprint written as a report; a report with it and an arXiv id reads back
as a preprint."""
_BIBTEX_TYPES = {
    "article",
    "book",
    "booklet",
    "conference",
    "inbook",
    "incollection",
    "inproceedings",
    "manual",
    "mastersthesis",
    "misc",
    "phdthesis",
    "proceedings",
    "techreport",
    "unpublished",
}
KNOWN_TYPES: dict[str, set[str]] = {
    "bibtex": _BIBTEX_TYPES,
    "biblatex": _BIBTEX_TYPES
    | set(READ_TYPES)
    | {
        "suppperiodical",
        "artwork",
        "audio",
        "image",
        "movie",
        "music",
        "performance",
        "video",
        "letter",
        "review",
        "set",
    },
}

# What biblatex's data model (blx-dm.def) does not allow on an entry type and real records have:
# Crossref gives journal articles a publisher, venue tables give them an event. biber
# --validate-datamodel warns about each, so the BibLaTeX writer leaves them out (the other formats
# keep them). A publisher of @misc, @online or @software is their organization (and is read back so).
BIBLATEX_INVALID: dict[str, frozenset[str]] = {
    "article": frozenset({"publisher", "eventtitle"}),
    **dict.fromkeys(("misc", "software"), frozenset({"publisher"})),
    "online": frozenset({"publisher", "booktitle"}),
    "patent": frozenset({"publisher", "language"}),
}
BIBLATEX_UNKNOWN = frozenset({"dblp"})
"""Identifiers citekit adds that biblatex's data model has no field for (biber warns about each):
left out of the BibLaTeX output only (BibTeX, CSL-JSON and RIS keep them)."""
VERBATIM_CUSTOM = frozenset({"file", "pdf", "urlraw", "verba", "verbb", "verbc"})
"""Fields no style typesets as TeX (biblatex's verbatim fields, JabRef's and Zotero's file paths):
written as read, backslashes and all, when their braces balance."""
ORGANIZATION_TYPES = frozenset({"misc", "online", "software"})
NEEDS_EDITOR = frozenset({"incollection", "inreference"})
"""Entry types biblatex's data model gives a mandatory editor: one without is an @inbook."""
CUSTOM_ALIASES = {"accessed": "urldate", "genre": "type"}
"""CSL variables the model keeps in ``custom``, written under the field bibtex styles and biblatex
know them by (biber rejects ``accessed`` and ``genre``)."""

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


@cache
@lru_cache(maxsize=4096)
def simple_rule(name: str, csl_type: str) -> FieldRule | None:
    """The row of :data:`FIELDS` that reads field ``name`` as text for this type, if any (cached:
    asked for every field read)."""
    return next((r for r in FIELDS if name in r.names and r.kind in _SIMPLE and r.applies(csl_type)), None)


def default_type(record: Record, dialect: Dialect) -> str:
    if record.type == "article" and record.container_title:
        return "article"
    bibtex_type, biblatex_type = WRITE_TYPES.get(record.type, ("misc", "misc"))
    return bibtex_type if dialect == "bibtex" else biblatex_type
