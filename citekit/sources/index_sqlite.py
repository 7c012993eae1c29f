"""The local index's embedded store: one SQLite file with FTS5 (see :mod:`citekit.sources.index_store`).

``records`` holds each record as JSON with its kind, identity and indexed identifier columns;
``dblp_crossrefs`` links a dblp paper stored before its proceedings volume to that volume's key.

``records_fts`` is a *contentless* FTS5 table over title, author family names, abstract and venue,
ranked by bm25 with the title weighted highest. Contentless because the text already sits in the
JSON: storing it again would nearly double the file for a full arXiv dump. The price is that
replacing a row must hand FTS5 the old text, which :func:`~citekit.sources.fulltext.search_text`
recomputes from the stored JSON; bump :data:`SCHEMA_VERSION` (and rebuild) whenever that function
changes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from citekit.errors import StoreError
from citekit.sources.fulltext import search_text
from citekit.sources.index_store import Found, Load, Row
from citekit.sources.recordjson import record_from_json

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    identity TEXT NOT NULL,
    doi TEXT,
    arxiv_id TEXT,
    year INTEGER,
    data TEXT NOT NULL,
    title TEXT
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
_CROSSREFS = (
    "CREATE TABLE IF NOT EXISTS dblp_crossrefs (record_id INTEGER PRIMARY KEY, crossref TEXT NOT NULL)"
)
_PENDING = (
    "SELECT p.record_id, r.data, v.data FROM dblp_crossrefs AS p JOIN records AS r ON r.id = p.record_id "
    "JOIN records AS v ON v.kind = 'dblp' AND v.identity = 'dblp:' || p.crossref "
    "WHERE p.record_id > ? ORDER BY p.record_id LIMIT ?"
)
_PRAGMAS = (
    "journal_mode = WAL",
    "synchronous = NORMAL",
    "temp_store = MEMORY",
    "cache_size = -65536",
    "mmap_size = 268435456",
)
_INSERT = "INSERT INTO records (id, kind, identity, doi, arxiv_id, year, data, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_UPDATE = "UPDATE records SET kind = ?, identity = ?, doi = ?, arxiv_id = ?, year = ?, data = ?, title = ? WHERE id = ?"
_FTS_INSERT = "INSERT INTO records_fts (rowid, title, authors, abstract, venue) VALUES (?, ?, ?, ?, ?)"
_FTS_DELETE = (
    "INSERT INTO records_fts (records_fts, rowid, title, authors, abstract, venue) "
    "VALUES ('delete', ?, ?, ?, ?, ?)"
)
_TITLE = "r.title, CASE WHEN r.title IS NULL THEN r.data -> '$.title' END"
"""A hit's title: its own column (the search text's), read with the row; for a row stored before
the column was added, taken from the record's JSON, as JSON text (``->``, not ``->>``: the JSON may
escape lone surrogates, which SQL text cannot hold). Parsing the JSON for the titles of an unranked
search's thousand hits was half the time of the query (measured); the column spares it."""
_SEARCH = (
    f"SELECT r.id, {_TITLE}, r.year, -f.rank FROM (SELECT rowid, rank "
    "FROM records_fts WHERE records_fts MATCH ? ORDER BY rank LIMIT ?) AS f "
    "JOIN records AS r ON r.id = f.rowid ORDER BY f.rank"
)
_UNRANKED = (
    f"SELECT r.id, {_TITLE}, r.year, NULL FROM (SELECT rowid FROM records_fts "
    "WHERE records_fts MATCH ? LIMIT ?) AS f JOIN records AS r ON r.id = f.rowid"
)
_LOAD = "load:"
"""Meta keys of resumable loads: ``load:`` and the file, valued how many of its records are stored."""
_LOADED = (
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
    "DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))"
)
"""Records how far a file's load got, never lowering it."""
_COUNT = "SELECT count(*) FROM (SELECT 1 FROM records_fts WHERE records_fts MATCH ? LIMIT ?)"


