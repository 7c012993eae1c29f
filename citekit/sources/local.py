"""The local metadata index: citekit's offline source, one SQLite file with FTS5.

``records`` holds each record as JSON (:mod:`citekit.sources.recordjson`) with its kind
(``arxiv``, ``crossref``, ``dblp``, ``reference``), its identity within that kind (the arXiv id for
arXiv listings, the dblp key for dblp records, else the DOI, else a title fingerprint: re-adding a
file updates instead of duplicating) and indexed identifier columns. ``dblp_crossrefs`` links a
dblp paper stored before its proceedings volume to that volume's key, until the volume arrives
and completes the paper (:meth:`LocalIndex.add_file`). Both arXiv listings and published records are kept: the matcher
prefers the published version and needs the preprint to get there.

``records_fts`` is a *contentless* FTS5 table over title, author family names, abstract and venue,
ranked by bm25 with the title weighted highest. Contentless because the text already sits in the JSON:
storing it again would nearly double the file for a full arXiv dump. The price is that replacing a
row must hand FTS5 the old text, which :func:`~citekit.sources.fulltext.search_text` recomputes
from the stored JSON; bump :data:`SCHEMA_VERSION` (and rebuild) whenever that function changes.
Common words are estimated from a sample as the index grows (see :mod:`citekit.sources.fulltext`).

Loading streams: records arrive one at a time from :mod:`citekit.sources.bulk` and are written in
transactions of :data:`BATCH_SIZE`, so a dump of millions never sits in memory.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from rapidfuzz import fuzz

from citekit.diagnostics import Diagnostic
from citekit.errors import StoreError
from citekit.ids import is_arxiv_doi, normalize_doi, parse_arxiv_id
from citekit.model import Record
from citekit.sources.base import Query
from citekit.sources.bulk import ARXIV, CROSSREF, DBLP, REFERENCE, Loaded, read_bulk
from citekit.sources.dblp_dump import KEY_FIELD, apply_proceedings
from citekit.sources.fulltext import (COMMON_DOCS, STOPWORDS, comparable_title, common_words, plain, query_terms,
                                      search_plan, search_text, storable)
from citekit.sources.recordjson import record_from_json, record_to_json

SCHEMA_VERSION = 1
BATCH_SIZE = 5000
MAX_DIAGNOSTICS = 1000
"""Problems kept in an :class:`AddResult`; past that only counted (a broken dump has millions)."""
SAMPLE_SIZE = 20_000
"""Records sampled to estimate which words are common in the index."""

_SCHEMA = """
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    identity TEXT NOT NULL,
    doi TEXT,
    arxiv_id TEXT,
    year INTEGER,
    data TEXT NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE UNIQUE INDEX records_identity ON records (kind, identity);
