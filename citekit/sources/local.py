"""The local metadata index: citekit's offline source, in one SQLite file or a shared PostgreSQL database.

Records are kept with their kind (``arxiv``, ``crossref``, ``dblp``, ``reference``), their identity
within that kind (the arXiv id for arXiv listings, the dblp key for dblp records, else the DOI, else
a title fingerprint: re-adding a file updates instead of duplicating) and indexed identifier columns.
A dblp paper stored before its proceedings volume stays linked to that volume's key until the volume
arrives and completes the paper (:meth:`LocalIndex.add_file`). Both arXiv listings and published
records are kept: the matcher prefers the published version and needs the preprint to get there.

Where they are kept is a store (:mod:`citekit.sources.index_store`): an SQLite file with FTS5 by
default (:mod:`citekit.sources.index_sqlite`), or, for an index a group shares, a PostgreSQL
database named by its URL (``postgresql://user@host/db``; :mod:`citekit.sources.index_postgres`).
Everything here, the search plan included, is the same for both: the matcher does not know which
one it is using. Common words are estimated from a sample as the index grows (see
:mod:`citekit.sources.fulltext`).

Loading streams: records arrive one at a time from :mod:`citekit.sources.bulk` and are written in
transactions of :data:`BATCH_SIZE`, so a dump of millions never sits in memory, and a load that
stops keeps its committed batches: running it again adds the rest, each record once.
"""

from __future__ import annotations

import json
import os
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from citekit.diagnostics import Diagnostic
from citekit.errors import StoreError
from citekit.ids import is_arxiv_doi, normalize_doi, parse_arxiv_id
from citekit.model import Record
from citekit.sources.base import Query
from citekit.sources.bulk import ARXIV, CROSSREF, DBLP, REFERENCE, Loaded, read_bulk
from citekit.sources.cache import user_cache_folder
from citekit.sources.convert import DBLP_KEY_FIELD, apply_proceedings
from citekit.sources.fulltext import (
    COMMON_DOCS,
    STOPWORDS,
    common_words,
    comparable_title,
    plain,
    query_terms,
    search_plan,
    search_text,
    storable,
)
from citekit.sources.index_store import Found, Load, Row, Store
from citekit.sources.recordjson import record_from_json, record_to_json

if TYPE_CHECKING:
    from citekit.sources.index_postgres import PostgresStore

BATCH_SIZE = 5000
MAX_DIAGNOSTICS = 1000
"""Problems kept in an :class:`AddResult`; past that only counted (a broken dump has millions)."""
SAMPLE_SIZE = 20_000
"""Records sampled to estimate which words are common in the index."""

_COUNTS_KEPT = 100_000
"""Word counts remembered by a connection before it starts afresh."""
_SEARCHES_KEPT = 64
"""Searches remembered (the latest: a repeat comes soon after its first, within the same record's
matching), few enough that their rows, up to :data:`_UNRANKED_POOL` each, stay small."""
_UNRANKED_POOL = 1000
"""Candidates an unranked search takes (see :class:`~citekit.sources.fulltext.Search`)."""
_POOL = 40
"""Candidates fetched by bm25 for re-ranking, at least."""
_YEAR_BONUS = 0.05
"""Added to the score (at most 2) of a candidate within a year of the query's year: a tie-break."""


def default_index_path() -> Path:
    """``index.sqlite`` in the user's cache directory (``~/.cache/citekit`` on Linux)."""
    return user_cache_folder() / "index.sqlite"


# --- Loading ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class AddResult:
    """What adding a file did: every input record is added, updated, unchanged or skipped."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    """Records that could not be read or have nothing to be found by (no id, no title)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unreported: int = 0
    """Diagnostics past :data:`MAX_DIAGNOSTICS`, counted but not kept."""
    resumed: int = 0
    """Records (and problems) at the start of a file that a load which stopped had stored (or
    reported) already: not read into the index again."""

    def count(self, added: int, updated: int, unchanged: int) -> None:
        self.added += added
        self.updated += updated
        self.unchanged += unchanged

    def report(self, diagnostic: Diagnostic) -> None:
        if diagnostic.level == "error" and diagnostic.index is not None:
            self.skipped += 1
        if len(self.diagnostics) < MAX_DIAGNOSTICS:
            self.diagnostics.append(diagnostic)
        else:
            self.unreported += 1


