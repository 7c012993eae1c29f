"""Semantic Scholar's Graph API as a source of published versions.

``POST /graph/v1/paper/batch`` answers up to 500 ids a request (``ARXIV:…``, ``DOI:…``), in the
order asked, ``null`` for an id it does not know: the run's arXiv ids are asked in sorted batches
(:meth:`SemanticScholarSource.prefetch`), so a rerun asks the cached batches. A paper's ``venue``,
``publicationVenue`` and ``journal`` (name, volume, pages) say where it was published; an arXiv
paper that was not has ``journal.name`` ``ArXiv`` (volume ``abs/…``), which is never a venue.

An API key (``x-api-key`` header) is optional. Without one, requests share a public pool and get
429 often: the session backs off (``Retry-After`` honoured) and retries more patiently than for
other services, and a request that still fails fails its lookups only, never the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from citekit.ids import is_arxiv_doi, normalize_doi, parse_arxiv_id
from citekit.model import Date, Record
from citekit.names import parse_display_name
from citekit.sources.base import Batches, Query, SourceError
from citekit.sources.cache import ResponseCache
from citekit.sources.http import HttpSource, Pace, RetryPolicy
from citekit.text import squash, strip_markup

FIELDS = "venue,publicationVenue,journal,year,externalIds,publicationTypes,title,authors"
BATCH_SIZE = 500
"""The most ids ``/paper/batch`` takes in one request."""
_NOT_A_VENUE = re.compile(r"^(arxiv(\.org)?|corr|)$", re.IGNORECASE)


def paper_to_record(paper: dict[str, Any]) -> Record | None:
    """A paper's published version; ``None`` when it names no venue but arXiv."""
    journal = _object(paper, "journal")
    journal_name = squash(str(journal.get("name") or ""))
    if _NOT_A_VENUE.match(journal_name):
        journal, journal_name = {}, ""
    venue_info = _object(paper, "publicationVenue")
    names = [str(venue_info.get("name") or ""), str(paper.get("venue") or ""), journal_name]
    venue = next((squash(n) for n in names if not _NOT_A_VENUE.match(squash(n))), "")
    if not venue:
        return None
    types = paper.get("publicationTypes") or []
    conference = "Conference" in types or venue_info.get("type") == "conference"
    record = Record(type="paper-conference" if conference else "article-journal", container_title=venue)
    record.title = strip_markup(str(paper.get("title") or ""))
    record.author = [
        parse_display_name(str(a.get("name")))
        for a in paper.get("authors") or []
        if isinstance(a, dict) and a.get("name")
    ]
    year = paper.get("year")
    record.issued = Date((int(year),)) if isinstance(year, int) else None
    record.volume = squash(str(journal.get("volume") or ""))
    record.page = re.sub(r"\s*[-–]+\s*", "-", squash(str(journal.get("pages") or "")))
    ids = _object(paper, "externalIds")
    doi = normalize_doi(str(ids.get("DOI") or ""))
    record.doi = "" if is_arxiv_doi(doi) else doi
    parsed = parse_arxiv_id(str(ids.get("ArXiv") or ""))
    record.arxiv_id = parsed.id if parsed else ""
    for name, key in (("dblp", "DBLP"), ("acl", "ACL")):
        if ids.get(key):
            record.custom[name] = str(ids[key])
    return record


def _object(paper: dict[str, Any], key: str) -> dict[str, Any]:
    """A JSON object the paper holds under ``key``; empty when it holds none (or not an object)."""
    value = paper.get(key)
    return value if isinstance(value, dict) else {}


class SemanticScholarSource(HttpSource):
    """Semantic Scholar papers by arXiv id / DOI (batched) and by title search."""

    name = "semanticscholar"
    service = "Semantic Scholar"
    holds_preprints = False
    holds_published = True
    costly = True
    """Asked only for what the other sources have not found (see :mod:`citekit.enrich`)."""

    def __init__(
        self,
        base_url: str = "https://api.semanticscholar.org",
        *,
        api_key: str | None = None,
        mailto: str | None = None,
        min_interval: float = 1.0,
        timeout: float = 30.0,
        connect_timeout: float = 3.0,
        cache: ResponseCache | str | Path | None = None,
        offline: bool = False,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"x-api-key": api_key} if api_key else {}
        self._batches = Batches(self._batch, BATCH_SIZE)
        """Ids (``ARXIV:…``, ``DOI:…``) asked for :data:`BATCH_SIZE` a request."""
        self._open_session(
            mailto=mailto,
            paces={"graph": Pace(1, min_interval)},
            retry=retry or RetryPolicy(retries=3 if api_key else 6, backoff=max(min_interval, 0.01)),
            cache=cache,
            offline=offline,
            timeout=timeout,
            connect_timeout=connect_timeout,
        )

    def prefetch(self, arxiv_ids: Iterable[str]) -> None:
        """Ask for these arXiv ids now, :data:`BATCH_SIZE` a request (see
        :class:`~citekit.sources.base.Batches`)."""
        self._batches.prefetch(f"ARXIV:{p.id}" for p in map(parse_arxiv_id, arxiv_ids) if p is not None)

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        """Published versions by arXiv id (prefetched ones without a request)."""
        keys = {f"ARXIV:{p.id}": p.id for p in map(parse_arxiv_id, arxiv_ids) if p is not None}
        found = self._batches.lookup(keys)
        return {keys[key]: record for key, record in found.items()}

    def lookup_doi(self, doi: str) -> Record | None:
        doi = normalize_doi(doi)
        parsed = parse_arxiv_id(doi) if is_arxiv_doi(doi) else None
        key = f"ARXIV:{parsed.id}" if parsed else f"DOI:{doi}" if doi else ""
        return self._batches.lookup([key]).get(key) if key else None

    def search(self, query: Query, limit: int = 5) -> list[Record]:
        """``/paper/search`` by title (±1 year); only papers with a venue."""
        title = " ".join(re.findall(r"[^\W_]+", query.title))
        if not title:
            return []
        params: dict[str, object] = {"query": title, "fields": FIELDS, "limit": limit}
        if query.year:
            params["year"] = f"{query.year - 1}-{query.year + 1}"
        response = self._ask_json(
            self.base_url + "/graph/v1/paper/search", params, lane="graph", headers=self._headers
        )
        papers = response.get("data") if isinstance(response, dict) else None
        return [r for r in (paper_to_record(p) for p in papers or [] if isinstance(p, dict)) if r is not None]

    def _batch(self, keys: list[str]) -> dict[str, Record | None]:
        url = self.base_url + "/graph/v1/paper/batch"
        papers = self._ask_json(
            url, {"fields": FIELDS}, lane="graph", body={"ids": keys}, headers=self._headers
        )
        if papers is None:
            return {}
        if not isinstance(papers, list) or len(papers) != len(keys):
            raise SourceError("Semantic Scholar", f"a batch of {len(keys)} ids got an unexpected answer")
        records = {}
        for key, paper in zip(keys, papers, strict=True):
            record = paper_to_record(paper) if isinstance(paper, dict) else None
            if record is not None and key.startswith("ARXIV:"):
                record.arxiv_id = record.arxiv_id or key.removeprefix("ARXIV:")
            records[key] = record
        return records
