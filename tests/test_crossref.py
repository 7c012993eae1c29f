"""CrossrefSource: habanero over real sockets to the emulated Crossref API."""

from __future__ import annotations

import json
import threading

import habanero
import pytest
from clocks import VirtualClock
from emulators import SEEDS, CrossrefEmulator

from citekit import pipeline
from citekit.enrich import Enricher
from citekit.model import Record
from citekit.sources.base import Query, SourceError
from citekit.sources.convert import crossref_work_to_record
from citekit.sources.crossref import CrossrefSource
from citekit.sources.http import Pace, RetryPolicy, SourceUnreachable

WORKS = [json.loads(line) for line in (SEEDS / "crossref.jsonl").read_text(encoding="utf-8").splitlines()]
GOOGLENET = "10.1109/CVPR.2015.7298594"
MAILTO = "citekit-tests@example.org"
FAST = RetryPolicy(retries=2, backoff=0.01)
TOLERANCE = 0.02


def source(server: CrossrefEmulator | str, *, mailto: str | None = MAILTO, **options) -> CrossrefSource:
    url = server if isinstance(server, str) else server.url
    return CrossrefSource(
        base_url=url,
        mailto=mailto,
        timeout=2.0,
        connect_timeout=1.0,
        retry=options.pop("retry", FAST),
        **options,
    )


@pytest.fixture
def fast_server(crossref_server):
    """The emulator advertising a generous limit, so tests that are not about pacing run fast."""
    crossref_server.rate_limit = (500, "1s", 3)
    return crossref_server


def test_every_doi_maps_to_the_record_of_its_work(fast_server):
    crossref = source(fast_server)
    for work in WORKS:
        assert crossref.lookup_doi(f"https://doi.org/{work['DOI']}") == crossref_work_to_record(work)
    assert crossref.stats.requests == len(WORKS) == len(fast_server.log)
    assert all(r.headers["user-agent"].startswith("python-httpx2/") for r in fast_server.log)
    assert all(f"habanero/{habanero.__version__}" in r.headers["user-agent"] for r in fast_server.log)


def test_unknown_doi_is_none_and_arxiv_dois_are_never_asked(fast_server):
    crossref = source(fast_server)
    assert crossref.lookup_doi("10.1109/NO-SUCH-DOI") is None
    assert crossref.lookup_doi("10.48550/arXiv.2310.06825") is None
    assert crossref.lookup_doi("not a doi") is None
    assert [r.path for r in fast_server.log] == ["/works/10.1109/NO-SUCH-DOI"]
    assert crossref.lookup_arxiv(["2310.06825"]) == {} and crossref.stats.failures == []


def test_dois_are_url_encoded(fast_server):
    odd = {**WORKS[0], "DOI": "10.1002/(SICI)1097-4571(199806)49:8#frag?x=1;2-K"}
    fast_server.add(odd)
    record = source(fast_server).lookup_doi(odd["DOI"])
    assert record is not None and record.doi == odd["DOI"]
    sent = fast_server.log[0]
    assert sent.path == "/works/" + odd["DOI"] and sent.params.keys() == {"mailto"}


def test_search_maps_ranked_items_and_sends_crossref_parameters(fast_server):
    crossref = source(fast_server)
    query = Query(title="Billion-scale similarity search with GPUs", authors=("Johnson", "Douze"), year=2021)
    results = crossref.search(query, limit=3)
    expected = next(w for w in WORKS if w["title"][0] == "Billion-scale similarity search with GPUs")
    assert results[0] == crossref_work_to_record(expected) and len(results) <= 3
    sent = fast_server.log[-1]
    assert sent.path == "/works"
    assert sent.param("query.bibliographic") == "Billion-scale similarity search with GPUs"
    assert sent.param("query.author") == "Johnson Douze"
    assert sent.param("filter") == "from-pub-date:2020,until-pub-date:2022" and sent.param("rows") == "3"
    assert {"DOI", "title", "author", "issued"} <= set(sent.param("select").split(","))


def test_search_year_filter_excludes_other_years(fast_server):
    crossref = source(fast_server)
    title = "Billion-scale similarity search with GPUs"
    assert title not in [r.title for r in crossref.search(Query(title=title, year=2017))]
    assert title == crossref.search(Query(title=title, year=2020))[0].title


def test_search_without_title_or_authors_asks_nothing(fast_server):
    assert source(fast_server).search(Query(abstract="We propose a network.", year=2015)) == []
    assert fast_server.log == []


