"""The local metadata index: citekit's offline source, one SQLite file with FTS5.

``records`` holds each record as JSON (:func:`record_to_json`) with its kind (``arxiv``,
``crossref``, ``reference``), its identity within that kind (the arXiv id for arXiv listings, else the
DOI, else a title fingerprint: re-adding a file updates instead of duplicating) and indexed
identifier columns. Both arXiv listings and published records are kept: the matcher prefers the
published version and needs the preprint to get there.

``records_fts`` is a *contentless* FTS5 table over title, author family names, abstract and venue,
ranked by bm25 with the title weighted highest. Contentless because the text already sits in the JSON:
storing it again would nearly double the file for a full arXiv dump. The price is that replacing a
row must hand FTS5 the old text, which :func:`_search_text` recomputes from the stored JSON; bump
:data:`SCHEMA_VERSION` (and rebuild) whenever that function changes.

Loading streams: records arrive one at a time from :mod:`citekit.sources.bulk` and are written in
transactions of :data:`BATCH_SIZE`, so a dump of millions never sits in memory.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from rapidfuzz import fuzz

from citekit.diagnostics import Diagnostic
from citekit.ids import is_arxiv_doi, normalize_doi, parse_arxiv_id
from citekit.model import Date, Name, Record
from citekit.sources.base import Query, SourceError
from citekit.sources.bulk import ARXIV, CROSSREF, REFERENCE, Loaded, read_bulk
from citekit.text import fold

SCHEMA_VERSION = 1
BATCH_SIZE = 5000
MAX_DIAGNOSTICS = 1000
"""Problems kept in an :class:`AddResult`; past that only counted (a broken dump has millions)."""

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
CREATE UNIQUE INDEX records_identity ON records (kind, identity);
CREATE INDEX records_doi ON records (doi) WHERE doi IS NOT NULL;
CREATE INDEX records_arxiv_id ON records (arxiv_id) WHERE arxiv_id IS NOT NULL;
CREATE VIRTUAL TABLE records_fts USING fts5 (
    title, authors, abstract, venue,
    content = '', tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO records_fts (records_fts, rank) VALUES ('rank', 'bm25(10.0, 3.0, 1.0, 2.0)');
"""
_PRAGMAS = ("journal_mode = WAL", "synchronous = NORMAL", "temp_store = MEMORY", "cache_size = -65536",
            "mmap_size = 268435456")
_COLUMNS = "id, kind, identity, doi, arxiv_id, year, data"

# Function words that match nearly every record: left out of searches, which they only slow down.
_STOPWORDS = frozenset("""a about after all also an and any are as at be been but by can do does for from
had has have how in into is it its more most no not of on one only or other our over so such than that
the their them then there these they this those through to two under up using via was we were what when
where which while who why will with within without you your""".split())
_WORD = re.compile(r"[^\W_]+")
_MAX_TERMS = 24
"""Words taken from each part of a query; an abstract gives its most distinctive ones."""
_POOL = 40
"""Candidates fetched by bm25 for re-ranking, at least."""
_YEAR_BONUS = 0.05
"""Added to the score (at most 2) of a candidate within a year of the query's year: a tie-break."""


def default_index_path() -> Path:
    """``index.sqlite`` in the user's cache directory (``~/.cache/citekit`` on Linux)."""
    return Path(platformdirs.user_cache_dir("citekit")) / "index.sqlite"


# --- Records as JSON -------------------------------------------------------------------------------

_DEFAULT_RECORD = Record()
_STORED_FIELDS = tuple(f.name for f in dataclasses.fields(Record) if f.name != "origin")
_NAME_FIELDS = tuple(f.name for f in dataclasses.fields(Name))


def record_to_json(record: Record) -> str:
    """Compact JSON of every field but ``origin``; fields at their default are left out.

    ASCII-escaped, so that text carrying lone surrogates (they occur in real dumps) still stores.
    """
    data: dict[str, Any] = {}
    for name in _STORED_FIELDS:
        value = getattr(record, name)
        if value == getattr(_DEFAULT_RECORD, name):
            continue
        if name in ("author", "editor"):
            value = [{k: getattr(person, k) for k in _NAME_FIELDS if getattr(person, k)} for person in value]
        elif name == "issued":
            value = {"parts": list(value.parts), "literal": value.literal}
        data[name] = value
    return json.dumps(data, separators=(",", ":"))


def record_from_json(text: str) -> Record:
    """The record :func:`record_to_json` wrote (fields it does not know are ignored)."""
    data = {k: v for k, v in json.loads(text).items() if k in _STORED_FIELDS}
    for people in ("author", "editor"):
        if people in data:
            data[people] = [Name(**{k: v for k, v in p.items() if k in _NAME_FIELDS}) for p in data[people]]
    if "issued" in data:
        data["issued"] = Date(tuple(data["issued"].get("parts", ())), data["issued"].get("literal", ""))
    return Record(**data)


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

    @property
    def data(self) -> str:
        return self.columns[-1]