@dataclass(frozen=True, slots=True)
class IndexInfo:
    location: str
    """The index file, or the database URL without its password."""
    size_bytes: int
    """The database file and its write-ahead log, or the tables and their indexes."""
    records: dict[str, int]
    """Record count by kind (``arxiv``, ``crossref``, ``reference``)."""

    @property
    def total(self) -> int:
        return sum(self.records.values())


def _identity(kind: str, record: Record) -> str:
    """What makes two records of one kind the same record; ``""`` when nothing does."""
    if kind == ARXIV and record.arxiv_id:
        return f"arxiv:{record.arxiv_id}"
    if kind == DBLP and record.custom.get(DBLP_KEY_FIELD):
        return f"dblp:{record.custom[DBLP_KEY_FIELD]}"
    if record.doi:
        return f"doi:{record.doi.lower()}"
    if record.arxiv_id:
        return f"arxiv:{record.arxiv_id}"
    if record.title:
        first_author = plain(record.first_author_family)
        return f"title:{comparable_title(record.title)}|{record.year or ''}|{first_author}"
    return ""


def _row(kind: str, record: Record, crossref: str = "") -> Row | None:
    identity = storable(_identity(kind, record))
    if not identity:
        return None
    doi, arxiv_id = storable(record.doi.lower()), storable(record.arxiv_id)
    columns = (kind, identity, doi or None, arxiv_id or None, record.year, record_to_json(record))
    return Row(kind, identity, columns, search_text(record), crossref)


def is_database_url(location: str | Path | None) -> bool:
    """Whether ``--index`` names a PostgreSQL database rather than a file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def open_store(location: str | Path | None) -> Store:
    """The store ``location`` names: a PostgreSQL URL, an SQLite file, or (``None``) ``CITEKIT_INDEX``,
    failing that the default file."""
    location = location or os.environ.get("CITEKIT_INDEX") or default_index_path()
    if is_database_url(location):
        return _postgres_store()(str(location))
    from citekit.sources.index_sqlite import SqliteStore

    return SqliteStore(Path(location))


def migrate_index(location: str | Path | None) -> tuple[int, int]:
    """Brings an index made by an older citekit to this one's schema: (version before, after).

    A PostgreSQL index is migrated in place; an SQLite file is only checked (an older one is rebuilt
    by adding its sources to a new file).
    """
    location = location or os.environ.get("CITEKIT_INDEX") or default_index_path()
    if is_database_url(location):
        store = _postgres_store()(str(location), migrating=True)
        try:
            return store.migrate()
        finally:
            store.close()
    from citekit.sources.index_sqlite import SCHEMA_VERSION, SqliteStore

    SqliteStore(Path(location)).close()
    return SCHEMA_VERSION, SCHEMA_VERSION


def _postgres_store() -> type[PostgresStore]:
    """The PostgreSQL store's class; a clear error when psycopg, an optional dependency, is missing."""
    try:
        from citekit.sources.index_postgres import PostgresStore
    except ImportError as error:
        raise StoreError(
            "local", "a PostgreSQL index needs psycopg: pip install 'citekit[postgresql]'"
        ) from error
    return PostgresStore


# --- The index -------------------------------------------------------------------------------------


