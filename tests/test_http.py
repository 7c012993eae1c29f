"""The shared HTTP session and the response cache, over real sockets to an emulated server.

Waits (pacing, backoff, ``Retry-After``) are checked on a :class:`~clocks.VirtualClock` given to
the session, or on the start times the session claims (its debug log): exact, however busy the
machine. Only timeouts are real, and their tests leave a wide margin (a fault that never answers).
"""

from __future__ import annotations

import logging
import random
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise

import pytest
from clocks import VirtualClock
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


FAST_PACE = Pace(1000)


def make_session(
    cache: ResponseCache | None = None,
    *,
    pace: Pace = FAST_PACE,
    concurrency: int = 4,
    retry: RetryPolicy = FAST,
    timeout: float = 2.0,
    offline: bool = False,
    clock: VirtualClock | None = None,
) -> HttpSession:
    return HttpSession(
        "Test",
        user_agent="citekit-test/1",
        paces={"default": pace},
        concurrency=concurrency,
        stats=SourceStats(),
        cache=cache,
        retry=retry,
        timeout=timeout,
        connect_timeout=1.0,
        offline=offline,
        seed=1,
        **({"clock": clock} if clock else {}),
    )


def claimed_starts(caplog: pytest.LogCaptureFixture, lane: str = "default") -> list[float]:
    """The start times the session claimed for ``lane`` (on its clock), in order."""
    return sorted(r.started for r in caplog.records if getattr(r, "lane", None) == lane)


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
    base = datetime.now(UTC)
    later = format_datetime(base + timedelta(seconds=30), usegmt=True)  # whole seconds: up to 1 s less
    waited = parse_retry_after(later)
    elapsed = (datetime.now(UTC) - base).total_seconds()
    assert 29 - elapsed <= waited <= 30
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
    clock = VirtualClock()
    session = make_session(clock=clock)
    assert session.get(server.url + DOI_PATH).status_code == 200
    assert [r.status for r in server.log] == [429, 200]
    assert clock.sleeps == [1.0]  # what the server asked for, rather than the (shorter) backoff


def test_429_without_retry_after_backs_off_exponentially(server):
    server.fail("429", 2)
    clock = VirtualClock()
    session = make_session(retry=RetryPolicy(retries=3, backoff=0.1), clock=clock)
    session.get(server.url + DOI_PATH)
    first, second = clock.sleeps
    assert 0.1 <= first <= 0.15 and 0.2 <= second <= 0.3
    assert [r.status for r in server.log] == [429, 429, 200]


def test_an_unreasonable_retry_after_fails_at_once(server):
    server.fail("429", 1, retry_after="3600")
    clock = VirtualClock()
    session = make_session(clock=clock)
    with pytest.raises(SourceError, match="3600"):
        session.get(server.url + DOI_PATH)
    assert clock.sleeps == [] and len(server.log) == 1


@pytest.mark.parametrize("fault", ["reset", "truncated"])
def test_broken_connections_are_retried(server, fault):
    server.fail(fault, 1)
    session = make_session()
    assert session.get(server.url + DOI_PATH).json()["status"] == "ok"
    assert session.stats.retries == 1 and len(server.log) == 2


def test_a_slow_answer_times_out_and_is_retried(server):
    server.fail("slow", 1, delay=None)  # never answered: the timeout strikes, however busy the machine
    session = make_session(timeout=2.0)
    assert session.get(server.url + DOI_PATH).status_code == 200
    assert session.stats.retries == 1 and [r.fault for r in server.log] == ["slow", ""]


def test_unreachable_server_is_reported_once_then_the_session_is_offline(dead_url, tmp_path):
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        clock = VirtualClock()
        session = make_session(cache, clock=clock)
        with pytest.raises(SourceUnreachable, match=r"cannot reach 127\.0\.0\.1 .*offline"):
            session.get(dead_url + DOI_PATH)
        assert clock.sleeps == []  # no backoff: a refused connection is not retried
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
    clock = VirtualClock()
    session = HttpSession(
        "Test",
        user_agent="t",
        paces={"slow": Pace(10), "fast": Pace(1000)},
        concurrency=1,
        stats=SourceStats(),
        retry=FAST,
        clock=clock,
    )
    session.get(server.url + DOI_PATH, lane="fast")
    for _ in range(4):
        session.get(server.url + DOI_PATH, lane="slow")
    assert clock.sleeps == [pytest.approx(Pace(10).spacing)] * 3  # the first slow one had no wait
    session.get(server.url + DOI_PATH, lane="fast")
    assert len(clock.sleeps) == 3 and len(server.log) == 6  # the fast lane did not wait for the slow one


def test_rate_limit_headers_are_adopted(server):
    server.rate_limit = (4, "1s", 2)
    clock = VirtualClock()
    session = make_session(concurrency=5, clock=clock)
    for _ in range(3):
        session.get(server.url + DOI_PATH)
    assert session.pace("default") == Pace(4, 1.0) and session.concurrency == 2
    assert clock.sleeps == [pytest.approx(Pace(4).spacing)] * 2


def test_concurrency_never_exceeds_the_gate(server):
    server.delay = 0.1
    server.answer_when_concurrent = 2  # the first answer waits for a second request to be in flight
    server.rate_limit = (1000, "1s", 2)
    session = make_session(concurrency=2)
    threads = [threading.Thread(target=session.get, args=(server.url + DOI_PATH,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.log) == 6 and server.max_concurrency == 2


def test_threads_sharing_a_session_never_go_over_the_limit(server, caplog):
    """Starts are claimed one at a time, spaced from the previous *actual* start, with a margin:
    in no interval do more start than the limit allows, and no more are in flight than the gate.

    Checked on the starts the session claims, not on arrivals at the server: those jitter with
    the machine's load (``bench/politeness.py`` runs the same against an enforcing limiter)."""
    caplog.set_level(logging.DEBUG, logger="citekit.sources.http")
    server.rate_limit = (20, "1s", 3)
    session = make_session(pace=Pace(20), concurrency=3)
    statuses: list[int] = []

    def ask_five_times() -> None:
        for _ in range(5):
            statuses.append(
                session.get(server.url + DOI_PATH, params={"mailto": "ci@example.org"}).status_code
            )

    threads = [threading.Thread(target=ask_five_times) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 30 and server.max_concurrency <= 3
    starts = claimed_starts(caplog)
    assert len(starts) == 30
    assert all(later - earlier >= Pace(20).spacing - 1e-9 for earlier, later in pairwise(starts))
    assert all(starts[i + 20] - starts[i] >= 1.0 for i in range(len(starts) - 20))


def test_a_429_slows_its_lane_down_for_the_rest_of_the_run(server):
    server.advertise_limits = False
    session = HttpSession(
        "Test",
        user_agent="t",
        paces={"slow": Pace(10), "other": Pace(10)},
        concurrency=1,
        stats=SourceStats(),
        retry=RetryPolicy(retries=8, backoff=0.001),
    )
    server.fail("429", 2)
    session.get(server.url + DOI_PATH, lane="slow")
    assert session.spacing("slow") == pytest.approx(Pace(10).spacing * 1.1**2)
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
