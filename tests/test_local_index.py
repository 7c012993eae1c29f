"""The local index: built from the bundled metadata snapshot, looked up, searched, re-added; in both
backends (an SQLite file, a PostgreSQL database), which must behave alike."""

from __future__ import annotations

import dataclasses
import gzip
import json
import sqlite3
from pathlib import Path

import platformdirs
import pytest
from conftest import BACKENDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.model import TEXT_FIELDS, Date, Name, Record
from citekit.sources import bulk, local
from citekit.sources.base import Query, SourceError
from citekit.sources.fulltext import (
    COMMON_DOCS,
    MATCHES_BUDGET,
    SELECTIVE_DOCS,
    Search,
    common_words,
    search_plan,
)
from citekit.sources.local import LocalIndex, default_index_path, record_from_json, record_to_json

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
METADATA = SEEDS / "metadata"
FILES = ("arxiv.jsonl", "crossref.jsonl", "proceedings.json")


def _lines(name: str) -> list[str]:
    return (METADATA / name).read_text(encoding="utf-8").splitlines()


def _seed_abstract(start: str) -> str:
    """The paragraph of a scraped seed file that begins with ``start``, without its ``Abstract:`` label."""
    for path in sorted(SEEDS.glob("0*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.removeprefix("Abstract:")
            if text.startswith(start):
                return text
    raise AssertionError(f"no seed abstract starts with {start!r}")


@pytest.fixture(scope="module", params=BACKENDS)
def index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> LocalIndex:
    """The bundled metadata snapshot, in each backend; tests only read it (or re-add it unchanged)."""
    if request.param == "postgresql":
        location = request.getfixturevalue("postgres").create_database()
    else:
        location = str(tmp_path_factory.mktemp("index") / "index.sqlite")
    with LocalIndex(location) as built:
        for name in FILES:
            result = built.add_file(METADATA / name)
            assert result.diagnostics == [] and result.skipped == 0
        yield built


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> LocalIndex:
    """A new, empty index in each backend."""
    location = (
        request.getfixturevalue("pg_url") if request.param == "postgresql" else tmp_path / "fresh.sqlite"
    )
    with LocalIndex(location) as empty:
        yield empty


def test_counts_by_kind_match_the_files(index: LocalIndex) -> None:
    info = index.info()
    expected = {
        "arxiv": len(_lines("arxiv.jsonl")),
        "crossref": len(_lines("crossref.jsonl")),
        "reference": len(json.loads((METADATA / "proceedings.json").read_text(encoding="utf-8"))),
    }
    assert info.records == expected
    assert info.total == sum(expected.values())
    assert info.size_bytes > 0 and info.location


def test_stored_records_are_the_converted_ones(index: LocalIndex) -> None:
    from metadata import all_arxiv, all_crossref

    assert list(index.all_records("arxiv")) == all_arxiv()
    assert list(index.all_records("crossref")) == all_crossref()


def test_readding_files_updates_instead_of_duplicating(index: LocalIndex) -> None:
    before = index.info().records
    for name in FILES:
        result = index.add_file(METADATA / name)
        assert (result.added, result.updated, result.skipped) == (0, 0, 0)
        kind = {"arxiv.jsonl": "arxiv", "crossref.jsonl": "crossref"}.get(name, "reference")
        assert result.unchanged == before[kind]
    assert index.info().records == before


def test_lookup_arxiv_by_bare_or_versioned_id(index: LocalIndex) -> None:
    found = index.lookup_arxiv(["2310.06825v2", "arXiv:2401.04088", "9912.99999", "not an id"])
    assert set(found) == {"2310.06825", "2401.04088"}
    assert found["2310.06825"].title == "Mistral 7B"
    assert found["2401.04088"].title == "Mixtral of Experts"


def test_lookup_doi_returns_the_published_record_case_insensitively(index: LocalIndex) -> None:
    for spelling in ("10.1109/cvpr.2015.7298594", "https://doi.org/10.1109/CVPR.2015.7298594"):
        record = index.lookup_doi(spelling)
        assert record is not None
        assert record.doi == "10.1109/CVPR.2015.7298594"
        assert record.container_title and not record.arxiv_id  # the proceedings paper, not arXiv 1409.4842
    assert index.lookup_doi("10.9999/nobody.has.this") is None


def test_related_by_doi_lists_the_preprint_after_the_published_record(index: LocalIndex) -> None:
    related = index.related_by_doi("10.1109/CVPR.2015.7298594")
    assert [bool(r.arxiv_id) for r in related] == [False, True]
    assert related[1].arxiv_id == "1409.4842"


def test_a_preprint_is_not_the_record_of_its_published_doi(fresh: LocalIndex) -> None:
    preprint = Record(title="A paper", arxiv_id="2101.00001", doi="10.1234/journal.5678")
    fresh.add_records([preprint], kind="arxiv")
    assert fresh.lookup_doi("10.1234/journal.5678") is None
    assert fresh.related_by_doi("10.1234/JOURNAL.5678") == [preprint]
    assert fresh.lookup_doi("10.48550/arXiv.2101.00001") == preprint  # arXiv's own DOI is the preprint's


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Goign deeper with convolutons", "Going deeper with convolutions"),
        (
            "Efficient and robust approximate nearest neighbor search",
            "Efficient and robust approximate nearest "
            "neighbor search using Hierarchical Navigable Small World graphs",
        ),
        ("mistral 7b", "Mistral 7B"),
        (
            "Link and code: fast indexing with graph",
            "Link and code: Fast indexing with graphs and compact regression codes",
        ),
    ],
)
def test_search_by_misspelt_or_partial_title_finds_it_first(
    index: LocalIndex, title: str, expected: str
) -> None:
    assert index.search(Query(title=title), 3)[0].title == expected


