"""The OpenAlex client, against the emulated OpenAlex on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from emulators import ArxivEmulator, OpenAlexEmulator

from citekit.cli import main
from citekit.sources import OPENALEX_SKIPPED
from citekit.sources.base import Query, SourceError
from citekit.sources.http import RetryPolicy
from citekit.sources.openalex import OpenAlexSource, work_to_record

KEY = "test-key"


@pytest.fixture
def openalex_server() -> Iterator[OpenAlexEmulator]:
    with OpenAlexEmulator(api_key=KEY) as server:
        yield server


def source(server: OpenAlexEmulator, key: str = KEY, **options) -> OpenAlexSource:
    options.setdefault("retry", RetryPolicy(retries=2, backoff=0.01))
    return OpenAlexSource(server.url, api_key=key, rate=1000, **options)


def test_an_arxiv_doi_finds_the_published_version_among_the_locations(openalex_server):
    found = source(openalex_server).lookup_arxiv(["1908.11229v2"])
    record = found["1908.11229"]
    assert (record.type, record.container_title, record.volume, record.page, record.publisher) == (
        "paper-conference",
        "Proceedings of the 36th International Conference on Machine Learning",
        "97",
        "5558-5567",
        "PMLR",
    )
    assert record.doi == "" and record.arxiv_id == "1908.11229"  # no DOI: not the arXiv one either
    assert record.url == "https://proceedings.mlr.press/v97/sablayrolles19a.html"
    request = openalex_server.log[0]
    assert request.path == "/works/doi:10.48550/arxiv.1908.11229" and request.param("api_key") == KEY


def test_a_doi_lookup_reads_the_journal_and_its_biblio(openalex_server):
    record = source(openalex_server).lookup_doi("https://doi.org/10.1109/TPAMI.2018.2889473")
    assert record is not None
    assert (record.type, record.container_title, record.volume, record.issue, record.page, record.doi) == (
        "article-journal",
        "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        "42",
        "4",
        "824-836",
        "10.1109/tpami.2018.2889473",
    )  # OpenAlex writes DOIs in lower case (they are case-insensitive)
    assert record.year == 2020 and [n.family for n in record.author] == ["Malkov", "Yashunin"]


def test_a_work_with_only_its_arxiv_copy_is_no_published_version(openalex_server):
    assert source(openalex_server).lookup_arxiv(["2310.06825"]) == {}
    assert (
        work_to_record(
            {
                "title": "x",
                "primary_location": {
                    "source": {"display_name": "arXiv (Cornell University)", "type": "repository"}
                },
            }
        )
        is None
    )


def test_an_unknown_doi_is_none(openalex_server):
    assert source(openalex_server).lookup_doi("10.9999/nothing") is None
    assert openalex_server.log[0].status == 404


def test_a_search_filters_by_title_and_years(openalex_server):
    found = source(openalex_server).search(Query(title="Spreading vectors for similarity search", year=2018))
    assert [r.container_title for r in found] == [
        "7th International Conference on Learning Representations (ICLR 2019)"
    ]
    assert (
        openalex_server.log[0].param("filter")
        == "title.search:Spreading vectors for similarity search,publication_year:2017-2019"
    )


def test_the_key_is_never_part_of_the_cache_key_nor_of_a_message(openalex_server, tmp_path):
    source(openalex_server, cache=tmp_path / "cache.sqlite").lookup_arxiv(["1908.11229"])
    other_key = source(openalex_server, key="another-key", cache=tmp_path / "cache.sqlite", offline=True)
    assert "1908.11229" in other_key.lookup_arxiv(["1908.11229"]) and len(openalex_server.log) == 1
    openalex_server.fail("500", 3)
    with pytest.raises(SourceError) as raised:
        source(openalex_server, key="secret-key-123").lookup_arxiv(["1806.03198"])
    assert "secret-key-123" not in str(raised.value) and "secret-key-123" not in " ".join(raised.value.args)


def test_a_rejected_key_is_named_once_and_the_source_stops_asking(openalex_server):
    openalex = source(openalex_server, key="wrong-key")
    with pytest.raises(SourceError) as raised:
        openalex.lookup_arxiv(["1908.11229"])
    assert "rejected the API key (HTTP 403" in raised.value.message
    assert openalex.lookup_arxiv(["1806.03198"]) == {} and openalex.search(Query(title="Link and code")) == []
    assert len(openalex_server.log) == 1 and len(openalex.stats.failures) == 1


def test_a_spent_daily_quota_is_named_once_not_retried(openalex_server):
    openalex_server.daily_budget = 1
    openalex = source(openalex_server)
    assert openalex.search(Query(title="Spreading vectors for similarity search"))
    with pytest.raises(SourceError) as raised:
        openalex.search(Query(title="Link and code"))
    assert "daily quota" in raised.value.message and "daily limit" in raised.value.message
    assert openalex.lookup_arxiv(["1806.03198"]) == {}
    assert [r.status for r in openalex_server.log] == [200, 429]


def test_a_merged_work_is_a_candidate_that_validation_turns_down(openalex_server, tmp_path):
    """OpenAlex merged "Scaling Laws for Neural Language Models" into another paper's work: its
    arXiv DOI leads to "Unified Scaling Laws for Routed Language Models" at ICML. The title and
    authors contradict the preprint, so no venue is taken from it."""
    openalex_server.merged["2001.08361"] = "2202.01169"
    result, out = _export(
        tmp_path, openalex_server, "arXiv:2001.08361\narXiv:2202.01169\n", "--openalex-key", KEY
    )
    assert result.exit_code == 0, result.output
    items = {i["custom"]["arxiv_id"]: i for i in json.loads((out / "library.json").read_text())}
    assert "container-title" not in items["2001.08361"] and items["2001.08361"]["type"] == "article"
    assert (
        items["2202.01169"]["container-title"]
        == "Proceedings of the 39th International Conference on Machine Learning"
    )
    assert any(r.path == "/works/doi:10.48550/arxiv.2001.08361" for r in openalex_server.log)


def test_without_a_key_openalex_is_skipped_with_one_line(openalex_server, tmp_path):
    result, _ = _export(tmp_path, openalex_server, "arXiv:1908.11229\narXiv:1806.03198\n")
    assert result.exit_code == 0, result.output
    assert result.output.count(OPENALEX_SKIPPED) == 1 and openalex_server.log == []


def test_through_the_cli_a_rejected_key_is_said_once_and_the_run_goes_on(openalex_server, tmp_path):
    result, out = _export(
        tmp_path,
        openalex_server,
        "arXiv:1908.11229\narXiv:1806.03198\narXiv:2002.00937\n",
        "--openalex-key",
        "wrong-key",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("rejected the API key") == 1 and len(openalex_server.log) == 1
    report = json.loads((out / "report.json").read_text())
    assert [d["code"] for d in report["diagnostics"]].count("source.failed") == 1
    assert [r["status"] for r in report["records"]] == ["matched"] * 3


def _export(tmp_path: Path, openalex_server: OpenAlexEmulator, ids: str, *options: str):
    path = tmp_path / "ids.txt"
    path.write_text(ids)
    out = tmp_path / "out"
    with ArxivEmulator() as arxiv_server:
        env = {
            "CITEKIT_ARXIV_URL": arxiv_server.url + "/api/query",
            "CITEKIT_ARXIV_INTERVAL": "0",
            "CITEKIT_OPENALEX_URL": openalex_server.url,
            "CITEKIT_OPENALEX_KEY": None,
        }
        result = CliRunner().invoke(
            main,
            [
                "export",
                str(path),
                "-d",
                str(out),
                "--sources",
                "local,arxiv,openalex",
                "--index",
                str(tmp_path / "index.sqlite"),
                "--cache",
                str(tmp_path / "cache.sqlite"),
                *options,
            ],
            env=env,
        )
    return result, out
