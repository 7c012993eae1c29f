"""Local servers that speak Crossref's REST API and arXiv's query API, for tests without network.

Each serves the snapshot in ``seeds/metadata/`` (or records a test adds) from a
``ThreadingHTTPServer`` on an ephemeral 127.0.0.1 port, so the real clients run over real
sockets. Tests steer them with :meth:`Emulator.fail` (the next responses, or the next ones to a
given path, are 429s, 5xx, slow, stalled halfway, cut short or reset) and inspect
:attr:`Emulator.log` (arrival times, concurrency, headers, params, what each request got).

Both can also *enforce* the services' limits, as the real ones do: ``CrossrefEmulator.enforce_limits``
answers 429 to a client that goes over the rate or concurrency limit its pool advertises, and
``ArxivEmulator.min_interval`` answers 503 to requests closer together than arXiv's rule allows.
Such rejections are counted in :attr:`Emulator.violations`.

    with CrossrefEmulator() as server:
        source = CrossrefSource(base_url=server.url, mailto="me@example.org")
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import select
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import cache, lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from citekit.ids import parse_arxiv_id
from citekit.sources.convert import CROSSREF_TYPES
from citekit.text import fold, latex_to_unicode
from citekit.venues import full_title

SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "metadata"
FAULTS = frozenset({"429", "500", "503", "slow", "slow-body", "truncated", "malformed", "reset"})
REJECTED = frozenset({"rate-limit", "concurrency-limit"})
"""What :attr:`LoggedRequest.fault` says when an enforced limit, not a test, turned a request away."""


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Fault:
    kind: str
    retry_after: str | None = None
    delay: float = 0.0
    only: str | None = None
    """Applies only to requests whose path and query contain this text; ``None``: to any request."""

    def applies_to(self, entry: LoggedRequest) -> bool:
        return self.only is None or self.only in entry.target


@dataclass(slots=True)
class LoggedRequest:
    start: float
    """The emulator's :attr:`~Emulator.clock` when the request line arrived."""
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    """Header names lower-cased."""
    concurrent: int
    """Requests being handled at arrival, this one included."""
    status: int = 0
    fault: str = ""
    """The injected fault this request got, or a :data:`REJECTED` reason; empty when answered normally."""
    target: str = ""
    """Path and query string, percent-decoded (what :attr:`Fault.only` is matched against)."""
    left: bool = False
    """Whether the request no longer counts as in flight."""
    method: str = "GET"
    body: bytes = b""
    """What a POST sent."""

    def param(self, name: str) -> str:
        return self.params.get(name, [""])[0]


