"""The local index's shared store: a PostgreSQL database (see :mod:`citekit.sources.index_store`).

One server holds the index for a group: many machines search it at once while one loader keeps it
current. The tables mirror the SQLite store's; the full text is a ``tsvector`` column with a GIN
index, its parts weighted by column (title ``A``, authors ``B``, venue ``C``, abstract ``D``). The
words go in already split the way FTS5's ``unicode61`` tokenizer splits them (:func:`_words`),
lower-cased without diacritics, and are stemmed by the Porter stemmer (Snowball's ``porter``, the
algorithm of FTS5's ``porter`` tokenizer) with no stop words: the same words as the SQLite store.
Ranked searches compute FTS5's own bm25 from the tsvector (:data:`_BM25`), so the same search plan
finds the same candidates in the same order; ``pg_trgm`` is not needed, as typos are forgiven by
blocking and by re-ranking titles in Python, as for SQLite. Unranked searches take the first
matches in the table's order, as FTS5 takes them in rowid order: the same ones while the table has
only grown (an update moves a row to the end of PostgreSQL's heap).

Writing: a batch is copied (``COPY``) into a temporary table and merged into ``records`` by an
upsert on (kind, identity) in one transaction, so a batch written twice changes nothing. A loader
writes :data:`WRITERS` batches at once, each on its own connection, and other loaders may too: batches
holding the same records lock them in one order, and one the server ends to break a deadlock is
written again (:data:`_UPSERT`). Writers share a transaction-scoped advisory lock that creating or
migrating the schema takes alone. A server that dies mid-load keeps the batches committed before,
and with each batch how far into its file every batch committed so far got (the ``loads`` table,
never moved back): loading the file again resumes there. The merge computes the words (``tsvector``)
of new and changed records only, and the server's work is most of a load's: the loader's own part,
splitting text into words, is done ahead, in its reading thread (:meth:`PostgresStore.prepare`).

Reading: every call borrows a connection from a pool (psycopg_pool) for one statement in
autocommit, so no client holds a transaction open while it matches.

The schema has a version (``meta.schema_version``). An older one is refused with the command that
migrates it, ``citekit index migrate --index URL``, which applies :data:`MIGRATIONS` in order.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool

from citekit.errors import StoreError
from citekit.sources.fulltext import plain
from citekit.sources.index_store import Found, Load, Row

CONFIG = "citekit"
"""The text search configuration the schema creates (words as the SQLite store's tokenizer sees them)."""
_LOCK = 0x63697465  # "cite": the advisory lock writers share and schema changes take alone
_T = TypeVar("_T")
_WORD = re.compile(r"[^\W_]+")

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: records, their full text, meta, dblp crossref links
    (
        "CREATE TEXT SEARCH DICTIONARY citekit_porter (TEMPLATE = snowball, Language = porter)",
        f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)",
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR asciiword, word, numword "
        "WITH citekit_porter",
        """CREATE TABLE records (
            id bigserial PRIMARY KEY,
            kind text NOT NULL,
            identity text NOT NULL,
            doi text,
            arxiv_id text,
            year integer,
            title text NOT NULL,
            data text NOT NULL,
            words tsvector NOT NULL,
            tokens integer NOT NULL
        )""",
        "CREATE UNIQUE INDEX records_identity ON records (kind, identity)",
        "CREATE INDEX records_doi ON records (doi) WHERE doi IS NOT NULL",
        "CREATE INDEX records_arxiv_id ON records (arxiv_id) WHERE arxiv_id IS NOT NULL",
        "CREATE INDEX records_words ON records USING gin (words)",
        "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)",
        "CREATE TABLE dblp_crossrefs (record_id bigint PRIMARY KEY REFERENCES records (id), crossref text NOT NULL)",
    ),
    # 2: resumable loads: how many of a file's records the batches committed so far hold
    ("CREATE TABLE loads (source text PRIMARY KEY, records bigint NOT NULL, updated timestamptz NOT NULL)",),
)
"""Each entry brings the schema from the version before it to its own (1-based) version."""
SCHEMA_VERSION = len(MIGRATIONS)

