"""Crossref's REST API through habanero, with citekit's session doing the HTTP.

Limits are Crossref's published ones (from December 2025): with a ``mailto`` (the polite pool)
10 DOI lookups and 3 searches a second, 3 requests in flight; without, 5 and 1 a second, one at a
time. The session adopts whatever the ``X-Rate-Limit-*`` headers say after that.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
from habanero import Crossref, RequestError
from habanero import request as habanero_request
from habanero import request_class as habanero_request_class

from citekit import __version__
from citekit.ids import is_arxiv_doi, normalize_doi
from citekit.model import Record
from citekit.sources.base import Query, SourceError
from citekit.sources.cache import ResponseCache
from citekit.sources.convert import crossref_work_to_record
from citekit.sources.http import Clock, HttpSession, HttpSource, OfflineMiss, Pace, RetryPolicy, json_body

SELECT = [
    "DOI",
    "type",
    "title",
    "author",
    "editor",
    "container-title",
    "issued",
    "published",
    "volume",
    "issue",
    "page",
    "publisher",
    "URL",
    "event",
    "abstract",
    "score",
]
"""The fields a search asks for (``select=``): what the record converter reads, nothing more."""

_MATH_MARKUP = re.compile(r"[$\\{}^_]+")


@dataclass(frozen=True, slots=True)
class _Route:
    session: HttpSession
    lane: str


_ACTIVE_ROUTE: ContextVar[_Route | None] = ContextVar("citekit_crossref_route", default=None)


class _HttpxThroughSession:
    """Stands in for the ``httpx2`` module that habanero sends its requests with.

    habanero builds Crossref's URLs, field queries, filters and ``select`` lists (and validates
    them), but sends each request with a bare module-level ``httpx2.get``: no pacing, retries or
    cache. Rather than re-implement the client, that module reference is replaced by this object.
    Its ``get`` goes to the session of the :class:`CrossrefSource` active in the current context
    (a context variable, so concurrent threads each use their own source, and other users of
    habanero, with no active source, get plain ``httpx2.get``). Every other attribute (the
    exception classes habanero catches) is httpx2's own.
    """

    def get(
        self, url: str, params: Any = None, headers: Any = None, timeout: Any = None, **kwargs: Any
    ) -> httpx2.Response:
        route = _ACTIVE_ROUTE.get()
        if route is None:
            return httpx2.get(url, params=params, headers=headers, timeout=timeout, **kwargs)
        return route.session.get(url, params=params, headers=headers, lane=route.lane, check=json_body)

    def __getattr__(self, name: str) -> Any:
        return getattr(httpx2, name)


def _install_shim() -> None:
    """Into both modules habanero sends from: ``request`` (DOI lookups), ``request_class`` (searches)."""
    for module in (habanero_request, habanero_request_class):
        if not isinstance(module.httpx2, _HttpxThroughSession):
            module.httpx2 = _HttpxThroughSession()


class CrossrefSource(HttpSource):
    """Crossref works by DOI and by bibliographic search (see :class:`~citekit.sources.base.Source`)."""

    name = "crossref"
    service = "Crossref"
    holds_preprints = False
    holds_published = True

    def __init__(
        self,
        base_url: str = "https://api.crossref.org",
        mailto: str | None = None,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        cache: ResponseCache | str | Path | None = None,
        offline: bool = False,
        retry: RetryPolicy | None = None,
        clock: Clock = time,
    ) -> None:
        _install_shim()
        self.base_url = base_url.rstrip("/")
        polite = bool(mailto)
        self._open_session(
            mailto=mailto,
            paces={"lookup": Pace(10 if polite else 5), "search": Pace(3 if polite else 1)},
            concurrency=3 if polite else 1,
            retry=retry or RetryPolicy(),
            cache=cache,
            offline=offline,
            timeout=timeout,
            connect_timeout=connect_timeout,
            extra_params={"mailto": mailto} if mailto else None,
            clock=clock,
        )
        self._client = Crossref(
            base_url=self.base_url,
            mailto=mailto,
            ua_string=f"citekit/{__version__}",
            timeout=int(max(1, timeout)),
        )

    def lookup_doi(self, doi: str) -> Record | None:
        """The work with this DOI; ``None`` for a 404, an arXiv (DataCite) DOI, or an offline miss."""
        doi = normalize_doi(doi)
        if not doi or is_arxiv_doi(doi):
            return None
        data = self._works("lookup", ids=[quote(doi, safe="/")])
        return crossref_work_to_record(_message(data)) if data is not None else None

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        """Crossref does not register arXiv's DOIs (DataCite does): always empty."""
        return {}

    def search(self, query: Query, limit: int = 5) -> list[Record]:
        """``query.bibliographic`` (title, venue) + ``query.author``, ±1 year around ``query.year``."""
        fields: dict[str, Any] = {}
        bibliographic = _MATH_MARKUP.sub(" ", " ".join(p for p in (query.title, query.venue) if p)).strip()
        if bibliographic:
            fields["query_bibliographic"] = " ".join(bibliographic.split())
        if query.authors:
            fields["query_author"] = " ".join(query.authors[:5])
        if not query.title and not query.authors:
            return []
        if query.year:
            fields["filter"] = {"from_pub_date": str(query.year - 1), "until_pub_date": str(query.year + 1)}
        data = self._works("search", limit=limit, select=SELECT, **fields)
        items = _message(data).get("items", []) if data is not None else []
        works = [item for item in items if isinstance(item, dict)]
        return [crossref_work_to_record(w) for w in works if not is_arxiv_doi(str(w.get("DOI", "")))]

    def _works(self, lane: str, **arguments: Any) -> dict[str, Any] | None:
        """habanero's ``works`` through the session; ``None`` for a 404 or an offline miss."""
        token = _ACTIVE_ROUTE.set(_Route(self.session, lane))
        try:
            with _as_source_error():
                result = self._client.works(**arguments)
        except _NotFound:
            return None
        except OfflineMiss:
            return None
        finally:
            _ACTIVE_ROUTE.reset(token)
        if not isinstance(result, dict):
            raise SourceError("Crossref", f"unexpected answer of type {type(result).__name__}")
        return result


class _NotFound(Exception):
    pass


@contextmanager
def _as_source_error() -> Iterator[None]:
    """habanero's exceptions → :class:`SourceError` (a 404 → :class:`_NotFound`)."""
    try:
        yield
    except httpx2.HTTPStatusError as exc:
        status = exc.response.status_code
        if status in (404, 410):
            raise _NotFound from exc
        raise SourceError(
            "Crossref", f"HTTP {status}: {exc.response.text[:200]}", url=str(exc.request.url), status=status
        ) from exc
    except RequestError as exc:
        raise SourceError("Crossref", str(exc), status=exc.status_code) from exc
    except (RuntimeError, ValueError, KeyError, TypeError) as exc:
        raise SourceError("Crossref", f"unusable answer: {exc}") from exc


def _message(data: dict[str, Any]) -> dict[str, Any]:
    message = data.get("message")
    if data.get("status") != "ok" or not isinstance(message, dict):
        raise SourceError("Crossref", f"unexpected answer: {str(data)[:200]}")
    return message