class SqliteStore:
    """One SQLite file, shared by the threads of a run (:mod:`citekit.pipeline`) in turn."""

    writers = 1
    """SQLite writes one transaction at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)
        with self._errors():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError("local", f"{path}: cannot create its folder ({error.strerror})") from None
            self._db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
            self._lock = threading.RLock()
            for pragma in _PRAGMAS:
                self._db.execute(f"PRAGMA {pragma}")
            self._create_or_check()

    def close(self) -> None:
        with self._errors():
            self._db.execute("PRAGMA optimize")
            self._db.close()

    def optimize(self) -> None:
        """Merges the full-text index into one segment."""
        with self._errors():
            self._db.execute("INSERT INTO records_fts (records_fts) VALUES ('optimize')")

    # Writing

    def prepare(self, rows: list[Row]) -> list[Row]:
        return rows  # FTS5 splits the text itself, in the writing thread, letting go of the interpreter

    def write(self, rows: Sequence[Row], load: Load | None = None) -> tuple[int, int, int]:
        with self._errors(), self._transaction():
            stored = self._stored(rows)
            next_id = self._db.execute("SELECT coalesce(max(id), 0) + 1 FROM records").fetchone()[0]
            inserts, updates, fts_deletes, fts_inserts, crossrefs = [], [], [], [], []
            for row in rows:
                old_id, old_data = stored.get((row.kind, row.identity), (None, ""))
                if old_id is None:
                    inserts.append((next_id, *row.columns, row.text[0]))
                    fts_inserts.append((next_id, *row.text))
                    old_id, next_id = next_id, next_id + 1
                elif old_data != row.data:
                    updates.append((*row.columns, row.text[0], old_id))
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
            if load is not None:
                self._db.execute(_LOADED, (_LOAD + load[0], str(load[1]())))
        return len(inserts), len(updates), len(rows) - len(inserts) - len(updates)

    def loaded(self, source: str) -> int:
        return int(self.meta(_LOAD + source) or 0)

    def forget_load(self, source: str) -> None:
        with self._errors(), self._transaction():
            self._db.execute("DELETE FROM meta WHERE key = ?", (_LOAD + source,))

    def replace(self, changes: Sequence[tuple[int, str, Row]]) -> None:
        with self._errors(), self._transaction():
            self._db.executemany(
                _FTS_DELETE, [(i, *search_text(record_from_json(old))) for i, old, _ in changes]
            )
            self._db.executemany(_FTS_INSERT, [(i, *row.text) for i, _, row in changes])
            self._db.executemany(
                "UPDATE records SET data = ?, title = ? WHERE id = ?",
                [(row.data, row.text[0], i) for i, _, row in changes],
            )
            self._db.executemany(
                "DELETE FROM dblp_crossrefs WHERE record_id = ?", [(i,) for i, _, _ in changes]
            )

    def after_load(self) -> None:
        """Nothing: FTS5 merges its segments as it goes, and ``PRAGMA optimize`` runs at close."""

    def set_meta(self, values: dict[str, str]) -> None:
        with self._errors(), self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(values.items())
            )

    # Reading

    def meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def total(self) -> int:
        return int(self._query("SELECT count(*) FROM records", ())[0][0])

    def top_id(self) -> int:
        return int(self._query("SELECT coalesce(max(id), 0) FROM records", ())[0][0])

    def count(self, expression: str, cap: int) -> int:
        return int(self._query(_COUNT, (expression, cap))[0][0])

    def counts(self, expressions: Sequence[str], cap: int) -> list[int]:
        return [self.count(expression, cap) for expression in expressions]

    def search(
        self,
        expression: str,
        limit: int,
        *,
        ranked: bool,
        total: int = 0,
        counts: dict[str, int] | None = None,
    ) -> list[Found]:
        rows = self._query(_SEARCH if ranked else _UNRANKED, (expression, limit))
        return [
            (i, title if title is not None else json.loads(old) if old else "", year, rank)
            for i, title, old, year, rank in rows
        ]

    def data(self, ids: Sequence[int]) -> dict[int, str]:
        return dict(
            self._query(
                "SELECT id, data FROM records WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            )
        )

    def by_doi(self, doi: str) -> list[tuple[str, str]]:
        return self._query("SELECT kind, data FROM records WHERE doi = ? ORDER BY id", (doi,))

    def by_arxiv(self, arxiv_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        return self._query(
            "SELECT arxiv_id, kind, data FROM records WHERE arxiv_id IN (SELECT value FROM "
            "json_each(?)) ORDER BY id",
            (json.dumps(list(arxiv_ids)),),
        )

    def by_identity(self, kind: str, identities: Sequence[str]) -> dict[str, str]:
        return dict(
            self._query(
                "SELECT identity, data FROM records WHERE kind = ? AND identity IN "
                "(SELECT value FROM json_each(?))",
                (kind, json.dumps(list(identities))),
            )
        )

    def pending_crossrefs(self, after: int, limit: int) -> list[tuple[int, str, str]]:
        return self._query(_PENDING, (after, limit))

    def all_data(self, kind: str | None) -> Iterator[str]:
        sql, params = "SELECT data FROM records", tuple[str, ...]()
        if kind:
            sql, params = sql + " WHERE kind = ?", (kind,)
        with self._errors():
            for (data,) in self._db.execute(sql + " ORDER BY id", params):
                yield data

    def counts_by_kind(self) -> dict[str, int]:
        return dict(self._query("SELECT kind, count(*) FROM records GROUP BY kind ORDER BY kind", ()))

    def size_bytes(self) -> int:
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists())

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
            raise StoreError(
                "local",
                f"{self.path} has index schema {version}, this citekit reads "
                f"{SCHEMA_VERSION}: delete the file and add its sources again",
            )
        if not self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'dblp_crossrefs'").fetchone():
            with self._transaction():  # added after schema 1: created in older indexes as well
                self._db.execute(_CROSSREFS)
        if "title" not in {column[1] for column in self._db.execute("PRAGMA table_info(records)")}:
            with self._transaction():  # added after schema 1: older rows keep NULL (see _TITLE)
                self._db.execute("ALTER TABLE records ADD COLUMN title TEXT")

    def _stored(self, rows: Sequence[Row]) -> dict[tuple[str, str], tuple[int, str]]:
        stored: dict[tuple[str, str], tuple[int, str]] = {}
        for kind in {row.kind for row in rows}:
            identities = json.dumps([row.identity for row in rows if row.kind == kind])
            for row_id, identity, data in self._db.execute(
                "SELECT id, identity, data FROM records WHERE kind = ? AND identity IN "
                "(SELECT value FROM json_each(?))",
                (kind, identities),
            ):
                stored[(kind, identity)] = (row_id, data)
        return stored

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
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
            raise StoreError("local", f"{self.path}: {error}") from error
