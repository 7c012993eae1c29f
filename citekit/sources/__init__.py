"""Where matches come from: the local index, Crossref, arXiv, dblp, OpenAlex and Semantic Scholar,
behind one interface.

:func:`open_sources` builds them from the command line's options; base URLs can be pointed
elsewhere (a mirror, or the emulators the tests start) with ``CITEKIT_CROSSREF_URL``,
``CITEKIT_ARXIV_URL``, ``CITEKIT_DBLP_URL``, ``CITEKIT_OPENALEX_URL`` and ``CITEKIT_S2_URL``.
``CITEKIT_ARXIV_INTERVAL``, ``CITEKIT_DBLP_INTERVAL`` and ``CITEKIT_S2_INTERVAL`` set the seconds
between two requests to those services (3, 2 and 1 by default, what they ask for); only a mirror
or an emulator may be asked faster. OpenAlex needs an API key: without one it is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from citekit.sources.base import Query, Source, SourceError

KNOWN = ("local", "crossref", "arxiv", "dblp", "openalex", "semanticscholar")
DEFAULT_SOURCES = "local,crossref,arxiv,semanticscholar,openalex,dblp"
"""Published versions are looked up in this order, then searched for: Semantic Scholar answers 500
arXiv ids a request, OpenAlex one a request against a daily budget, dblp only searches, one every 2 s."""
OPENALEX_SKIPPED = ("openalex: skipped, it needs a free API key (--openalex-key or CITEKIT_OPENALEX_KEY; "
                    "see https://openalex.org/settings/api)")

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
                 retries: int | None = None, openalex_key: str | None = None, s2_key: str | None = None,
                 notice: Callable[[str], None] = lambda line: None) -> list[Source]:
    """The named sources, in order; remote ones share one on-disk response cache.

    ``timeout`` (seconds to wait for an answer) and ``retries`` (of a failed request), when given,
    replace each remote source's defaults. A source that cannot be used (OpenAlex without a key)
    is left out, and ``notice`` told why in one line.
    """
    from citekit.sources.arxiv import ArxivSource
    from citekit.sources.cache import default_cache_path
    from citekit.sources.crossref import CrossrefSource
    from citekit.sources.dblp import DblpSource
    from citekit.sources.http import RetryPolicy
    from citekit.sources.local import LocalIndex
    from citekit.sources.openalex import OpenAlexSource
    from citekit.sources.semanticscholar import SemanticScholarSource

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
        elif name == "dblp":
            interval = interval_from_env("CITEKIT_DBLP_INTERVAL", 2.0)
            retry = RetryPolicy(retries=retries, backoff=max(interval, 0.01)) if retries is not None else None
            opened.append(DblpSource(os.environ.get("CITEKIT_DBLP_URL", "https://dblp.org"), mailto=mailto,
                                     min_interval=interval, cache=cache_path, offline=offline, retry=retry,
                                     **timing))
        elif name == "openalex":
            if not openalex_key:
                notice(OPENALEX_SKIPPED)
                continue
            retry = RetryPolicy(retries=retries) if retries is not None else None
            opened.append(OpenAlexSource(os.environ.get("CITEKIT_OPENALEX_URL", "https://api.openalex.org"),
                                         api_key=openalex_key, mailto=mailto, cache=cache_path,
                                         offline=offline, retry=retry, **timing))
        elif name == "semanticscholar":
            interval = interval_from_env("CITEKIT_S2_INTERVAL", 1.0)
            retry = RetryPolicy(retries=retries, backoff=max(interval, 0.01)) if retries is not None else None
            opened.append(SemanticScholarSource(os.environ.get("CITEKIT_S2_URL", "https://api.semanticscholar.org"),
                                                api_key=s2_key, mailto=mailto, min_interval=interval,
                                                cache=cache_path, offline=offline, retry=retry, **timing))
    return opened


def arxiv_interval() -> float:
    """Seconds between arXiv requests: ``CITEKIT_ARXIV_INTERVAL``, else arXiv's 3."""
    return interval_from_env("CITEKIT_ARXIV_INTERVAL", 3.0)


def interval_from_env(variable: str, default: float) -> float:
    """Seconds between two requests to a service, from ``variable`` if set."""
    text = os.environ.get(variable, "").strip()
    try:
        seconds = float(text) if text else default
    except ValueError:
        raise ValueError(f"{variable} must be a number of seconds, not {text!r}") from None
    if seconds < 0:
        raise ValueError(f"{variable} must not be negative, not {text!r}")
    return seconds


def close_all(sources: Sequence[Source]) -> None:
    for source in sources:
        close = getattr(source, "close", None)
        if close:
            close()
