"""Service records → :class:`~citekit.model.Record`: one converter per bulk/API format.

Shared by the remote clients and the local index, so that a record reads the same whether it
came from the API or from a bulk dump.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from citekit.ids import arxiv_url, normalize_doi, parse_arxiv_id
from citekit.model import Date, Name, Record
from citekit.text import latex_to_unicode, squash, strip_markup

# Crossref work type → CSL type (Crossref's /types list; what is not here is a "document").
CROSSREF_TYPES: dict[str, str] = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "book-part": "chapter",
    "book-section": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "posted-content": "article",
    "report": "report",
    "dataset": "dataset",
    "dissertation": "thesis",
    "standard": "standard",
    "proceedings": "book",
}


def crossref_work_to_record(work: dict[str, Any]) -> Record:
    """A Crossref work object (the ``message`` of ``/works/{doi}``, or an item of ``/works``)."""
    record = Record(type=CROSSREF_TYPES.get(str(work.get("type", "")), "document"))
    record.title = strip_markup(_first(work.get("title")))
    record.container_title = strip_markup(_first(work.get("container-title")))
    record.author = [_crossref_name(a) for a in work.get("author") or [] if isinstance(a, dict)]
    record.editor = [_crossref_name(a) for a in work.get("editor") or [] if isinstance(a, dict)]
    record.issued = _crossref_date(work.get("issued")) or _crossref_date(work.get("published"))
    for attr, key in (("volume", "volume"), ("issue", "issue"), ("page", "page"), ("publisher", "publisher")):
        value = work.get(key)
        if isinstance(value, str):
            setattr(record, attr, squash(value))
    record.doi = normalize_doi(str(work.get("DOI", "")))
    record.url = str(work.get("URL", "")) or (f"https://doi.org/{record.doi}" if record.doi else "")
    record.abstract = strip_markup(str(work.get("abstract", "")))
    event = work.get("event")
    if isinstance(event, dict) and event.get("name"):
        record.event_title = squash(str(event["name"]))
    return record


def arxiv_bulk_to_record(entry: dict[str, Any]) -> Record:
    """One line of arXiv's bulk metadata snapshot (the Kaggle/OAI JSON form)."""
    parsed = parse_arxiv_id(str(entry.get("id", "")))
    record = Record(type="article", publisher="arXiv")
    if parsed:
        record.arxiv_id = parsed.id
        record.number = f"arXiv:{parsed.id}"
        record.url = arxiv_url(parsed.id)
    record.title = latex_to_unicode(str(entry.get("title") or ""))
    record.abstract = latex_to_unicode(str(entry.get("abstract") or ""))
    record.author = [_arxiv_name(parts) for parts in entry.get("authors_parsed") or []]
    categories = str(entry.get("categories") or "").split()
    record.arxiv_class = categories[0] if categories else ""
    if len(categories) > 1:
        record.keyword = ", ".join(categories)
    versions = entry.get("versions") or []
    if versions:
        # The first version's date is the paper's; no version is pinned (a citation names the paper).
        record.issued = _rfc2822_date(str(versions[0].get("created", "")))
    record.doi = normalize_doi(str(entry.get("doi") or ""))
    if entry.get("journal-ref"):
        record.custom["journal-ref"] = squash(str(entry["journal-ref"]))
    if entry.get("comments"):
        record.custom["comments"] = squash(str(entry["comments"]))
    return record


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _crossref_name(author: dict[str, Any]) -> Name:
    if author.get("name") and not author.get("family"):
        return Name(literal=squash(str(author["name"])))
    return Name(
        family=squash(str(author.get("family", ""))),
        given=squash(str(author.get("given", ""))),
        suffix=squash(str(author.get("suffix", ""))),
    )


def _crossref_date(value: Any) -> Date | None:
    if not isinstance(value, dict):
        return None
    parts = (value.get("date-parts") or [[]])[0] or []
    numbers = tuple(int(p) for p in parts if isinstance(p, (int, str)) and str(p).isdigit())
    return Date(numbers) if numbers else None


def _arxiv_name(parts: list[str]) -> Name:
    family, given, suffix = ([*parts, "", "", ""])[:3]
    return Name(family=_name_part(family), given=_name_part(given), suffix=_name_part(suffix))


@lru_cache(maxsize=1 << 16)
def _name_part(text: str) -> str:
    """Name parts repeat across a dump (the same surnames, the same people): decoding TeX once
    each is most of the speed of loading a full arXiv snapshot."""
    return latex_to_unicode(text)


def _rfc2822_date(text: str) -> Date | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return Date((moment.year, moment.month, moment.day))


# dblp: what the dump's loader and the local index share (without lxml, which only the dump needs)

DBLP_KEY_FIELD = "dblp"
"""``custom`` entry holding a record's dblp key (``conf/icml/SablayrollesDSOJ19``)."""
_PART = re.compile(r"\s*\(\d+\)$")


def without_part(booktitle: str) -> str:
    """A dblp booktitle without its part number (``ECCV (3)`` → ``ECCV``)."""
    return _PART.sub("", booktitle)


def apply_proceedings(paper: Record, proceedings: Record) -> None:
    """Completes a paper from its proceedings volume: the volume's full title, volume, series, publisher."""
    title = proceedings_title(proceedings)
    if title:
        paper.container_title = title
    paper.volume = paper.volume or proceedings.volume
    paper.collection_title = paper.collection_title or proceedings.collection_title
    paper.publisher = paper.publisher or proceedings.publisher


def proceedings_title(proceedings: Record) -> str:
    """A volume's title without dblp's trailing event, dates and place (``…Learning, ICML 2019,
    9-15 June 2019, Long Beach, California, USA`` → ``…Learning``)."""
    title = proceedings.title
    booktitle = without_part(proceedings.custom.get("dblp-booktitle", ""))
    year = proceedings.year
    if booktitle and year:
        cut = re.search(rf",\s+{re.escape(booktitle)}\s+'?{year}\b", title)
        if cut:
            title = title[: cut.start()]
    return re.sub(r",\s+Proceedings(?:,\s+Part\s+\w+)?$", "", title).strip()
