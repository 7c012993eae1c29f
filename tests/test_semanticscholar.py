"""The Semantic Scholar Graph API client, against the emulated service on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from emulators import ArxivEmulator, SemanticScholarEmulator

from citekit.cli import main
from citekit.sources.base import Query, SourceError
from citekit.sources.http import RetryPolicy
from citekit.sources.semanticscholar import FIELDS, SemanticScholarSource, paper_to_record


@pytest.fixture
def s2_server() -> Iterator[SemanticScholarEmulator]:
    with SemanticScholarEmulator() as server:
        yield server


def source(server: SemanticScholarEmulator, **options) -> SemanticScholarSource:
    options.setdefault("min_interval", 0.0)
    return SemanticScholarSource(server.url, **options)


def test_a_batch_answers_published_versions_by_arxiv_id(s2_server):
    s2 = source(s2_server)
    found = s2.lookup_arxiv(["1908.11229", "2310.06825", "9999.99999"])
    assert list(found) == ["1908.11229"]  # Mistral 7B names only arXiv; the last id is unknown
    record = found["1908.11229"]
    assert (record.type, record.container_title, record.volume, record.page, record.doi, record.arxiv_id) == (
        "paper-conference",
        "Proceedings of the 36th International Conference on Machine Learning",
        "97",
        "5558-5567",
        "",
        "1908.11229",
    )
    request = s2_server.log[0]
    assert (request.method, request.path, request.param("fields")) == (
        "POST",
        "/graph/v1/paper/batch",
        FIELDS,
    )
    assert json.loads(request.body) == {"ids": ["ARXIV:1908.11229", "ARXIV:2310.06825", "ARXIV:9999.99999"]}


def test_arxiv_is_never_a_venue():
    preprint = {
        "title": "Mistral 7B",
        "venue": "arXiv.org",
        "journal": {"name": "ArXiv", "volume": "abs/2310.06825"},
        "publicationVenue": {"name": "arXiv.org"},
        "externalIds": {"ArXiv": "2310.06825"},
    }
    assert paper_to_record(preprint) is None


def test_a_doi_lookup_reads_the_journal(s2_server):
    record = source(s2_server).lookup_doi("10.1109/TPAMI.2018.2889473")
    assert record is not None
    assert (record.type, record.container_title, record.volume, record.page, record.doi) == (
        "article-journal",
        "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        "42",
        "824-836",
        "10.1109/TPAMI.2018.2889473",
    )
    assert json.loads(s2_server.log[0].body) == {"ids": ["DOI:10.1109/TPAMI.2018.2889473"]}


def test_prefetch_asks_500_ids_a_request_sorted_and_lookups_ask_nothing_more(s2_server):
    s2 = source(s2_server)
    ids = [f"2401.{n:05d}" for n in range(600)] + ["1908.11229", "1806.03198"]
    s2.prefetch(reversed(ids))
    assert [len(json.loads(r.body)["ids"]) for r in s2_server.log] == [500, 102]
    asked = [i for r in s2_server.log for i in json.loads(r.body)["ids"]]
    assert asked == sorted(asked)
    assert set(s2.lookup_arxiv(["1806.03198", "1908.11229", "2401.00007"])) == {"1806.03198", "1908.11229"}
    assert len(s2_server.log) == 2


def test_a_failed_batch_fails_its_lookups_without_asking_again(s2_server):
    s2 = source(s2_server, retry=RetryPolicy(retries=1, backoff=0.01))
    s2_server.fail("500", 2)
    with pytest.raises(SourceError):
        s2.prefetch(["1908.11229", "1806.03198"])
    with pytest.raises(SourceError):
        s2.lookup_arxiv(["1806.03198"])
    assert len(s2_server.log) == 2


def test_without_a_key_429s_are_waited_out_with_retry_after(s2_server):
    s2_server.keyless_429_every = 2
    s2 = source(s2_server)
    for arxiv_id in ("1908.11229", "1806.03198", "2002.00937"):
        assert arxiv_id in s2.lookup_arxiv([arxiv_id])
    assert s2.stats.failures == [] and s2.stats.retries == len(s2_server.violations) >= 1
    assert all(r.status == 429 and "x-api-key" not in r.headers for r in s2_server.violations)


def test_a_key_goes_in_the_x_api_key_header(s2_server):
    s2_server.keyless_429_every = 1
    s2 = source(s2_server, api_key="s2-secret")
    assert "1908.11229" in s2.lookup_arxiv(["1908.11229"])
    assert s2_server.log[0].headers["x-api-key"] == "s2-secret" and s2_server.violations == []


def test_a_title_search_keeps_papers_with_a_venue(s2_server):
    found = source(s2_server).search(Query(title="Spreading vectors for similarity search", year=2018))
    assert [r.container_title for r in found] == [
        "7th International Conference on Learning Representations (ICLR 2019)"
    ]
    request = s2_server.log[0]
    assert (request.path, request.param("year"), request.param("query")) == (
        "/graph/v1/paper/search",
        "2017-2019",
        "Spreading vectors for similarity search",
    )
    assert source(s2_server).search(Query(title="Mistral 7B")) == []


def test_batches_are_cached_and_served_offline(s2_server, tmp_path):
    source(s2_server, cache=tmp_path / "cache.sqlite").prefetch(["1908.11229", "2002.00937"])
    offline = source(s2_server, cache=tmp_path / "cache.sqlite", offline=True)
    offline.prefetch(["2002.00937", "1908.11229"])
    assert set(offline.lookup_arxiv(["1908.11229", "2002.00937"])) == {"1908.11229", "2002.00937"}
    assert len(s2_server.log) == 1 and offline.stats.cached == 1


def test_through_the_cli_a_429_without_a_key_never_fails_the_run(s2_server, tmp_path):
    """Every keyless request is turned away: the run still ends (exit 0), with its records matched."""
    s2_server.keyless_429_every = 1
    ids = tmp_path / "ids.txt"
    ids.write_text("arXiv:1908.11229\narXiv:1806.03198\n")
    with ArxivEmulator() as arxiv_server:
        env = {
            "CITEKIT_ARXIV_URL": arxiv_server.url + "/api/query",
            "CITEKIT_ARXIV_INTERVAL": "0",
            "CITEKIT_S2_URL": s2_server.url,
            "CITEKIT_S2_INTERVAL": "0",
            "CITEKIT_S2_KEY": None,
        }
        result = CliRunner().invoke(
            main,
            [
                "export",
                str(ids),
                "-d",
                str(tmp_path / "out"),
                "--sources",
                "local,arxiv,semanticscholar",
                "--retries",
                "1",
                "--index",
                str(tmp_path / "index.sqlite"),
                "--cache",
                str(tmp_path / "cache.sqlite"),
            ],
            env=env,
        )
    assert result.exit_code == 0, result.output
    assert "semanticscholar" in result.output and "HTTP 429" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [r["status"] for r in report["records"]] == ["matched"] * 2