def _identity(kind: str, record: Record) -> str:
    """What makes two records of one kind the same record; ``""`` when nothing does."""
    if kind == ARXIV and record.arxiv_id:
        return f"arxiv:{record.arxiv_id}"
    if record.doi:
        return f"doi:{record.doi.lower()}"
    if record.arxiv_id:
        return f"arxiv:{record.arxiv_id}"
    if record.title:
        return f"title:{_comparable(record.title)}|{record.year or ''}|{fold(record.first_author_family).lower()}"
    return ""


def _search_text(record: Record) -> tuple[str, str, str, str]:
    """Title, author family names, abstract and venue, as the full-text index holds them."""
    authors = " ".join(person.surname for person in record.author)
    venue = " ".join(v for v in (record.container_title, record.event_title, record.collection_title) if v)
    return _storable(record.title), _storable(authors), _storable(record.abstract), _storable(venue)


def _storable(text: str) -> str:
    return text.encode("utf-8", errors="replace").decode("utf-8")


def _row(kind: str, record: Record) -> _Row | None:
    identity = _identity(kind, record)
    if not identity:
        return None
    columns = (kind, identity, record.doi.lower() or None, record.arxiv_id or None, record.year,
               record_to_json(record))
    return _Row(kind, identity, columns, _search_text(record))


# --- Searching -------------------------------------------------------------------------------------


def match_expression(query: Query) -> str:
    """A safe FTS5 MATCH expression: each word quoted, all of them OR-ed; ``""`` if no words.

    Quoting makes every word a plain term (``NEAR``, ``*``, ``:`` lose their meaning), so no
    query text can make a syntax error. bm25 then ranks by how many rare words a record shares.
    """
    parts = [_words(query.title), _words(" ".join(query.authors)), _words(query.venue),
             _distinctive(_words(query.abstract))]
    terms = dict.fromkeys(word.lower() for part in parts for word in part[:_MAX_TERMS])
    return " OR ".join(f'"{term}"' for term in terms)


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower() not in _STOPWORDS]


def _comparable(title: str) -> str:
    return " ".join(_WORD.findall(fold(title).lower()))


def _distinctive(words: list[str]) -> list[str]:
    """Names and numbers first (``Voxtral``, ``8x7B``), then the longest words: rare ones, mostly."""
    unique = dict.fromkeys(words)
    return sorted(unique, key=lambda w: (not any(c.isupper() or c.isdigit() for c in w), -len(w)))


# --- The index -------------------------------------------------------------------------------------