CREATE INDEX records_doi ON records (doi) WHERE doi IS NOT NULL;
CREATE INDEX records_arxiv_id ON records (arxiv_id) WHERE arxiv_id IS NOT NULL;
CREATE VIRTUAL TABLE records_fts USING fts5 (
    title, authors, abstract, venue,
    content = '', tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO records_fts (records_fts, rank) VALUES ('rank', 'bm25(10.0, 3.0, 1.0, 2.0)');
"""
_CROSSREFS = "CREATE TABLE IF NOT EXISTS dblp_crossrefs (record_id INTEGER PRIMARY KEY, crossref TEXT NOT NULL)"
_PENDING = ("SELECT p.record_id, r.data, v.data FROM dblp_crossrefs AS p JOIN records AS r ON r.id = p.record_id "
            "JOIN records AS v ON v.kind = 'dblp' AND v.identity = 'dblp:' || p.crossref "
            "WHERE p.record_id > ? ORDER BY p.record_id LIMIT ?")
_PRAGMAS = ("journal_mode = WAL", "synchronous = NORMAL", "temp_store = MEMORY", "cache_size = -65536",
            "mmap_size = 268435456")
_INSERT = "INSERT INTO records (id, kind, identity, doi, arxiv_id, year, data) VALUES (?, ?, ?, ?, ?, ?, ?)"
_UPDATE = "UPDATE records SET kind = ?, identity = ?, doi = ?, arxiv_id = ?, year = ?, data = ? WHERE id = ?"
_FTS_INSERT = "INSERT INTO records_fts (rowid, title, authors, abstract, venue) VALUES (?, ?, ?, ?, ?)"
_FTS_DELETE = ("INSERT INTO records_fts (records_fts, rowid, title, authors, abstract, venue) "
               "VALUES ('delete', ?, ?, ?, ?, ?)")
# The title as JSON text (``->``), not as SQL text: stored text may escape lone surrogates.
_SEARCH = ("SELECT r.id, r.data -> '$.title', r.year, f.rank FROM (SELECT rowid, rank "
           "FROM records_fts WHERE records_fts MATCH ? ORDER BY rank LIMIT ?) AS f "
           "JOIN records AS r ON r.id = f.rowid ORDER BY f.rank")
_UNRANKED = ("SELECT r.id, r.data -> '$.title', r.year, NULL FROM (SELECT rowid FROM records_fts "
             "WHERE records_fts MATCH ? LIMIT ?) AS f JOIN records AS r ON r.id = f.rowid")
_COUNT = "SELECT count(*) FROM (SELECT 1 FROM records_fts WHERE records_fts MATCH ? LIMIT ?)"

_COUNTS_KEPT = 100_000
"""Word counts remembered by a connection before it starts afresh."""
_UNRANKED_POOL = 1000
"""Candidates an unranked search takes (see :class:`~citekit.sources.fulltext.Search`)."""
_POOL = 40
"""Candidates fetched by bm25 for re-ranking, at least."""
_YEAR_BONUS = 0.05
"""Added to the score (at most 2) of a candidate within a year of the query's year: a tie-break."""


def default_index_path() -> Path:
    """``index.sqlite`` in the user's cache directory (``~/.cache/citekit`` on Linux)."""
    return Path(platformdirs.user_cache_dir("citekit")) / "index.sqlite"


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
    path: Path
    size_bytes: int
    """The database file and its write-ahead log."""
    records: dict[str, int]
    """Record count by kind (``arxiv``, ``crossref``, ``reference``)."""

    @property
    def total(self) -> int:
        return sum(self.records.values())


@dataclass(slots=True)
class _Row:
    """A record ready to store: its table columns and its search text."""

    kind: str
    identity: str
    columns: tuple[Any, ...]
    text: tuple[str, str, str, str]
    crossref: str = ""

    @property
    def data(self) -> str:
        return self.columns[-1]


def _identity(kind: str, record: Record) -> str:
    """What makes two records of one kind the same record; ``""`` when nothing does."""
    if kind == ARXIV and record.arxiv_id:
        return f"arxiv:{record.arxiv_id}"
    if kind == DBLP and record.custom.get(KEY_FIELD):
        return f"dblp:{record.custom[KEY_FIELD]}"
    if record.doi:
        return f"doi:{record.doi.lower()}"
    if record.arxiv_id:
        return f"arxiv:{record.arxiv_id}"
    if record.title:
        first_author = plain(record.first_author_family)
        return f"title:{comparable_title(record.title)}|{record.year or ''}|{first_author}"
    return ""


def _row(kind: str, record: Record, crossref: str = "") -> _Row | None:
    identity = storable(_identity(kind, record))
    if not identity:
        return None
    doi, arxiv_id = storable(record.doi.lower()), storable(record.arxiv_id)
    columns = (kind, identity, doi or None, arxiv_id or None, record.year, record_to_json(record))
    return _Row(kind, identity, columns, search_text(record), crossref)


# --- The index -------------------------------------------------------------------------------------


class LocalIndex:
    """The local index; a :class:`~citekit.sources.base.Source`. Use as a context manager or close().

    Every method raises only :class:`~citekit.errors.StoreError` (a ``SourceError``) for database trouble;
    :meth:`add_file` also lets :class:`OSError` through when the input cannot be opened.
    """

    name = "local"
    holds_preprints = True
    holds_published = True

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_index_path()
        with self._errors():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(self.name, f"{self.path}: cannot create its folder ({error.strerror})") from None
            # Shared by the threads of a run (citekit.pipeline); the lock takes them in turn.
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            self._lock = threading.RLock()
            for pragma in _PRAGMAS:
                self._db.execute(f"PRAGMA {pragma}")
            self._create_or_check()
        self._common: dict[str, int] | None = None
        self._common_titles: dict[str, int] | None = None
        self._size: int | None = None
        self._counted: dict[str, int] = {}

    def __enter__(self) -> LocalIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        with self._errors():
            self._db.execute("PRAGMA optimize")
            self._db.close()

    # Loading

    def add_file(self, path: str | Path, progress: Callable[[int], None] | None = None,
                 dtd: str | Path | None = None) -> AddResult:
        """Add or update every record of an arXiv dump, Crossref dump, dblp dump or reference file.

        ``progress``, if given, is told how many records have been stored after each batch.
        ``dtd`` is a dblp dump's DTD when it is not the ``dblp.dtd`` beside the dump. dblp papers
        stored before their proceedings volume are completed from it afterwards.
        """
        result = self._add(read_bulk(path, dtd), progress)
        self._complete_crossrefs()
        return result

    def add_records(self, records: Iterable[Record], kind: str = REFERENCE) -> AddResult:
        """Add or update records of one kind (``arxiv``, ``crossref`` or ``reference``)."""
        if kind not in (ARXIV, CROSSREF, DBLP, REFERENCE):
            raise ValueError(f"unknown kind {kind!r}")
        return self._add(Loaded(kind, record) for record in records)

    def optimize(self) -> None:
        """Merges the full-text index into one segment and re-estimates common words: worth it
        once after a large load."""
        with self._errors():
            self._db.execute("INSERT INTO records_fts (records_fts) VALUES ('optimize')")
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
        rows = self._query("SELECT data FROM records WHERE doi = ? AND kind != ? ORDER BY kind = ? DESC, id "
                           "LIMIT 1", (doi.lower(), ARXIV, CROSSREF))
        return record_from_json(rows[0][0]) if rows else None

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        """arXiv listings by bare id (``2310.06825``; versions and prefixes are dropped from the keys).

        Failing a listing, a reference record of the preprint (with that id and no venue) stands in.
        """
        wanted = {parsed.id for parsed in map(parse_arxiv_id, arxiv_ids) if parsed}
        rows = self._query("SELECT arxiv_id, kind, data FROM records WHERE arxiv_id IN (SELECT value FROM "
                           "json_each(?)) ORDER BY kind = ? DESC, id", (json.dumps(sorted(wanted)), ARXIV))
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
        of a query, even an abstract alone, finds its record. FTS5 knows no typos, so the pool it
        returns is re-ranked by the fuzzy similarity of titles, and only the best are decoded. The
        year never excludes: a record within a year of ``query.year`` only wins near-ties.
        """
        terms = query_terms(query)
        if not terms or limit < 1:
            return []
        pool = max(4 * limit, _POOL)
        rows = []
        for search in search_plan(self._document_counts(terms), self._total()):
            if rows and not (search.narrows and len(rows) >= _UNRANKED_POOL):
                break
            sql, size = (_SEARCH, pool) if search.ranked else (_UNRANKED, _UNRANKED_POOL)
            found = self._query(sql, (search.expression, size))
            if search.narrows:
                seen = {row[0] for row in found}
                found += [row for row in rows if row[0] not in seen]
            rows = found
        if not rows:
            return []
        best = rows[0][3] or 1.0  # bm25 ranks are negative, the best lowest; unranked: none
        title = comparable_title(query.title)
        scored = []
        for row_id, found_title, year, rank in rows:
            score = (rank or 0.0) / best
            if title and found_title:
                score += fuzz.token_set_ratio(title, comparable_title(json.loads(found_title))) / 100
            near = query.year is not None and year is not None and abs(year - query.year) <= 1
            scored.append((score + (_YEAR_BONUS if near else 0), row_id))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        chosen = [row_id for _, row_id in scored[:limit]]
        data = dict(self._query("SELECT id, data FROM records WHERE id IN (SELECT value FROM json_each(?))",
                                (json.dumps(chosen),)))
        return [record_from_json(data[row_id]) for row_id in chosen]

    def document_counts(self, words: list[str], *, titles: bool = False) -> tuple[int, dict[str, int]]:
        """The index's size and how many of its records hold each word (in their titles, with
        ``titles``; past :data:`~citekit.sources.fulltext.COMMON_DOCS`, an estimate): the
        statistics the matcher judges rarity and distinctive titles by."""
        terms = [w for w in dict.fromkeys(plain(w) for w in words) if w and '"' not in w]
        total = self._total()
        counts = self._document_counts([t for t in terms if t not in STOPWORDS], titles=titles)
        return total, {t: total if t in STOPWORDS else counts[t] for t in terms}

    def _total(self) -> int:
        """Records in the index (counted once per connection, and again after each addition)."""
        if self._size is None:
            self._size = self._query("SELECT count(*) FROM records", ())[0][0]
        return self._size

    def _document_counts(self, terms: list[str], *, titles: bool = False) -> dict[str, int]:
        """How many records (titles) each word occurs in: estimated for common words, counted (up to
        :data:`COMMON_DOCS`, so cheaply, and remembered: names and words recur across queries) for the rest."""
        common = self._common_title_words() if titles else self._common_words()
        column = "title : " if titles else ""
        if len(self._counted) > _COUNTS_KEPT:
            self._counted.clear()
        for term in terms:
            if term not in common and column + term not in self._counted:
                self._counted[column + term] = self._query(_COUNT, (f'{column}"{term}"', COMMON_DOCS))[0][0]
        return {term: common.get(term) or self._counted[column + term] for term in terms}

    # Browsing

    def related_by_doi(self, doi: str) -> list[Record]:
        """Every record naming this DOI, arXiv listings of the published paper included; published first."""
        rows = self._query("SELECT data FROM records WHERE doi = ? ORDER BY kind = ?, kind = ? DESC, id",
                           (storable(normalize_doi(doi)).lower(), ARXIV, CROSSREF))
        return [record_from_json(data) for (data,) in rows]

    def all_records(self, kind: str | None = None) -> Iterator[Record]:
        """Every record (of one kind), streamed in insertion order."""
        sql, params = "SELECT data FROM records", ()
        if kind:
            sql, params = sql + " WHERE kind = ?", (kind,)
        with self._errors():
            for (data,) in self._db.execute(sql + " ORDER BY id", params):
                yield record_from_json(data)

    def info(self) -> IndexInfo:
        rows = self._query("SELECT kind, count(*) FROM records GROUP BY kind ORDER BY kind", ())
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        size = sum(f.stat().st_size for f in files if f.exists())
        return IndexInfo(self.path, size, {kind: count for kind, count in rows})

    # Internals

    def _create_or_check(self) -> None:
        with self._transaction():  # immediate: two processes creating one index take turns
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                version = SCHEMA_VERSION
        if version != SCHEMA_VERSION:
            raise StoreError(self.name, f"{self.path} has index schema {version}, this citekit reads "
                              f"{SCHEMA_VERSION}: delete the file and add its sources again")
        if not self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'dblp_crossrefs'").fetchone():
            with self._transaction():  # added after schema 1: created in older indexes as well
                self._db.execute(_CROSSREFS)

    def _add(self, items: Iterable[Loaded | Diagnostic],
             progress: Callable[[int], None] | None = None) -> AddResult:
        result = AddResult()
        batch: dict[tuple[str, str], _Row] = {}
        for item in items:
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
                result.count(*self._write(list(batch.values())))
                batch = {}
                if progress is not None:
                    progress(result.added + result.updated + result.unchanged)
        result.count(*self._write(list(batch.values())))
        if progress is not None:
            progress(result.added + result.updated + result.unchanged)
        if result.unreported:
            result.diagnostics.append(Diagnostic("warning", "index.more-problems",
                                                 f"{result.unreported} more problems not listed"))
        self._size = None
        self._counted.clear()
        if result.added or result.updated:
            self._refresh_common_words(force=False)
        return result

    def _write(self, rows: list[_Row]) -> tuple[int, int, int]:
        """Inserts new rows and replaces changed ones in one transaction: (added, updated, unchanged)."""
        if not rows:
            return 0, 0, 0
        with self._errors(), self._transaction():
            rows = self._with_volumes(rows)
            stored = self._stored(rows)
            next_id = self._db.execute("SELECT coalesce(max(id), 0) + 1 FROM records").fetchone()[0]
            inserts, updates, fts_deletes, fts_inserts, crossrefs = [], [], [], [], []
            for row in rows:
                old_id, old_data = stored.get((row.kind, row.identity), (None, ""))
                if old_id is None:
                    inserts.append((next_id, *row.columns))
                    fts_inserts.append((next_id, *row.text))
                    old_id, next_id = next_id, next_id + 1
                elif old_data != row.data:
                    updates.append((*row.columns, old_id))
                    fts_deletes.append((old_id, *search_text(record_from_json(old_data))))
                    fts_inserts.append((old_id, *row.text))
                else:
                    continue
                if row.crossref:
                    crossrefs.append((old_id, row.crossref))
            self._db.executemany("INSERT OR REPLACE INTO dblp_crossrefs VALUES (?, ?)", crossrefs)
            self._db.executemany(_INSERT, inserts)
            self._db.executemany(_UPDATE, updates)
            self._db.executemany(_FTS_DELETE, fts_deletes)  # the old text first, then the new
            self._db.executemany(_FTS_INSERT, fts_inserts)
        return len(inserts), len(updates), len(rows) - len(inserts) - len(updates)

    def _with_volumes(self, rows: list[_Row]) -> list[_Row]:
        """The rows, dblp papers completed from their proceedings volume where the index has it."""
        wanted = sorted({f"dblp:{row.crossref}" for row in rows if row.crossref})
        if not wanted:
            return rows
        volumes = dict(self._db.execute("SELECT identity, data FROM records WHERE kind = ? AND identity IN "
                                        "(SELECT value FROM json_each(?))", (DBLP, json.dumps(wanted))))
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
            rows = self._query(_PENDING, (last, BATCH_SIZE))
            if not rows:
                return
            volumes: dict[str, Record] = {}
            deletes, inserts, updates = [], [], []
            for record_id, paper_data, volume_data in rows:
                paper = record_from_json(paper_data)
                deletes.append((record_id, *search_text(paper)))
                volume = volumes.get(volume_data) or volumes.setdefault(volume_data, record_from_json(volume_data))
                apply_proceedings(paper, volume)
                inserts.append((record_id, *search_text(paper)))
                updates.append((record_to_json(paper), record_id))
            with self._errors(), self._transaction():
                self._db.executemany(_FTS_DELETE, deletes)
                self._db.executemany(_FTS_INSERT, inserts)
                self._db.executemany("UPDATE records SET data = ? WHERE id = ?", updates)
                self._db.executemany("DELETE FROM dblp_crossrefs WHERE record_id = ?", [(u[1],) for u in updates])
            last = rows[-1][0]

    def _refresh_common_words(self, *, force: bool) -> None:
        """Re-estimates the index's common words from a sample, once it has grown by half."""
        total, top = self._query("SELECT count(*), coalesce(max(id), 0) FROM records", ())[0]
        estimated_at = int(self._meta("common_words_at") or 0)
        if total <= COMMON_DOCS or (total < 1.5 * estimated_at and not force):
            return
        ids = random.sample(range(1, top + 1), min(SAMPLE_SIZE, top))
        rows = self._query("SELECT data FROM records WHERE id IN (SELECT value FROM json_each(?))",
                           (json.dumps(ids),))
        sample = [record_from_json(data) for (data,) in rows]
        self._common = common_words(sample, total)
        self._common_titles = common_words(sample, total, titles=True)
        with self._errors(), self._transaction():
            values = [("common_words", json.dumps(self._common)), ("common_words_at", str(total)),
                      ("common_title_words", json.dumps(self._common_titles))]
            self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values)

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
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def _stored(self, rows: list[_Row]) -> dict[tuple[str, str], tuple[int, str]]:
        stored: dict[tuple[str, str], tuple[int, str]] = {}
        for kind in {row.kind for row in rows}:
            identities = json.dumps([row.identity for row in rows if row.kind == kind])
            for row_id, identity, data in self._db.execute(
                    "SELECT id, identity, data FROM records WHERE kind = ? AND identity IN "
                    "(SELECT value FROM json_each(?))", (kind, identities)):
                stored[(kind, identity)] = (row_id, data)
        return stored

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._errors(), self._lock:
            return self._db.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise StoreError(self.name, f"{self.path}: {error}") from error


def _unfindable(record: Record) -> Diagnostic:
    origin = record.origin
    return Diagnostic("error", "index.no-identity", "no DOI, arXiv id or title: nothing to find it by",
                      origin.file if origin else "", origin.line if origin else None,
                      origin.index if origin else 1, record_to_json(record))
