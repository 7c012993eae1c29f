"""Where matches come from: the local index, Crossref and arXiv, behind one interface.

:func:`open_sources` builds them from the command line's options; base URLs can be pointed
elsewhere (a mirror, or the emulators the tests start) with ``CITEKIT_CROSSREF_URL`` and
``CITEKIT_ARXIV_URL``. ``CITEKIT_ARXIV_INTERVAL`` sets the seconds between two arXiv requests:
arXiv asks for 3 (the default); only a mirror or an emulator may be asked faster.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from citekit.sources.base import Query, Source, SourceError

KNOWN = ("local", "crossref", "arxiv")
DEFAULT_SOURCES = "local,crossref,arxiv"

__all__ = ["DEFAULT_SOURCES", "KNOWN", "Query", "Source", "SourceError", "open_sources", "parse_names"]


def parse_names(text: str) -> list[str]:
    """``local,crossref`` → ``["local", "crossref"]``, rejecting names citekit does not know."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(KNOWN)}")
    return names


def open_sources(names: Sequence[str], *, index: str | Path | None = None, offline: bool = False,
                 mailto: str | None = None, cache: str | Path | None = None, timeout: float | None = None,
                 retries: int | None = None) -> list[Source]:
    """The named sources, in order; remote ones share one on-disk response cache.

    ``timeout`` (seconds to wait for an answer) and ``retries`` (of a failed request), when given,
    replace each remote source's defaults.
    """
    from citekit.sources.arxiv import ArxivSource
    from citekit.sources.cache import default_cache_path
    from citekit.sources.crossref import CrossrefSource
    from citekit.sources.http import RetryPolicy
    from citekit.sources.local import LocalIndex

    cache_path = cache or default_cache_path()
    timing = {"timeout": timeout} if timeout is not None else {}
    opened: list[Source] = []
    for name in names:
        if name == "local":
            opened.append(LocalIndex(index))
        elif name == "crossref":
            retry = RetryPolicy(retries=retries) if retries is not None else None
            opened.append(CrossrefSource(os.environ.get("CITEKIT_CROSSREF_URL", "https://api.crossref.org"),
                                         mailto, cache=cache_path, offline=offline, retry=retry, **timing))
        elif name == "arxiv":
            interval = arxiv_interval()
            retry = RetryPolicy(retries=retries, backoff=max(interval, 0.01)) if retries is not None else None
            opened.append(ArxivSource(os.environ.get("CITEKIT_ARXIV_URL", "https://export.arxiv.org/api/query"),
                                      mailto=mailto, cache=cache_path, offline=offline, min_interval=interval,
                                      retry=retry, **timing))
    return opened


def arxiv_interval() -> float:
    """Seconds between arXiv requests: ``CITEKIT_ARXIV_INTERVAL``, else arXiv's 3."""
    text = os.environ.get("CITEKIT_ARXIV_INTERVAL", "").strip()
    try:
        seconds = float(text) if text else 3.0
    except ValueError:
        raise ValueError(f"CITEKIT_ARXIV_INTERVAL must be a number of seconds, not {text!r}") from None
    if seconds < 0:
        raise ValueError(f"CITEKIT_ARXIV_INTERVAL must not be negative, not {text!r}")
    return seconds


def close_all(sources: Sequence[Source]) -> None:
    for source in sources:
        close = getattr(source, "close", None)
        if close:
            close()