def test_polite_pool_sends_mailto_in_user_agent_and_parameters(fast_server):
    source(fast_server).lookup_doi(GOOGLENET)
    sent = fast_server.log[0]
    assert f"(mailto:{MAILTO})" in sent.headers["user-agent"] and "citekit/" in sent.headers["user-agent"]
    assert sent.param("mailto") == MAILTO


def test_public_pool_limits_without_mailto(crossref_server):
    crossref = source(crossref_server, mailto=None)
    assert crossref.session.concurrency == 1
    assert (crossref.session.pace("lookup"), crossref.session.pace("search")) == (Pace(5), Pace(1))
    crossref.lookup_doi(GOOGLENET)
    sent = crossref_server.log[0]
    assert "mailto" not in sent.headers["user-agent"] and "mailto" not in sent.params


def test_polite_lookups_and_searches_keep_crossref_pace(crossref_server):
    clock = VirtualClock()
    crossref = source(crossref_server, clock=clock)
    assert (crossref.session.pace("lookup"), crossref.session.pace("search")) == (Pace(10), Pace(3))
    for work in WORKS[:4]:
        crossref.lookup_doi(work["DOI"])
    assert clock.sleeps == [pytest.approx(Pace(10).spacing)] * 3
    for title in ("Polysemous codes", "Green AI", "Mistral 7B"):
        crossref.search(Query(title=title))
    assert clock.sleeps[3:] == [pytest.approx(Pace(3).spacing)] * 2  # searches have a lane of their own


