"""Where the local index keeps its records: the operations a storage backend offers.

:class:`~citekit.sources.local.LocalIndex` holds everything the matcher relies on (identities,
batching, dblp crossrefs, word statistics, the search plan, re-ranking) and asks a store only for
these operations. Two stores implement them: one SQLite file with FTS5
(:mod:`citekit.sources.index_sqlite`, the embedded default) and a PostgreSQL database with
tsvector and GIN (:mod:`citekit.sources.index_postgres`, for an index many machines share).

Full-text expressions are those :func:`~citekit.sources.fulltext.search_plan` writes: quoted words
joined by ``AND`` and ``OR`` in parentheses, a word optionally restricted to titles
(``title : "word"``). Each store translates them into its own engine's syntax.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(slots=True)
class Row:
    """A record ready to store: its table columns and its search text."""

    kind: str
    identity: str
    columns: tuple[Any, ...]
    """kind, identity, doi, arxiv_id, year, data (the record as JSON)."""
    text: tuple[str, str, str, str]
    """title, authors, abstract, venue (:func:`~citekit.sources.fulltext.search_text`)."""
    crossref: str = ""
    prepared: tuple[Any, ...] | None = None
    """The row in the store's own form, made ahead by :meth:`Store.prepare` (``None``: not yet)."""

    @property
    def data(self) -> str:
        return str(self.columns[-1])


Load = tuple[str, Callable[[], int]]
"""A file's key, and what tells how many of its records are stored once the batch being written
commits: asked inside the batch's transaction, just before it commits, since batches written at once
can commit in any order (see :meth:`Store.write`)."""

Found = tuple[int, str, "int | None", "float | None"]
"""A search hit: row id, title, year, and rank (higher is better; ``None`` when unranked)."""


class Store(Protocol):
    """A backend of the local index. Every method raises only
    :class:`~citekit.errors.StoreError` for database trouble."""

    location: str
    """The file, or the database URL without its password: what messages name."""
    writers: int
    """How many batches a loader may write at once (each :meth:`write` in its own thread): 1 where
    writes take turns anyway (SQLite), more where the server works on each in its own process."""

    def close(self) -> None: ...

    # Writing: each call is one transaction.

    def prepare(self, rows: list[Row]) -> list[Row]:
        """The rows made ready for :meth:`write` as far as that needs no database: a loader calls it
        in the thread that reads, so that the thread that writes only waits for the database."""

    def write(self, rows: Sequence[Row], load: Load | None = None) -> tuple[int, int, int]:
        """Inserts new rows and replaces changed ones (same kind and identity) in one transaction,
        recording the dblp crossref of each row written that has one: (added, updated, unchanged).
        A batch written twice, or by two loaders at once, leaves each record once. ``load`` (a file's
        key, and how many of its records are stored once this batch is) is recorded in the same
        transaction, never lowering what is recorded already."""

    def loaded(self, source: str) -> int:
        """How many records of this file (key) a load that stopped had stored; 0 when none did."""

    def forget_load(self, source: str) -> None:
        """Drops a finished load's record."""

    def replace(self, changes: Sequence[tuple[int, str, Row]]) -> None:
        """Replaces records by row id (id, old data, new row) and drops their crossref links."""

    def set_meta(self, values: dict[str, str]) -> None: ...

    def after_load(self) -> None:
        """Readies what a load wrote for quick searching (once a file is loaded)."""

    # Reading: each call is its own short statement; no transaction outlives it.

    def meta(self, key: str) -> str | None: ...

    def total(self) -> int:
        """Records stored."""

    def top_id(self) -> int:
        """The highest row id (row ids start at 1)."""

    def count(self, expression: str, cap: int) -> int:
        """Records the full-text expression matches, counted up to ``cap``."""

    def counts(self, expressions: Sequence[str], cap: int) -> list[int]:
        """:meth:`count` of each expression (a server answers them in one round trip)."""

    def search(
        self,
        expression: str,
        limit: int,
        *,
        ranked: bool,
        total: int = 0,
        counts: dict[str, int] | None = None,
    ) -> list[Found]:
        """Up to ``limit`` records the expression matches, best first by FTS5's bm25 (title ×10,
        authors ×3, venue ×2, abstract ×1) when ``ranked``, else in the index's own order.
        ``total`` (records stored) and ``counts`` (records each word is in), as the caller's search
        plan knows them, spare a store that computes bm25 itself from counting again."""

    def data(self, ids: Sequence[int]) -> dict[int, str]:
        """Records' JSON by row id (ids not stored are absent)."""

    def by_doi(self, doi: str) -> list[tuple[str, str]]:
        """(kind, data) of every record with this lower-cased DOI, in insertion order."""

    def by_arxiv(self, arxiv_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(arXiv id, kind, data) of every record with one of these ids, in insertion order."""

    def by_identity(self, kind: str, identities: Sequence[str]) -> dict[str, str]:
        """Data of the records of one kind with these identities."""

    def pending_crossrefs(self, after: int, limit: int) -> list[tuple[int, str, str]]:
        """(row id, paper data, volume data) of crossref links whose volume is stored, by row id."""

    def all_data(self, kind: str | None) -> Iterator[str]:
        """Every record's JSON (of one kind), in insertion order, streamed."""

    def counts_by_kind(self) -> dict[str, int]: ...

    def size_bytes(self) -> int:
        """Space on disk: the file and its log, or the tables and their indexes."""