class Emulator:
    """The server machinery; subclasses answer :meth:`handle`."""

    def __init__(self) -> None:
        self.log: list[LoggedRequest] = []
        self.faults: deque[Fault] = deque()
        self.delay = 0.0
        """Seconds every response waits (to make concurrency observable)."""
        self.answer_when_concurrent = 0
        """Responses wait (besides :attr:`delay`) until this many requests have been in flight at
        once: a test about concurrency then sees its requests overlap however busy the machine is."""
        self.clock: Callable[[], float] = time.monotonic
        """What arrivals are timed with (and enforced limits measured on); a test may give a clock
        it moves itself."""
        self.tolerance = 0.01
        """Seconds a request may arrive early without breaking an enforced limit: arrival times are
        taken after thread scheduling, so they jitter around the moment the client sent."""
        self._active = 0
        self._lock = threading.Condition()
        self._closed = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Emulator:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed.set()  # answers still waiting (a stalled body, a slow fault) end now
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self,
        kind: str,
        times: int = 1,
        *,
        retry_after: str | None = None,
        delay: float | None = 0.5,
        only: str | None = None,
    ) -> None:
        """The next ``times`` requests get ``kind``: 429, 500, 503 (with ``Retry-After`` if given),
        ``slow`` (answered after ``delay`` s), ``slow-body`` (half the body at once, the rest
        ``delay`` s later; with ``delay=None``, ``slow`` and ``slow-body`` wait until the emulator
        is closed: a client's timeout is then sure to strike, however busy the machine), ``truncated`` (connection closed halfway through a body whose full
        length was announced), ``malformed`` (half a body, announced as complete), ``reset``
        (connection reset before any answer). With ``only``, just the next ``times`` requests whose
        path and query contain that text (e.g. one DOI) get it; other requests pass untouched."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        self.faults.extend(Fault(kind, retry_after, delay, only) for _ in range(times))

    @property
    def violations(self) -> list[LoggedRequest]:
        """Requests an enforced limit turned away (a polite client has none)."""
        return [r for r in self.log if r.fault in REJECTED]

    @property
    def max_concurrency(self) -> int:
        return max((r.concurrent for r in list(self.log)), default=0)

    def gaps(self) -> list[float]:
        """Seconds between consecutive request arrivals."""
        starts = sorted(r.start for r in self.log)
        return [b - a for a, b in pairwise(starts)]

    def handle(self, path: str, params: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        raise NotImplementedError

    def respond(self, entry: LoggedRequest) -> Reply:
        """The answer to a request; POSTs go to :meth:`handle_post`."""
        if entry.method == "POST":
            return self.handle_post(entry.path, entry.params, entry.headers, entry.body)
        return self.handle(entry.path, entry.params, entry.headers)

    def handle_post(
        self, path: str, params: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> Reply:
        return Reply(405, b"Method Not Allowed", "text/plain")

    def police(self, entry: LoggedRequest) -> Reply | None:
        """A rejection when ``entry`` breaks a limit the server enforces (its ``fault`` says which)."""
        return None

    def _next_fault(self, entry: LoggedRequest) -> Fault | None:
        with self._lock:
            fault = next((f for f in self.faults if f.applies_to(entry)), None)
            if fault is not None:
                self.faults.remove(fault)
            return fault

    def _enter(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._active += 1
            entry.concurrent = self._active
            self.log.append(entry)
            self._lock.notify_all()

    def _leave(self, entry: LoggedRequest) -> None:
        """Called once per request, before the client can have its whole answer: the client may
        send its next request at once, which must not be counted as overlapping this one."""
        with self._lock:
            if not entry.left:
                entry.left = True
                self._active -= 1

    def _wait_for_company(self) -> None:
        with self._lock:
            self._lock.wait_for(
                lambda: self.max_concurrency >= self.answer_when_concurrent or self._closed.is_set(),
                timeout=60,
            )


def _handler_for(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()  # headers and body go out as separate writes: without this, Nagle's
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # algorithm adds 40 ms

        def handle(self) -> None:
            with suppress(OSError, ValueError):  # the "reset" fault closed the socket under the handler
                super().handle()

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            entry = LoggedRequest(
                emulator.clock(),
                unquote(parts.path),
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                0,
                target=unquote(parts.path + "?" + parts.query),
                method=method,
                body=self.rfile.read(length) if length else b"",
            )
            emulator._enter(entry)
            try:
                self._answer(entry)
            finally:
                emulator._leave(entry)

        def _answer(self, entry: LoggedRequest) -> None:
            rejection = emulator.police(entry)
            if rejection is not None:
                entry.status = rejection.status
                self._send(rejection, rejection.body, len(rejection.body), entry, complete=True)
                return
            fault = emulator._next_fault(entry)
            entry.fault = fault.kind if fault else ""
            if fault and fault.kind == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                emulator._leave(entry)
                self.close_connection = True
                self.connection.close()
                return
            emulator._wait_for_company()
            self._stall(fault.delay if fault and fault.kind == "slow" else emulator.delay, entry)
            reply = emulator.respond(entry)
            if fault and fault.kind in {"429", "500", "503"}:
                extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                text = b"Too many requests" if fault.kind == "429" else b"Server error"
                reply = Reply(int(fault.kind), text, "text/plain", {**reply.headers, **extra})
            entry.status = reply.status
            body, announced = reply.body, len(reply.body)
            if fault and fault.kind in {"truncated", "malformed"}:
                body = body[: len(body) // 2]
                announced = len(reply.body) if fault.kind == "truncated" else len(body)
            if fault and fault.kind == "slow-body":
                self._send(reply, body[: len(body) // 2], announced, entry)
                self.wfile.flush()
                self._stall(fault.delay, entry)
                emulator._leave(entry)
                self.wfile.write(body[len(body) // 2 :])
                return
            self._send(
                reply, body, announced, entry, close=bool(fault and fault.kind == "truncated"), complete=True
            )

        def _stall(self, seconds: float | None, entry: LoggedRequest) -> None:
            """Wait ``seconds`` (``None``: until the emulator closes); sooner if the client hangs up,
            as a server notices a closed connection (the request is then no longer in flight)."""
            deadline = None if seconds is None else time.monotonic() + seconds
            while not emulator._closed.is_set():
                left = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
                if left <= 0:
                    return
                if select.select([self.connection], [], [], left)[0]:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        emulator._leave(entry)
                        return
                    time.sleep(left)  # a next request already sent: answered after this one

        def _send(
            self,
            reply: Reply,
            body: bytes,
            announced: int,
            entry: LoggedRequest,
            *,
            close: bool = False,
            complete: bool = False,
        ) -> None:
            """The answer; ``complete``: the client has all of it once ``body`` is written."""
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(announced))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if complete:
                emulator._leave(entry)
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    """Lower-case ASCII word tokens (cached: LaTeX decoding is what makes a server slow to start)."""
    return tuple(re.findall(r"[a-z0-9]+", fold(latex_to_unicode(text)).lower()))


@cache
def _seed_lines(name: str) -> tuple[str, ...]:
    return tuple(line for line in (SEEDS / name).read_text(encoding="utf-8").splitlines() if line.strip())


def _seed_records(name: str) -> list[dict[str, Any]]:
    """Fresh copies for each server, so that a test may change its own."""
    return [json.loads(line) for line in _seed_lines(name)]


# --------------------------------------------------------------------------------------- Crossref

# (limit per second, concurrency) by pool, as Crossref announces them since December 2025.
CROSSREF_POOLS = {
    "polite-single": (10, 3),
    "polite-array": (3, 3),
    "public-single": (5, 1),
    "public-array": (1, 1),
}
CROSSREF_FILTERS = frozenset({"from-pub-date", "until-pub-date", "type", "has-abstract"})


class CrossrefEmulator(Emulator):
    """``GET /works/{doi}`` and ``GET /works?query.bibliographic=…`` over ``crossref.jsonl``."""

    def __init__(self, works: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.works: dict[str, dict[str, Any]] = {}
        for work in works if works is not None else _seed_records("crossref.jsonl"):
            self.add(work)
        self.rate_limit: tuple[int, str, int] | None = None
        """Override the advertised ``(limit, interval, concurrency)``, e.g. ``(50, "1s", 5)``."""
        self.advertise_limits = True
        """Send the ``X-Rate-Limit-*`` headers at all."""
        self.enforce_limits = False
        """Answer 429 (with ``Retry-After``) to a request that goes over its pool's advertised limits:
        more than ``limit`` arrivals in any ``interval`` (a sliding window, per pool), or more than
        ``concurrency`` requests in flight (of any kind: one client at a time is assumed)."""
        self._arrivals: dict[str, deque[float]] = {}

    def add(self, work: dict[str, Any]) -> None:
        self.works[str(work["DOI"]).lower()] = work

    def limits(self, pool: str) -> tuple[int, str, int]:
        """``(limit, interval, concurrency)`` advertised (and, when enforced, applied) for ``pool``."""
        limit, concurrency = CROSSREF_POOLS[pool]
        return self.rate_limit or (limit, "1s", concurrency)

    def handle(self, path: str, params: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        pool = crossref_pool(path, params, headers)
        if pool is None:
            return Reply(404, b"Resource not found.", "text/plain")
        reply = self._work(path.removeprefix("/works/")) if pool.endswith("single") else self._search(params)
        return self._advertise(reply, pool)

    def police(self, entry: LoggedRequest) -> Reply | None:
        pool = crossref_pool(entry.path, entry.params, entry.headers)
        if not self.enforce_limits or pool is None:
            return None
        limit, interval_text, concurrency = self.limits(pool)
        interval = float(interval_text.rstrip("s"))
        with self._lock:
            window = self._arrivals.setdefault(pool, deque())
            while window and window[0] <= entry.start - interval + self.tolerance:
                window.popleft()
            window.append(entry.start)
            over_rate = len(window) > limit
            wait = window[0] + interval - entry.start
        if entry.concurrent > concurrency:
            entry.fault = "concurrency-limit"
            text = f"Too many concurrent requests: the {pool} pool allows {concurrency}."
        elif over_rate:
            entry.fault = "rate-limit"
            text = f"Rate limit exceeded: the {pool} pool allows {limit} requests per {interval_text}."
        else:
            return None
        reply = Reply(429, text.encode(), "text/plain", {"Retry-After": str(max(1, math.ceil(wait)))})
        return self._advertise(reply, pool)

    def _advertise(self, reply: Reply, pool: str) -> Reply:
        if self.advertise_limits:
            limit, interval, concurrency = self.limits(pool)
            reply.headers.update(
                {
                    "X-Rate-Limit-Limit": str(limit),
                    "X-Rate-Limit-Interval": interval,
                    "X-Concurrency-Limit": str(concurrency),
                    "X-Api-Pool": pool,
                }
            )
        return reply

    def _work(self, doi: str) -> Reply:
        work = self.works.get(doi.lower())
        if work is None:
            return Reply(404, b"Resource not found.", "text/plain")
        return _json_reply(
            {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": work}
        )

    def _search(self, params: dict[str, list[str]]) -> Reply:
        filters: dict[str, str] = {}
        for clause in filter(None, params.get("filter", [""])[0].split(",")):
            name, _, value = clause.partition(":")
            if name not in CROSSREF_FILTERS:
                message = f"Filter {name} specified but there is no such filter for this route."
                return _json_reply(
                    {
                        "status": "failed",
                        "message-type": "validation-failure",
                        "message": [{"type": "filter-not-available", "value": name, "message": message}],
                    },
                    400,
                )
            filters[name] = value
        bibliographic = set(_tokens(params.get("query.bibliographic", [""])[0]))
        authors = set(_tokens(params.get("query.author", [""])[0]))
        rows, offset = int(params.get("rows", ["20"])[0]), int(params.get("offset", ["0"])[0])
        scored = []
        for work in self.works.values():
            year = ((work.get("issued") or {}).get("date-parts") or [[None]])[0][0]
            if not _in_years(year, filters):
                continue
            names = _tokens(
                " ".join(
                    f"{a.get('given', '')} {a.get('family', '')} {a.get('name', '')}"
                    for a in work.get("author", [])
                )
            )
            words = [*work.get("title", []), *work.get("container-title", []), str(year)]
            text = set(_tokens(" ".join(words)))
            score = len(bibliographic & (text | set(names))) + 2 * len(authors & set(names))
            if score or not (bibliographic or authors):
                scored.append((score, work))
        scored.sort(key=lambda pair: -pair[0])
        select = [s for s in params.get("select", [""])[0].split(",") if s]
        items = [
            _selected({**work, "score": float(score) * 7.25}, select)
            for score, work in scored[offset : offset + rows]
        ]
        message = {
            "facets": {},
            "total-results": len(scored),
            "items": items,
            "items-per-page": rows,
            "query": {"start-index": offset, "search-terms": None},
        }
        return _json_reply(
            {"status": "ok", "message-type": "work-list", "message-version": "1.0.0", "message": message}
        )


def crossref_pool(path: str, params: dict[str, list[str]], headers: dict[str, str]) -> str | None:
    """Crossref's pool for a request: polite with a ``mailto``; ``single`` for one work, ``array``
    for a search; ``None`` for a route the emulator does not serve."""
    polite = "mailto" in params or "mailto:" in headers.get("user-agent", "")
    if path.startswith("/works/"):
        return "polite-single" if polite else "public-single"
    if path.rstrip("/") == "/works":
        return "polite-array" if polite else "public-array"
    return None


def _in_years(year: int | None, filters: dict[str, str]) -> bool:
    low, high = filters.get("from-pub-date"), filters.get("until-pub-date")
    if year is None:
        return not (low or high)
    return (not low or year >= int(low[:4])) and (not high or year <= int(high[:4]))


def _selected(work: dict[str, Any], select: list[str]) -> dict[str, Any]:
    return {k: v for k, v in work.items() if k in select} if select else work


def _json_reply(data: dict[str, Any], status: int = 200) -> Reply:
    return Reply(status, json.dumps(data).encode(), "application/json;charset=utf-8")


# ------------------------------------------------------------------------------------------ arXiv

_QUERY_TOKEN = re.compile(r'\(|\)|\b(?:ANDNOT|AND|OR)\b|[a-z]+:"[^"]*"|[a-z]+:[^\s()"]+|"[^"]*"|[^\s()"]+')
_FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "id", "all")


class ArxivEmulator(Emulator):
    """``GET /api/query?id_list=…&search_query=…&start=…&max_results=…`` over ``arxiv.jsonl``."""

    def __init__(self, entries: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.entries: dict[str, dict[str, Any]] = {}
        self._fields: dict[str, dict[str, tuple[str, ...]]] = {}
        self.min_interval: float | None = None
        """When set, arXiv's rule is enforced: a request less than this many seconds after the
        previous one, or while another is in flight (one connection at a time), gets a 503 with
        ``Retry-After``. arXiv asks for 3 s; tests and benchmarks may shorten it."""
        self._last_arrival: float | None = None
        for entry in entries if entries is not None else _seed_records("arxiv.jsonl"):
            self.add(entry)

    def add(self, entry: dict[str, Any]) -> None:
        """Serve a record in arXiv's bulk form (``id``, ``title``, ``authors_parsed``, ``versions``…)."""
        self.entries[entry["id"]] = entry
        authors = " | ".join(_display(parts) for parts in entry.get("authors_parsed") or [])
        texts = {
            "ti": entry.get("title"),
            "au": authors,
            "abs": entry.get("abstract"),
            "co": entry.get("comments"),
            "jr": entry.get("journal-ref"),
            "cat": entry.get("categories"),
        }
        fields = {name: _tokens(text or "") for name, text in texts.items()}
        fields["all"] = tuple(t for name in texts for t in (*fields[name], "|"))
        fields["id"] = _tokens(entry["id"])
        self._fields[entry["id"]] = fields

    def police(self, entry: LoggedRequest) -> Reply | None:
        if self.min_interval is None:
            return None
        with self._lock:
            previous, self._last_arrival = self._last_arrival, entry.start
        if entry.concurrent > 1:
            entry.fault = "concurrency-limit"
        elif previous is not None and entry.start - previous < self.min_interval - self.tolerance:
            entry.fault = "rate-limit"
        else:
            return None
        text = f"Rate exceeded: one request every {self.min_interval:g} s, one at a time."
        wait = str(max(1, math.ceil(self.min_interval)))
        return Reply(503, text.encode(), "text/plain", {"Retry-After": wait})

    def handle(self, path: str, params: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        if path.rstrip("/") != "/api/query":
            return Reply(404, b"Not Found", "text/plain")
        first = {name: values[0] for name, values in params.items()}
        start, size = int(first.get("start", "0")), min(int(first.get("max_results", "10")), 2000)
        wanted = [(i, parse_arxiv_id(i)) for i in first.get("id_list", "").split(",") if i]
        if bad := [i for i, parsed in wanted if parsed is None]:
            return _atom_reply(_feed(first, [_error_entry(bad[0])], 1, 0), 400)
        hits = [(0, p.id, p.version) for _, p in wanted if p and p.id in self.entries]
        if first.get("search_query"):
            matcher = _parse_query(first["search_query"])
            pool = [i for _, i, _v in hits] if wanted else list(self.entries)
            scored = [(score, i, None) for i in pool if (score := matcher(self._fields[i])) > 0]
            hits = sorted(scored, key=lambda hit: -hit[0])
        page = [_entry(self.entries[i], version) for _, i, version in hits[start : start + size]]
        return _atom_reply(_feed(first, page, len(hits), start))


def _parse_query(text: str) -> Callable[[dict[str, tuple[str, ...]]], int]:
    """``ti:"a b" AND (au:x OR abs:y) ANDNOT cat:z`` → a scorer (0 = no match), left to right."""
    tokens = _QUERY_TOKEN.findall(text)

    def expression(position: int) -> tuple[Callable[[dict[str, tuple[str, ...]]], int], int]:
        scorer, position = operand(position)
        while position < len(tokens) and tokens[position] in {"AND", "OR", "ANDNOT"}:
            operator = tokens[position]
            right, position = operand(position + 1)
            scorer = _combine(operator, scorer, right)
        return scorer, position

    def operand(position: int) -> tuple[Callable[[dict[str, tuple[str, ...]]], int], int]:
        if position >= len(tokens):
            return (lambda fields: 0), position
        if tokens[position] == "(":
            scorer, position = expression(position + 1)
            return scorer, position + (position < len(tokens) and tokens[position] == ")")
        field_name, _, value = tokens[position].rpartition(":")
        words = _tokens(value.strip('"').replace("_", " "))
        name = field_name if field_name in _FIELDS else "all"
        return (lambda fields: int(bool(words) and _contains(fields[name], words))), position + 1

    return expression(0)[0]


def _combine(operator: str, left: Callable[..., int], right: Callable[..., int]) -> Callable[..., int]:
    def combined(fields: dict[str, tuple[str, ...]]) -> int:
        a, b = left(fields), right(fields)
        if operator == "AND":
            return a + b if a and b else 0
        return a + b if operator == "OR" else (0 if b else a)

    return combined


def _contains(haystack: tuple[str, ...], words: tuple[str, ...]) -> bool:
    size = len(words)
    return any(haystack[i : i + size] == words for i in range(len(haystack) - size + 1))


def _display(parts: list[str]) -> str:
    family, given, suffix = ([*parts, "", "", ""])[:3]
    return _decoded(" ".join(p for p in (given, family, suffix) if p))


@lru_cache(maxsize=8192)
def _decoded(text: str) -> str:
    return latex_to_unicode(text)


def _iso(created: str) -> str:
    return parsedate_to_datetime(created).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(entry: dict[str, Any], version: int | None) -> str:
    versions = entry.get("versions") or [{"version": "v1", "created": "Mon, 01 Jan 2007 00:00:00 GMT"}]
    number = min(version or len(versions), len(versions))
    abs_url = f"http://arxiv.org/abs/{entry['id']}v{number}"
    categories = (entry.get("categories") or "").split()
    lines = [
        f"<id>{abs_url}</id>",
        f"<updated>{_iso(versions[number - 1]['created'])}</updated>",
        f"<published>{_iso(versions[0]['created'])}</published>",
        f"<title>{escape(entry.get('title') or '')}</title>",
        f"<summary>{escape(entry.get('abstract') or '')}</summary>",
    ]
    authors = entry.get("authors_parsed") or []
    lines += [f"<author><name>{escape(_display(parts))}</name></author>" for parts in authors]
    if entry.get("doi"):
        lines += [
            f"<arxiv:doi>{escape(entry['doi'])}</arxiv:doi>",
            f'<link title="doi" href={quoteattr("http://dx.doi.org/" + entry["doi"])} rel="related"/>',
        ]
    for element, key in (("comment", "comments"), ("journal_ref", "journal-ref")):
        if entry.get(key):
            lines.append(f"<arxiv:{element}>{escape(entry[key])}</arxiv:{element}>")
    pdf_url = abs_url.replace("/abs/", "/pdf/")
    lines += [
        f'<link href="{abs_url}" rel="alternate" type="text/html"/>',
        f'<link title="pdf" href="{pdf_url}" rel="related" type="application/pdf"/>',
    ]
    scheme = 'scheme="http://arxiv.org/schemas/atom"'
    if categories:
        lines.append(f"<arxiv:primary_category term={quoteattr(categories[0])} {scheme}/>")
    lines += [f"<category term={quoteattr(c)} {scheme}/>" for c in categories]
    return "<entry>\n    " + "\n    ".join(lines) + "\n  </entry>"


def _error_entry(bad_id: str) -> str:
    return (
        f"<entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad_id)}</id>\n"
        f"    <title>Error</title>\n    <summary>incorrect id format for {escape(bad_id)}</summary>\n"
        f'    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad_id)}" '
        'rel="alternate" type="text/html"/>\n  </entry>'
    )


def _feed(params: dict[str, str], entries: list[str], total: int, start: int) -> str:
    names = ("search_query", "id_list", "start", "max_results")
    query = "&".join(f"{name}={params[name]}" for name in names if name in params)
    digest = hashlib.sha1(query.encode()).hexdigest()[:27]
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">',
            f'  <link href={quoteattr("http://arxiv.org/api/query?" + query)} rel="self" '
            'type="application/atom+xml"/>',
            f'  <title type="html">ArXiv Query: {escape(query)}</title>',
            f"  <id>http://arxiv.org/api/{digest}</id>",
            f"  <updated>{time.strftime('%Y-%m-%dT%H:%M:%S-05:00')}</updated>",
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
            f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>",
            *(f"  {entry}" for entry in entries),
            "</feed>",
            "",
        ]
    )