@pytest.mark.parametrize(("mailto", "limit"), [(MAILTO, 3), (None, 1)])
def test_concurrent_lookups_stay_within_the_pool_limit(crossref_server, mailto, limit):
    crossref_server.delay = 0.15
    crossref = source(crossref_server, mailto=mailto)
    threads = [threading.Thread(target=crossref.lookup_doi, args=(w["DOI"],)) for w in WORKS[:6]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(crossref_server.log) == 6 and crossref_server.max_concurrency <= limit
    assert crossref.stats.failures == []


def test_a_lower_advertised_limit_slows_requests_down(crossref_server):
    crossref_server.rate_limit = (4, "1s", 1)
    clock = VirtualClock()
    crossref = source(crossref_server, clock=clock)
    for work in WORKS[:3]:
        crossref.lookup_doi(work["DOI"])
    assert crossref.session.pace("lookup") == Pace(4) and crossref.session.concurrency == 1
    assert clock.sleeps == [pytest.approx(Pace(4).spacing)] * 2


def test_a_higher_advertised_limit_speeds_searches_up(crossref_server):
    crossref_server.rate_limit = (100, "1s", 5)
    clock = VirtualClock()
    crossref = source(crossref_server, clock=clock)
    for title in ("Polysemous codes", "Green AI", "Mistral 7B", "Opacus"):
        crossref.search(Query(title=title))
    assert crossref.session.pace("search") == Pace(100)
    assert clock.sleeps == [pytest.approx(Pace(100).spacing)] * 3  # not the default 3/s


def test_429_retry_after_is_honoured_through_habanero(fast_server):
    fast_server.fail("429", 1, retry_after="1")
    crossref = source(fast_server)
    assert crossref.lookup_doi(GOOGLENET).doi == GOOGLENET
    assert [r.status for r in fast_server.log] == [429, 200]
    assert fast_server.gaps()[0] >= 1.0 - TOLERANCE and crossref.stats.retries == 1


def test_server_errors_are_retried(fast_server):
    fast_server.fail("500", 1)
    fast_server.fail("503", 1)
    crossref = source(fast_server)
    assert len(crossref.search(Query(title="Green AI"))) >= 1
    assert [r.status for r in fast_server.log] == [500, 503, 200] and crossref.stats.retries == 2


@pytest.mark.parametrize("fault", ["malformed", "truncated"])
def test_cut_off_json_fails_cleanly_after_retries(fast_server, fault, tmp_path):
    fast_server.fail(fault, 3)
    crossref = source(fast_server, cache=tmp_path / "cache.sqlite")
    with pytest.raises(SourceError) as caught:
        crossref.lookup_doi(GOOGLENET)
    assert caught.value.source == "Crossref" and "3 attempts" in str(caught.value)
    assert len(fast_server.log) == 3 and len(crossref.stats.failures) == 1
    assert crossref.lookup_doi(GOOGLENET).doi == GOOGLENET  # nothing broken was cached


def test_a_rerun_is_answered_from_the_cache(fast_server, tmp_path):
    cache = tmp_path / "cache.sqlite"
    query = Query(title="Deep Learning with Differential Privacy", authors=("Abadi",), year=2016)
    first = source(fast_server, cache=cache)
    answers = (first.lookup_doi(GOOGLENET), first.lookup_doi("10.1109/missing"), first.search(query))
    assert len(fast_server.log) == 3
    rerun = source(fast_server, cache=cache, mailto="someone-else@example.org")
    assert (rerun.lookup_doi(GOOGLENET), rerun.lookup_doi("10.1109/missing"), rerun.search(query)) == answers
    assert len(fast_server.log) == 3 and (rerun.stats.requests, rerun.stats.cached) == (0, 3)


def test_offline_mode_uses_only_the_cache(fast_server, tmp_path):
    cache = tmp_path / "cache.sqlite"
    source(fast_server, cache=cache).lookup_doi(GOOGLENET)
    offline = source(fast_server, cache=cache, offline=True)
    assert offline.lookup_doi(GOOGLENET).doi == GOOGLENET
    assert offline.lookup_doi(WORKS[1]["DOI"]) is None
    assert offline.search(Query(title="Green AI")) == []
    assert len(fast_server.log) == 1 and offline.offline_misses == 2 and offline.stats.requests == 0


def test_unreachable_crossref_is_reported_once_and_quickly(dead_url):
    clock = VirtualClock()
    crossref = source(dead_url, clock=clock)
    with pytest.raises(SourceUnreachable, match="Crossref: cannot reach"):
        crossref.lookup_doi(GOOGLENET)
    assert crossref.lookup_doi(WORKS[1]["DOI"]) is None
    assert crossref.search(Query(title="Green AI")) == []
    assert clock.sleeps == [] and crossref.stats.retries == 0  # no backoff, no retry
    assert len(crossref.stats.failures) == 1 and crossref.offline_misses == 2


def test_habanero_outside_a_source_is_left_alone(fast_server):
    source(fast_server)  # installs the shim
    plain = habanero.Crossref(base_url=fast_server.url).works(ids=GOOGLENET)
    assert plain["message"]["DOI"] == GOOGLENET and "mailto" not in fast_server.log[0].params


def test_sources_in_parallel_threads_each_use_their_own_server():
    with CrossrefEmulator(WORKS[:12]) as left, CrossrefEmulator(WORKS[12:]) as right:
        left.rate_limit = right.rate_limit = (500, "1s", 3)
        sources = {id(left): source(left), id(right): source(right)}
        found: dict[str, bool] = {}

        def look(server: CrossrefEmulator, works: list[dict]) -> None:
            for work in works:
                found[work["DOI"]] = sources[id(server)].lookup_doi(work["DOI"]) is not None

        threads = [
            threading.Thread(target=look, args=(left, WORKS[:12])),
            threading.Thread(target=look, args=(right, WORKS[12:])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(found.values()) and len(found) == len(WORKS)
        assert len(left.log) == 12 and len(right.log) == len(WORKS) - 12


def test_default_configuration_targets_the_real_api():
    crossref = CrossrefSource()
    assert crossref.base_url == "https://api.crossref.org"
    assert crossref.session.cache is None and not crossref.session.offline


def test_a_matched_doi_is_not_searched_for_an_arxiv_version_crossref_cannot_have(crossref_server):
    """arXiv preprints are registered with DataCite, not Crossref: asking would cost a search (3/s)."""
    work = json.loads((SEEDS / "crossref.jsonl").read_text(encoding="utf-8").splitlines()[0])
    outcome = Enricher([source(crossref_server)]).enrich(Record(doi=work["DOI"]))
    assert outcome.decision.status == "matched" and outcome.record.title
    assert [r.path for r in crossref_server.log] == [f"/works/{work['DOI']}"]


def test_a_run_overlaps_requests_up_to_the_polite_limit_whatever_the_cores(crossref_server):
    """Requests mostly wait on the network: a run keeps up to 3 in flight (the polite pool's limit)
    even on one core, so that the allowed rate is reached over a slow link."""
    crossref_server.answer_when_concurrent = 3  # answers wait until three are in flight
    works = [json.loads(line) for line in (SEEDS / "crossref.jsonl").read_text(encoding="utf-8").splitlines()]
    records = [Record(doi=work["DOI"]) for work in works[:12]]
    outcomes = pipeline.enrich_all(records, Enricher([source(crossref_server)]), jobs=1)
    assert all(outcome.decision.status == "matched" for outcome in outcomes)
    assert crossref_server.max_concurrency == 3