class LocalIndex:
    """The local index; a :class:`~citekit.sources.base.Source`. Use as a context manager or close().

    Every method raises only :class:`~citekit.sources.base.SourceError` for database trouble;
    :meth:`add_file` also lets :class:`OSError` through when the input cannot be opened.
    """

    name = "local"

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_index_path()
        with self._errors():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            for pragma in _PRAGMAS:
                self._db.execute(f"PRAGMA {pragma}")
            self._create_or_check()

    def __enter__(self) -> LocalIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        with self._errors():
            self._db.execute("PRAGMA optimize")
            self._db.close()

    # Loading

    def add_file(self, path: str | Path) -> AddResult:
        """Add or update every record of an arXiv dump, Crossref dump or reference file."""
        return self._add(read_bulk(path))

    def add_records(self, records: Iterable[Record], kind: str = REFERENCE) -> AddResult:
        """Add or update records of one kind (``arxiv``, ``crossref`` or ``reference``)."""
        if kind not in (ARXIV, CROSSREF, REFERENCE):
            raise ValueError(f"unknown kind {kind!r}")
        return self._add(Loaded(kind, record) for record in records)

    def optimize(self) -> None:
        """Merge the full-text index into one segment: worth it once after a large load."""
        with self._errors():
            self._db.execute("INSERT INTO records_fts (records_fts) VALUES ('optimize')")

    # The Source protocol

    def lookup_doi(self, doi: str) -> Record | None:
        """The published record with this DOI (Crossref's before a reference's), case-insensitively.

        An arXiv listing that names the DOI of its published version is *not* that record; it is
        returned only for arXiv's own DOI (``10.48550/arXiv.…``). See :meth:`related_by_doi`.
        """
        doi = normalize_doi(doi)
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
        """Candidates, best first: bm25 finds them, closeness of title orders them.

        bm25 weighs title ×10, authors ×3, venue ×2, abstract ×1, so any part of a query, even an
        abstract alone, finds its record; but FTS5 knows no typos, so the pool it returns is re-ranked
        by the fuzzy similarity of titles. The year never excludes: a record within a year of
        ``query.year`` only wins near-ties.
        """
        expression = match_expression(query)
        if not expression or limit < 1:
            return []
        rows = self._query(
            "SELECT r.data, r.year, f.rank FROM (SELECT rowid, rank FROM records_fts WHERE records_fts MATCH ? "
            "ORDER BY rank LIMIT ?) AS f JOIN records AS r ON r.id = f.rowid ORDER BY f.rank",
            (expression, max(4 * limit, _POOL)))
        if not rows:
            return []
        best = rows[0][2]  # bm25 ranks are negative, the best lowest
        title = _comparable(query.title)
        scored = []
        for data, year, rank in rows:
            record = record_from_json(data)
            score = rank / best + (fuzz.token_set_ratio(title, _comparable(record.title)) / 100 if title else 0)
            near = query.year is not None and year is not None and abs(year - query.year) <= 1
            scored.append((score + (_YEAR_BONUS if near else 0), record))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return [record for _, record in scored[:limit]]

    # Browsing

    def related_by_doi(self, doi: str) -> list[Record]:
        """Every record naming this DOI, arXiv listings of the published paper included; published first."""
        rows = self._query("SELECT data FROM records WHERE doi = ? ORDER BY kind = ?, kind = ? DESC, id",
                           (normalize_doi(doi).lower(), ARXIV, CROSSREF))
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
            raise SourceError(self.name, f"{self.path} has index schema {version}, this citekit reads "
                              f"{SCHEMA_VERSION}: delete the file and add its sources again")

    def _add(self, items: Iterable[Loaded | Diagnostic]) -> AddResult:
        result = AddResult()
        batch: dict[tuple[str, str], _Row] = {}
        for item in items:
            if isinstance(item, Diagnostic):
                result.report(item)
                continue
            row = _row(item.kind, item.record)
            if row is None:
                result.report(_unfindable(item.record))
                continue
            earlier = batch.pop((row.kind, row.identity), None)
            if earlier is not None:  # the same record twice in one batch: the later one wins
                result.added -= 1
                result.unchanged += earlier.data == row.data
                result.updated += earlier.data != row.data
            result.added += 1
            batch[(row.kind, row.identity)] = row
            if len(batch) >= BATCH_SIZE:
                self._write(list(batch.values()), result)
                batch = {}
        self._write(list(batch.values()), result)
        if result.unreported:
            result.diagnostics.append(Diagnostic("warning", "index.more-problems",
                                                 f"{result.unreported} more problems not listed"))
        return result

    def _write(self, rows: list[_Row], result: AddResult) -> None:
        """Insert new rows and replace changed ones, in one transaction; ``result`` counts them.

        Rows arrive counted as added; those found stored are recounted as updated or unchanged.
        """
        if not rows:
            return
        with self._errors(), self._transaction():
            stored = self._stored(rows)
            next_id = self._db.execute("SELECT coalesce(max(id), 0) + 1 FROM records").fetchone()[0]
            inserts, updates, fts_deletes, fts_inserts = [], [], [], []
            for row in rows:
                old = stored.get((row.kind, row.identity))
                if old is None:
                    inserts.append((next_id, *row.columns))
                    fts_inserts.append((next_id, *row.text))
                    next_id += 1
                    continue
                result.added -= 1
                old_id, old_data = old
                if old_data == row.data:
                    result.unchanged += 1
                    continue
                result.updated += 1
                updates.append((*row.columns, old_id))
                fts_deletes.append((old_id, *_search_text(record_from_json(old_data))))
                fts_inserts.append((old_id, *row.text))
            self._db.executemany(f"INSERT INTO records ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", inserts)
            self._db.executemany("UPDATE records SET kind = ?, identity = ?, doi = ?, arxiv_id = ?, year = ?, "
                                 "data = ? WHERE id = ?", updates)
            self._db.executemany("INSERT INTO records_fts (records_fts, rowid, title, authors, abstract, venue) "
                                 "VALUES ('delete', ?, ?, ?, ?, ?)", fts_deletes)
            self._db.executemany("INSERT INTO records_fts (rowid, title, authors, abstract, venue) "
                                 "VALUES (?, ?, ?, ?, ?)", fts_inserts)

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
        with self._errors():
            return self._db.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
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
            raise SourceError(self.name, f"{self.path}: {error}") from error


def _unfindable(record: Record) -> Diagnostic:
    origin = record.origin
    return Diagnostic("error", "index.no-identity", "no DOI, arXiv id or title: nothing to find it by",
                      origin.file if origin else "", origin.line if origin else None,
                      origin.index if origin else 1, record_to_json(record))