class LocalIndex:
    """The local index; a :class:`~citekit.sources.base.Source`. Use as a context manager or close().

    ``location`` is an SQLite file or a PostgreSQL URL (see :func:`open_store`). Every method raises
    only :class:`~citekit.errors.StoreError` (a ``SourceError``) for database trouble; :meth:`add_file`
    also lets :class:`OSError` through when the input cannot be opened.
    """

    name = "local"
    holds_preprints = True
    holds_published = True

    def __init__(self, location: str | Path | None = None) -> None:
        self._store = open_store(location)
        self.location = self._store.location
        self._common: dict[str, int] | None = None
        self._common_titles: dict[str, int] | None = None
        self._size: int | None = None
        self._counted: dict[str, int] = {}
        self._found: dict[tuple[str, int, bool], list[Found]] = {}

    def __enter__(self) -> LocalIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

    # Loading

    def add_file(
        self, path: str | Path, progress: Callable[[int], None] | None = None, dtd: str | Path | None = None
    ) -> AddResult:
        """Add or update every record of an arXiv dump, Crossref dump, dblp dump or reference file.

        ``progress``, if given, is told how many records have been stored after each batch.
        ``dtd`` is a dblp dump's DTD when it is not the ``dblp.dtd`` beside the dump. dblp papers
        stored before their proceedings volume are completed from it afterwards.
        """
        source = _load_key(Path(path))
        result = self._add(read_bulk(path, dtd), progress, source)
        self._complete_crossrefs()
        self._store.forget_load(source)
        if result.added or result.updated:
            self._store.after_load()
        return result

    def add_records(self, records: Iterable[Record], kind: str = REFERENCE) -> AddResult:
        """Add or update records of one kind (``arxiv``, ``crossref`` or ``reference``)."""
        if kind not in (ARXIV, CROSSREF, DBLP, REFERENCE):
            raise ValueError(f"unknown kind {kind!r}")
        return self._add(Loaded(kind, record) for record in records)

    def optimize(self) -> None:
        """Compacts the full-text index (SQLite: FTS5's merge; PostgreSQL: a vacuum) and re-estimates
        common words: worth it once after a large load."""
        getattr(self._store, "optimize", self._store.after_load)()
        self._refresh_common_words(force=True)

    # The Source protocol

    def lookup_doi(self, doi: str) -> Record | None:
        """The published record with this DOI (Crossref's before a reference's), case-insensitively.

        An arXiv listing that names the DOI of its published version is *not* that record; it is
        returned only for arXiv's own DOI (``10.48550/arXiv.…``). See :meth:`related_by_doi`.
        """
        doi = storable(normalize_doi(doi))
        if is_arxiv_doi(doi):
            parsed = parse_arxiv_id(doi)
            return self.lookup_arxiv([parsed.id]).get(parsed.id) if parsed else None
        rows = [(kind, data) for kind, data in self._store.by_doi(doi.lower()) if kind != ARXIV]
        rows.sort(key=lambda row: row[0] != CROSSREF)  # stable: insertion order within each
        return record_from_json(rows[0][1]) if rows else None

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        """arXiv listings by bare id (``2310.06825``; versions and prefixes are dropped from the keys).

        Failing a listing, a reference record of the preprint (with that id and no venue) stands in.
        """
        wanted = {parsed.id for parsed in map(parse_arxiv_id, arxiv_ids) if parsed}
        if not wanted:
            return {}
        rows = sorted(self._store.by_arxiv(sorted(wanted)), key=lambda row: row[1] != ARXIV)
        found: dict[str, Record] = {}
        for arxiv_id, kind, data in rows:
            record = record_from_json(data)
            if arxiv_id not in found and (kind == ARXIV or record.is_preprint):
                found[arxiv_id] = record
        return found

    def search(self, query: Query, limit: int = 5) -> list[Record]:
        """Candidates, best first: blocking and bm25 find them, closeness of title orders them.

        Blocking (see :mod:`citekit.sources.fulltext`) keeps the records that share two of the
        query's rarest words; bm25 weighs title ×10, authors ×3, venue ×2, abstract ×1, so any part
        of a query, even an abstract alone, finds its record. Full-text search knows no typos, so the
        pool it returns is re-ranked by the fuzzy similarity of titles, and only the best are decoded.
        The year never excludes: a record within a year of ``query.year`` only wins near-ties.
        """
        terms = query_terms(query)
        if not terms or limit < 1:
            return []
        pool = max(4 * limit, _POOL)
        rows: list[Found] = []
        counts = self._document_counts(terms)
        for search in search_plan(counts, self._total()):
            if rows and not (search.narrows and len(rows) >= _UNRANKED_POOL):
                break
            size = pool if search.ranked else _UNRANKED_POOL
            found = self._searched(search.expression, size, search.ranked, counts)
            if search.narrows:
                seen = {row[0] for row in found}
                found += [row for row in rows if row[0] not in seen]
            rows = found
        if not rows:
            return []
        best = rows[0][3] or 1.0  # ranks are positive, the best highest; unranked: none
        title = comparable_title(query.title)
        scored = []
        for row_id, found_title, year, rank in rows:
            score = (rank or 0.0) / best
            if title and found_title:
                score += fuzz.token_set_ratio(title, comparable_title(found_title)) / 100
            near = query.year is not None and year is not None and abs(year - query.year) <= 1
            scored.append((score + (_YEAR_BONUS if near else 0), row_id))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        chosen = [row_id for _, row_id in scored[:limit]]
        data = self._store.data(chosen)
        return [record_from_json(data[row_id]) for row_id in chosen]

    def document_counts(self, words: list[str], *, titles: bool = False) -> tuple[int, dict[str, int]]:
        """The index's size and how many of its records hold each word (in their titles, with
        ``titles``; past :data:`~citekit.sources.fulltext.COMMON_DOCS`, an estimate): the
        statistics the matcher judges rarity and distinctive titles by."""
        terms = [w for w in dict.fromkeys(plain(w) for w in words) if w and '"' not in w]
        total = self._total()
        counts = self._document_counts([t for t in terms if t not in STOPWORDS], titles=titles)
        return total, {t: total if t in STOPWORDS else counts[t] for t in terms}

    def _searched(self, expression: str, size: int, ranked: bool, counts: dict[str, int]) -> list[Found]:
        """The store's rows for a search expression, remembered until the index changes: a matched
        preprint's published version is searched for with its own title and authors, which are
        often the query's (measured: 15 % of a run's searches repeat an earlier one)."""
        key = (expression, size, ranked)
        if key not in self._found:
            if len(self._found) >= _SEARCHES_KEPT:
                del self._found[next(iter(self._found))]  # the oldest
            self._found[key] = self._store.search(
                expression, size, ranked=ranked, total=self._total(), counts=counts
            )
        return list(self._found[key])

    def _total(self) -> int:
        """Records in the index (counted once per connection, and again after each addition)."""
        if self._size is None:
            self._size = self._store.total()
        return self._size

    def _document_counts(self, terms: list[str], *, titles: bool = False) -> dict[str, int]:
        """How many records (titles) each word occurs in: estimated for common words, counted (up to
        :data:`COMMON_DOCS`, so cheaply, and remembered: names and words recur across queries) for the rest."""
        common = self._common_title_words() if titles else self._common_words()
        column = "title : " if titles else ""
        if len(self._counted) > _COUNTS_KEPT:
            self._counted.clear()
        missing = [term for term in terms if term not in common and column + term not in self._counted]
        counted = self._store.counts([f'{column}"{term}"' for term in missing], COMMON_DOCS)
        self._counted.update(zip([column + term for term in missing], counted, strict=True))
        return {term: common.get(term) or self._counted[column + term] for term in terms}

    # Browsing

    def related_by_doi(self, doi: str) -> list[Record]:
        """Every record naming this DOI, arXiv listings of the published paper included; published first."""
        rows = self._store.by_doi(storable(normalize_doi(doi)).lower())
        rows.sort(key=lambda row: (row[0] == ARXIV, row[0] != CROSSREF))
        return [record_from_json(data) for _, data in rows]

    def all_records(self, kind: str | None = None) -> Iterator[Record]:
        """Every record (of one kind), streamed in insertion order."""
        for data in self._store.all_data(kind):
            yield record_from_json(data)

    def info(self) -> IndexInfo:
        return IndexInfo(self.location, self._store.size_bytes(), self._store.counts_by_kind())

    # Internals

    def _add(
        self,
        items: Iterable[Loaded | Diagnostic],
        progress: Callable[[int], None] | None = None,
        source: str = "",
    ) -> AddResult:
        """Stores the items a batch a transaction. With ``source`` (a file's key), each batch also records
        how far into the file the batches committed so far got (:class:`_Committed`), and a load of the
        same file that stopped resumes there.

        Up to the store's :attr:`~citekit.sources.index_store.Store.writers` batches are written at once,
        each in its own thread, while this one reads the next and readies it for the store
        (:meth:`~citekit.sources.index_store.Store.prepare`), so that the writing threads only wait for
        the database: a database server (or SQLite, which lets go of the interpreter while it works)
        and the reader use the machine's cores. Batches are counted and reported in the file's order,
        and one that holds a record of a batch being written (or the proceedings volume of one of its
        dblp papers) waits for it: the index ends as a load by one writer leaves it.
        """
        result = AddResult()
        result.resumed = self._store.loaded(source) if source else 0
        committed = _Committed(result.resumed)
        batch: dict[tuple[str, str], Row] = {}
        position = 0
        writers = max(1, self._store.writers)
        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="citekit-index-writer") as pool:
            writing: deque[tuple[Future[tuple[int, int, int]], set[tuple[str, str]]]] = deque()

            def written() -> None:
                """Waits for the oldest batch being written, counts it, and says so."""
                result.count(*writing.popleft()[0].result())
                if progress is not None:
                    progress(result.resumed + result.added + result.updated + result.unchanged)

            def write(rows: list[Row], end: int) -> None:
                """Starts writing a batch (ending at ``end`` in the file) once a writer is free and no
                batch being written holds what it needs."""
                needs = {(row.kind, row.identity) for row in rows}
                needs.update((DBLP, f"dblp:{row.crossref}") for row in rows if row.crossref)
                while writing and (len(writing) >= writers or any(needs & held for _, held in writing)):
                    written()
                future = pool.submit(self._write_batch, rows, source, committed, committed.start(end))
                writing.append((future, {(row.kind, row.identity) for row in rows}))

            for position, item in enumerate(items, 1):
                if position <= result.resumed:
                    continue
                if isinstance(item, Diagnostic):
                    result.report(item)
                    continue
                row = _row(item.kind, item.record, item.crossref)
                if row is None:
                    result.report(_unfindable(item.record))
                    continue
                earlier = batch.pop((row.kind, row.identity), None)
                if earlier is not None:  # the same record twice in one batch: the later one wins
                    result.count(0, earlier.data != row.data, earlier.data == row.data)
                batch[(row.kind, row.identity)] = row
                if len(batch) >= BATCH_SIZE:
                    write(self._store.prepare(list(batch.values())), position)
                    batch = {}
            write(self._store.prepare(list(batch.values())), max(position, result.resumed))
            while writing:
                written()
        if result.unreported:
            result.diagnostics.append(
                Diagnostic("warning", "index.more-problems", f"{result.unreported} more problems not listed")
            )
        self._size = None
        self._counted.clear()
        self._found.clear()
        if result.added or result.updated:
            self._refresh_common_words(force=False)
        return result

    def _write_batch(
        self, rows: list[Row], source: str, committed: _Committed, number: int
    ) -> tuple[int, int, int]:
        """Writes a batch of a load (of the file ``source``, if any), and marks it committed."""
        counts = self._write(rows, (source, partial(committed.position, number)) if source else None)
        committed.done(number)
        return counts

    def _write(self, rows: list[Row], load: Load | None) -> tuple[int, int, int]:
        """Inserts new rows and replaces changed ones in one transaction: (added, updated, unchanged)."""
        if not rows and load is None:
            return 0, 0, 0
        return self._store.write(self._with_volumes(rows), load)

    def _with_volumes(self, rows: list[Row]) -> list[Row]:
        """The rows, dblp papers completed from their proceedings volume where the index has it."""
        wanted = sorted({f"dblp:{row.crossref}" for row in rows if row.crossref})
        if not wanted:
            return rows
        volumes = self._store.by_identity(DBLP, wanted)
        completed = []
        for row in rows:
            volume = volumes.get(f"dblp:{row.crossref}") if row.crossref else None
            if volume is not None:
                paper = record_from_json(row.data)
                apply_proceedings(paper, record_from_json(volume))
                row = _row(row.kind, paper) or row
            completed.append(row)
        return completed

    def _complete_crossrefs(self) -> None:
        """Gives dblp papers stored before their proceedings volume the volume's venue, a batch a
        transaction; links whose volume is not (yet) in the index stay for a later file."""
        last = 0
        while True:
            rows = self._store.pending_crossrefs(last, BATCH_SIZE)
            if not rows:
                return
            volumes: dict[str, Record] = {}
            changes = []
            for record_id, paper_data, volume_data in rows:
                paper = record_from_json(paper_data)
                volume = volumes.get(volume_data) or volumes.setdefault(
                    volume_data, record_from_json(volume_data)
                )
                apply_proceedings(paper, volume)
                changes.append(
                    (record_id, paper_data, Row(DBLP, "", (record_to_json(paper),), search_text(paper)))
                )
            self._store.replace(changes)
            last = rows[-1][0]

    def _refresh_common_words(self, *, force: bool) -> None:
        """Re-estimates the index's common words from a sample, once it has grown by half."""
        total, top = self._store.total(), self._store.top_id()
        estimated_at = int(self._meta("common_words_at") or 0)
        if total <= COMMON_DOCS or (total < 1.5 * estimated_at and not force):
            return
        ids = random.sample(range(1, top + 1), min(SAMPLE_SIZE, top))
        sample = [record_from_json(data) for data in self._store.data(ids).values()]
        self._common = common_words(sample, total)
        self._common_titles = common_words(sample, total, titles=True)
        self._store.set_meta(
            {
                "common_words": json.dumps(self._common),
                "common_words_at": str(total),
                "common_title_words": json.dumps(self._common_titles),
            }
        )

    def _common_words(self) -> dict[str, int]:
        if self._common is None:
            self._common = json.loads(self._meta("common_words") or "{}")
        return self._common

    def _common_title_words(self) -> dict[str, int]:
        if self._common_titles is None:
            stored = self._meta("common_title_words")
            if stored is None:  # an index estimated before titles were: estimate both now
                self._refresh_common_words(force=True)
            self._common_titles = json.loads(stored) if stored is not None else self._common_titles or {}
        return self._common_titles

    def _meta(self, key: str) -> str | None:
        return self._store.meta(key)


