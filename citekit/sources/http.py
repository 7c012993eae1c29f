"""The HTTP session every remote source shares: pacing, retries, the response cache.

Neither habanero nor feedparser paces, retries or caches (habanero calls ``httpx2.get`` once
per request), so this layer does it for both, on top of one ``httpx2.Client``:

- **pacing** per *lane* (Crossref paces DOI lookups and searches differently): request starts are
  spaced ``interval / limit`` apart (plus :data:`PACE_MARGIN`), measured from when the previous one
  actually started, so a thread that wakes late delays the next start instead of crowding it;
  and a concurrency gate caps requests in flight. Both adopt the ``X-Rate-Limit-Limit`` /
  ``X-Rate-Limit-Interval`` / ``X-Concurrency-Limit`` headers a server sends, up or down. A 429
  slows its lane down by :data:`SLOW_DOWN` for the rest of the run: the server counted more than
  we did, so its clock and ours disagree by more than the margin;
- **retries** of 429, 5xx, timeouts, resets and malformed bodies, a bounded number of times, with
  exponential backoff and jitter; ``Retry-After`` is honoured and pauses every thread of the session;
- **the cache**: a hit needs no request; every definitive answer (2xx, 404, 410) is stored;
- **unreachable** servers (connection refused, DNS failure, connect timeout) are reported once,
  as :class:`SourceUnreachable`; the session then answers from the cache only.

Every wait goes through the session's :class:`Clock` (the :mod:`time` module unless given another),
so that tests check pacing and backoff on a clock of their own, not against a busy machine's.

Only :class:`~citekit.sources.base.SourceError` (and, offline, :class:`OfflineMiss`) leave ``get``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote_plus

import httpx2

from citekit import __version__
from citekit.sources.base import SourceError, SourceStats
from citekit.sources.cache import ResponseCache, cache_key, open_cache
from citekit.text import squash

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFINITIVE_STATUSES = frozenset({404, 410})
"""Answers worth caching besides 2xx: "there is no such record" does not change on a rerun."""
_UNREACHABLE = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.UnsupportedProtocol)

PACE_MARGIN = 0.05
"""Starts are spaced this fraction more than the limit allows. A server's limiter counts arrivals
in a sliding window, and the trip from our start to its clock varies (thread switches here,
scheduling there, tens of milliseconds across the internet): exactly ``limit`` starts per
``interval`` would sometimes arrive as ``limit + 1`` in one window, and earn a 429. 5 % of a
one-second window absorbs 50 ms of such jitter; 2 % still drew a 429 in ~2,000 requests to the
emulator on a loaded machine (bench/politeness.py)."""

SLOW_DOWN = 1.1
"""Factor a lane's spacing grows by at each 429, up to :data:`MAX_SLOW_DOWN`."""
MAX_SLOW_DOWN = 2.0

BodyCheck = Callable[[httpx2.Response], None]
"""Raises ``ValueError`` when a 2xx body is unusable (cut short, not JSON/XML): it is retried."""
Refusal = Callable[[httpx2.Response], str | None]
"""Says why an answer means "stop asking" (a rejected key, a spent daily quota, a browser check
instead of JSON): the request then fails at once, without retries, and is never cached."""


def user_agent(mailto: str | None) -> str:
    """What citekit calls itself to a service, with the contact address the polite pools ask for."""
    return f"citekit/{__version__}" + (f" (mailto:{mailto})" if mailto else "")


def json_body(response: httpx2.Response) -> None:
    """A :data:`BodyCheck` for JSON services: a cut-off or garbled body is retried, never cached."""
    try:
        json.loads(response.content)
    except ValueError as exc:
        raise ValueError(f"body is not complete JSON ({exc})") from exc


