"""ArxivSource: Atom feeds from the emulated arXiv API over real sockets, parsed with feedparser."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import threading
from itertools import pairwise

import httpx2
import pytest
from clocks import VirtualClock
from emulators import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit import pipeline
from citekit.diagnostics import ReadResult
from citekit.enrich import Enricher
from citekit.model import Date, Origin, Record
from citekit.report import Report
from citekit.sources.arxiv import ArxivSource, distinctive_phrases, search_query
from citekit.sources.base import Query, SourceError
from citekit.sources.convert import arxiv_bulk_to_record
from citekit.sources.http import Pace, RetryPolicy, SourceUnreachable
from citekit.text import fold

ENTRIES = [json.loads(line) for line in (SEEDS / "arxiv.jsonl").read_text(encoding="utf-8").splitlines()]
BY_ID = {entry["id"]: entry for entry in ENTRIES}
FAST = RetryPolicy(retries=2, backoff=0.01)
TOLERANCE = 0.02
REVISED = {
    "id": "2101.00001",
    "title": "A Revised\n  Paper about $\\alpha$-Stable Things",
    "abstract": "  We study things.\n",
    "categories": "math.PR stat.TH",
    "authors_parsed": [["Gr{\\'e}goire", "Anne", ""], ["van der Berg", "Piet", ""]],
    "versions": [
        {"version": "v1", "created": "Fri, 01 Jan 2021 10:00:00 GMT"},
        {"version": "v2", "created": "Tue, 02 Mar 2021 10:00:00 GMT"},
    ],
    "doi": "10.1214/21-AOP0001",
    "journal-ref": "Ann. Probab. 50 (2022)  1-20",
    "comments": "20 pages,\n 3 figures",
}


def source(server_or_url, **options) -> ArxivSource:
    url = server_or_url if isinstance(server_or_url, str) else server_or_url.url
    return ArxivSource(
        base_url=url + "/api/query",
        min_interval=options.pop("min_interval", 0.0),
        timeout=2.0,
        connect_timeout=1.0,
        retry=options.pop("retry", FAST),
        **options,
    )


def comparable(record: Record) -> dict:
    """What the feed and the bulk form must agree on: everything, but names as displayed (the feed
    has display names only, so ``van der Berg, Piet`` comes back split as ``Piet van der | Berg``)."""
    values = {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name != "author"}
    return {**values, "author": [name.display() for name in record.author]}


def test_batch_lookup_agrees_with_the_bulk_records(arxiv_server):
    arxiv = source(arxiv_server, chunk_size=40)
    found = arxiv.lookup_arxiv([f"arXiv:{entry['id']}" for entry in ENTRIES])
    assert found.keys() == BY_ID.keys()
    for arxiv_id, record in found.items():
        assert comparable(record) == comparable(arxiv_bulk_to_record(BY_ID[arxiv_id]))
    assert [len(r.param("id_list").split(",")) for r in arxiv_server.log] == [40, 40, len(ENTRIES) - 80]
    assert arxiv.stats.requests == 3


def test_versions_journal_ref_comments_and_doi_are_mapped(arxiv_server):
    arxiv_server.add(REVISED)
    record = source(arxiv_server).lookup_arxiv(["2101.00001v1"])["2101.00001"]
    assert comparable(record) == comparable(arxiv_bulk_to_record(REVISED))
    # The first version's date; no version pinned: a citation names the paper, not a revision.
    assert record.arxiv_version is None and record.issued == Date((2021, 1, 1))
    assert record.title == "A Revised Paper about $\\alpha$-Stable Things"
    assert [a.display() for a in record.author] == ["Anne Grégoire", "Piet van der Berg"]
    assert record.arxiv_class == "math.PR" and record.keyword == "math.PR, stat.TH"
    assert record.doi == "10.1214/21-AOP0001"
    assert record.custom == {"journal-ref": "Ann. Probab. 50 (2022) 1-20", "comments": "20 pages, 3 figures"}


def test_unknown_duplicate_and_invalid_ids(arxiv_server):
    arxiv = source(arxiv_server)
    found = arxiv.lookup_arxiv(["2310.06825v1", "https://arxiv.org/abs/2310.06825", "9912.99999", "junk"])
    assert list(found) == ["2310.06825"]
    assert [r.param("id_list") for r in arxiv_server.log] == ["2310.06825,9912.99999"]
    assert arxiv.lookup_arxiv(["junk", ""]) == {} and len(arxiv_server.log) == 1


def test_doi_lookup_only_for_arxiv_dois(arxiv_server):
    arxiv = source(arxiv_server)
    record = arxiv.lookup_doi("https://doi.org/10.48550/arXiv.1409.4842")
    assert record.title == "Going deeper with convolutions"
    assert arxiv.lookup_doi("10.1109/CVPR.2015.7298594") is None
    assert len(arxiv_server.log) == 1


def test_search_by_title_phrase_and_author(arxiv_server):
    arxiv = source(arxiv_server)
    assert [
        r.arxiv_id for r in arxiv.search(Query(title="Mistral 7B", authors=("Jiang", "Sablayrolles")))
    ] == ["2310.06825"]
    sent = arxiv_server.log[-1]
    assert sent.param("search_query") == 'ti:"Mistral 7B" AND au:Jiang AND au:Sablayrolles'
    assert sent.param("max_results") == "5" and sent.param("sortBy") == "relevance"


def test_search_falls_back_to_title_words(arxiv_server):
    cited = "Training data efficient image transformers and distillation through attention"
    results = source(arxiv_server).search(Query(title=cited, authors=("Touvron",)))
    assert results[0].arxiv_id == "2012.12877"
    first, second = (r.param("search_query") for r in arxiv_server.log)
    assert first.startswith('ti:"Training data efficient') and "ti:distillation AND" in second


def test_search_by_abstract_phrases(arxiv_server):
    entry = BY_ID["2104.01136"]
    results = source(arxiv_server).search(Query(abstract=entry["abstract"]), limit=2)
    assert results[0].arxiv_id == "2104.01136"
    sent = arxiv_server.log[0].param("search_query")
    assert sent.count('abs:"') == 3 and sent.count(" AND ") == 2


def test_search_with_nothing_to_search_asks_nothing(arxiv_server):
    assert source(arxiv_server).search(Query(year=2020)) == [] and arxiv_server.log == []


def test_distinctive_phrases_come_from_the_abstract():
    abstract = BY_ID["2302.13971"]["abstract"]
    phrases = distinctive_phrases(abstract)
    words = " ".join(fold(abstract).lower().split())
    assert len(phrases) == 3
    for phrase in phrases:
        assert len(phrase.split()) == 5 and phrase.lower() in words.replace(",", "").replace(".", "")


@settings(max_examples=60)
@given(st.text(max_size=300))
def test_query_builders_never_raise_and_quote_in_pairs(text):
    for phrase in distinctive_phrases(text):
        assert len(phrase.split()) == 5 and '"' not in phrase
    built = search_query(Query(title=text, authors=(text,), abstract=text))
    assert built.count('"') % 2 == 0


def test_requests_keep_min_interval_one_at_a_time(arxiv_server, caplog):
    caplog.set_level(logging.DEBUG, logger="citekit.sources.http")
    arxiv = source(arxiv_server, min_interval=0.15)
    threads = [threading.Thread(target=arxiv.lookup_arxiv, args=([i],)) for i in list(BY_ID)[:4]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(arxiv_server.log) == 4 and arxiv_server.max_concurrency == 1
    starts = sorted(r.started for r in caplog.records if getattr(r, "lane", None) == "query")
    assert len(starts) == 4  # the starts the session claimed, on its clock: exact, however busy the machine
    assert all(later - earlier >= Pace(1, 0.15).spacing - 1e-9 for earlier, later in pairwise(starts))


def test_default_pace_is_arxivs_three_seconds():
    arxiv = ArxivSource()
    assert arxiv.min_interval == 3.0 and arxiv.session.pace("query") == Pace(1, 3.0)
    assert arxiv.session.concurrency == 1 and arxiv.session.retry.backoff == 3.0
    assert arxiv.base_url == "https://export.arxiv.org/api/query"


@pytest.mark.parametrize(("status", "retry_after"), [("429", None), ("503", "0")])
def test_throttling_is_retried(arxiv_server, status, retry_after):
    arxiv_server.fail(status, 2, retry_after=retry_after)
    arxiv = source(arxiv_server, retry=RetryPolicy(retries=3, backoff=0.05))
    assert "1409.4842" in arxiv.lookup_arxiv(["1409.4842"])
    assert [r.status for r in arxiv_server.log] == [int(status), int(status), 200]
    assert arxiv_server.gaps()[1] >= 0.1 - TOLERANCE and arxiv.stats.retries == 2


@pytest.mark.parametrize("fault", ["truncated", "malformed"])
def test_cut_off_feed_fails_cleanly_after_retries(arxiv_server, fault):
    arxiv_server.fail(fault, 3)
    arxiv = source(arxiv_server)
    with pytest.raises(SourceError, match="arXiv: gave up after 3 attempts"):
        arxiv.lookup_arxiv(["1409.4842"])
    assert len(arxiv.stats.failures) == 1
    assert "1409.4842" in arxiv.lookup_arxiv(["1409.4842"])


def test_a_rerun_is_answered_from_the_cache_and_offline(arxiv_server, tmp_path):
    cache = tmp_path / "cache.sqlite"
    first = source(arxiv_server, cache=cache)
    answers = (first.lookup_arxiv(["1409.4842", "2310.06825"]), first.search(Query(title="Green AI")))
    rerun = source(arxiv_server, cache=cache)
    assert (rerun.lookup_arxiv(["1409.4842", "2310.06825"]), rerun.search(Query(title="Green AI"))) == answers
    offline = source(arxiv_server, cache=cache, offline=True)
    assert offline.search(Query(title="Green AI")) == answers[1]
    assert offline.lookup_arxiv(["2302.13971"]) == {} and offline.offline_misses == 1
    assert len(arxiv_server.log) == 2 and rerun.stats.requests == offline.stats.requests == 0


def test_unreachable_arxiv_is_reported_once_and_quickly(dead_url):
    clock = VirtualClock()
    arxiv = source(dead_url, clock=clock)
    with pytest.raises(SourceUnreachable, match="arXiv: cannot reach"):
        arxiv.lookup_arxiv(["1409.4842"])
    assert arxiv.search(Query(title="Green AI")) == []
    assert clock.sleeps == [] and arxiv.stats.retries == 0  # no backoff, no retry
    assert len(arxiv.stats.failures) == 1


def test_emulator_speaks_arxiv_query_syntax(arxiv_server):
    def ids(**params) -> list[str]:
        feed = httpx2.get(arxiv_server.url + "/api/query", params=params).text
        return sorted(set(re.findall(r"<id>http://arxiv.org/abs/([^<]+?)v\d+</id>", feed)))

    assert ids(search_query='ti:"green AI" OR ti:"green federated"') == ["1907.10597", "2303.14604"]
    assert ids(search_query="au:Curth ANDNOT au:Jeffares") == []
    both = ["2310.18988", "2402.01502"]
    assert ids(search_query="au:van_der_Schaar AND (ti:forests OR ti:descent)") == both
    assert ids(search_query="cat:eess.AS AND all:speech") == ["2410.00037", "2507.13264"]
    assert ids(search_query="cat:eess.AS ANDNOT ti:voxtral") == ["2410.00037"]
    assert ids(id_list="1409.4842,2310.06825", search_query="ti:Mistral") == ["2310.06825"]
    response = httpx2.get(arxiv_server.url + "/api/query", params={"id_list": "not-an-id"})
    assert response.status_code == 400 and "incorrect id format for not-an-id" in response.text


def test_prefetched_ids_come_in_sorted_batches_and_then_need_no_request(arxiv_server):
    arxiv = source(arxiv_server, chunk_size=40)
    ids = [entry["id"] for entry in ENTRIES]
    arxiv.prefetch(reversed(ids))
    batches = [r.param("id_list").split(",") for r in arxiv_server.log]
    assert [len(b) for b in batches] == [40, 40, len(ids) - 80] and sum(batches, []) == sorted(ids)
    assert all(arxiv.lookup_arxiv([f"arXiv:{i}v2"]).keys() == {i} for i in ids)
    assert arxiv.lookup_arxiv(["2101.99999"]) == {} and len(arxiv_server.log) == 4  # not prefetched: asked


def test_a_failed_prefetch_batch_fails_its_lookups_without_asking_again(arxiv_server):
    arxiv = source(arxiv_server, retry=RetryPolicy(retries=0))
    arxiv_server.fail("503", 1)
    with pytest.raises(SourceError, match="503"):
        arxiv.prefetch(["2310.06825", "1409.4842"])
    with pytest.raises(SourceError, match="503"):
        arxiv.lookup_arxiv(["2310.06825"])
    assert len(arxiv_server.log) == 1


def test_a_run_looks_its_arxiv_ids_up_in_batches(arxiv_server):
    records = [Record(arxiv_id=entry["id"]) for entry in ENTRIES]
    arxiv = source(arxiv_server)
    outputs = pipeline.run(records, _report_for(records), Enricher([arxiv]), jobs=2)
    assert len(outputs) == len(ENTRIES) and all(output.title for output in outputs)
    id_lists = [r for r in arxiv_server.log if r.param("id_list")]
    assert [len(r.param("id_list").split(",")) for r in id_lists] == [50, len(ENTRIES) - 50]


def _report_for(records: list[Record]) -> Report:
    report = Report()
    for index, record in enumerate(records, 1):
        record.origin = Origin("ids.txt", index, index)
    report.add_read(ReadResult(records))
    return report


def test_a_matched_preprint_is_not_searched_for_a_published_version_on_arxiv(arxiv_server):
    """arXiv holds preprints only: a search there for the published version would cost 3 s for nothing."""
    outcome = Enricher([source(arxiv_server)]).enrich(Record(arxiv_id="2310.06825"))
    assert outcome.decision.status == "matched" and outcome.record.title == "Mistral 7B"
    assert [r.param("id_list") for r in arxiv_server.log] == ["2310.06825"]
