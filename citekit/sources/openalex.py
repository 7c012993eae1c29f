"""OpenAlex (``api.openalex.org``) as a source of published versions.

OpenAlex merges a paper's versions into one *work*: its ``locations`` list the arXiv copy and,
when there is one, the published version — a source of type ``conference`` or ``journal`` with
``biblio`` (volume, issue, first and last page). A lookup by DOI (``/works/doi:…``, arXiv's own
``10.48550/arXiv.ID`` included) is cheap; a search costs more against the key's daily budget, so
the enricher asks searches last. OpenAlex sometimes merges two papers or mislabels a location:
what it says is a candidate, validated like any other.

A free API key is required (``api_key`` parameter, never part of a cache key or a message).
A key that is rejected (401/403) or a daily quota that is spent (429 naming the daily limit) is
said once; the source then stops asking, and the run goes on with the others.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2

from citekit.ids import arxiv_doi, is_arxiv_doi, normalize_doi, parse_arxiv_id
from citekit.model import Date, Record
from citekit.names import parse_display_name
from citekit.sources.base import Query
from citekit.sources.cache import ResponseCache
from citekit.sources.http import HttpSource, Pace, RetryPolicy
from citekit.text import squash, strip_markup

VENUE_TYPES = {"conference": "paper-conference", "journal": "article-journal", "book series": "chapter"}
"""Source types that name where a paper was published, and the CSL type of a paper there."""
_QUOTA = re.compile(r"daily|per day|quota|budget|credits", re.IGNORECASE)
_ARXIV_PAGE = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:\.pdf)?$", re.IGNORECASE)


def work_to_record(work: dict[str, Any]) -> Record | None:
    """A work's published version (its first ``conference``/``journal`` location); ``None`` if it has none."""
    locations = [work.get("primary_location"), *(work.get("locations") or [])]
    published = next((loc for loc in locations if _venue_type(loc)), None)
    if published is None:
        return None
    source = published["source"]
    record = Record(type=VENUE_TYPES[_venue_type(published)])
    record.title = strip_markup(str(work.get("title") or work.get("display_name") or ""))
    names = [_author_name(authorship) for authorship in work.get("authorships") or []]
    record.author = [parse_display_name(name) for name in names if name]
    year = work.get("publication_year")
    record.issued = Date((int(year),)) if isinstance(year, int) else None
    record.container_title = squash(str(source.get("display_name") or ""))
    record.publisher = squash(str(source.get("host_organization_name") or ""))
    biblio = work.get("biblio") or {}
    record.volume, record.issue = str(biblio.get("volume") or ""), str(biblio.get("issue") or "")
    first, last = str(biblio.get("first_page") or ""), str(biblio.get("last_page") or "")
    record.page = f"{first}-{last}" if first and last and first != last else first
    doi = normalize_doi(str(work.get("doi") or ""))
    record.doi = "" if is_arxiv_doi(doi) else doi
    landing = str(published.get("landing_page_url") or "")
    record.url = "" if "doi.org/" in landing else landing
    arxiv = next(
        (
            m.group(1)
            for loc in locations
            if isinstance(loc, dict)
            if (m := _ARXIV_PAGE.search(str(loc.get("landing_page_url") or "")))
        ),
        "",
    )
    parsed = parse_arxiv_id(arxiv) or (parse_arxiv_id(doi) if is_arxiv_doi(doi) else None)
    record.arxiv_id = parsed.id if parsed else ""
    if work.get("id"):
        record.custom["openalex"] = str(work["id"]).rsplit("/", 1)[-1]
    return record


def _venue_type(location: Any) -> str:
    source = location.get("source") if isinstance(location, dict) else None
    kind = str(source.get("type") or "") if isinstance(source, dict) else ""
    name = str(source.get("display_name") or "") if isinstance(source, dict) else ""
    return kind if kind in VENUE_TYPES and name and "arxiv" not in name.lower() else ""


def _author_name(authorship: Any) -> str:
    if not isinstance(authorship, dict):
        return ""
    author = authorship.get("author") or {}
    return str(author.get("display_name") or authorship.get("raw_author_name") or "")


class OpenAlexSource(HttpSource):
    """OpenAlex works by DOI (arXiv's too) and by title search (see :class:`~citekit.sources.base.Source`)."""

    name = "openalex"
    service = "OpenAlex"
    holds_preprints = False
    """Its arXiv copies are arXiv's records, which arXiv answers for."""
    holds_published = True
    costly = True
    """Asked only for what the other sources have not found (see :mod:`citekit.enrich`)."""

    def __init__(
        self,
        base_url: str = "https://api.openalex.org",
        *,
        api_key: str,
        mailto: str | None = None,
        rate: float = 10.0,
        timeout: float = 15.0,
        connect_timeout: float = 3.0,
        cache: ResponseCache | str | Path | None = None,
        offline: bool = False,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._open_session(
            mailto=mailto,
            paces={"works": Pace(max(1, round(rate)))},
            retry=retry or RetryPolicy(),
            cache=cache,
            offline=offline,
            timeout=timeout,
            connect_timeout=connect_timeout,
            extra_params={"api_key": api_key, **({"mailto": mailto} if mailto else {})},
        )

    def lookup_doi(self, doi: str) -> Record | None:
        """The published version of the work with this DOI (an arXiv DOI finds the merged work)."""
        doi = normalize_doi(doi)
        if not doi:
            return None
        work = self._ask_object(f"{self.base_url}/works/doi:{quote(doi.lower(), safe='/')}", {}, lane="works")
        return work_to_record(work) if work else None

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        """Published versions by arXiv id, each looked up by its arXiv DOI (singletons are cheap)."""
        found = {}
        for arxiv_id in dict.fromkeys(p.id for p in map(parse_arxiv_id, arxiv_ids) if p is not None):
            record = self.lookup_doi(arxiv_doi(arxiv_id))
            if record is not None:
                record.arxiv_id = record.arxiv_id or arxiv_id
                found[arxiv_id] = record
        return found

    def search(self, query: Query, limit: int = 5) -> list[Record]:
        """Works whose title matches (``title.search``), ±1 year; only those with a published version."""
        title = " ".join(re.findall(r"[^\W_]+", query.title))
        if not title:
            return []
        filters = [f"title.search:{title}"]
        if query.year:
            filters.append(f"publication_year:{query.year - 1}-{query.year + 1}")
        params = {"filter": ",".join(filters), "per-page": limit}
        data = self._ask_object(f"{self.base_url}/works", params, lane="works")
        works = (data or {}).get("results") or []
        return [r for r in (work_to_record(w) for w in works if isinstance(w, dict)) if r is not None]

    def _refusal(self, response: httpx2.Response) -> str | None:
        """A rejected key or a spent daily quota: no request of the run can succeed after it."""
        status = response.status_code
        said = _message(response)
        if status in (401, 403):
            return f"OpenAlex rejected the API key (HTTP {status}: {said}); check --openalex-key"
        if status == 429 and _QUOTA.search(said):
            return f"OpenAlex's daily quota for this key is spent ({said}); a rerun tomorrow asks again"
        return None


def _message(response: httpx2.Response) -> str:
    try:
        data = json.loads(response.content)
    except ValueError:
        return squash(response.text[:200])
    if isinstance(data, dict):
        return squash(" ".join(str(data[k]) for k in ("error", "message") if data.get(k)))[:200]
    return squash(response.text[:200])
