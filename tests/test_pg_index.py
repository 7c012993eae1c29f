"""The local index on a PostgreSQL server (``pgserver.py``): the same candidates as the SQLite file,
the command line with ``--index postgresql://…``, loads that crash or race, bad credentials and old
schemas. Behaviour both backends share is tested over both in ``test_local_index.py``."""

from __future__ import annotations

import json
import re
import threading
import time
from functools import partial
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from pgserver import PostgresServer

from citekit.cli import main
from citekit.model import Record
from citekit.sources import index_postgres, local
from citekit.sources.base import Query, SourceError
from citekit.sources.index_postgres import (
    MIGRATIONS,
    SCHEMA_VERSION,
    PostgresStore,
    _staged,
    redacted,
    tsquery,
)
from citekit.sources.index_store import Row
from citekit.sources.local import LocalIndex

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "seeds" / "metadata"
FILES = ("arxiv.jsonl", "crossref.jsonl", "proceedings.json")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _identity(record: Record) -> tuple[str, str, str]:
    return record.doi, record.arxiv_id, record.title


@pytest.fixture(scope="module")
def both(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> list[LocalIndex]:
    """The bundled snapshot in an SQLite file and in a PostgreSQL database."""
    indexes = [
        LocalIndex(tmp_path_factory.mktemp("both") / "index.sqlite"),
        LocalIndex(postgres.create_database()),
    ]
    for index in indexes:
        for name in FILES:
            index.add_file(METADATA / name)
    yield indexes
    for index in indexes:
        index.close()


def _queries(records: list[Record]) -> list[Query]:
    """Each record's title, half its title, its abstract, and its authors with its venue."""
    queries = []
    for record in records:
        queries += [
            Query(title=record.title, year=record.year),
            Query(title=record.title[: len(record.title) // 2]),
        ]
        if record.abstract:
            queries.append(Query(abstract=record.abstract))
        queries.append(
            Query(authors=tuple(a.family for a in record.author[:3]), venue=record.container_title)
        )
    return queries


def test_both_backends_find_the_same_candidates(both: list[LocalIndex]) -> None:
    sqlite, postgresql = both
    assert sqlite.info().records == postgresql.info().records
    assert list(sqlite.all_records()) == list(postgresql.all_records())
    for query in _queries(list(sqlite.all_records())):
        assert sqlite.search(query, 5) == postgresql.search(query, 5), query


def test_expressions_become_tsqueries() -> None:
    assert (
        tsquery('("zebra" AND "song") OR ("zebra" AND "deep")')
        == "( 'zebra' & 'song' ) | ( 'zebra' & 'deep' )"
    )
    assert tsquery('title : "voxtral"') == "'voxtral':A"
    assert tsquery('"it\'s" AND "a\\\\b"') == "'it s' & 'a b'"  # words only: the tokenizer's split


def test_the_url_shown_has_no_password() -> None:
    assert (
        redacted("postgresql://lab:s3cret@db.example.org:5433/citekit")
        == "postgresql://lab:***@db.example.org:5433/citekit"
    )
    assert redacted("postgresql://lab@db/citekit") == "postgresql://lab@db/citekit"


# --- The command line ------------------------------------------------------------------------------


def test_every_command_takes_a_database_url(pg_url: str, tmp_path: Path) -> None:
    code, _, err = run("index", "add", *(str(METADATA / name) for name in FILES), "--index", pg_url)
    assert code == 0, err
    code, out, _ = run("index", "info", "--index", pg_url)
    assert code == 0 and "arxiv: 91 records" in out and ":***@" in out and "MB)" in out
    bib = tmp_path / "in.bib"
    bib.write_text(
        "@misc{x, title = {Mixtral of Experts}, author = {Jiang, Albert}, year = {2024}}\n", encoding="utf-8"
    )
    code, _, err = run(
        "enrich",
        str(bib),
        "-o",
        str(tmp_path / "out.json"),
        "--sources",
        "local",
        "--jobs",
        "2",
        "--index",
        pg_url,
    )
    assert code == 0, err
    [enriched] = json.loads((tmp_path / "out.json").read_text())
    assert enriched["id"] and "2401.04088" in json.dumps(enriched)
    code, _, err = run(
        "export",
        str(bib),
        "-d",
        str(tmp_path / "lib"),
        "--offline",
        "--sources",
        "local",
        env={"CITEKIT_INDEX": pg_url},
    )
    assert code == 0, err
    assert "2401.04088" in (tmp_path / "lib" / "library.bib").read_text()
    preprint = tmp_path / "pre.bib"
    preprint.write_text(
        "@misc{g, title = {Going deeper with convolutions}, eprint = {1409.4842}, "
        "archiveprefix = {arXiv}, year = {2014}}\n",
        encoding="utf-8",
    )
    code, _, err = run("check", str(preprint), "--index", pg_url)
    assert "10.1109/CVPR.2015.7298594" in err


def test_an_unreachable_server_is_one_line_and_exit_2(postgres: PostgresServer, dead_url: str) -> None:
    port = dead_url.rsplit(":", 1)[1].strip("/")
    for command in (["index", "info"], ["index", "add", str(METADATA / "arxiv.jsonl")]):
        code, out, err = run(*command, "--index", f"postgresql://citekit:x@127.0.0.1:{port}/none")
        assert code == 2 and out == ""
        [line] = err.strip().splitlines()
        assert line.startswith("Error: local: postgresql://citekit:***@127.0.0.1:") and "refused" in line


def test_wrong_credentials_are_one_line_and_exit_2(postgres: PostgresServer, tmp_path: Path) -> None:
    bib = tmp_path / "in.bib"
    bib.write_text("@misc{x, title = {Mixtral of Experts}}\n", encoding="utf-8")
    wrong = postgres.url(password="not-the-password")
    for command in (
        ["index", "info"],
        ["enrich", str(bib), "-o", str(tmp_path / "o.json"), "--sources", "local"],
        ["check", str(bib)],
    ):
        code, out, err = run(*command, "--index", wrong)
        assert code == 2 and out == ""
        [line] = err.strip().splitlines()
        assert "password authentication failed" in line and "not-the-password" not in line


# --- Loads that stop, loads that race --------------------------------------------------------------


def _records(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as db:
        return db.execute("SELECT count(*), count(DISTINCT (kind, identity)) FROM records").fetchone()


def test_a_server_killed_mid_load_keeps_its_batches_and_the_rerun_finishes(
    postgres: PostgresServer, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BATCH_SIZE", 10)
    monkeypatch.setattr(PostgresStore, "writers", 2)
    listings = len((METADATA / "arxiv.jsonl").read_text().splitlines())
    stored: list[int] = []

    def kill_after_three_batches(done: int) -> None:
        stored.append(done)
        if len(stored) == 3:
            postgres.kill()

    try:
        with LocalIndex(pg_url) as index, pytest.raises(SourceError):
            index.add_file(METADATA / "arxiv.jsonl", progress=kill_after_three_batches)
    finally:
        postgres.start()
    # the three batches counted, and the fourth, written beside the third, if it committed in time
    committed, distinct = _records(pg_url)
    assert committed == distinct and committed in (30, 40)
    with LocalIndex(pg_url) as index:
        result = index.add_file(METADATA / "arxiv.jsonl")
        # it resumes after batches that all committed (at least the first: two committing at the
        # same moment may each claim less than both), and finds stored what committed past them
        assert 10 <= result.resumed <= committed
        assert (result.added, result.unchanged, result.skipped) == (
            listings - committed,
            committed - result.resumed,
            0,
        )
        assert index.info().records == {"arxiv": listings}
        assert index.search(Query(title="Mixtral of Experts"), 1)[0].arxiv_id == "2401.04088"
    assert _records(pg_url) == (listings, listings)
    with LocalIndex(pg_url) as index:  # a finished load is not resumed: a rerun checks every record
        assert index.add_file(METADATA / "arxiv.jsonl").unchanged == listings


def test_the_cli_says_a_stopped_load_can_be_rerun(
    postgres: PostgresServer, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BATCH_SIZE", 10)
    original = local.LocalIndex._write
    calls = []

    def write_then_kill(self, rows, load):  # the server dies after the second batch is committed
        counts = original(self, rows, load)
        calls.append(len(rows))
        if len(calls) == 2:
            postgres.kill()
        return counts

    monkeypatch.setattr(local.LocalIndex, "_write", write_then_kill)
    try:
        code, _, err = run("index", "add", str(METADATA / "arxiv.jsonl"), "--index", pg_url)
    finally:
        postgres.start()
    assert code == 1
    assert "run the same command again" in err.strip().splitlines()[-1]
    monkeypatch.setattr(local.LocalIndex, "_write", original)
    code, _, err = run("index", "add", str(METADATA / "arxiv.jsonl"), "--index", pg_url)
    # two batches are written at once: a third may have committed before the second; the rerun
    # resumes after the batches that all did, and finds the others stored
    counts = re.search(
        r"(\d+) added, 0 updated, (\d+) unchanged, 0 skipped, (\d+) stored by a load that stopped", err
    )
    assert code == 0 and counts, err
    added, unchanged, resumed = map(int, counts.groups())
    assert added + unchanged + resumed == 91 and resumed >= 10 and added + unchanged <= 81


def test_two_loaders_at_once_store_each_record_once(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "BATCH_SIZE", 7)
    results, errors = [], []

    def load(names: tuple[str, ...]) -> None:
        try:
            with LocalIndex(pg_url) as index:
                results.extend(index.add_file(METADATA / name) for name in names)
        except SourceError as error:  # reported below: a thread's exception would be lost
            errors.append(error)

    threads = [
        threading.Thread(target=load, args=(FILES,)),
        threading.Thread(target=load, args=(FILES[::-1],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total, distinct = _records(pg_url)
    expected = (
        sum(1 for _ in (METADATA / "arxiv.jsonl").open())
        + sum(1 for _ in (METADATA / "crossref.jsonl").open())
        + len(json.loads((METADATA / "proceedings.json").read_text()))
    )
    assert total == distinct == expected
    assert sum(r.added for r in results) == expected  # each record added by one of them only
    # the other found it stored, or skipped it as stored by a load of the same file (the two share one)
    assert sum(r.added + r.updated + r.unchanged + r.resumed + r.skipped for r in results) == 2 * expected


def _batch(version: str, identities: range) -> list[Row]:
    """Rows of the given identities, their title (and so their words) depending on ``version``."""
    rows = []
    for n in identities:
        title = f"Record {n} " + " ".join([version] * (1 + n % 2 + len(version) % 4))
        data = json.dumps({"title": title, "DOI": f"10.1/{n}"})
        rows.append(
            Row(
                "reference",
                f"doi:10.1/{n}",
                ("reference", f"doi:10.1/{n}", f"10.1/{n}", None, 2020, data),
                (title, "", "", ""),
            )
        )
    return rows


def _written_at_once(url: str, batches: list[list[Row]]) -> list[tuple[int, int, int]]:
    """Each batch written by its own store (as by two loaders), all starting together."""
    stores = [PostgresStore(url) for _ in batches]
    start = threading.Barrier(len(batches))
    results: list[tuple[int, int, int]] = [(0, 0, 0)] * len(batches)

    def write(number: int) -> None:
        start.wait()
        results[number] = stores[number].write(batches[number])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    return results


def _table(url: str) -> tuple[dict[str, tuple[str, int]], int, int]:
    """Each identity's (data, number of transactions that wrote the rows), the sum of the rows' words
    and ``meta.tokens``."""
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT identity, data, xmin::text FROM records").fetchall()
        words = db.execute("SELECT coalesce(sum(tokens), 0) FROM records").fetchone()[0]
        meta = db.execute(
            "SELECT coalesce((SELECT value::bigint FROM meta WHERE key = 'tokens'), 0)"
        ).fetchone()[0]
    assert len(rows) == len({identity for identity, _, _ in rows})
    writers = len({xmin for _, _, xmin in rows})
    return {identity: (data, writers) for identity, data, _ in rows}, int(words), int(meta)


def test_overlapping_batches_written_at_once_store_each_record_once(pg_url: str) -> None:
    """Two stores write batches of the same records at the same moment, round after round: records
    new to both, then the same data again, then changed differently by each."""
    identities = range(200)
    same = [_batch("alpha", identities), _batch("alpha", identities)]
    added = sum(a for a, _, _ in _written_at_once(pg_url, same))
    stored, words, meta = _table(pg_url)
    assert added == len(identities) and len(stored) == len(identities)
    assert meta == words  # the later batch found the same data and changed nothing

    assert _written_at_once(pg_url, same) == [(0, 0, len(identities))] * 2
    assert _table(pg_url) == (stored, words, meta)

    before, drift = "alpha", 0
    for round_ in range(3):
        versions = [f"beta{round_}", f"gamma{round_}x"]  # titles of different lengths
        batches = [_batch(version, identities) for version in versions]
        results = _written_at_once(pg_url, batches)
        stored, words, meta = _table(pg_url)
        assert len(stored) == len(identities) and all(added == 0 for added, _, _ in results)
        # every record has the data of one batch, all written by one transaction: the one that
        # committed last, which waited for the other's locks, then replaced its rows
        assert {writers for _, writers in stored.values()} == {1}
        [winner] = [v for v in versions if all(f" {v}" in data for data, _ in stored.values())]
        loser = versions[1 - versions.index(winner)]
        # meta.tokens counts the rows' words; or, where the last batch's snapshot did not see the
        # other's rows, also the words by which the other batch changed the version both saw
        assert meta - words - drift in (
            0,
            _words_in(_batch(loser, identities)) - _words_in(_batch(before, identities)),
        )
        before, drift = winner, meta - words


def test_a_batch_the_server_ends_for_a_conflict_is_written_again(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under serializable isolation (a server's default may be), a batch that waited for another
    transaction's change to a record it replaces is ended by the server once that one commits."""
    serializable = pg_url + "?options=-c%20default_transaction_isolation%3Dserializable"
    store = PostgresStore(serializable)
    store.write(_batch("first", range(5)))

    def write_while_another_changes_a_record(version: str) -> tuple[int, int, int] | SourceError:
        outcome: list[tuple[int, int, int] | SourceError] = []

        def write() -> None:
            try:
                outcome.append(store.write(_batch(version, range(5))))
            except SourceError as error:
                outcome.append(error)

        with psycopg.connect(pg_url) as other:
            other.execute("UPDATE records SET year = 2021 WHERE identity = 'doi:10.1/3'")
            writer = threading.Thread(target=write)
            writer.start()
            deadline = time.monotonic() + 60  # a safety net: the batch waits at once
            while not other.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).fetchone()[0]:
                assert time.monotonic() < deadline, "the batch never waited for the other transaction"
                time.sleep(0.01)
        writer.join()
        return outcome[0]

    try:
        assert write_while_another_changes_a_record("second") == (0, 5, 0)
        stored, _, _ = _table(pg_url)
        assert all(" second" in data for data, _ in stored.values())
        monkeypatch.setattr(index_postgres, "_TRIES", 1)
        error = write_while_another_changes_a_record("third")
        assert isinstance(error, SourceError)
        assert "conflicted with other writers on each of 1 tries (could not serialize access" in str(error)
    finally:
        store.close()


def _words_in(rows: list[Row]) -> int:
    return sum(_staged(row)[-2] for row in rows)


def test_searching_holds_no_transaction_open(pg_url: str) -> None:
    with LocalIndex(pg_url) as index:
        index.add_file(METADATA / "arxiv.jsonl")
        for title in ("Mixtral of Experts", "Voxtral", "Going deeper with convolutions"):
            assert index.search(Query(title=title), 3)
            index.lookup_arxiv(["2401.04088"])
            with psycopg.connect(pg_url) as db:
                states = db.execute(
                    "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                ).fetchall()
            assert states and {state for (state,) in states} == {"idle"}


# --- Schemas ---------------------------------------------------------------------------------------


def test_an_older_schema_is_refused_with_the_command_that_migrates_it(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as db:  # the schema an older citekit made
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        db.execute(
            "INSERT INTO records (kind, identity, title, data, words, tokens) VALUES ('reference', "
            "'doi:10.1/a', 'Old', %s, to_tsvector('citekit', 'old'), 1)",
            (json.dumps({"title": "Old", "DOI": "10.1/a"}),),
        )
    code, out, err = run("index", "info", "--index", pg_url)
    assert code == 2 and out == ""
    [line] = err.strip().splitlines()
    assert f"has index schema 1, this citekit uses {SCHEMA_VERSION}" in line
    assert line.endswith(f"run `citekit index migrate --index {redacted(pg_url)}`")
    code, out, err = run("index", "migrate", "--index", pg_url)
    assert code == 0 and out.strip() == f"index schema 1 → {SCHEMA_VERSION}", err
    code, out, _ = run("index", "info", "--index", pg_url)
    assert code == 0 and "total: 1 records" in out
    code, out, _ = run("index", "migrate", "--index", pg_url)
    assert out.strip() == f"index schema {SCHEMA_VERSION}: nothing to do"


def test_large_values_are_compressed_with_lz4_where_the_server_has_it(pg_url: str) -> None:
    with LocalIndex(pg_url) as index:
        index.add_file(METADATA / "arxiv.jsonl")
    with psycopg.connect(pg_url) as db:
        lz4 = db.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        ).fetchone()
        if not (lz4 and lz4[0]):
            pytest.skip("this PostgreSQL has no lz4 (before 14, or built without it)")
        compressed = db.execute(
            "SELECT pg_column_compression(words), count(*) FROM records "
            "WHERE pg_column_compression(words) IS NOT NULL GROUP BY 1"
        ).fetchall()
    assert [method for method, _ in compressed] == ["lz4"]


def test_a_newer_schema_asks_for_a_newer_citekit(pg_url: str) -> None:
    with LocalIndex(pg_url):
        pass
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(SourceError, match="schema 99, newer than this citekit's .*: upgrade citekit"):
        LocalIndex(pg_url)


@pytest.mark.parametrize("index_location", ["sqlite", "postgresql"], indirect=True)
def test_readers_during_a_load_see_whole_batches(
    index_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BATCH_SIZE", 10)
    listings = len((METADATA / "arxiv.jsonl").read_text().splitlines())
    with LocalIndex(index_location):  # created before the two start
        pass
    done = threading.Event()

    def load() -> None:
        try:
            with LocalIndex(index_location) as index:
                index.add_file(METADATA / "arxiv.jsonl")
        finally:
            done.set()

    seen = set()
    loader = threading.Thread(target=load)
    with LocalIndex(index_location) as reader:
        loader.start()
        while not done.is_set():
            seen.add(reader.info().total)
            reader.search(Query(title="Mixtral of Experts"), 1)
        loader.join()
        seen.add(reader.info().total)
    # whole batches of 10, and the last (smaller) one, which may commit before the one before it
    assert seen <= {*range(0, listings, 10), *range(listings % 10, listings + 1, 10)} and listings in seen


# --- Batches written at once by one loader ---------------------------------------------------------


@pytest.mark.parametrize("index_location", ["sqlite", "postgresql"], indirect=True)
def test_a_batch_committing_before_an_earlier_one_does_not_move_the_load_past_it(
    index_location: str,
) -> None:
    store = local.open_store(index_location)
    committed = local._Committed(0)
    first, second, third = committed.start(10), committed.start(20), committed.start(30)
    rows = _batch("x", range(30))

    def write(batch: int, part: slice) -> int:
        store.write(rows[part], ("file", partial(committed.position, batch)))
        committed.done(batch)
        return store.loaded("file")

    try:
        assert write(third, slice(20, 30)) == 0  # the first two are not committed: nothing is claimed
        assert write(first, slice(0, 10)) == 10  # the second is not: only the first batch
        assert write(second, slice(10, 20)) == 30  # all three
        store.write([], ("file", lambda: 10))  # a smaller claim, late (another loader of the file)
        assert store.loaded("file") == 30
        assert store.total() == 30
    finally:
        store.close()


def _listings(count: int, version: str = "") -> list[Record]:
    return [
        Record(title=f"Listing number {n} on topic {n % 7} {version}".strip(), doi=f"10.2/{n}")
        for n in range(count)
    ]


def test_two_writers_load_as_one_writer_does(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are written two at once (the first two meet at a barrier, which one writer at a time
    never passes), and a batch changing records of the batch being written waits for it: the index,
    the counts and the progress reported are those of a load by one writer, into SQLite."""
    monkeypatch.setattr(local, "BATCH_SIZE", 10)
    # batch 2 changes batch 1's records, batch 4 those of batch 3; the rest are new
    records = [*_listings(10), *_listings(10, "revised"), *_listings(30)[10:], *_listings(20, "again")[10:]]
    meeting = threading.Barrier(2, timeout=60)
    second, events = threading.Event(), []
    original = PostgresStore.write

    def write(self, rows, load=None):  # type: ignore[no-untyped-def]
        """Batch 2 (which waits for batch 1) and batch 3 (independent of it) meet before writing;
        batch 1 gives batch 2 a moment to start before it (which it must not)."""
        first = rows[0].data if rows else ""
        if "revised" in first:
            events.append("2 starts")
            second.set()
        if "Listing number 0 " in first and "revised" not in first:
            second.wait(0.5)
        if "revised" in first or ("Listing number 10 " in first and "again" not in first):
            meeting.wait()
        counts = original(self, rows, load)
        if "Listing number 0 " in first and "revised" not in first:
            events.append("1 ends")
        return counts

    monkeypatch.setattr(PostgresStore, "write", write)
    results, progress = {}, {}
    for name, location in (("sqlite", str(tmp_path / "one.sqlite")), ("postgresql", pg_url)):
        seen: list[int] = []
        with LocalIndex(location) as index:
            assert index._store.writers == (2 if name == "postgresql" else 1)
            result = index._add(((local.Loaded("reference", r)) for r in records), seen.append)
            results[name] = (result.added, result.updated, result.unchanged, list(index.all_records()))
        progress[name] = seen
    assert results["sqlite"] == results["postgresql"]
    assert results["sqlite"][:3] == (30, 20, 0)
    assert progress["sqlite"] == progress["postgresql"]
    assert events == ["1 ends", "2 starts"]