_STAGING = (
    "CREATE TEMPORARY TABLE staging (seq integer, kind text, identity text, doi text, arxiv_id text, year integer, "
    "data text, title text, title_words text, authors text, abstract text, venue text, tokens integer, "
    "crossref text) "
    "ON COMMIT DROP"
)
_UPSERT = f"""
WITH previous AS MATERIALIZED (
    SELECT r.id, r.tokens, s.kind, s.identity, r.data = s.data AS same
    FROM staging AS s JOIN records AS r USING (kind, identity)
), numbered AS MATERIALIZED (
    SELECT s.seq, coalesce(p.id, nextval('records_id_seq')) AS id
    FROM staging AS s LEFT JOIN previous AS p USING (kind, identity)
    WHERE p.same IS NOT TRUE ORDER BY s.seq
), written AS (
    INSERT INTO records AS r (id, kind, identity, doi, arxiv_id, year, title, data, tokens, words)
    SELECT n.id, s.kind, s.identity, s.doi, s.arxiv_id, s.year, s.title, s.data, s.tokens,
           setweight(to_tsvector('{CONFIG}', title_words), 'A') || setweight(to_tsvector('{CONFIG}', authors), 'B')
           || setweight(to_tsvector('{CONFIG}', venue), 'C') || setweight(to_tsvector('{CONFIG}', abstract), 'D')
    FROM staging AS s JOIN numbered AS n USING (seq)
    ORDER BY s.kind, s.identity
    ON CONFLICT (kind, identity) DO UPDATE SET doi = excluded.doi, arxiv_id = excluded.arxiv_id,
        year = excluded.year, title = excluded.title, data = excluded.data, words = excluded.words,
        tokens = excluded.tokens
    WHERE r.data <> excluded.data
    RETURNING r.id, r.kind, r.identity, xmax = 0 AS added, r.tokens
), linked AS (
    INSERT INTO dblp_crossrefs (record_id, crossref)
    SELECT w.id, s.crossref FROM written AS w JOIN staging AS s USING (kind, identity) WHERE s.crossref <> ''
    ORDER BY w.id
    ON CONFLICT (record_id) DO UPDATE SET crossref = excluded.crossref
)
SELECT count(*) FILTER (WHERE added), count(*) FILTER (WHERE NOT added),
       coalesce(sum(w.tokens), 0) - coalesce(sum(p.tokens), 0)
FROM written AS w LEFT JOIN previous AS p USING (id)
"""
"""Merges the staged batch into ``records``: only the rows that are new or changed, so the text of a
record loaded again unchanged is not searched for words again.

Batches are written at once, by a loader's writers and by other loaders, so:

- new rows take their ids in the batch's order (the file's: ``all_data`` and unranked searches go by
  id), while rows are merged in (kind, identity) order, so two batches holding the same records lock
  them in the same order, one waiting for the other rather than each for the other;
- a record another batch inserts or changes meanwhile is waited for, then replaced only if its data
  differs (``WHERE r.data <> excluded.data``): of two batches storing the same record, the one that
  commits last decides its data (unless that is the version it found stored, which it leaves alone
  as unchanged), and one storing the same data again changes nothing;
- the change of ``meta.tokens`` (the words of all records, for bm25's average length) is computed
  from the records as this statement's snapshot saw them. It drifts only where two transactions
  write *different* data for one record at the same moment (the later one's snapshot not seeing
  the earlier one's): the total then also counts the words of the version overwritten. One loader
  never does that (:class:`~citekit.sources.local.LocalIndex` holds back a batch sharing records
  with one being written), and where two loaders do, each such record moves the average length,
  which only weighs how bm25 normalises by length, by its own length over the index's size."""