class Clock(Protocol):
    """Where the session reads the time and waits: the :mod:`time` module satisfies it."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float, /) -> None: ...


class SourceUnreachable(SourceError):
    """The server could not be reached at all; the session has switched to cache-only answers."""


class OfflineMiss(Exception):
    """Offline and the cache has no answer: the source turns this into ``None`` / ``[]``."""


@dataclass(frozen=True, slots=True)
class Pace:
    """At most ``limit`` request starts per ``interval`` seconds, spread evenly."""

    limit: int
    interval: float = 1.0

    @property
    def spacing(self) -> float:
        """Seconds between two starts, margin included."""
        return self.interval / self.limit * (1 + PACE_MARGIN)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 3
    """Extra attempts after the first."""
    backoff: float = 0.5
    """First wait in seconds; doubled at each further attempt, plus up to 50 % jitter."""
    max_backoff: float = 30.0
    max_wait: float = 120.0
    """A ``Retry-After`` longer than this makes the request fail instead of hanging the run."""

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.max_backoff, self.backoff * 2.0**attempt)
        return base * (1 + rng.uniform(0, 0.5))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from ``Retry-After`` (delta-seconds or an HTTP date); ``None`` if absent/bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def parse_interval(value: str | None) -> float | None:
    """``1s``, ``500ms``, ``1`` → seconds (Crossref's ``X-Rate-Limit-Interval``)."""
    if not value:
        return None
    text = value.strip().lower()
    scale = 0.001 if text.endswith("ms") else 60.0 if text.endswith("m") else 1.0
    try:
        seconds = float(text.rstrip("msec")) * scale
    except ValueError:
        return None
    return seconds if seconds > 0 else None


@dataclass(frozen=True, slots=True)
class _Sent:
    """One request as it goes out (the identity parameters included)."""

    method: str
    url: str
    params: dict[str, str]
    body: bytes | None
    headers: Mapping[str, str] | None


class _Gate:
    """A semaphore whose size can change while requests are in flight."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._active = 0
        self._cond = threading.Condition()

    def resize(self, size: int) -> None:
        with self._cond:
            self.size = max(1, size)
            self._cond.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._cond:
            while self._active >= self.size:
                self._cond.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()


class HttpSession:
    """One remote service's connection: see the module docstring for what it takes care of."""

    def __init__(
        self,
        source: str,
        *,
        user_agent: str,
        paces: Mapping[str, Pace],
        concurrency: int,
        stats: SourceStats,
        cache: ResponseCache | None = None,
        offline: bool = False,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        retry: RetryPolicy | None = None,
        extra_params: Mapping[str, str] | None = None,
        seed: int | None = None,
        clock: Clock = time,
    ) -> None:
        self.source = source
        self.stats = stats
        self.cache = cache
        self.offline = offline
        self.offline_misses = 0
        self.retry = retry or RetryPolicy()
        self.extra_params = dict(extra_params or {})
        self._paces = dict(paces)
        self._gate = _Gate(concurrency)
        self._last_start: dict[str, float] = {}
        self._slowed: dict[str, float] = {}
        """Per lane, the factor 429s have stretched its spacing by."""
        self._hold_until = 0.0
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._clock = clock
        self._client = httpx2.Client(
            headers={"User-Agent": user_agent},
            follow_redirects=True,
            timeout=httpx2.Timeout(timeout, connect=connect_timeout),
        )

    @property
    def concurrency(self) -> int:
        return self._gate.size

    def pace(self, lane: str) -> Pace:
        return self._paces[lane]

    def spacing(self, lane: str) -> float:
        """Seconds between two starts in ``lane`` now: its pace, stretched by any 429s."""
        return self._paces[lane].spacing * self._slowed.get(lane, 1.0) if lane in self._paces else 0.0

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        lane: str = "default",
        check: BodyCheck | None = None,
        refuse: Refusal | None = None,
    ) -> httpx2.Response:
        """A response with a final status (2xx, or a 4xx the caller interprets); see module docs."""
        return self._request("GET", url, params, None, headers, lane, check, refuse)

    def post(
        self,
        url: str,
        *,
        body: object,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        lane: str = "default",
        check: BodyCheck | None = None,
        refuse: Refusal | None = None,
    ) -> httpx2.Response:
        """``get`` for a question sent as a JSON body (a batch of ids); cached by the body's digest."""
        return self._request(
            "POST", url, params, json.dumps(body, sort_keys=True).encode(), headers, lane, check, refuse
        )

    def _request(
        self,
        method: str,
        url: str,
        params: Mapping[str, object] | None,
        body: bytes | None,
        headers: Mapping[str, str] | None,
        lane: str,
        check: BodyCheck | None,
        refuse: Refusal | None,
    ) -> httpx2.Response:
        query = {str(k): str(v) for k, v in (params or {}).items() if v is not None}
        digest = {"body-sha256": hashlib.sha256(body).hexdigest()} if body is not None else {}
        key = cache_key(method, url, {**query, **digest})
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            self._count("cached")
            return httpx2.Response(
                hit.status,
                headers=hit.headers,
                content=hit.body,
                request=httpx2.Request(method, url, params=query),
            )
        if self.offline:
            with self._lock:
                self.offline_misses += 1
            raise OfflineMiss(key)
        sent = _Sent(method, url, {**query, **self.extra_params}, body, headers)
        response = self._fetch(sent, lane, check, refuse)
        if self.cache is not None and (response.is_success or response.status_code in DEFINITIVE_STATUSES):
            kept = {"content-type": response.headers.get("content-type", "")}
            self.cache.put(key, response.status_code, kept, response.content)
        return response

    def _fetch(
        self, sent: _Sent, lane: str, check: BodyCheck | None, refuse: Refusal | None
    ) -> httpx2.Response:
        url, params = sent.url, sent.params
        problem, status = "", None
        for attempt in range(self.retry.retries + 1):
            if attempt:
                self._count("retries")
            try:
                response = self._send(sent, lane)
            except _UNREACHABLE as exc:
                raise self._unreachable(url, exc) from exc
            except httpx2.TransportError as exc:
                problem, wait = f"{type(exc).__name__}: {exc}", self.retry.delay(attempt, self._rng)
                status = None
            else:
                self._adopt_limits(response, lane)
                status = response.status_code
                reason = refuse(response) if refuse is not None else None
                if reason:
                    self._fail(reason)
                    raise SourceError(self.source, reason, url=url, status=status)
                problem, wait = self._judge(response, check, attempt, lane)
                if not problem:
                    return response
            if attempt < self.retry.retries:
                log.info("%s: %s for %s; retrying in %.2f s", self.source, problem, url, wait)
                self._clock.sleep(wait)
        message = f"gave up after {self.retry.retries + 1} attempts ({problem})"
        self._fail(f"{_describe(url, params)}: {message}")
        raise SourceError(self.source, message, url=url, status=status)

    def _judge(
        self, response: httpx2.Response, check: BodyCheck | None, attempt: int, lane: str
    ) -> tuple[str, float]:
        """``("", 0)`` for a final answer, else what went wrong and how long to wait before retrying."""
        status = response.status_code
        if status == 429:
            with self._lock:
                self._slowed[lane] = min(MAX_SLOW_DOWN, self._slowed.get(lane, 1.0) * SLOW_DOWN)
        if status in RETRY_STATUSES:
            asked = parse_retry_after(response.headers.get("retry-after"))
            if asked is not None and asked > self.retry.max_wait:
                message = f"HTTP {status}; the server asks to wait {asked:.0f} s, try again later"
                self._fail(f"{_describe(str(response.request.url))}: {message}")
                raise SourceError(self.source, message, url=str(response.request.url), status=status)
            wait = self.retry.delay(attempt, self._rng)
            if asked is not None or status == 429:
                wait = max(wait, asked or 0.0)
                self._hold(wait)
            return f"HTTP {status}", wait
        if response.is_success and check is not None:
            try:
                check(response)
            except ValueError as exc:
                return f"malformed response: {exc}", self.retry.delay(attempt, self._rng)
        return "", 0.0

    def _send(self, sent: _Sent, lane: str) -> httpx2.Response:
        with self._gate.slot():
            self._wait_for_slot(lane)
            self._count("requests")
            if sent.body is None:
                return self._client.get(sent.url, params=sent.params, headers=sent.headers)
            headers = {"Content-Type": "application/json", **(sent.headers or {})}
            return self._client.post(sent.url, params=sent.params, headers=headers, content=sent.body)

    def _wait_for_slot(self, lane: str) -> None:
        """Sleep until this lane may start a request, and claim that start (several threads may wait)."""
        while True:
            with self._lock:
                now = self._clock.monotonic()
                last = self._last_start.get(lane)
                spacing = self.spacing(lane)
                earliest = max(self._hold_until, last + spacing if last is not None else now)
                if now >= earliest:
                    self._last_start[lane] = now
                    log.debug(
                        "%s: %s request starts",
                        self.source,
                        lane,
                        extra={"session": self.source, "lane": lane, "started": now},
                    )
                    return
            self._clock.sleep(earliest - now)

    def _hold(self, seconds: float) -> None:
        """Pause every request of the session (the server said it is overloaded)."""
        with self._lock:
            now = self._clock.monotonic()
            self._hold_until = max(self._hold_until, now + seconds)
            log.debug(
                "%s: every request held for %.2f s",
                self.source,
                seconds,
                extra={"session": self.source, "hold_from": now, "hold_until": self._hold_until},
            )

    def _adopt_limits(self, response: httpx2.Response, lane: str) -> None:
        limit = _positive_int(response.headers.get("x-rate-limit-limit"))
        interval = parse_interval(response.headers.get("x-rate-limit-interval"))
        concurrency = _positive_int(response.headers.get("x-concurrency-limit"))
        if limit and interval:
            with self._lock:
                if self._paces.get(lane) != Pace(limit, interval):
                    log.debug("%s: %s lane now paced at %d per %.3g s", self.source, lane, limit, interval)
                    self._paces[lane] = Pace(limit, interval)
        if concurrency and concurrency != self._gate.size:
            self._gate.resize(concurrency)

    def _unreachable(self, url: str, exc: Exception) -> Exception:
        """Say so once; requests already in flight when it happened count as offline misses."""
        with self._lock:
            reported, self.offline = self.offline, True
            if reported:
                self.offline_misses += 1
        if reported:
            return OfflineMiss(url)
        message = (
            f"cannot reach {httpx2.URL(url).host} ({type(exc).__name__}: {exc}); "
            "continuing offline, with cached answers only"
        )
        self._fail(message)
        return SourceUnreachable(self.source, message, url=url)

    def _count(self, counter: str) -> None:
        with self._lock:
            setattr(self.stats, counter, getattr(self.stats, counter) + 1)

    def _fail(self, message: str) -> None:
        with self._lock:
            self.stats.failures.append(message)