class _Committed:
    """How far into a file a load's committed batches got, with batches committing in any order.

    Each batch's transaction records (:meth:`position`) the largest position P such that every batch
    ending at or before P is committed, or is that batch: a load that stops resumes at P, and
    everything before it is stored. A batch committing before an earlier one claims less than its
    own end; the earlier one, committing later, claims both. A batch counts as committed once its
    write returns, so two committing at the same moment may each claim without the other: a load
    resumed there reads a batch again and finds its records stored.
    """

    def __init__(self, start: int) -> None:
        self._lock = threading.Lock()
        self._through = start
        """Every batch ending at or before it is committed."""
        self._ends: list[int] = []
        """Where each batch started ends in the file, in the file's order."""
        self._first = 0
        """The first batch not counted in :attr:`_through`."""
        self._committed: set[int] = set()
        """Batches (by number) committed and not yet counted in :attr:`_through`."""

    def start(self, end: int) -> int:
        """Registers the next batch, ending at ``end``: its number."""
        with self._lock:
            self._ends.append(end)
            return len(self._ends) - 1

    def done(self, batch: int) -> None:
        """The batch is committed."""
        with self._lock:
            self._committed.add(batch)
            while self._first in self._committed:
                self._committed.remove(self._first)
                self._through = max(self._through, self._ends[self._first])
                self._first += 1

    def position(self, batch: int) -> int:
        """What the batch's transaction records, just before it commits."""
        with self._lock:
            through = self._through
            for number in range(self._first, len(self._ends)):
                if number != batch and number not in self._committed:
                    break
                through = max(through, self._ends[number])
            return through


def _load_key(path: Path) -> str:
    """What identifies one file's load across runs: its path, size and time of change (a file
    changed since is loaded from its start)."""
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def _unfindable(record: Record) -> Diagnostic:
    origin = record.origin
    return Diagnostic(
        "error",
        "index.no-identity",
        "no DOI, arXiv id or title: nothing to find it by",
        origin.file if origin else "",
        origin.line if origin else None,
        origin.index if origin else 1,
        record_to_json(record),
    )