def _atom_reply(feed: str, status: int = 200) -> Reply:
    return Reply(status, feed.encode("utf-8"), "application/atom+xml; charset=utf-8")


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused), for "unreachable" tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ------------------------------------------------------- the snapshot's papers, with their venues


@dataclass(slots=True)
class Venue:
    """Where a paper of the snapshot was published: a Crossref work or a ``proceedings.json`` item."""

    container: str
    kind: str
    """``conference``, ``journal`` or ``book series`` (OpenAlex's source types)."""
    short: str
    """The venue as dblp's search API names it (``ICML``, ``J. Mach. Learn. Res.``)."""
    year: int
    type: str
    """The paper's CSL type (``paper-conference``, ``chapter``…)."""
    publisher: str = ""
    volume: str = ""
    issue: str = ""
    page: str = ""
    doi: str = ""
    url: str = ""


@dataclass(slots=True)
class Paper:
    """An arXiv record of the snapshot and, if it was published, where."""

    arxiv_id: str
    title: str
    authors: list[str]
    """Display names (``Hervé Jégou``)."""
    year: int
    venue: Venue | None


DBLP_JOURNALS = {
    "Journal of Machine Learning Research": "J. Mach. Learn. Res.",
    "IEEE Transactions on Pattern Analysis and Machine Intelligence": "IEEE Trans. Pattern Anal. Mach. Intell.",
    "IEEE Transactions on Big Data": "IEEE Trans. Big Data",
    "Communications of the ACM": "Commun. ACM",
    "Constructive Approximation": "Constr. Approx.",
}
"""dblp names journals by their ISO 4 abbreviations."""
DBLP_CONFERENCES = [
    ("Datasets and Benchmarks", "NeurIPS Datasets and Benchmarks"),
    ("Workshops", "CVPR Workshops"),
    ("Computer Vision and Pattern Recognition", "CVPR"),
    ("Findings of the Association for Computational Linguistics", "ACL (Findings)"),
    ("Annual Meeting of the Association for Computational Linguistics (Volume 1", "ACL (1)"),
    ("Annual Meeting of the Association for Computational Linguistics (Volume 2", "ACL (2)"),
    ("Empirical Methods in Natural Language Processing", "EMNLP"),
    ("Computer Vision – ECCV", "ECCV"),
    ("Computer and Communications Security", "CCS"),
    ("Symposium on Security and Privacy", "SP"),
    ("Neural Information Processing Systems", "NeurIPS"),
    ("International Conference on Machine Learning", "ICML"),
    ("Learning Representations", "ICLR"),
    ("Artificial Intelligence and Statistics", "AISTATS"),
    ("USENIX Security", "USENIX Security"),
    ("Multimedia Retrieval", "ICMR"),
]
"""dblp's short names of proceedings (its ``venue`` field), by a phrase of their full titles."""


