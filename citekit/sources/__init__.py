"""Where matches come from: the local index, Crossref and arXiv, behind one interface.

:func:`open_sources` builds them from the command line's options; base URLs can be pointed
elsewhere (a mirror, or the emulators the tests start) with ``CITEKIT_CROSSREF_URL`` and
``CITEKIT_ARXIV_URL``. ``CITEKIT_ARXIV_INTERVAL`` sets the seconds between two arXiv requests:
arXiv asks for 3 (the default); only a mirror or an emulator may be asked faster.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from citekit.errors import UsageError
from citekit.sources.base import Query, Source, SourceError

KNOWN = ("local", "crossref", "arxiv")
DEFAULT_SOURCES = "local,crossref,arxiv"

__all__ = ["DEFAULT_SOURCES", "KNOWN", "Query", "Source", "SourceError", "open_sources", "parse_names"]


def parse_names(text: str) -> list[str]:
    """``local,crossref`` → ``["local", "crossref"]``, rejecting names citekit does not know."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        raise UsageError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(KNOWN)}", option="--sources")
    return names


def open_sources(names: Sequence[str], *, index: str | Path | None = None, offline: bool = False,
                 mailto: str | None = None, cache: str | Path | None = None, timeout: float | None = None,
                 retries: int | None = None) -> list[Source]:
    """The named sources, in order; remote ones share one on-disk response cache.

    ``timeout`` (seconds to wait for an answer) and ``retries`` (of a failed request), when given,
    replace each remote source's defaults.
    """
    from citekit.sources.cache import default_cache_path

    mailto = check_mailto(mailto)
    cache_path = cache or default_cache_path()
    timing: dict[str, Any] = {"timeout": timeout} if timeout is not None else {}
    opened: list[Source] = []
    try:
        _open_each(names, opened, index=index, offline=offline, mailto=mailto, cache=cache_path,
                   timing=timing, retries=retries)
    except BaseException:
        close_all(opened)
        raise
    return opened


def _open_each(names: Sequence[str], opened: list[Source], *, index: str | Path | None, offline: bool,
               mailto: str | None, cache: str | Path, timing: dict[str, Any], retries: int | None) -> None:
    from citekit.sources.arxiv import ArxivSource
    from citekit.sources.crossref import CrossrefSource
    from citekit.sources.http import RetryPolicy
    from citekit.sources.local import LocalIndex

    cache_path = cache
    for name in names:
        if name == "local":
            opened.append(LocalIndex(index))
        elif name == "crossref":
            retry = RetryPolicy(retries=retries) if retries is not None else None
            opened.append(CrossrefSource(base_url("CITEKIT_CROSSREF_URL", "https://api.crossref.org"),
                                         mailto, cache=cache_path, offline=offline, retry=retry, **timing))
        elif name == "arxiv":
            interval = arxiv_interval()
            retry = RetryPolicy(retries=retries, backoff=max(interval, 0.01)) if retries is not None else None
            opened.append(ArxivSource(base_url("CITEKIT_ARXIV_URL", "https://export.arxiv.org/api/query"),
                                      mailto=mailto, cache=cache_path, offline=offline, min_interval=interval,
                                      retry=retry, **timing))


def arxiv_interval() -> float:
    """Seconds between arXiv requests: ``CITEKIT_ARXIV_INTERVAL``, else arXiv's 3."""
    text = os.environ.get("CITEKIT_ARXIV_INTERVAL", "").strip()
    try:
        seconds = float(text) if text else 3.0
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds < math.inf:
        raise UsageError(f"must be a number of seconds, not {text!r}", option="CITEKIT_ARXIV_INTERVAL")
    return seconds


def base_url(variable: str, default: str) -> str:
    """A service's base URL: the environment variable's, else the service's own."""
    url = os.environ.get(variable, "").strip() or default
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"must be an http:// or https:// URL, not {url!r}", option=variable)
    return url


def check_mailto(mailto: str | None) -> str | None:
    """The e-mail address sent to the services (in a header): one line, no spaces."""
    if mailto is not None and (not mailto.isprintable() or any(c.isspace() for c in mailto)):
        raise UsageError(f"must be an e-mail address, not {mailto!r}", option="--mailto / CITEKIT_MAILTO")
    return mailto or None


def close_all(sources: Sequence[Source]) -> None:
    for source in sources:
        close = getattr(source, "close", None)
        if close:
            close()
