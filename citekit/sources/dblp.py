"""dblp's publication search API (``/search/publ/api?q=…&format=json``) as a source of venues.

dblp lists computer science's conference and journal papers with their venue, volume and pages,
including the many that have no DOI (PMLR, OpenReview, NeurIPS proceedings). It publishes no
rate limit headers and asks scripts to go slowly, so requests go one at a time, ``min_interval``
apart (2 s unless a test says otherwise); a 429 and its ``Retry-After`` are honoured by the session.

dblp sometimes answers scripts with a browser proof-of-work page instead of JSON. That is not a
fault a retry cures: it is named once, the source stops asking for the rest of the run, and the
run goes on with the other sources (the dump, ``dblp.xml.gz``, can be fetched in a browser and
indexed instead).

What a hit says, as a :class:`~citekit.model.Record`:

- ``CoRR`` entries (``Informal and Other Publications``, volume ``abs/ID``) are the arXiv version
  of a paper, never a venue: they become preprint records with that arXiv id;
- author names lose dblp's homonym numbers (``Wei Li 0001``);
- titles lose the period dblp ends them with;
- ``ee`` holds the DOI link and landing pages: the DOI becomes ``doi``, a landing page ``url``;
- the venue is dblp's short name (``ICML``, ``J. Mach. Learn. Res.``), written in full where
  :mod:`citekit.venues` knows it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx2

from citekit.ids import arxiv_url, normalize_doi, parse_arxiv_id
from citekit.model import Date, Record
from citekit.names import parse_display_name
from citekit.sources.base import Query
from citekit.sources.cache import ResponseCache
from citekit.sources.http import RETRY_STATUSES, HttpSource, Pace, RetryPolicy
from citekit.text import fold, squash
from citekit.venues import full_title

BROWSER_CHECK = "dblp asks for a browser check: download dblp.xml.gz in a browser and run `citekit index add`"
_LANE = "search"
_HOMONYM = re.compile(r"\s+\d{4}$")
_WORD = re.compile(r"[^\W_]+")
TYPES = {
    "Conference and Workshop Papers": "paper-conference",
    "Journal Articles": "article-journal",
    "Parts in Books or Collections": "chapter",
}
"""dblp's publication types that name a venue, as CSL types; the others (informal publications,
editorships, theses) do not."""


def hit_to_record(info: dict[str, Any]) -> Record | None:
    """One hit's ``info`` object; ``None`` for a hit that is neither a venue paper nor a CoRR preprint."""
    venue = info.get("venue")
    venue = " / ".join(map(str, venue)) if isinstance(venue, list) else str(venue or "")
    volume = str(info.get("volume") or "")
    corr = venue == "CoRR" and volume.startswith("abs/")
    kind = TYPES.get(str(info.get("type", "")))
    if kind is None and not corr:
        return None
    record = Record(type=kind or "article", title=_title(str(info.get("title") or "")))
    authors = _listed(info.get("authors"), "author")
    record.author = [parse_display_name(_HOMONYM.sub("", _text(author))) for author in authors]
    year = str(info.get("year") or "")
    record.issued = Date((int(year),)) if year.isdigit() else None
    links = [str(link) for link in _listed(info, "ee")]
    if corr:
        parsed = parse_arxiv_id(volume.removeprefix("abs/"))
        if parsed is None:
            return None
        record.arxiv_id, record.publisher = parsed.id, "arXiv"
        record.number, record.url = f"arXiv:{parsed.id}", arxiv_url(parsed.id)
        return record
    record.container_title = full_title(venue)
    record.volume = volume
    record.issue = str(info.get("number") or "")
    record.page = str(info.get("pages") or "").replace("--", "-")
    record.doi = normalize_doi(str(info.get("doi") or "")) or next(
        (doi for link in links if "doi.org/" in link and (doi := normalize_doi(link))), ""
    )
    record.url = next((link for link in links if "doi.org/" not in link), "")
    if info.get("key"):
        record.custom["dblp"] = str(info["key"])
    return record


def _title(text: str) -> str:
    """dblp ends every title with a period (keeping ``?`` and ``!``)."""
    text = squash(text)
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _listed(container: Any, name: str) -> list[Any]:
    """dblp's JSON writes a one-element list as the element itself."""
    value = container.get(name) if isinstance(container, dict) else None
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(author: Any) -> str:
    return str(author.get("text", "")) if isinstance(author, dict) else str(author)


def search_terms(query: Query) -> str:
    """The title's words (dblp ANDs them, each as a prefix), and the first author's surname."""
    words = _WORD.findall(fold(query.title))
    if query.authors:
        words += _WORD.findall(fold(query.authors[0]))[-1:]
    return " ".join(words)


class DblpSource(HttpSource):
    """dblp's publication search (see :class:`~citekit.sources.base.Source`): searches only."""

    name = "dblp"
    service = "dblp"
    holds_preprints = False
    """It lists arXiv papers (as CoRR), but arXiv answers for them faster and by id."""
    holds_published = True
    costly = True
    """Asked only for what the other sources have not found (see :mod:`citekit.enrich`)."""

    def __init__(
        self,
        base_url: str = "https://dblp.org",
        *,
        mailto: str | None = None,
        min_interval: float = 2.0,
        timeout: float = 15.0,
        connect_timeout: float = 3.0,
        cache: ResponseCache | str | Path | None = None,
        offline: bool = False,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._open_session(
            mailto=mailto,
            paces={_LANE: Pace(1, min_interval)},
            retry=retry or RetryPolicy(backoff=max(min_interval, 0.01)),
            cache=cache,
            offline=offline,
            timeout=timeout,
            connect_timeout=connect_timeout,
        )

    def lookup_doi(self, doi: str) -> Record | None:
        """dblp's search does not look DOIs up: always ``None`` (a search by title finds the paper)."""
        return None

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        return {}

    def search(self, query: Query, limit: int = 5) -> list[Record]:
        """Hits for the title (and first author), best first: venue papers and CoRR preprints."""
        terms = search_terms(query)
        if not query.title or not terms:
            return []
        params = {"q": terms, "format": "json", "h": max(limit, 1) * 2}
        data = self._ask_object(f"{self.base_url}/search/publ/api", params, lane=_LANE)
        hits = _listed(((data or {}).get("result") or {}).get("hits"), "hit")
        records = [hit_to_record(hit.get("info") or {}) for hit in hits if isinstance(hit, dict)]
        return [record for record in records if record is not None][:limit]

    def _refusal(self, response: httpx2.Response) -> str | None:
        """An HTML page instead of JSON is dblp's browser check: asking again does not help."""
        if response.status_code in RETRY_STATUSES or not _is_html(response):
            return None
        return BROWSER_CHECK


def _is_html(response: httpx2.Response) -> bool:
    kind = response.headers.get("content-type", "").lower()
    return "html" in kind or response.content.lstrip()[:1] == b"<"