def dblp_venue(container: str) -> str:
    if container in DBLP_JOURNALS:
        return DBLP_JOURNALS[container]
    short = next((name for phrase, name in DBLP_CONFERENCES if phrase in container), "")
    acronym = re.findall(r"\(([A-Z]{2,})\)", container)
    return short or (acronym[-1] if acronym else container)


@cache
def snapshot_papers() -> tuple[Paper, ...]:
    """The arXiv records of ``seeds/metadata/`` with their published versions: the Crossref work
    their DOI names, or the ``proceedings.json`` item with the same title."""
    crossref = {str(w["DOI"]).lower(): w for w in _seed_records("crossref.jsonl")}
    proceedings = {
        " ".join(_tokens(p["title"])): p
        for p in json.loads((SEEDS / "proceedings.json").read_text(encoding="utf-8"))
    }
    papers = []
    for entry in _seed_records("arxiv.jsonl"):
        created = (entry.get("versions") or [{}])[0].get("created", "Mon, 01 Jan 2007 00:00:00 GMT")
        work, item = (
            crossref.get(str(entry.get("doi") or "").lower()),
            proceedings.get(" ".join(_tokens(entry["title"]))),
        )
        venue = _crossref_venue(work) if work else _proceedings_venue(item) if item else None
        papers.append(
            Paper(
                entry["id"],
                " ".join(_decoded(entry["title"]).split()),
                [_display(parts) for parts in entry.get("authors_parsed") or []],
                parsedate_to_datetime(created).year,
                venue,
            )
        )
    return tuple(papers)


