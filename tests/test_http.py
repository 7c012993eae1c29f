"""The shared HTTP session and the response cache, over real sockets to an emulated server."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.sources.base import SourceError, SourceStats
from citekit.sources.cache import ResponseCache, cache_key
from citekit.sources.http import (
    HttpSession,
    OfflineMiss,
    Pace,
    RetryPolicy,
    SourceUnreachable,
    parse_interval,
    parse_retry_after,
)

DOI_PATH = "/works/10.1109/CVPR.2015.7298594"
FAST = RetryPolicy(retries=3, backoff=0.01)
TOLERANCE = 0.02
"""Arrival times at the server jitter a little around the client's send times."""


FAST_PACE = Pace(1000)


def make_session(cache: ResponseCache | None = None, *, pace: Pace = FAST_PACE, concurrency: int = 4,
                 retry: RetryPolicy = FAST, timeout: float = 2.0, offline: bool = False) -> HttpSession:
    return HttpSession("Test", user_agent="citekit-test/1", paces={"default": pace}, concurrency=concurrency,
                       stats=SourceStats(), cache=cache, retry=retry, timeout=timeout, connect_timeout=1.0,
                       offline=offline, seed=1)


@pytest.fixture
def server(crossref_server):
    crossref_server.rate_limit = (1000, "1s", 8)  # advertise a fast pace unless a test says otherwise
    return crossref_server


# ------------------------------------------------------------------------------------ cache keys

def test_cache_key_sorts_parameters_and_leaves_out_mailto():
    works = "https://api.crossref.org/works"
    a = cache_key("get", works.replace("api", "API"), {"rows": 5, "query.author": "Kim", "mailto": "a@b"})
    b = cache_key("GET", works + "?query.author=Kim", {"rows": "5", "mailto": "c@d"})
    assert a == b == "GET https://api.crossref.org/works?query.author=Kim&rows=5"
    assert cache_key("GET", works, {"rows": 6}) != cache_key("GET", works, {"rows": 5})


@settings(max_examples=40)
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=6), st.randoms())
def test_cache_key_does_not_depend_on_parameter_order(params, rnd):
    shuffled = list(params.items())
    rnd.shuffle(shuffled)
    assert cache_key("GET", "https://x.org/q", params) == cache_key("GET", "https://x.org/q", dict(shuffled))


def test_cache_persists_between_instances_and_ages_out(tmp_path):
    path = tmp_path / "sub" / "responses.sqlite"
    with ResponseCache(path) as cache:
        cache.put("GET https://x.org/a", 200, {"content-type": "application/json"}, b'{"a": 1}')
    with ResponseCache(path) as cache:
        hit = cache.get("GET https://x.org/a")
        assert hit is not None and (hit.status, hit.body) == (200, b'{"a": 1}')
        assert hit.headers == {"content-type": "application/json"}
        assert cache.get("GET https://x.org/b") is None and len(cache) == 1
    with ResponseCache(path, max_age=-1) as cache:
        assert cache.get("GET https://x.org/a") is None


# ------------------------------------------------------------------------------- header parsing

def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 27 <= parse_retry_after(later) <= 30
    assert parse_retry_after(format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)) == 0


def test_rate_limit_interval_units():
    assert parse_interval("1s") == 1.0 and parse_interval("500ms") == 0.5 and parse_interval("2") == 2.0
    assert parse_interval("") is None and parse_interval("fast") is None and parse_interval("0s") is None


def test_backoff_doubles_with_bounded_jitter():
    policy, rng = RetryPolicy(backoff=0.5, max_backoff=3.0), random.Random(0)
    for attempt, base in enumerate([0.5, 1.0, 2.0, 3.0, 3.0]):
        assert base <= policy.delay(attempt, rng) <= base * 1.5


# ------------------------------------------------------------------------------ session behaviour

def test_cached_answers_need_no_request_and_404_is_cached_too(server, tmp_path):
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        session = make_session(cache)
        for _ in range(2):
            assert session.get(server.url + DOI_PATH).json()["message"]["DOI"] == "10.1109/CVPR.2015.7298594"
            assert session.get(server.url + "/works/10.9999/none").status_code == 404
        assert len(server.log) == 2
        assert (session.stats.requests, session.stats.cached) == (2, 2)


