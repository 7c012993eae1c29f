"""The emulators' own features that other tests and bench/politeness.py rely on: targeted faults,
stalled bodies, and the services' limits advertised and enforced as Crossref and arXiv do."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx2
import pytest
from clocks import VirtualClock

LOOKUP = "/works/10.1109/CVPR.2015.7298594"
OTHER = "/works/10.1145/3381831"
POLITE = {"mailto": "ci@example.org"}


def get(server, path: str, params: dict | None = None, timeout: float = 5.0) -> httpx2.Response:
    return httpx2.get(server.url + path, params=params, timeout=timeout)


def at_once(count: int, ask: Callable[[], int]) -> list[int]:
    """``ask`` in ``count`` threads started together; what each got."""
    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(ask())) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_targeted_fault_hits_only_matching_requests(crossref_server):
    crossref_server.fail("500", 2, only="10.1145/3381831")
    statuses = [get(crossref_server, path).status_code for path in (LOOKUP, OTHER, LOOKUP, OTHER, OTHER)]
    assert statuses == [200, 500, 200, 500, 200]
    assert [r.fault for r in crossref_server.log] == ["", "500", "", "500", ""]


def test_a_stalled_body_arrives_whole_or_times_a_client_out(crossref_server):
    crossref_server.fail("slow-body", 1, delay=0.3)
    assert get(crossref_server, LOOKUP).json()["message"]["DOI"] == "10.1109/CVPR.2015.7298594"
    crossref_server.fail("slow-body", 1, delay=None)  # the rest of the body never comes
    with (
        httpx2.Client(timeout=httpx2.Timeout(2.0)) as client,
        client.stream("GET", crossref_server.url + LOOKUP) as response,
    ):
        assert response.status_code == 200  # the headers come at once: only the body stalls
        with pytest.raises(httpx2.ReadTimeout):
            response.read()


@pytest.mark.parametrize(
    ("path", "params", "pool", "limit", "concurrency"),
    [
        (LOOKUP, POLITE, "polite-single", 10, 3),
        ("/works", {**POLITE, "query.bibliographic": "convolutions"}, "polite-array", 3, 3),
        (LOOKUP, {}, "public-single", 5, 1),
        ("/works", {"query.bibliographic": "convolutions"}, "public-array", 1, 1),
    ],
)
def test_crossref_pools_advertise_and_enforce_their_rate(
    crossref_server, path, params, pool, limit, concurrency
):
    crossref_server.enforce_limits = True
    crossref_server.clock = VirtualClock()  # stopped: every request arrives within one interval
    responses = [get(crossref_server, path, params) for _ in range(limit + 2)]
    assert [r.status_code for r in responses] == [200] * limit + [429, 429]
    for response in responses:
        assert response.headers["x-api-pool"] == pool
        advertised = (response.headers["x-rate-limit-limit"], response.headers["x-rate-limit-interval"])
        assert advertised == (str(limit), "1s")
        assert response.headers["x-concurrency-limit"] == str(concurrency)
    assert int(responses[-1].headers["retry-after"]) >= 1
    assert [r.fault for r in crossref_server.violations] == ["rate-limit", "rate-limit"]


def test_a_client_keeping_the_pace_is_never_turned_away(crossref_server):
    crossref_server.enforce_limits = True
    crossref_server.rate_limit = (20, "1s", 3)
    crossref_server.clock = clock = VirtualClock()
    with httpx2.Client() as client:
        for _ in range(30):
            assert client.get(crossref_server.url + LOOKUP, params=POLITE).status_code == 200
            clock.advance(1 / 20)  # exactly the pace the server allows
    assert crossref_server.violations == []


def test_crossref_enforces_the_concurrency_limit(crossref_server):
    crossref_server.enforce_limits = True
    crossref_server.answer_when_concurrent = 4  # answers wait until all four are in flight
    statuses = at_once(4, lambda: get(crossref_server, LOOKUP, POLITE).status_code)
    assert sorted(statuses) == [200, 200, 200, 429]
    assert [r.fault for r in crossref_server.violations] == ["concurrency-limit"]


def test_arxiv_enforces_its_interval_and_one_request_at_a_time(arxiv_server):
    arxiv_server.min_interval = 0.3
    arxiv_server.clock = clock = VirtualClock()
    query = {"id_list": "1409.4842"}
    assert get(arxiv_server, "/api/query", query).status_code == 200
    clock.advance(0.25)
    too_soon = get(arxiv_server, "/api/query", query)
    assert too_soon.status_code == 503 and too_soon.headers["retry-after"] == "1"
    clock.advance(0.3)
    assert get(arxiv_server, "/api/query", query).status_code == 200
    clock.advance(0.3)
    arxiv_server.answer_when_concurrent = 2
    assert sorted(at_once(2, lambda: get(arxiv_server, "/api/query", query).status_code)) == [200, 503]
    assert [r.fault for r in arxiv_server.violations] == ["rate-limit", "concurrency-limit"]


def test_limits_are_not_enforced_unless_asked(crossref_server, arxiv_server):
    for _ in range(12):
        assert get(crossref_server, LOOKUP, POLITE).status_code == 200
        assert get(arxiv_server, "/api/query", {"id_list": "1409.4842"}).status_code == 200
    assert crossref_server.violations == [] and arxiv_server.violations == []
