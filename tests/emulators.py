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
from citekit.text import fold, latex_to_unicode

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

    def fail(self, kind: str, times: int = 1, *, retry_after: str | None = None, delay: float | None = 0.5,
             only: str | None = None) -> None:
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
            self._lock.wait_for(lambda: self.max_concurrency >= self.answer_when_concurrent or self._closed.is_set(),
                                timeout=60)


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
            parts = urlsplit(self.path)
            entry = LoggedRequest(emulator.clock(), unquote(parts.path), parse_qs(parts.query),
                                  {k.lower(): v for k, v in self.headers.items()}, 0,
                                  target=unquote(parts.path + "?" + parts.query))
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
            reply = emulator.handle(entry.path, entry.params, entry.headers)
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
                self.wfile.write(body[len(body) // 2:])
                return
            self._send(reply, body, announced, entry, close=bool(fault and fault.kind == "truncated"),
                       complete=True)

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

        def _send(self, reply: Reply, body: bytes, announced: int, entry: LoggedRequest, *, close: bool = False,
                  complete: bool = False) -> None:
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
CROSSREF_POOLS = {"polite-single": (10, 3), "polite-array": (3, 3),
                  "public-single": (5, 1), "public-array": (1, 1)}
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
            reply.headers.update({"X-Rate-Limit-Limit": str(limit), "X-Rate-Limit-Interval": interval,
                                  "X-Concurrency-Limit": str(concurrency), "X-Api-Pool": pool})
        return reply

    def _work(self, doi: str) -> Reply:
        work = self.works.get(doi.lower())
        if work is None:
            return Reply(404, b"Resource not found.", "text/plain")
        return _json_reply({"status": "ok", "message-type": "work", "message-version": "1.0.0",
                            "message": work})

    def _search(self, params: dict[str, list[str]]) -> Reply:
        filters: dict[str, str] = {}
        for clause in filter(None, params.get("filter", [""])[0].split(",")):
            name, _, value = clause.partition(":")
            if name not in CROSSREF_FILTERS:
                message = f"Filter {name} specified but there is no such filter for this route."
                return _json_reply({"status": "failed", "message-type": "validation-failure", "message": [
                    {"type": "filter-not-available", "value": name, "message": message}]}, 400)
            filters[name] = value
        bibliographic = set(_tokens(params.get("query.bibliographic", [""])[0]))
        authors = set(_tokens(params.get("query.author", [""])[0]))
        rows, offset = int(params.get("rows", ["20"])[0]), int(params.get("offset", ["0"])[0])
        scored = []
        for work in self.works.values():
            year = ((work.get("issued") or {}).get("date-parts") or [[None]])[0][0]
            if not _in_years(year, filters):
                continue
            names = _tokens(" ".join(f"{a.get('given', '')} {a.get('family', '')} {a.get('name', '')}"
                                     for a in work.get("author", [])))
            words = [*work.get("title", []), *work.get("container-title", []), str(year)]
            text = set(_tokens(" ".join(words)))
            score = len(bibliographic & (text | set(names))) + 2 * len(authors & set(names))
            if score or not (bibliographic or authors):
                scored.append((score, work))
        scored.sort(key=lambda pair: -pair[0])
        select = [s for s in params.get("select", [""])[0].split(",") if s]
        items = [_selected({**work, "score": float(score) * 7.25}, select)
                 for score, work in scored[offset:offset + rows]]
        message = {"facets": {}, "total-results": len(scored), "items": items, "items-per-page": rows,
                   "query": {"start-index": offset, "search-terms": None}}
        return _json_reply({"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                            "message": message})


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
        texts = {"ti": entry.get("title"), "au": authors, "abs": entry.get("abstract"),
                 "co": entry.get("comments"), "jr": entry.get("journal-ref"), "cat": entry.get("categories")}
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
        page = [_entry(self.entries[i], version) for _, i, version in hits[start:start + size]]
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
    return any(haystack[i:i + size] == words for i in range(len(haystack) - size + 1))


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
    lines = [f"<id>{abs_url}</id>", f"<updated>{_iso(versions[number - 1]['created'])}</updated>",
             f"<published>{_iso(versions[0]['created'])}</published>",
             f"<title>{escape(entry.get('title') or '')}</title>",
             f"<summary>{escape(entry.get('abstract') or '')}</summary>"]
    authors = entry.get("authors_parsed") or []
    lines += [f"<author><name>{escape(_display(parts))}</name></author>" for parts in authors]
    if entry.get("doi"):
        lines += [f"<arxiv:doi>{escape(entry['doi'])}</arxiv:doi>",
                  f'<link title="doi" href={quoteattr("http://dx.doi.org/" + entry["doi"])} rel="related"/>']
    for element, key in (("comment", "comments"), ("journal_ref", "journal-ref")):
        if entry.get(key):
            lines.append(f"<arxiv:{element}>{escape(entry[key])}</arxiv:{element}>")
    pdf_url = abs_url.replace("/abs/", "/pdf/")
    lines += [f'<link href="{abs_url}" rel="alternate" type="text/html"/>',
              f'<link title="pdf" href="{pdf_url}" rel="related" type="application/pdf"/>']
    scheme = 'scheme="http://arxiv.org/schemas/atom"'
    if categories:
        lines.append(f"<arxiv:primary_category term={quoteattr(categories[0])} {scheme}/>")
    lines += [f"<category term={quoteattr(c)} {scheme}/>" for c in categories]
    return "<entry>\n    " + "\n    ".join(lines) + "\n  </entry>"


def _error_entry(bad_id: str) -> str:
    return (f"<entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad_id)}</id>\n"
            f"    <title>Error</title>\n    <summary>incorrect id format for {escape(bad_id)}</summary>\n"
            f'    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad_id)}" '
            'rel="alternate" type="text/html"/>\n  </entry>')


def _feed(params: dict[str, str], entries: list[str], total: int, start: int) -> str:
    names = ("search_query", "id_list", "start", "max_results")
    query = "&".join(f"{name}={params[name]}" for name in names if name in params)
    digest = hashlib.sha1(query.encode()).hexdigest()[:27]
    return "\n".join([
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
        *(f"  {entry}" for entry in entries), "</feed>", ""])


def _atom_reply(feed: str, status: int = 200) -> Reply:
    return Reply(status, feed.encode("utf-8"), "application/atom+xml; charset=utf-8")


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused), for "unreachable" tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