def test_server_errors_are_retried_then_answered(server):
    server.fail("503", 2)
    session = make_session()
    assert session.get(server.url + DOI_PATH).status_code == 200
    assert [r.status for r in server.log] == [503, 503, 200]
    assert session.stats.retries == 2 and session.stats.failures == []


def test_retries_are_bounded_and_failure_is_a_source_error(server, tmp_path):
    server.fail("500", 10)
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        session = make_session(cache, retry=RetryPolicy(retries=2, backoff=0.01))
        with pytest.raises(SourceError) as caught:
            session.get(server.url + DOI_PATH)
        assert caught.value.status == 500 and "3 attempts" in str(caught.value)
        assert len(server.log) == 3 and len(session.stats.failures) == 1 and len(cache) == 0


def test_retry_after_is_honoured(server):
    server.fail("429", 1, retry_after="1")
    session = make_session()
    started = time.monotonic()
    assert session.get(server.url + DOI_PATH).status_code == 200
    assert server.log[1].start - server.log[0].start >= 1.0 - TOLERANCE
    assert time.monotonic() - started < 2.5


def test_429_without_retry_after_backs_off_exponentially(server):
    server.fail("429", 2)
    session = make_session(retry=RetryPolicy(retries=3, backoff=0.1))
    session.get(server.url + DOI_PATH)
    first, second = server.gaps()
    assert first >= 0.1 - TOLERANCE and second >= 0.2 - TOLERANCE


def test_an_unreasonable_retry_after_fails_at_once(server):
    server.fail("429", 1, retry_after="3600")
    session = make_session()
    started = time.monotonic()
    with pytest.raises(SourceError, match="3600"):
        session.get(server.url + DOI_PATH)
    assert time.monotonic() - started < 1 and len(server.log) == 1


@pytest.mark.parametrize("fault", ["reset", "truncated"])
def test_broken_connections_are_retried(server, fault):
    server.fail(fault, 1)
    session = make_session()
    assert session.get(server.url + DOI_PATH).json()["status"] == "ok"
    assert session.stats.retries == 1 and len(server.log) == 2


def test_a_slow_answer_times_out_and_is_retried(server):
    server.fail("slow", 1, delay=1.0)
    session = make_session(timeout=0.2)
    started = time.monotonic()
    assert session.get(server.url + DOI_PATH).status_code == 200
    assert session.stats.retries == 1 and time.monotonic() - started < 1.0


def test_unreachable_server_is_reported_once_then_the_session_is_offline(dead_url, tmp_path):
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        session = make_session(cache)
        started = time.monotonic()
        with pytest.raises(SourceUnreachable, match=r"cannot reach 127\.0\.0\.1 .*offline"):
            session.get(dead_url + DOI_PATH)
        assert time.monotonic() - started < 1.5
        with pytest.raises(OfflineMiss):
            session.get(dead_url + "/works/10.1/other")
        assert session.offline and session.offline_misses == 1
        assert len(session.stats.failures) == 1 and session.stats.retries == 0


def test_offline_session_answers_from_cache_only(server, tmp_path):
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        make_session(cache).get(server.url + DOI_PATH)
        offline = make_session(cache, offline=True)
        assert offline.get(server.url + DOI_PATH).status_code == 200
        with pytest.raises(OfflineMiss):
            offline.get(server.url + "/works/10.1/uncached")
        assert len(server.log) == 1 and offline.offline_misses == 1 and offline.stats.requests == 0


def test_requests_are_paced_per_lane(server):
    server.advertise_limits = False  # no headers to adopt: only the session's own pace counts
    session = HttpSession("Test", user_agent="t", paces={"slow": Pace(10), "fast": Pace(1000)},
                          concurrency=1, stats=SourceStats(), retry=FAST)
    session.get(server.url + DOI_PATH, lane="fast")  # opens the connection: later arrivals are even
    server.log.clear()
    for _ in range(4):
        session.get(server.url + DOI_PATH, lane="slow")
    assert len(server.gaps()) == 3 and all(gap >= 0.1 - TOLERANCE for gap in server.gaps()), server.gaps()
    started = time.monotonic()
    session.get(server.url + DOI_PATH, lane="fast")
    assert time.monotonic() - started < 0.1


