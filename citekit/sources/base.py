"""The interface every source (the local index, Crossref, arXiv, dblp, OpenAlex, Semantic Scholar)
offers the matcher.

Optional parts go beyond :class:`Source`, each declared by a protocol of its own: ``close()``
(:class:`Closing`), request counters (:class:`Counted`), ``prefetch(arxiv_ids)``
(:class:`Prefetching`), for a source that answers many ids a request (arXiv, Semantic Scholar),
and ``costly = True``, for one whose every request costs a rate-limited slot or a daily budget
(dblp, OpenAlex, Semantic Scholar): the enricher asks it only for what the others have not found
(:mod:`citekit.enrich`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from citekit.errors import SourceError
from citekit.model import Record

__all__ = ["Batches", "Closing", "Counted", "Prefetching", "Query", "Source", "SourceError", "SourceStats"]


@dataclass(frozen=True, slots=True)
class Query:
    """What a record tells us to search with; any part may be empty."""

    title: str = ""
    authors: tuple[str, ...] = ()
    """Family names, in order (a truncated list gives only the shown ones)."""
    year: int | None = None
    venue: str = ""
    abstract: str = ""


@dataclass(slots=True)
class SourceStats:
    """Counters a run reports at the end (requests made, served from cache, failures)."""

    requests: int = 0
    cached: int = 0
    retries: int = 0
    failures: list[str] = field(default_factory=list)


class Source(Protocol):
    """A place to look records up. Every method raises only :class:`SourceError`."""

    name: str
    holds_preprints: bool
    """Whether it can have a paper's arXiv version (Crossref has none: arXiv registers with DataCite)."""
    holds_published: bool
    """Whether it can have a paper's published version (arXiv has only preprints)."""

    def lookup_doi(self, doi: str) -> Record | None:
        """The record with this DOI, or ``None`` if the source has none."""

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        """Records by arXiv id (without version); ids the source does not know are absent."""

    def search(self, query: Query, limit: int = 5) -> list[Record]:
        """Candidates, best first, for the matcher to validate: never trusted as they come."""


@runtime_checkable
class Closing(Protocol):
    """A source holding a connection or a file, to let go of when the run ends."""

    def close(self) -> None: ...


@runtime_checkable
class Counted(Protocol):
    """A source that counts its requests for the run's summary."""

    stats: SourceStats


@runtime_checkable
class Prefetching(Protocol):
    """A source that answers many arXiv ids a request: asked for them all before the run."""

    def prefetch(self, arxiv_ids: Iterable[str]) -> None: ...


class Batches:
    """Records asked for many keys a request, ahead of the run (:meth:`prefetch`) or when looked up.

    A run asks record by record; asking for all its ids first, ``size`` a request, turns a thousand
    requests into a few. Keys are sorted, so a rerun asks the batches the cache holds. A batch
    that fails is not asked again key by key: looking up one of its keys raises its error at once
    (a rerun asks anew).
    """

    def __init__(self, fetch: Callable[[list[str]], Mapping[str, Record | None]], size: int) -> None:
        self._fetch = fetch
        self._size = size
        self._known: dict[str, Record | SourceError | None] = {}

    def prefetch(self, keys: Iterable[str]) -> None:
        """Ask for these keys now; the first batch error is raised when every batch has been asked."""
        errors = []
        for chunk in self._chunks(sorted(set(keys) - self._known.keys())):
            try:
                found = self._fetch(chunk)
            except SourceError as error:
                errors.append(error)
                self._known.update(dict.fromkeys(chunk, error))
            else:
                self._known.update({key: found.get(key) for key in chunk})
        if errors:
            raise errors[0]

    def lookup(self, keys: Iterable[str]) -> dict[str, Record]:
        """The records of these keys (prefetched ones without a request); unknown keys are absent."""
        wanted = list(dict.fromkeys(keys))
        known = {key: self._known[key] for key in wanted if key in self._known}
        failed = next((answer for answer in known.values() if isinstance(answer, SourceError)), None)
        if failed is not None:
            raise failed
        found = {key: record for key, record in known.items() if isinstance(record, Record)}
        for chunk in self._chunks([key for key in wanted if key not in known]):
            found.update({key: record for key, record in self._fetch(chunk).items() if record is not None})
        return found

    def _chunks(self, keys: list[str]) -> list[list[str]]:
        return [keys[start : start + self._size] for start in range(0, len(keys), self._size)]
