"""arXiv's query API (Atom feeds, parsed with feedparser) through citekit's session.

arXiv's terms of use ask for at most one request every three seconds over a single connection
and send no rate-limit headers, so the session runs one request at a time, ``min_interval``
apart (3 s unless a test says otherwise). Batch lookups use ``id_list`` (many ids a request,
which also handles versions properly); searches use ``search_query`` with ``ti:``/``au:``/``abs:``
fields and quoted phrases.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import feedparser
import httpx2

from citekit.ids import arxiv_url, normalize_doi, parse_arxiv_id
from citekit.model import Date, Record
from citekit.names import parse_display_name
from citekit.sources.base import Batches, Query, SourceError
from citekit.sources.cache import ResponseCache
from citekit.sources.http import Clock, HttpSource, OfflineMiss, Pace, RetryPolicy
from citekit.text import fold, latex_to_unicode, squash

_LANE = "query"
_MATH = re.compile(r"\$[^$]*\$")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"\u201c\u201d\u2018\u2019]|\s-\s|\s\u2014\s")
_WORD = re.compile(r"[^\W_]+")
STOPWORDS = frozenset(
    """
    a an and are as at be been but by can do for from has have in into is it its of on or our so such
    than that the their then there these this those to two via was we were what when where which while
    with within without show shows shown propose proposed paper method methods approach results new use
    using used also based both each more most other over under only one not no