@pytest.mark.parametrize(
    ("start", "arxiv_id"),
    [
        ("We introduce Voxtral TTS", "2603.25551"),
        ("We introduce Mixtral 8x7B", "2401.04088"),
    ],
)
def test_search_by_a_scraped_abstract_finds_the_paper_first(
    index: LocalIndex, start: str, arxiv_id: str
) -> None:
    assert index.search(Query(abstract=_seed_abstract(start)), 3)[0].arxiv_id == arxiv_id


def test_every_listing_is_found_first_by_its_own_abstract(index: LocalIndex) -> None:
    for record in index.all_records("arxiv"):
        if record.abstract:
            assert index.search(Query(abstract=record.abstract), 1)[0].arxiv_id == record.arxiv_id


def test_year_breaks_ties_but_never_excludes(fresh: LocalIndex) -> None:
    twins = [
        Record(title="Sparse codes for fast search", doi=f"10.1/x{year}", issued=Date((year,)))
        for year in (2015, 2021)
    ]
    fresh.add_records(twins)
    for year in (2015, 2021):
        assert fresh.search(Query(title="Sparse codes for fast search", year=year), 2)[0].year == year
    assert len(fresh.search(Query(title="Sparse codes for fast search", year=1950), 5)) == 2


def test_a_search_asked_again_sees_what_was_added_since(fresh: LocalIndex) -> None:
    """Searches are remembered within a connection, and forgotten when the index changes."""
    query = Query(title="Sparse codes for fast search", authors=("Okafor",))
    paper = Record(title="Sparse codes for fast search", author=[Name("Okafor")], doi="10.1/first")
    fresh.add_records([paper])
    assert (
        [r.doi for r in fresh.search(query, 5)] == [r.doi for r in fresh.search(query, 5)] == ["10.1/first"]
    )
    fresh.add_records([dataclasses.replace(paper, doi="10.1/second")])
    assert sorted(r.doi for r in fresh.search(query, 5)) == ["10.1/first", "10.1/second"]