def test_rate_limit_headers_are_adopted(server):
    server.rate_limit = (4, "1s", 2)
    session = make_session(concurrency=5)
    for _ in range(3):
        session.get(server.url + DOI_PATH)
    assert session.pace("default") == Pace(4, 1.0) and session.concurrency == 2
    assert all(gap >= 0.25 - TOLERANCE for gap in server.gaps())


def test_concurrency_never_exceeds_the_gate(server):
    server.delay = 0.1
    server.rate_limit = (1000, "1s", 2)
    session = make_session(concurrency=2)
    threads = [threading.Thread(target=session.get, args=(server.url + DOI_PATH,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.log) == 6 and server.max_concurrency == 2


def test_threads_sharing_a_session_never_go_over_an_enforced_limit(server):
    """Starts are claimed one at a time, spaced from the previous *actual* start, with a margin:
    a sliding-window limiter that counts arrivals never sees one too many."""
    server.enforce_limits = True
    server.rate_limit = (20, "1s", 3)
    session = make_session(pace=Pace(20), concurrency=3)
    statuses: list[int] = []

    def ask_five_times() -> None:
        for _ in range(5):
            statuses.append(session.get(server.url + DOI_PATH, params={"mailto": "ci@example.org"}).status_code)

    threads = [threading.Thread(target=ask_five_times) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 30 and server.violations == []
    assert min(server.gaps()) >= 1 / 20 - TOLERANCE


def test_a_429_slows_its_lane_down_for_the_rest_of_the_run(server):
    server.advertise_limits = False
    session = HttpSession("Test", user_agent="t", paces={"slow": Pace(10), "other": Pace(10)}, concurrency=1,
                          stats=SourceStats(), retry=RetryPolicy(retries=8, backoff=0.001))
    server.fail("429", 2)
    session.get(server.url + DOI_PATH, lane="slow")
    assert session.spacing("slow") == pytest.approx(Pace(10).spacing * 1.1 ** 2)
    assert session.spacing("other") == Pace(10).spacing
    server.fail("429", 10)
    with pytest.raises(SourceError):
        session.get(server.url + DOI_PATH, lane="slow")
    assert session.spacing("slow") == pytest.approx(Pace(10).spacing * 2)  # never slower than half the pace


# ------------------------------------------------------------------- POST bodies and refusals

def test_a_post_is_cached_by_its_body(tmp_path):
    from emulators import SemanticScholarEmulator

    with SemanticScholarEmulator() as s2, ResponseCache(tmp_path / "cache.sqlite") as cache:
        session = make_session(cache)
        url = s2.url + "/graph/v1/paper/batch"
        first = session.post(url, body={"ids": ["ARXIV:1806.03198"]}, params={"fields": "title"})
        again = session.post(url, body={"ids": ["ARXIV:1806.03198"]}, params={"fields": "title"})
        other = session.post(url, body={"ids": ["ARXIV:1907.05242"]}, params={"fields": "title"})
        assert first.json() == again.json() != other.json()
        assert len(s2.log) == 2 and session.stats.cached == 1
        assert s2.log[0].headers["content-type"] == "application/json"


def test_a_refusal_fails_at_once_without_retries_or_cache(server, tmp_path):
    with ResponseCache(tmp_path / "cache.sqlite") as cache:
        session = make_session(cache)
        refuse = lambda response: "not for us" if response.status_code == 200 else None  # noqa: E731
        for _ in range(2):
            with pytest.raises(SourceError) as raised:
                session.get(server.url + DOI_PATH, refuse=refuse)
            assert raised.value.message == "not for us" and raised.value.status == 200
        assert len(server.log) == 2 and session.stats.retries == 0 and len(cache) == 0
