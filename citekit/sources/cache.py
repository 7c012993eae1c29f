"""On-disk cache of HTTP responses, so that a rerun asks the services nothing twice.

One SQLite file holds every answer (Crossref and arXiv alike), keyed by method and full URL with
its query parameters sorted. Parameters that identify the caller rather than the question
(``mailto``) are left out of the key, so changing one's contact address keeps the cache valid.
SQLite rather than a directory of files: one file to copy or delete, atomic writes, and safe to
share between the threads of one run.

Hand-written rather than requests-cache or hishel: requests-cache hooks ``requests``, which
neither habanero (it uses ``httpx2``) nor this project's session uses, and hishel hooks ``httpx``,
not the ``httpx2`` fork habanero depends on. Keying by question, not by caller, is also ours.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from citekit.errors import StoreError

IDENTITY_PARAMS = frozenset({"mailto", "api_key"})
"""Query parameters that say who asks, not what is asked (a contact address, an API key): never
part of a cache key, nor of a message."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    stored_at REAL NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class CachedResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    stored_at: float


def cache_key(
    method: str, url: str, params: Mapping[str, object] | Iterable[tuple[str, object]] | None = None
) -> str:
    """``GET https://host/path?a=1&b=2``: parameters from the URL and ``params`` merged and sorted."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    items = params.items() if isinstance(params, Mapping) else (params or ())
    pairs += [(str(name), str(value)) for name, value in items if value is not None]
    kept = sorted((name, value) for name, value in pairs if name not in IDENTITY_PARAMS)
    bare = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", ""))
    return f"{method.upper()} {bare}?{urlencode(kept)}" if kept else f"{method.upper()} {bare}"


def default_cache_path() -> Path:
    """Where the command line keeps its cache: the user's cache directory for citekit."""
    return user_cache_folder() / "responses.sqlite"


def user_cache_folder() -> Path:
    """The user's cache directory for citekit (``~/.cache/citekit`` on Linux)."""
    import platformdirs  # here, not at the top: only a run given no path needs it (start-up time)

    return Path(platformdirs.user_cache_dir("citekit"))


class ResponseCache:
    """A thread-safe SQLite store of responses; ``max_age`` (seconds) ages entries out when set."""

    def __init__(self, path: str | Path, *, max_age: float | None = None) -> None:
        self.path = Path(path)
        self.max_age = max_age
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise StoreError("cache", f"{self.path}: cannot use it as the response cache ({error})") from None

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            row = self._db.execute(
                "SELECT status, headers, body, stored_at FROM responses WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        status, headers, body, stored_at = row
        if self.max_age is not None and time.time() - stored_at > self.max_age:
            return None
        return CachedResponse(status, json.loads(headers), bytes(body), stored_at)

    def put(self, key: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, status, headers, body, stored_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, status, json.dumps(dict(headers)), body, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_cache(cache: ResponseCache | str | Path | None) -> ResponseCache | None:
    """What a source's ``cache=`` argument accepts: a cache, a file path, or ``None`` for none."""
    if cache is None or isinstance(cache, ResponseCache):
        return cache
    return ResponseCache(cache)