""".split()
)


def atom_entry_to_record(entry: Mapping[str, Any]) -> Record | None:
    """One entry of an arXiv API feed, as feedparser gives it; ``None`` for an error entry.

    Reads the same fields as :func:`~citekit.sources.convert.arxiv_bulk_to_record`, so both forms
    of a paper give the same record — except that the feed has display names only
    (``Mihaela van der Schaar``), which are split as people write them.
    """
    parsed = parse_arxiv_id(str(entry.get("id", "")))
    if parsed is None:
        return None
    record = Record(
        type="article",
        publisher="arXiv",
        arxiv_id=parsed.id,
        number=f"arXiv:{parsed.id}",
        url=arxiv_url(parsed.id),
    )
    record.title = latex_to_unicode(str(entry.get("title") or ""))
    record.abstract = latex_to_unicode(str(entry.get("summary") or ""))
    record.author = [
        parse_display_name(latex_to_unicode(str(author.get("name", ""))))
        for author in entry.get("authors") or []
        if author.get("name")
    ]
    primary = (entry.get("arxiv_primary_category") or {}).get("term", "")
    categories = [str(tag["term"]) for tag in entry.get("tags") or [] if tag.get("term")]
    if primary and primary not in categories:
        categories.insert(0, primary)
    record.arxiv_class = primary or (categories[0] if categories else "")
    if len(categories) > 1:
        record.keyword = ", ".join(categories)
    published = entry.get("published_parsed")
    if published:
        record.issued = Date((published.tm_year, published.tm_mon, published.tm_mday))
    record.doi = normalize_doi(str(entry.get("arxiv_doi") or ""))
    for key, name in (("arxiv_journal_ref", "journal-ref"), ("arxiv_comment", "comments")):
        if entry.get(key):
            record.custom[name] = squash(str(entry[key]))
    return record


def distinctive_phrases(text: str, count: int = 3, size: int = 5) -> list[str]:
    """A few runs of ``size`` words from an abstract that are unlikely to occur in another one.

    Windows never cross punctuation or math (the paper's own abstract may be typeset differently);
    the score favours long non-stopwords. The chosen windows do not overlap and keep text order.
    """
    windows: list[tuple[int, int, list[str]]] = []  # (score, position, words)
    position = 0
    for clause in _CLAUSE_BREAK.split(_MATH.sub(" . ", fold(latex_to_unicode(text)))):
        words = _WORD.findall(clause)
        for start in range(len(words) - size + 1):
            chunk = words[start : start + size]
            score = sum(len(w) for w in chunk if w.lower() not in STOPWORDS and not w.isdigit())
            windows.append((score, position + start, chunk))
        position += len(words) + size
    chosen: list[tuple[int, list[str]]] = []
    for _score, start, chunk in sorted(windows, key=lambda w: (-w[0], w[1])):
        if all(abs(start - other) >= size for other, _ in chosen):
            chosen.append((start, chunk))
        if len(chosen) == count:
            break
    return [" ".join(chunk) for _, chunk in sorted(chosen)]


def search_query(query: Query, *, title_words_only: bool = False) -> str:
    """arXiv ``search_query`` for a record: a title phrase, first authors, or abstract phrases.

    ``title_words_only`` ANDs the title's content words instead of quoting the title as a phrase
    (a second try for titles that were cited slightly differently).
    """
    terms: list[str] = []
    title_words = _WORD.findall(fold(latex_to_unicode(_MATH.sub(" ", query.title))))
    if title_words_only:
        terms += [f"ti:{w}" for w in title_words if w.lower() not in STOPWORDS and len(w) > 2][:8]
    elif title_words:
        terms.append(f'ti:"{" ".join(title_words)}"' if len(title_words) > 1 else f"ti:{title_words[0]}")
    for family in query.authors[:2]:
        name = "_".join(_WORD.findall(fold(family)))
        if name:
            terms.append(f"au:{name}")
    if not title_words and query.abstract:
        terms += [f'abs:"{phrase}"' for phrase in distinctive_phrases(query.abstract)]
    return " AND ".join(terms)


class ArxivSource(HttpSource):
    """arXiv papers by id (batched) and by search (see :class:`~citekit.sources.base.Source`)."""

    name = "arxiv"
    service = "arXiv"
    holds_preprints = True
    holds_published = False

    def __init__(
        self,
        base_url: str = "https://export.arxiv.org/api/query",
        *,
        mailto: str | None = None,
        min_interval: float = 3.0,
        chunk_size: int = 50,
        timeout: float = 15.0,
        connect_timeout: float = 3.0,
        cache: ResponseCache | str | Path | None = None,
        offline: bool = False,
        retry: RetryPolicy | None = None,
        clock: Clock = time,
    ) -> None:
        self.base_url = base_url
        self.min_interval = min_interval
        self._batches = Batches(self._fetch, chunk_size)
        self._open_session(
            mailto=mailto,
            paces={_LANE: Pace(1, min_interval)},
            retry=retry or RetryPolicy(backoff=max(min_interval, 0.01)),
            cache=cache,
            offline=offline,
            timeout=timeout,
            connect_timeout=connect_timeout,
            clock=clock,
        )

    def lookup_doi(self, doi: str) -> Record | None:
        """Only arXiv's own DOIs (``10.48550/arXiv.…``) can be looked up: the API has no DOI search."""
        parsed = parse_arxiv_id(normalize_doi(doi))
        if parsed is None:
            return None
        return self.lookup_arxiv([parsed.id]).get(parsed.id)

    def prefetch(self, arxiv_ids: Iterable[str]) -> None:
        """Look these ids up now, ``chunk_size`` a request, for the lookups of the run to come: at
        one request every three seconds, a thousand ids one by one take fifty minutes, in batches
        one (see :class:`~citekit.sources.base.Batches`)."""
        self._batches.prefetch(p.id for p in map(parse_arxiv_id, arxiv_ids) if p is not None)

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        """Latest versions by id (without version), ``chunk_size`` ids a request (prefetched ones none)."""
        return self._batches.lookup(p.id for p in map(parse_arxiv_id, arxiv_ids) if p is not None)

    def _fetch(self, chunk: list[str]) -> dict[str, Record]:
        records = self._query({"id_list": ",".join(chunk), "start": 0, "max_results": len(chunk)})
        return {record.arxiv_id: record for record in records if record.arxiv_id in chunk}

    def search(self, query: Query, limit: int = 5) -> list[Record]:
        """Title phrase + first authors (or abstract phrases); then title words if nothing came back."""
        records: list[Record] = []
        for words_only in (False, True):
            text = search_query(query, title_words_only=words_only)
            if text:
                records = self._query(
                    {
                        "search_query": text,
                        "start": 0,
                        "max_results": limit,
                        "sortBy": "relevance",
                        "sortOrder": "descending",
                    }
                )
            if records or not query.title:
                break
        return records[:limit]

    def _query(self, params: dict[str, object]) -> list[Record]:
        try:
            response = self.session.get(self.base_url, params=params, lane=_LANE, check=_atom_body)
        except OfflineMiss:
            return []
        feed = feedparser.parse(response.content)
        if not response.is_success:
            reason = next((e.get("summary", "") for e in feed.entries), "") or response.text[:200]
            raise SourceError(
                "arXiv",
                f"HTTP {response.status_code}: {squash(reason)}",
                url=str(response.request.url),
                status=response.status_code,
            )
        return [record for entry in feed.entries if (record := atom_entry_to_record(entry))]


def _atom_body(response: httpx2.Response) -> None:
    """A complete Atom feed, or ``ValueError`` (a cut-off body is retried, never cached)."""
    feed = feedparser.parse(response.content)
    if feed.bozo and not isinstance(feed.bozo_exception, feedparser.CharacterEncodingOverride):
        raise ValueError(f"not a complete Atom feed ({feed.bozo_exception})")
    if "opensearch_totalresults" not in feed.feed:
        raise ValueError("not an arXiv API feed (no opensearch:totalResults)")