_ADD_TOKENS = (
    "INSERT INTO meta (key, value) VALUES ('tokens', %s) "
    "ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + excluded.value::bigint)::text"
)
_REPLACE = f"""
WITH previous AS (SELECT tokens FROM records WHERE id = %s),
replaced AS (
    UPDATE records AS r SET data = %s, words = setweight(to_tsvector('{CONFIG}', %s), 'A')
        || setweight(to_tsvector('{CONFIG}', %s), 'B') || setweight(to_tsvector('{CONFIG}', %s), 'C')
        || setweight(to_tsvector('{CONFIG}', %s), 'D'), tokens = %s
    WHERE r.id = %s RETURNING r.tokens
)
SELECT coalesce((SELECT sum(tokens) FROM replaced), 0) - coalesce((SELECT sum(tokens) FROM previous), 0)
"""
# FTS5's bm25 (sqlite.org/fts5.html, "bm25"), computed from the tsvector: k1 = 1.2, b = 0.75; the weights
# of the SQLite store's columns (title 10, authors 3, venue 2, abstract 1) by the positions' weight
# letters; each word of the expression a phrase of its AND group, counted only where the group matches
# (as FTS5 counts the phrases of a branch that does not match nothing); idf from the counts the search
# plan went by (exact up to COMMON_DOCS, estimated past it, where FTS5 counts exactly: rankings can
# differ there, by little, as those words weigh little).
_BM25 = f"""
WITH phrases AS MATERIALIZED (
    SELECT p.grp, (SELECT min(lexeme) FROM unnest(to_tsvector('{CONFIG}', p.word))) AS lexeme,
           greatest(ln((%(total)s - p.hits + 0.5) / (p.hits + 0.5)), 1e-6) AS idf
    FROM unnest(%(groups)s::int[], %(words)s::text[], %(hits)s::float8[]) AS p (grp, word, hits)
), average AS MATERIALIZED (
    SELECT coalesce((SELECT value::float8 FROM meta WHERE key = 'tokens'), 0) / greatest(%(total)s, 1) AS tokens
)
SELECT r.id, r.title, r.year, s.score
FROM records AS r, to_tsquery('{CONFIG}', %(query)s) AS q, average AS a,
LATERAL (
    WITH f AS (
        SELECT u.lexeme, cardinality(u.positions) AS n,
               (SELECT sum(CASE w WHEN 'A' THEN 10 WHEN 'B' THEN 3 WHEN 'C' THEN 2 ELSE 1 END)
                FROM unnest(u.weights) AS w) AS freq
        FROM unnest(r.words) AS u WHERE u.lexeme IN (SELECT lexeme FROM phrases)
    ), matched AS (
        SELECT p.grp FROM phrases AS p LEFT JOIN f USING (lexeme) GROUP BY p.grp HAVING bool_and(f.lexeme IS NOT NULL)
    )
    SELECT coalesce(sum(p.idf * f.freq * 2.2 / (f.freq + 1.2 * (0.25 + 0.75 * r.tokens / greatest(a.tokens, 1)))),
                    0) AS score
    FROM phrases AS p JOIN matched USING (grp) JOIN f USING (lexeme)
) AS s
WHERE r.words @@ q ORDER BY s.score DESC, r.id LIMIT %(limit)s
"""
_UNRANKED = f"SELECT id, title, year, NULL FROM records WHERE words @@ to_tsquery('{CONFIG}', %s) LIMIT %s"
_COUNTS = (
    f"SELECT (SELECT count(*) FROM (SELECT 1 FROM records WHERE words @@ to_tsquery('{CONFIG}', t.q) "
    "LIMIT %s) AS m) FROM unnest(%s::text[]) WITH ORDINALITY AS t (q, n) ORDER BY t.n"
)
_PENDING = (
    "SELECT p.record_id, r.data, v.data FROM dblp_crossrefs AS p JOIN records AS r ON r.id = p.record_id "
    "JOIN records AS v ON v.kind = 'dblp' AND v.identity = 'dblp:' || p.crossref "
    "WHERE p.record_id > %s ORDER BY p.record_id LIMIT %s"
)
_HAS_LZ4 = (
    "SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false) FROM pg_settings "
    "WHERE name = 'default_toast_compression'"
)
_MERGE_MEMORY = (
    "SELECT set_config('work_mem', "
    "greatest(pg_size_bytes(current_setting('work_mem')) / 1024, 32768) || 'kB', true)"
)
"""Room for the merge to sort a batch in memory (about 8 MB for 5,000 arXiv listings; with PostgreSQL's
default ``work_mem``, 4 MB, it went to disk, and one batch's merge took 1.48 s rather than 1.39 s), for
the merge's transaction only; a server set to give more keeps its setting."""
_LOADED = (
    "INSERT INTO loads (source, records, updated) VALUES (%s, %s, now()) ON CONFLICT (source) "
    "DO UPDATE SET records = greatest(loads.records, excluded.records), updated = now()"
)
"""Records how far a file's load got, never lowering it (a batch committing late claims less)."""
_TABLES = ("records", "meta", "dblp_crossrefs", "loads")
POOL_SIZE = 8
"""Connections one process keeps at most: one per thread matching (or writing) at once."""
WRITERS = 2
"""Batches a loader writes at once: the server merges each in its own process, and the words it
computes and the GIN index it feeds (most of a load's time) then use two cores rather than one."""
_TRIES = 3
"""Times a batch is tried when the server ends its transaction to resolve a deadlock with another."""
_CONFLICTS = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)
CONNECT_TIMEOUT = 10


