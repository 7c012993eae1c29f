"""dblp's search API client, against the emulated dblp on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from emulators import ArxivEmulator, DblpEmulator, snapshot_papers

from citekit.cli import main
from citekit.sources.base import Query, SourceError
from citekit.sources.dblp import BROWSER_CHECK, DblpSource, hit_to_record, search_terms
from citekit.sources.http import RetryPolicy

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def dblp_server() -> Iterator[DblpEmulator]:
    with DblpEmulator() as server:
        yield server


def source(server: DblpEmulator, **options) -> DblpSource:
    options.setdefault("min_interval", 0.0)
    options.setdefault("retry", RetryPolicy(retries=2, backoff=0.01))
    return DblpSource(server.url, **options)


def paper(arxiv_id: str):
    return next(p for p in snapshot_papers() if p.arxiv_id == arxiv_id)


def test_a_conference_hit_reads_as_its_venue_without_dblp_decorations():
    info = {
        "authors": {"author": [{"@pid": "1", "text": "Wei Li 0001"}, {"@pid": "2", "text": "Hervé Jégou"}]},
        "title": "A Paper About Things.",
        "venue": "ICML",
        "pages": "5558-5567",
        "year": "2019",
        "type": "Conference and Workshop Papers",
        "key": "conf/icml/LiJ19",
        "ee": ["https://proceedings.mlr.press/v97/li19a.html"],
        "url": "https://dblp.org/rec/conf/icml/LiJ19",
    }
    record = hit_to_record(info)
    assert record is not None
    assert (record.type, record.title, record.container_title, record.page) == (
        "paper-conference",
        "A Paper About Things",
        "International Conference on Machine Learning",
        "5558-5567",
    )
    assert [(n.given, n.family) for n in record.author] == [("Wei", "Li"), ("Hervé", "Jégou")]
    assert (record.doi, record.url, record.year) == ("", "https://proceedings.mlr.press/v97/li19a.html", 2019)


def test_a_journal_hit_takes_its_doi_from_ee_and_keeps_a_question_mark():
    info = {
        "authors": {"author": {"@pid": "1", "text": "Ann Author"}},
        "title": "Does it work?",
        "venue": "J. Mach. Learn. Res.",
        "volume": "24",
        "number": "3",
        "pages": "1-77",
        "year": "2023",
        "type": "Journal Articles",
        "ee": "https://doi.org/10.5555/XYZ.1",
    }
    record = hit_to_record(info)
    assert record is not None
    assert (record.title, record.doi, record.volume, record.issue, record.type) == (
        "Does it work?",
        "10.5555/XYZ.1",
        "24",
        "3",
        "article-journal",
    )
    assert [n.family for n in record.author] == ["Author"]  # one author: an object, not a list


def test_a_corr_entry_is_the_arxiv_version_never_a_venue():
    info = {
        "authors": {"author": [{"text": "Albert Q. Jiang"}]},
        "title": "Mistral 7B.",
        "venue": "CoRR",
        "volume": "abs/2310.06825",
        "year": "2023",
        "type": "Informal and Other Publications",
        "ee": "https://doi.org/10.48550/arXiv.2310.06825",
    }
    record = hit_to_record(info)
    assert record is not None and record.is_preprint
    assert (record.arxiv_id, record.container_title, record.volume, record.doi) == ("2310.06825", "", "", "")


def test_a_venue_the_venue_names_do_not_know_is_kept_as_dblp_writes_it():
    info = {
        "title": "x.",
        "venue": "ACL (Findings)",
        "type": "Conference and Workshop Papers",
        "year": "2024",
    }
    record = hit_to_record(info)
    assert record is not None and record.container_title == "ACL (Findings)"


def test_other_informal_publications_and_editorships_are_not_candidates():
    assert (
        hit_to_record({"title": "x.", "venue": "Dagstuhl Reports", "type": "Informal and Other Publications"})
        is None
    )
    assert hit_to_record({"title": "x.", "venue": "ICML", "type": "Editorship"}) is None


def test_search_terms_are_title_words_and_the_first_surname():
    assert (
        search_terms(Query(title="Spreading vectors: for $k$-NN", authors=("Sablayrolles", "Douze")))
        == "Spreading vectors for k NN Sablayrolles"
    )


def test_a_search_finds_the_published_version_and_the_corr_one(dblp_server):
    dblp = source(dblp_server)
    spreading = paper("1806.03198")
    found = dblp.search(Query(title=spreading.title, authors=("Sablayrolles",)))
    assert {(r.container_title, r.arxiv_id) for r in found} == {
        ("International Conference on Learning Representations", ""),
        ("", "1806.03198"),
    }
    published = next(r for r in found if r.container_title)
    assert published.title == "Spreading vectors for similarity search"
    assert not any(name.display()[-1].isdigit() for r in found for name in r.author)
    request = dblp_server.log[0]
    assert (
        request.path == "/search/publ/api"
        and request.param("format") == "json"
        and request.param("h") == "10"
    )


def test_a_doi_in_ee_and_a_landing_page_are_told_apart(dblp_server):
    tpami = paper("1603.09320")
    found = source(dblp_server).search(Query(title=tpami.title))
    published = next(r for r in found if r.container_title)
    assert (published.container_title, published.doi, published.volume, published.issue, published.page) == (
        "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        "10.1109/TPAMI.2018.2889473",
        "42",
        "4",
        "824-836",
    )


def test_requests_are_paced_one_at_a_time(dblp_server):
    """Four threads search at once: dblp sees one request at a time, and the four starts span at
    least three intervals (measured by the caller, so a busy machine can only make it longer)."""
    dblp = source(dblp_server, min_interval=0.15)
    titles = [p.title for p in snapshot_papers()[:4]]
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda title: dblp.search(Query(title=title)), titles))
    assert time.monotonic() - started >= 3 * 0.15
    assert all(answers) and len(dblp_server.log) == 4 and dblp_server.max_concurrency == 1
    assert sorted(r.param("q") for r in dblp_server.log) == sorted(
        search_terms(Query(title=t)) for t in titles
    )


def test_the_default_pace_is_one_request_every_two_seconds(dblp_server):
    assert DblpSource(dblp_server.url).session.spacing("search") >= 2.0


def test_a_429_waits_as_long_as_retry_after_says(dblp_server):
    dblp_server.fail("429", retry_after="1")
    dblp = source(dblp_server)
    started = time.monotonic()
    found = dblp.search(Query(title=paper("1806.03198").title))
    assert time.monotonic() - started >= 1
    assert found and [r.status for r in dblp_server.log] == [429, 200] and dblp.stats.retries == 1


def test_a_browser_check_is_named_once_and_the_source_stops_asking(dblp_server):
    dblp_server.browser_check = True
    dblp = source(dblp_server)
    with pytest.raises(SourceError) as raised:
        dblp.search(Query(title="Spreading vectors for similarity search"))
    assert raised.value.message == BROWSER_CHECK
    assert dblp.search(Query(title="Link and code")) == []
    assert len(dblp_server.log) == 1 and dblp.stats.failures == [BROWSER_CHECK]


def test_answers_are_cached_and_served_offline(dblp_server, tmp_path):
    query = Query(title=paper("1806.03198").title)
    first = source(dblp_server, cache=tmp_path / "cache.sqlite").search(query)
    again = source(dblp_server, cache=tmp_path / "cache.sqlite", offline=True)
    assert again.search(query) == first and len(dblp_server.log) == 1 and again.stats.cached == 1
    assert again.search(Query(title="Another title")) == [] and again.offline_misses == 1


def test_through_the_cli_a_browser_check_is_said_once_and_the_run_goes_on(dblp_server, tmp_path):
    dblp_server.browser_check = True
    ids = tmp_path / "ids.txt"
    ids.write_text("arXiv:1806.03198\narXiv:1907.05242\narXiv:2002.00937\n")
    with ArxivEmulator() as arxiv_server:
        env = {
            "CITEKIT_ARXIV_URL": arxiv_server.url + "/api/query",
            "CITEKIT_ARXIV_INTERVAL": "0",
            "CITEKIT_DBLP_URL": dblp_server.url,
            "CITEKIT_DBLP_INTERVAL": "0",
        }
        result = CliRunner().invoke(
            main,
            [
                "export",
                str(ids),
                "-d",
                str(tmp_path / "out"),
                "--sources",
                "local,arxiv,dblp",
                "--index",
                str(tmp_path / "index.sqlite"),
                "--cache",
                str(tmp_path / "cache.sqlite"),
            ],
            env=env,
        )
    assert result.exit_code == 0, result.output
    assert result.output.count(BROWSER_CHECK) == 1 and len(dblp_server.log) == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    failed = [d for d in report["diagnostics"] if d["code"] == "source.failed"]
    assert len(failed) == 1 and BROWSER_CHECK in failed[0]["message"]
    assert [r["status"] for r in report["records"]] == ["matched"] * 3