def _crossref_venue(work: dict[str, Any]) -> Venue:
    container = work["container-title"][0]
    kind = "journal" if work["type"] == "journal-article" else "conference"
    return Venue(
        container,
        kind,
        dblp_venue(container),
        work["issued"]["date-parts"][0][0],
        CROSSREF_TYPES[work["type"]],
        work.get("publisher", ""),
        work.get("volume", ""),
        work.get("issue", ""),
        work.get("page", ""),
        work["DOI"],
        "",
    )


def _proceedings_venue(item: dict[str, Any]) -> Venue:
    container = item["container-title"]
    kind = "journal" if item["type"] == "article-journal" else "conference"
    return Venue(
        container,
        kind,
        dblp_venue(container),
        item["issued"]["date-parts"][0][0],
        item["type"],
        item.get("publisher", ""),
        item.get("volume", ""),
        item.get("issue", ""),
        item.get("page", ""),
        item.get("DOI", ""),
        item.get("URL", ""),
    )


def _words_match(query: str, texts: list[str]) -> bool:
    """Every word of ``query`` starts a word of ``texts`` (dblp's and the others' word search)."""
    words = set(_tokens(" ".join(texts)))
    return all(any(w.startswith(q) for w in words) for q in _tokens(query))


def _stable_id(prefix: str, text: str, digits: int = 10) -> str:
    return prefix + str(int(hashlib.sha1(text.encode()).hexdigest(), 16) % 10**digits)