class PostgresStore:
    """A PostgreSQL database named by a ``postgresql://`` URL (libpq's: host, port, user, password,
    database, and parameters such as ``sslmode``; ``PGPASSWORD`` and ``~/.pgpass`` work as usual)."""

    writers = WRITERS

    def __init__(self, url: str, *, migrating: bool = False) -> None:
        """Connects, creating the schema in an empty database; ``migrating`` accepts an older schema
        (for :meth:`migrate`), which is otherwise refused."""
        self.url = url
        self.location = redacted(url)
        lz4 = self._connect_check(migrating)
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            open=False,
            name="citekit-index",
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            configure=_lz4_session if lz4 else _session,
        )
        with self._errors():
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)

    def close(self) -> None:
        self._pool.close()

    # Writing

    def write(self, rows: Sequence[Row], load: Load | None = None) -> tuple[int, int, int]:
        """See :data:`_UPSERT` for what batches written at once do to each other; a batch the server
        chose to end to break a deadlock is written again, up to :data:`_TRIES` times."""

        def merge(cursor: psycopg.Cursor[Any]) -> tuple[int, int]:
            added = updated = 0
            if rows:
                cursor.execute(_MERGE_MEMORY)
                cursor.execute(_STAGING)
                with cursor.copy("COPY staging FROM STDIN") as copy:
                    for seq, row in enumerate(rows):
                        copy.write_row((seq, *(row.prepared or _staged(row))))
                added, updated, tokens = _one(cursor.execute(_UPSERT))
                if tokens:
                    cursor.execute(_ADD_TOKENS, (str(tokens),))
            if load is not None:
                cursor.execute(_LOADED, (load[0], load[1]()))
            return added, updated

        added, updated = self._retried(merge)
        return added, updated, len(rows) - added - updated

    def prepare(self, rows: list[Row]) -> list[Row]:
        """Splits the rows' text into words (see :func:`_words`): the Python half of the work."""
        for row in rows:
            row.prepared = _staged(row)
        return rows

    def loaded(self, source: str) -> int:
        rows = self._query("SELECT records FROM loads WHERE source = %s", (source,))
        return int(rows[0][0]) if rows else 0

    def forget_load(self, source: str) -> None:
        with self._transaction() as cursor:
            cursor.execute("DELETE FROM loads WHERE source = %s", (source,))

    def replace(self, changes: Sequence[tuple[int, str, Row]]) -> None:
        with self._transaction() as cursor:
            tokens = 0
            for row_id, _, row in changes:
                title, authors, abstract, venue = words = [_words(part) for part in row.text]
                size = sum(part.count(" ") + 1 for part in words if part)
                tokens += _one(
                    cursor.execute(
                        _REPLACE, (row_id, row.data, title, authors, venue, abstract, size, row_id)
                    )
                )[0]
            cursor.execute(_ADD_TOKENS, (str(tokens),))
            cursor.execute("DELETE FROM dblp_crossrefs WHERE record_id = ANY(%s)", ([c[0] for c in changes],))

    def after_load(self) -> None:
        """``VACUUM (ANALYZE)``: moves the GIN index's pending entries into the index, marks the new
        pages all-visible (a word count then reads the index alone, no table pages: 3–6× faster
        searches on a fresh load) and gives the planner statistics. Autovacuum would, later; on a
        table that only grew a little since, it is quick."""
        with self._errors(), self._pool.connection() as db:
            db.execute("VACUUM (ANALYZE) records")

    def set_meta(self, values: dict[str, str]) -> None:
        with self._transaction() as cursor:
            cursor.executemany(
                "INSERT INTO meta (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    # Reading

    def meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = %s", (key,))
        return str(rows[0][0]) if rows else None

    def total(self) -> int:
        return int(self._query("SELECT count(*) FROM records", ())[0][0])

    def top_id(self) -> int:
        return int(self._query("SELECT coalesce(max(id), 0) FROM records", ())[0][0])

    def count(self, expression: str, cap: int) -> int:
        return self.counts([expression], cap)[0]

    def counts(self, expressions: Sequence[str], cap: int) -> list[int]:
        """:meth:`count` of each expression, in one round trip."""
        if not expressions:
            return []
        return [n for (n,) in self._query(_COUNTS, (cap, [tsquery(e) for e in expressions]))]

    def search(
        self,
        expression: str,
        limit: int,
        *,
        ranked: bool,
        total: int = 0,
        counts: dict[str, int] | None = None,
    ) -> list[Found]:
        if not ranked:
            return self._query(_UNRANKED, (tsquery(expression), limit))
        groups = [(number, word) for number, group in enumerate(_groups(expression)) for word in group]
        counts = counts or {}
        hits = [counts[w] if w in counts else self.count(f'"{w}"', total or self.total()) for _, w in groups]
        return self._query(
            _BM25,
            {
                "groups": [g for g, _ in groups],
                "words": [w for _, w in groups],
                "hits": hits,
                "total": total or self.total(),
                "query": tsquery(expression),
                "limit": limit,
            },
        )

    def data(self, ids: Sequence[int]) -> dict[int, str]:
        return dict(self._query("SELECT id, data FROM records WHERE id = ANY(%s)", (list(ids),)))

    def by_doi(self, doi: str) -> list[tuple[str, str]]:
        return self._query("SELECT kind, data FROM records WHERE doi = %s ORDER BY id", (doi,))

    def by_arxiv(self, arxiv_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        return self._query(
            "SELECT arxiv_id, kind, data FROM records WHERE arxiv_id = ANY(%s) ORDER BY id",
            (list(arxiv_ids),),
        )

    def by_identity(self, kind: str, identities: Sequence[str]) -> dict[str, str]:
        return dict(
            self._query(
                "SELECT identity, data FROM records WHERE kind = %s AND identity = ANY(%s)",
                (kind, list(identities)),
            )
        )

    def pending_crossrefs(self, after: int, limit: int) -> list[tuple[int, str, str]]:
        return self._query(_PENDING, (after, limit))

    def all_data(self, kind: str | None) -> Iterator[str]:
        """Streamed by keyset pages, so no transaction stays open while the caller works."""
        last, page = 0, 2000
        while True:
            sql = "SELECT id, data FROM records WHERE id > %s" + (" AND kind = %s" if kind else "")
            params = (last, kind) if kind else (last,)
            rows = self._query(sql + " ORDER BY id LIMIT %s", (*params, page))
            yield from (data for _, data in rows)
            if len(rows) < page:
                return
            last = rows[-1][0]

    def counts_by_kind(self) -> dict[str, int]:
        return dict(self._query("SELECT kind, count(*) FROM records GROUP BY kind ORDER BY kind", ()))

    def size_bytes(self) -> int:
        return int(
            self._query(
                "SELECT coalesce(sum(pg_total_relation_size(c)), 0) FROM unnest(%s::regclass[]) AS c",
                (list(_TABLES),),
            )[0][0]
        )

    # Schema

    def migrate(self) -> tuple[int, int]:
        """Brings the schema to :data:`SCHEMA_VERSION`: (version before, version after), holding the
        advisory lock alone (no batch is written meanwhile)."""
        with self._errors(), self._pool.connection() as db, db.transaction(), db.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            before = _version(cursor)
            if before > SCHEMA_VERSION:
                raise StoreError("local", self._newer(before))
            for steps in MIGRATIONS[before:]:
                for statement in steps:
                    cursor.execute(statement)
            _set_version(cursor, SCHEMA_VERSION)
        return before, SCHEMA_VERSION

    def _connect_check(self, migrating: bool) -> bool:
        """Connects once, creating the schema in an empty database and refusing another version, so that a
        wrong address, credentials or schema is one clear error before any work starts; whether the
        server can compress with lz4."""
        with (
            self._errors(),
            psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as db,
            db.transaction(),
            db.cursor() as cursor,
        ):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            version = _version(cursor)
            if version == 0 and not _has_table(cursor, "records"):
                for steps in MIGRATIONS:
                    for statement in steps:
                        cursor.execute(statement)
                _set_version(cursor, SCHEMA_VERSION)
                version = SCHEMA_VERSION
            lz4 = bool(_one(cursor.execute(_HAS_LZ4))[0])
        if version < SCHEMA_VERSION and not migrating:
            raise StoreError(
                "local",
                f"{self.location} has index schema {version}, this citekit uses "
                f"{SCHEMA_VERSION}: run `citekit index migrate --index {self.location}`",
            )
        if version > SCHEMA_VERSION:
            raise StoreError("local", self._newer(version))
        return lz4

    def _newer(self, version: int) -> str:
        return (
            f"{self.location} has index schema {version}, newer than this citekit's {SCHEMA_VERSION}: "
            "upgrade citekit"
        )

    def _query(self, sql: str, params: tuple[Any, ...] | dict[str, Any]) -> list[Any]:
        with self._errors(), self._pool.connection() as db:
            return db.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor[Any]]:
        """One writing transaction on a pooled connection. Writers share the advisory lock, which
        creating or migrating the schema takes alone."""
        with self._errors(), self._pool.connection() as db, db.transaction(), db.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", (_LOCK,))
            yield cursor

    def _retried(self, work: Callable[[psycopg.Cursor[Any]], _T]) -> _T:
        """``work`` in a :meth:`_transaction`, tried again (after a short random pause) when the server
        ends the transaction to break a deadlock (or, at a stricter isolation level than the default,
        a conflict); a clear error after :data:`_TRIES` tries."""
        attempt = 1
        while True:
            try:
                with self._transaction() as cursor:
                    return work(cursor)
            except StoreError as error:
                if not isinstance(error.__cause__, _CONFLICTS):
                    raise
                if attempt == _TRIES:
                    raise StoreError(
                        "local",
                        f"{self.location}: a batch conflicted with other writers on each of {_TRIES} "
                        f"tries ({_first_line(error.__cause__)}); run the same command again",
                    ) from error.__cause__
            time.sleep(random.uniform(0.05, 0.2) * attempt)
            attempt += 1

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as error:
            raise StoreError("local", f"{self.location}: {_first_line(error)}") from error
        except TimeoutError as error:  # psycopg_pool's PoolTimeout: no connection to be had
            raise StoreError("local", f"{self.location}: no connection to the server ({error})") from error


def tsquery(expression: str) -> str:
    """A search plan's FTS5 expression as ``to_tsquery`` input: ``("a" AND "b") OR "c"`` →
    ``('a' & 'b') | 'c'``; ``title : "a"`` (a title word) → ``'a':A``.

    Words are quoted lexemes, so no text can make a syntax error; each then goes through the
    :data:`CONFIG` configuration like the indexed text did.
    """
    out = []
    for token in _EXPRESSION.findall(expression):
        if token.startswith('"'):
            word = " ".join(_WORD.findall(plain(token[1:-1])))
            out.append("'" + word.replace("\\", "\\\\").replace("'", "''") + "'")
        else:
            out.append(_OPERATORS.get(token, token))
    text = " ".join(out)
    return re.sub(r"title : ('(?:[^']|'')*')", r"\1:A", text)


def _groups(expression: str) -> list[list[str]]:
    """The AND groups of an expression the search plan ranks (``"a"``, ``"a" AND "b"``, or pairs
    ``("a" AND "b") OR …``), each a list of its words."""
    return [re.findall(r'"([^"]*)"', part) for part in expression.split(" OR ")]


_EXPRESSION = re.compile(r'"[^"]*"|\(|\)|AND|OR|title :')
_OPERATORS = {"AND": "&", "OR": "|"}


def _staged(row: Row) -> tuple[Any, ...]:
    """A row of the staging table: the columns, the title, its four parts' words, how many words."""
    words = [_words(part) for part in row.text]
    tokens = sum(part.count(" ") + 1 for part in words if part)
    return (*row.columns, row.text[0], *words, tokens, row.crossref)


def _words(text: str) -> str:
    """Text split into words the way the SQLite store's tokenizer splits it, lower case without
    diacritics, separated by spaces (PostgreSQL's own parser would keep ``3.5`` or ``e-mail`` whole)."""
    return " ".join(_WORD.findall(plain(text)))


def _session(db: psycopg.Connection[Any]) -> None:
    """Settings for citekit's connections. No JIT compilation: the planner chose it for a batch's merge,
    where compiling took about 30 ms and saved nothing, and a search takes a few milliseconds. Room in
    memory for a batch's staging table (PostgreSQL's default, 8 MB, wrote it to disk and read it back)."""
    db.execute("SET jit = off")
    db.execute("SET temp_buffers = '32MB'")


def _lz4_session(db: psycopg.Connection[Any]) -> None:
    """:func:`_session`, and large values (a record's JSON and words, a batch's staged text) compressed
    with lz4 rather than PostgreSQL's default pglz (PostgreSQL 14 and later, when built with it):
    pglz took an eighth of the server's time in a load, lz4 a fraction of that, and its values are no
    larger here."""
    _session(db)
    db.execute("SET default_toast_compression = 'lz4'")


def _version(cursor: psycopg.Cursor[Any]) -> int:
    if not _has_table(cursor, "meta"):
        return 0
    row = cursor.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def _set_version(cursor: psycopg.Cursor[Any], version: int) -> None:
    cursor.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', %s) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(version),),
    )


def _has_table(cursor: psycopg.Cursor[Any], name: str) -> bool:
    return bool(_one(cursor.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)))[0])


def _one(cursor: psycopg.Cursor[Any]) -> Any:
    """The one row a statement returns."""
    row = cursor.fetchone()
    if row is None:
        raise psycopg.ProgrammingError("the statement returned no row")
    return row


def redacted(url: str) -> str:
    """The URL without its password (what messages and ``index info`` show)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