def test_changed_records_are_updated_in_place(fresh: LocalIndex, tmp_path: Path) -> None:
    works = [json.loads(line) for line in _lines("crossref.jsonl")]
    fresh.add_file(_write(tmp_path / "a.jsonl", works))
    old_title = works[0]["title"][0]
    works[0]["title"] = ["Quasiperiodic zebra lattices"]
    result = fresh.add_file(_write(tmp_path / "b.jsonl", works))
    assert (result.added, result.updated, result.unchanged) == (0, 1, len(works) - 1)
    assert fresh.lookup_doi(works[0]["DOI"]).title == "Quasiperiodic zebra lattices"
    assert fresh.search(Query(title="zebra lattice quasiperiodic"), 1)[0].doi == works[0]["DOI"]
    # The old words left the full-text index with the old row.
    assert all(r.doi != works[0]["DOI"] for r in fresh.search(Query(title=old_title), 5))


def test_batches_and_duplicates_within_a_file(
    fresh: LocalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BATCH_SIZE", 7)
    lines = _lines("arxiv.jsonl")
    path = tmp_path / "dup.jsonl"
    path.write_text("\n".join(lines + lines[:3] + lines[50:52]) + "\n", encoding="utf-8")
    result = fresh.add_file(path)
    assert (result.added, result.unchanged, result.skipped) == (len(lines), 5, 0)
    assert fresh.info().records == {"arxiv": len(lines)}


@pytest.mark.parametrize(
    "wrap",
    [
        lambda items: {"items": items},
        lambda items: {
            "status": "ok",
            "message-type": "work-list",
            "message": {"total-results": len(items), "items": items},
        },
    ],
)
def test_gzipped_crossref_documents_stream(
    fresh: LocalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrap
) -> None:
    monkeypatch.setattr(bulk, "_CHUNK", 97)  # items straddle many reads
    works = [json.loads(line) for line in _lines("crossref.jsonl")]
    path = tmp_path / "0.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(wrap(works), handle, indent=1, ensure_ascii=False)
    result = fresh.add_file(path)
    assert (result.added, result.skipped, result.diagnostics) == (len(works), 0, [])
    assert fresh.lookup_doi("10.1109/TPAMI.2018.2889473").volume == "42"


def test_a_truncated_crossref_document_keeps_the_items_before_the_break(
    fresh: LocalIndex, tmp_path: Path
) -> None:
    works = [json.loads(line) for line in _lines("crossref.jsonl")]
    text = json.dumps({"items": works}, indent=1)
    cut = text.index(works[5]["DOI"])
    path = tmp_path / "cut.json"
    path.write_text(text[:cut], encoding="utf-8")
    result = fresh.add_file(path)
    assert result.added == 5
    [problem] = result.diagnostics
    assert (problem.code, problem.file, problem.index) == ("index.bad-json", "cut.json", 6)
    assert problem.line == text[: text.rindex("{", 0, cut)].count("\n") + 1  # where the broken item starts


def test_a_broken_json_line_is_reported_and_the_rest_kept(fresh: LocalIndex, tmp_path: Path) -> None:
    lines = _lines("arxiv.jsonl")
    lines[2] = lines[2][:40]
    lines.insert(5, '{"what": "neither arXiv nor Crossref"}')
    path = _write_lines(tmp_path / "broken.jsonl", lines)
    result = fresh.add_file(path)
    assert (result.added, result.skipped) == (len(lines) - 2, 2)
    assert [(d.code, d.file, d.line, d.level) for d in result.diagnostics] == [
        ("index.bad-json", "broken.jsonl", 3, "error"),
        ("index.unknown-record", "broken.jsonl", 6, "error"),
    ]
    assert result.diagnostics[0].raw == lines[2]


def test_a_record_that_cannot_be_converted_is_reported(fresh: LocalIndex, tmp_path: Path) -> None:
    path = _write_lines(tmp_path / "odd.jsonl", ['{"id": "2101.00001", "versions": 7, "title": "T"}'])
    result = fresh.add_file(path)
    assert result.skipped == 1 and result.diagnostics[0].code == "index.bad-record"


def test_scraped_text_is_not_taken_as_reference_data(fresh: LocalIndex) -> None:
    result = fresh.add_file(next(SEEDS.glob("000_*.txt")))
    assert [d.code for d in result.diagnostics] == ["index.not-reference-data"]
    assert fresh.info().total == 0


def test_a_record_with_nothing_to_find_it_by_is_skipped(fresh: LocalIndex) -> None:
    result = fresh.add_records([Record(note="just a note")])
    assert (result.added, result.skipped) == (0, 1)
    assert result.diagnostics[0].code == "index.no-identity"


def test_text_utf8_cannot_encode_is_stored_losslessly(fresh: LocalIndex) -> None:
    odd = [Record(title="\ud800 lone surrogate"), Record(title="y", doi="10.1234/x\udc00", abstract="\udfff")]
    assert fresh.add_records(odd).added == 2
    assert list(fresh.all_records()) == odd
    assert fresh.lookup_doi("10.1234/X\udc00") == odd[1]
    assert fresh.search(Query(title="lone surrogate"), 1) == odd[:1]


def test_default_path_is_in_the_user_cache() -> None:
    assert default_index_path() == Path(platformdirs.user_cache_dir("citekit")) / "index.sqlite"


def test_a_foreign_file_or_schema_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(SourceError):
        LocalIndex(junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(SourceError, match="schema 99"):
        LocalIndex(other)


def test_an_index_from_before_the_title_column_is_searched_and_grown(tmp_path: Path) -> None:
    """An SQLite index made before records had a title column of their own: its rows are found by
    the title in their JSON, the column is added, and new rows fill it."""
    path = tmp_path / "older.sqlite"
    old = Record(title='Sparse codes for <span class="nocase">ANN</span> search', doi="10.1/old")
    with LocalIndex(path) as index:
        index.add_records([old])
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE records DROP COLUMN title")
    with LocalIndex(path) as index:
        assert [r.doi for r in index.search(Query(title="Sparse codes for ANN search"), 5)] == ["10.1/old"]
        index.add_records([dataclasses.replace(old, title="Sparse codes for ANN retrieval", doi="10.1/new")])
        found = index.search(Query(title="Sparse codes for ANN retrieval"), 5)
        assert [r.doi for r in found] == ["10.1/new", "10.1/old"]
        hits = index._store.search('"sparse"', 5, ranked=False)
        assert sorted(title for _, title, _, _ in hits) == [old.title, "Sparse codes for ANN retrieval"]
    with sqlite3.connect(path) as db:
        titles = dict(db.execute("SELECT json_extract(data, '$.doi'), title FROM records"))
    assert titles == {"10.1/old": None, "10.1/new": "Sparse codes for ANN retrieval"}


def test_common_words_are_estimated_from_a_sample() -> None:
    sample = [Record(title=f"Model number {i}", abstract="rare" if i == 0 else "") for i in range(10)]
    common = common_words(sample, total=COMMON_DOCS * 5)
    assert set(common) == {"model", "number"} and common["model"] == COMMON_DOCS * 5


def test_blocking_pairs_the_rarest_selective_words_and_ranks_them() -> None:
    counts = {"zebra": 3, "finchh": 0, "song": 5, "deep": SELECTIVE_DOCS, "learning": 50_000}
    assert search_plan(counts, total=100_000) == [
        Search('("zebra" AND "song") OR ("zebra" AND "deep") OR ("song" AND "deep")', ranked=True)
    ]


def test_one_selective_word_is_paired_with_common_ones_unranked_then_narrowed() -> None:
    counts = {"zebra": 3, "deep": 40_000, "learning": 50_000, "model": 90_000}
    assert search_plan(counts, total=100_000) == [
        Search('("zebra" AND "deep") OR ("zebra" AND "learning")', ranked=False),
        Search('"zebra" AND "deep" AND "learning"', ranked=False, narrows=True),
    ]
    assert search_plan({"zebra": 3, "deep": 40_000}, total=100_000) == [
        Search('("zebra" AND "deep")', ranked=False)
    ]


def test_a_generic_query_blocks_on_all_its_rarest_words_then_its_cheapest_pair() -> None:
    generic = {"deep": 40_000, "learning": 50_000, "model": 90_000, "data": 95_000}
    assert search_plan(generic, total=100_000) == [
        Search('"deep" AND "learning" AND "model"', ranked=False),
        Search('("deep" AND "learning")', ranked=False),
    ]
    assert search_plan({"the": 99_000, "model": 98_000}, total=100_000) == []


def test_a_query_with_one_known_word_searches_for_it_unless_it_is_everywhere() -> None:
    assert search_plan({"voxtral": 2, "ttss": 0}, total=100_000) == [Search('"voxtral"', ranked=True)]
    assert search_plan({"model": MATCHES_BUDGET + 1}, total=100_000) == []


def _filler(count: int) -> list[Record]:
    """Records that share the common words of the tests below, so that those words are common."""
    return [
        Record(
            title=f"Deep learning of model {i} for data",
            author=[Name(family=f"Filler{i}")],
            doi=f"10.1/filler.{i}",
        )
        for i in range(count)
    ]


def test_blocking_tolerates_misspelt_words_and_refuses_a_single_shared_word(fresh: LocalIndex) -> None:
    paper = Record(
        title="Zebra finch song learning with recurrent spiking circuits",
        doi="10.1/zebra",
        author=[Name(family="Okafor"), Name(family="Lindqvist")],
    )
    other = Record(
        title="Zebra stripes and thermoregulation", doi="10.1/stripes", author=[Name(family="Moreau")]
    )
    fresh.add_records([paper, other, *_filler(COMMON_DOCS * 2)])
    fresh.optimize()
    typos = Query(title="Zebra fnch song lerning with recurent spiking circuits", authors=("Okafor",))
    assert fresh.search(typos, 1) == [paper]
    # each word is in one of them, no record has two: neither is this paper
    assert fresh.search(Query(title="Thermoregulation of spiking neurons"), 5) == []


def test_a_query_of_common_words_finds_its_record_by_its_rarest_pair(fresh: LocalIndex) -> None:
    fresh.add_records(_filler(COMMON_DOCS * 2))
    fresh.optimize()
    found = fresh.search(Query(title="Deep learning of model 7 for data"), 3)
    assert found and found[0].doi == "10.1/filler.7"


# --- Properties ------------------------------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=()), max_size=30)  # surrogates included
_NAMES = st.lists(st.builds(Name, **{f.name: _TEXT for f in dataclasses.fields(Name)}), max_size=3)
_RECORDS = st.builds(
    Record,
    **dict.fromkeys(TEXT_FIELDS, _TEXT),
    author=_NAMES,
    editor=_NAMES,
    authors_truncated=st.booleans(),
    issued=st.none() | st.builds(Date, st.lists(st.integers(0, 3000), max_size=3).map(tuple), _TEXT),
    arxiv_version=st.none() | st.integers(1, 99),
    custom=st.dictionaries(_TEXT, _TEXT, max_size=3),
    provenance=st.dictionaries(_TEXT, _TEXT, max_size=2),
)


@settings(max_examples=150)
@given(_RECORDS)
def test_record_json_round_trip_is_lossless(record: Record) -> None:
    assert record_from_json(record_to_json(record)) == record


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_RECORDS, max_size=4))
def test_any_record_stores_and_reads_back(fresh: LocalIndex, records: list[Record]) -> None:
    result = fresh.add_records(records)
    assert result.added + result.updated + result.unchanged + result.skipped == len(records)
    if records and (records[-1].doi or records[-1].arxiv_id or records[-1].title):
        assert records[-1] in list(fresh.all_records())  # the last of records with one identity wins


@settings(max_examples=150, deadline=None)
@given(
    st.builds(
        Query,
        title=_TEXT,
        authors=st.lists(_TEXT, max_size=3).map(tuple),
        venue=_TEXT,
        abstract=st.text(max_size=300),
        year=st.none() | st.integers(-(10**6), 10**6),
    )
)
def test_search_never_raises(index: LocalIndex, query: Query) -> None:
    results = index.search(query, 3)
    assert len(results) <= 3


def _write(path: Path, values: list[dict]) -> Path:
    return _write_lines(path, [json.dumps(v, ensure_ascii=False) for v in values])


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