# ------------------------------------------------------------------------------------------- dblp

BROWSER_CHECK_PAGE = b"""<!DOCTYPE html><html><head><title>dblp: Please verify you are human</title>
<script src="/challenge.js"></script></head><body><noscript>Please enable JavaScript.</noscript>
<p>Checking your browser before accessing dblp.org ...</p></body></html>"""


class DblpEmulator(Emulator):
    """``GET /search/publ/api?q=…&format=json&h=…&f=…``: every snapshot paper as a CoRR entry
    (informal, volume ``abs/ID``) and, if published, as a conference or journal entry.

    ``browser_check`` answers every request with dblp's proof-of-work HTML page instead."""

    def __init__(self) -> None:
        super().__init__()
        self.browser_check = False
        self.hits: list[dict[str, Any]] = []
        for paper in snapshot_papers():
            self.hits.append(self._corr(paper))
            if paper.venue:
                self.hits.append(self._published(paper, paper.venue))
        # dblp lists a paper's arXiv version after its published one for the same year.
        self.hits.sort(key=lambda hit: -int(hit["year"]))

    def handle(self, path: str, params: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        if self.browser_check:
            return Reply(200, BROWSER_CHECK_PAGE, "text/html; charset=utf-8")
        if path.rstrip("/") != "/search/publ/api":
            return Reply(404, b"<html><body>Not Found</body></html>", "text/html")
        first = {name: values[0] for name, values in params.items()}
        query, size, start = (
            first.get("q", ""),
            min(int(first.get("h", "30")), 1000),
            int(first.get("f", "0")),
        )
        found = [
            info
            for info in self.hits
            if query
            and _words_match(
                query,
                [
                    info["title"],
                    info["venue"],
                    info["year"],
                    *(a["text"] for a in _as_list(info["authors"]["author"])),
                ],
            )
        ]
        page = found[start : start + size]
        hits: dict[str, Any] = {
            "@total": str(len(found)),
            "@computed": str(len(found)),
            "@sent": str(len(page)),
            "@first": str(start),
        }
        if page:
            hits["hit"] = [
                {
                    "@score": str(len(found) - i),
                    "@id": _stable_id("", info["key"], 7),
                    "info": info,
                    "url": f"URL#{_stable_id('', info['key'], 7)}",
                }
                for i, info in enumerate(page)
            ]
        result = {
            "query": query,
            "status": {"@code": "200", "text": "OK"},
            "time": {"@unit": "msecs", "text": "12.34"},
            "completions": {"@total": "0", "@computed": "0", "@sent": "0"},
            "hits": hits,
        }
        if first.get("format") != "json":
            return Reply(200, b"<?xml version='1.0'?><result/>", "application/xml")
        return _json_reply({"result": result})

    def _authors(self, paper: Paper) -> dict[str, Any]:
        """dblp's author list; homonyms carry their number (``Wei Liu 0005``) and a single author
        is an object, not a list."""
        authors = [
            {"@pid": _stable_id("", name, 5), "text": name + (" 0001" if len(name) % 3 == 0 else "")}
            for name in paper.authors
        ]
        return {"author": authors if len(authors) != 1 else authors[0]}

    def _corr(self, paper: Paper) -> dict[str, Any]:
        key = f"journals/corr/abs-{paper.arxiv_id.replace('.', '-')}"
        return {
            "authors": self._authors(paper),
            "title": paper.title + ".",
            "venue": "CoRR",
            "volume": f"abs/{paper.arxiv_id}",
            "year": str(paper.year),
            "type": "Informal and Other Publications",
            "access": "open",
            "key": key,
            "doi": f"10.48550/ARXIV.{paper.arxiv_id}",
            "ee": f"https://doi.org/10.48550/arXiv.{paper.arxiv_id}",
            "url": f"https://dblp.org/rec/{key}",
        }

    def _published(self, paper: Paper, venue: Venue) -> dict[str, Any]:
        journal = venue.kind == "journal"
        key = (
            f"{'journals' if journal else 'conf'}/{_tokens(venue.short)[0]}/{_stable_id('X', paper.title, 5)}"
        )
        info: dict[str, Any] = {
            "authors": self._authors(paper),
            "title": paper.title + ".",
            "venue": venue.short,
        }
        for name, value in (("volume", venue.volume), ("number", venue.issue), ("pages", venue.page)):
            if value and (journal or name == "pages"):
                info[name] = value
        info.update(
            {
                "year": str(venue.year),
                "type": "Journal Articles" if journal else "Conference and Workshop Papers",
                "access": "closed",
                "key": key,
            }
        )
        links = [f"https://doi.org/{venue.doi}"] if venue.doi else []
        links += [venue.url] if venue.url else []
        if venue.doi:
            info["doi"] = venue.doi
        if links:
            info["ee"] = links if len(links) > 1 else links[0]
        info["url"] = f"https://dblp.org/rec/{key}"
        return info


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------------------- OpenAlex


class OpenAlexEmulator(Emulator):
    """``GET /works/doi:…`` and ``GET /works?filter=title.search:…`` / ``?search=…``: one work per
    snapshot paper, its published version (if any) the primary location and the arXiv copy another.

    ``api_key`` is required as OpenAlex requires it (401 without, 403 for another). ``daily_budget``
    caps list requests (searches) per key; past it, 429 with the daily-limit message. ``merged``
    maps an arXiv id to another's: its DOI then resolves to that other work (OpenAlex's merges)."""

    def __init__(self, api_key: str = "test-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.daily_budget: int | None = None
        self.merged: dict[str, str] = {}
        self.works = {paper.arxiv_id: self._work(paper) for paper in snapshot_papers()}
        self.searches = 0

    def handle(self, path: str, params: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        key = params.get("api_key", [""])[0]
        if not key:
            return _json_reply(
                {
                    "error": "API key required",
                    "message": "Add ?api_key=YOUR_KEY; keys are free at https://openalex.org/settings/api",
                },
                401,
            )
        if key != self.api_key:
            return _json_reply(
                {"error": "Invalid API key", "message": "The API key given is not valid."}, 403
            )
        if path.startswith("/works/doi:"):
            return self._by_doi(path.removeprefix("/works/doi:"))
        if path.rstrip("/") == "/works":
            self.searches += 1
            if self.daily_budget is not None and self.searches > self.daily_budget:
                return _json_reply(
                    {
                        "error": "Rate limit exceeded",
                        "message": "You have exceeded your daily "
                        f"limit of {self.daily_budget} list requests. It resets at midnight UTC.",
                    },
                    429,
                )
            return self._search(params)
        return _json_reply(
            {"error": "404 Not Found", "message": "The page you requested was not found."}, 404
        )

    def _by_doi(self, doi: str) -> Reply:
        doi = doi.lower()
        parsed = parse_arxiv_id(doi)
        if parsed and parsed.id in self.works:
            return _json_reply(self.works[self.merged.get(parsed.id, parsed.id)])
        work = next(
            (w for w in self.works.values() if str(w["doi"]).lower() == f"https://doi.org/{doi}"), None
        )
        if work is None:
            return _json_reply({"error": "404 Not Found", "message": f"doi:{doi} is not in OpenAlex."}, 404)
        return _json_reply(work)

    def _search(self, params: dict[str, list[str]]) -> Reply:
        filters = dict(
            clause.partition(":")[::2] for clause in params.get("filter", [""])[0].split(",") if clause
        )
        text = filters.get("title.search") or params.get("search", [""])[0]
        low, _, high = filters.get("publication_year", "").partition("-")
        found = [
            w
            for w in self.works.values()
            if text
            and _words_match(text, [w["title"]])
            and (not low or int(low) <= w["publication_year"] <= int(high or low))
        ]
        size = int(params.get("per-page", ["25"])[0])
        return _json_reply(
            {
                "meta": {
                    "count": len(found),
                    "db_response_time_ms": 12,
                    "page": 1,
                    "per_page": size,
                    "groups_count": None,
                },
                "results": found[:size],
                "group_by": [],
            }
        )

    def _work(self, paper: Paper) -> dict[str, Any]:
        venue = paper.venue
        arxiv = {
            "is_oa": True,
            "landing_page_url": f"https://arxiv.org/abs/{paper.arxiv_id}",
            "pdf_url": f"https://arxiv.org/pdf/{paper.arxiv_id}",
            "source": {
                "id": "https://openalex.org/S4306400194",
                "display_name": "arXiv (Cornell University)",
                "issn_l": None,
                "issn": None,
                "is_oa": True,
                "is_in_doaj": False,
                "is_core": False,
                "host_organization": "https://openalex.org/I205783295",
                "host_organization_name": "Cornell University",
                "type": "repository",
            },
            "license": None,
            "version": "submittedVersion",
            "is_accepted": False,
            "is_published": False,
        }
        locations = [arxiv]
        biblio: dict[str, Any] = {"volume": None, "issue": None, "first_page": None, "last_page": None}
        if venue:
            landing = f"https://doi.org/{venue.doi}" if venue.doi else venue.url or None
            locations.insert(
                0,
                {
                    "is_oa": False,
                    "landing_page_url": landing,
                    "pdf_url": None,
                    "source": {
                        "id": _stable_id("https://openalex.org/S", venue.container),
                        "display_name": venue.container,
                        "issn_l": None,
                        "issn": None,
                        "is_oa": False,
                        "is_in_doaj": False,
                        "is_core": True,
                        "host_organization": None,
                        "host_organization_name": venue.publisher or None,
                        "type": venue.kind,
                    },
                    "license": None,
                    "version": "publishedVersion",
                    "is_accepted": True,
                    "is_published": True,
                },
            )
            first, _, last = venue.page.partition("-")
            biblio = {
                "volume": venue.volume or None,
                "issue": venue.issue or None,
                "first_page": first or None,
                "last_page": last or None,
            }
        doi = venue.doi if venue and venue.doi else f"10.48550/arxiv.{paper.arxiv_id}"
        return {
            "id": _stable_id("https://openalex.org/W", paper.arxiv_id),
            "doi": f"https://doi.org/{doi.lower()}",
            "title": paper.title,
            "display_name": paper.title,
            "publication_year": venue.year if venue else paper.year,
            "type": "article" if venue else "preprint",
            "ids": {
                "openalex": _stable_id("https://openalex.org/W", paper.arxiv_id),
                "doi": f"https://doi.org/{doi.lower()}",
            },
            "authorships": [
                {
                    "author_position": "first" if i == 0 else "middle",
                    "author": {
                        "id": _stable_id("https://openalex.org/A", name),
                        "display_name": name,
                        "orcid": None,
                    },
                    "institutions": [],
                    "raw_author_name": name,
                }
                for i, name in enumerate(paper.authors)
            ],
            "primary_location": locations[0],
            "locations": locations,
            "locations_count": len(locations),
            "biblio": biblio,
            "is_retracted": False,
            "is_paratext": False,
        }


# ------------------------------------------------------------------------------- Semantic Scholar

S2_TOO_MANY = {
    "message": "Too Many Requests. Please wait and try again or apply for a key for higher rate "
    "limits. https://www.semanticscholar.org/product/api#api-key-form",
    "code": "429",
}


class SemanticScholarEmulator(Emulator):
    """``POST /graph/v1/paper/batch`` (up to 500 ``ARXIV:``/``DOI:`` ids, ``null`` for unknown ones)
    and ``GET /graph/v1/paper/search``, with only the ``fields`` asked for.

    ``keyless_429_every``: without an ``x-api-key`` header, every n-th request gets a 429, as the
    shared public pool does."""

    def __init__(self) -> None:
        super().__init__()
        self.keyless_429_every: int | None = None
        self.papers = {paper.arxiv_id: self._paper(paper) for paper in snapshot_papers()}
        self._keyless = 0

    def police(self, entry: LoggedRequest) -> Reply | None:
        if self.keyless_429_every is None or "x-api-key" in entry.headers:
            return None
        with self._lock:
            self._keyless += 1
            turned_away = self._keyless % self.keyless_429_every == 0
        if not turned_away:
            return None
        entry.fault = "rate-limit"
        return Reply(429, json.dumps(S2_TOO_MANY).encode(), "application/json", {"Retry-After": "0"})

    def handle(self, path: str, params: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        if path.rstrip("/") != "/graph/v1/paper/search":
            return _json_reply({"error": f"Unrecognized request path: {path}"}, 404)
        query = params.get("query", [""])[0]
        low, _, high = params.get("year", [""])[0].partition("-")
        found = [
            p
            for p in self.papers.values()
            if query
            and _words_match(query, [p["title"]])
            and (not low or int(low) <= p["year"] <= int(high or low))
        ]
        limit, offset = int(params.get("limit", ["100"])[0]), int(params.get("offset", ["0"])[0])
        fields = _fields(params)
        data: dict[str, Any] = {
            "total": len(found),
            "offset": offset,
            "data": [_only(p, fields) for p in found[offset : offset + limit]],
        }
        if offset + limit < len(found):
            data["next"] = offset + limit
        return _json_reply(data)

    def handle_post(
        self, path: str, params: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> Reply:
        if path.rstrip("/") != "/graph/v1/paper/batch":
            return _json_reply({"error": f"Unrecognized request path: {path}"}, 404)
        try:
            ids = json.loads(body)["ids"]
        except (ValueError, KeyError, TypeError):
            return _json_reply({"error": 'Unacceptable JSON body: expected {"ids": [...]}'}, 400)
        if len(ids) > 500:
            return _json_reply({"error": "Cannot process more than 500 ids in one request"}, 400)
        fields = _fields(params)
        answer = [_only(p, fields) if (p := self._find(str(i))) else None for i in ids]
        return Reply(200, json.dumps(answer).encode(), "application/json")

    def _find(self, paper_id: str) -> dict[str, Any] | None:
        kind, _, value = paper_id.partition(":")
        if kind.upper() == "ARXIV":
            parsed = parse_arxiv_id(value)
            return self.papers.get(parsed.id) if parsed else None
        if kind.upper() == "DOI":
            return next(
                (
                    p
                    for p in self.papers.values()
                    if str(p["externalIds"].get("DOI", "")).lower() == value.lower()
                ),
                None,
            )
        return None

    def _paper(self, paper: Paper) -> dict[str, Any]:
        venue = paper.venue
        ids: dict[str, Any] = {"ArXiv": paper.arxiv_id, "CorpusId": int(_stable_id("", paper.arxiv_id, 9))}
        ids["DOI"] = venue.doi if venue and venue.doi else f"10.48550/arXiv.{paper.arxiv_id}"
        if venue:
            ids["DBLP"] = f"conf/{_tokens(venue.short)[0]}/{_stable_id('X', paper.title, 5)}"
            journal = {
                "name": venue.container,
                **({"volume": venue.volume} if venue.volume else {}),
                **({"pages": venue.page} if venue.page else {}),
            }
            publication_venue = {
                "id": _stable_id("", venue.container, 12),
                "name": venue.container,
                "type": venue.kind if venue.kind != "book series" else "conference",
                "alternate_names": [venue.short],
            }
            types = ["JournalArticle"] if venue.kind == "journal" else ["JournalArticle", "Conference"]
        else:
            journal = {"name": "ArXiv", "volume": f"abs/{paper.arxiv_id}"}
            publication_venue = {
                "id": "1901e811-ee72-4b20-8f7e-de08cd395a10",
                "name": "arXiv.org",
                "alternate_names": ["ArXiv"],
                "issn": "2331-8422",
                "url": "https://arxiv.org",
            }
            types = ["JournalArticle"]
        return {
            "paperId": hashlib.sha1(paper.arxiv_id.encode()).hexdigest(),
            "externalIds": ids,
            "title": paper.title,
            "venue": venue.container if venue else "arXiv.org",
            "publicationVenue": publication_venue,
            "journal": journal,
            "year": venue.year if venue else paper.year,
            "publicationTypes": types,
            "authors": [{"authorId": _stable_id("", name, 9), "name": name} for name in paper.authors],
        }


def _fields(params: dict[str, list[str]]) -> list[str]:
    return [f for f in params.get("fields", [""])[0].split(",") if f]


def _only(paper: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """What the Graph API returns: ``paperId`` and the fields asked for (``title`` by default)."""
    return {"paperId": paper["paperId"], **{f: paper.get(f) for f in fields or ["title"]}}


def venues_filled(items: list[dict[str, Any]]) -> dict[str, Any]:
    """What a CSL-JSON library of the snapshot's papers fills of their published versions: venues
    (under the snapshot's name, dblp's short name, or that name in full), DOIs, pages and volumes, each against how many the
    snapshot knows, and what is wrong (another venue or DOI, a venue for an unpublished paper)."""
    papers = {paper.arxiv_id: paper for paper in snapshot_papers()}
    counts = {name: [0, 0] for name in ("venues", "full names", "DOIs", "pages", "volumes")}
    wrong = []
    for item in items:
        paper = papers[item["custom"]["arxiv_id"]]
        venue, container = paper.venue, item.get("container-title", "")
        if venue is None:
            if container or item.get("DOI", "").casefold() != f"10.48550/arxiv.{paper.arxiv_id}".casefold():
                wrong.append(paper.arxiv_id)
            continue
        spelled_out = {venue.container, full_title(venue.short)} - {venue.short}  # dblp's name, in full
        facts = {
            "venues": (container, venue.container, venue.short, *spelled_out),
            "full names": (container, *sorted(spelled_out)),
            "DOIs": (item.get("DOI", "").casefold(), venue.doi.casefold()),
            "pages": (item.get("page", ""), venue.page),
            "volumes": (item.get("volume", ""), venue.volume),
        }
        for name, (got, want, *also) in facts.items():
            counts[name][1] += bool(want)
            counts[name][0] += bool(want) and got in (want, *also)
        if (
            container
            and container not in (venue.short, *spelled_out)
            or item.get("DOI")
            and container
            and item["DOI"].casefold() != venue.doi.casefold()
        ):
            wrong.append(paper.arxiv_id)
    return {**{name: tuple(pair) for name, pair in counts.items()}, "wrong": wrong}