class HttpSource:
    """What every remote source shares: one :class:`HttpSession`, its counters, closing it, and
    the "stop asking" state that a refusal sets (a rejected key, a spent quota, a browser check).

    A source calls :meth:`_open_session` from its constructor and asks its service through
    :meth:`_ask_json`; one that can be refused overrides :meth:`_refusal`.
    """

    service: str
    """The service's name in messages and errors ("Semantic Scholar")."""
    stats: SourceStats
    session: HttpSession
    stopped: str
    """Why the source stopped asking, once it has (empty until then)."""

    def _open_session(
        self,
        *,
        mailto: str | None,
        paces: Mapping[str, Pace],
        retry: RetryPolicy,
        cache: ResponseCache | str | Path | None,
        offline: bool,
        timeout: float,
        connect_timeout: float,
        concurrency: int = 1,
        extra_params: Mapping[str, str] | None = None,
        clock: Clock = time,
    ) -> None:
        self.stats = SourceStats()
        self.stopped = ""
        self._asking = threading.Lock()
        self.session = HttpSession(
            self.service,
            user_agent=user_agent(mailto),
            paces=paces,
            concurrency=concurrency,
            stats=self.stats,
            cache=open_cache(cache),
            offline=offline,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=retry,
            extra_params=extra_params,
            clock=clock,
        )

    @property
    def offline_misses(self) -> int:
        """Questions the cache could not answer while offline."""
        return self.session.offline_misses

    def close(self) -> None:
        self.session.close()

    def _ask_json(
        self,
        url: str,
        params: Mapping[str, object],
        *,
        lane: str,
        body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """The JSON answer (a POST when there is a ``body``); ``None`` for a 404 or 410, offline
        without a cached answer, or once the source has stopped asking."""
        with self._asking:  # one request at a time: a refusal then stops those waiting behind it
            if self.stopped:
                return None
            options: dict[str, Any] = {"params": params, "headers": headers, "lane": lane}
            options |= {"check": json_body, "refuse": self._refused}
            try:
                if body is None:
                    response = self.session.get(url, **options)
                else:
                    response = self.session.post(url, body=body, **options)
            except OfflineMiss:
                return None
        return json_answer(self.service, response)

    def _ask_object(self, url: str, params: Mapping[str, object], *, lane: str) -> dict[str, Any] | None:
        """:meth:`_ask_json` for a service that answers with a JSON object."""
        data = self._ask_json(url, params, lane=lane)
        if data is not None and not isinstance(data, dict):
            raise SourceError(self.service, f"unexpected answer: {str(data)[:200]}")
        return data

    def _refused(self, response: httpx2.Response) -> str | None:
        reason = self._refusal(response)
        if reason:
            self.stopped = reason
        return reason

    def _refusal(self, response: httpx2.Response) -> str | None:
        """Why this answer means "stop asking" (see :data:`Refusal`); ``None``: it does not."""
        return None


def json_answer(service: str, response: httpx2.Response) -> Any:
    """The JSON of a final answer; ``None`` for a 404 or 410; :class:`SourceError` for other failures."""
    status = response.status_code
    if status in DEFINITIVE_STATUSES:
        return None
    if not response.is_success:
        message = f"HTTP {status}: {squash(response.text[:200])}"
        raise SourceError(service, message, url=str(response.request.url), status=status)
    return json.loads(response.content)


def _describe(url: str, params: Mapping[str, str] | None = None) -> str:
    """The request as a reader would name it: parameters decoded and sorted, ``mailto`` left out."""
    return unquote_plus(cache_key("GET", url, params).removeprefix("GET "))


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None
