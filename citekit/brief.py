"""What the report shows of a record: enough for a person to tell two records apart at a glance.

Used for the input records and for the candidates the matcher judged (``report.json``), which
``citekit review`` puts side by side.
"""

from __future__ import annotations

from typing import Any

from citekit.ids import find_dblp_key, is_arxiv_doi
from citekit.model import Record
from citekit.text import plain_text

SHOWN_AUTHORS = 8
SHOWN_ABSTRACT = 300
"""Characters of an input's abstract the report keeps: enough to recognise an abstract-only record."""


def brief(record: Record) -> dict[str, Any]:
    """Title, authors (the first :data:`SHOWN_AUTHORS`), year, venue and identifiers."""
    names = [name.display() for name in record.author]
    return {
        "title": plain_text(record.title),
        "authors": names[:SHOWN_AUTHORS],
        "et_al": len(names) > SHOWN_AUTHORS or record.authors_truncated,
        "year": record.year,
        "venue": plain_text(record.container_title) or None,
        "doi": record.doi or None,
        "arxiv": record.arxiv_id or None,
        "dblp": find_dblp_key(record.custom.get("biburl", "")) or find_dblp_key(record.url) or None,
    }


def input_brief(record: Record) -> dict[str, Any]:
    """An input record's brief, with the start of its abstract (all that some inputs have); an
    arXiv DOI is not shown as a DOI (it is the arXiv id again)."""
    data = brief(record)
    if data["doi"] and is_arxiv_doi(data["doi"]):
        data["doi"] = None
    if record.abstract:
        cut = record.abstract[:SHOWN_ABSTRACT]
        data["abstract"] = cut + ("…" if len(record.abstract) > SHOWN_ABSTRACT else "")
    return data
