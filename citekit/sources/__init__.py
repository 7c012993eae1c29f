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

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from citekit.errors import UsageError
from citekit.sources.base import Closing, Query, Source, SourceError

KNOWN = ("local", "crossref", "arxiv", "dblp", "openalex", "semanticscholar")
DEFAULT_SOURCES = "local,crossref,arxiv,semanticscholar,openalex,dblp"
"""Published versions are looked up in this order, then searched for: Semantic Scholar answers 500
arXiv ids a request, OpenAlex one a request against a daily budget, dblp only searches, one every 2 s."""
OPENALEX_SKIPPED = (
    "openalex: skipped, it needs a free API key (--openalex-key or CITEKIT_OPENALEX_KEY; "
    "see https://openalex.org/settings/api)"
)

__all__ = ["DEFAULT_SOURCES", "KNOWN", "Query", "Source", "SourceError", "open_sources", "parse_names"]


def parse_names(text: str) -> list[str]:
    """``local,crossref`` → ``["local", "crossref"]``, rejecting names citekit does not know."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        raise UsageError(
            f"unknown source(s) {', '.join(unknown)}; known: {', '.join(KNOWN)}", option="--sources"
        )
    return names


def open_sources(
    names: Sequence[str],
    *,
    index: str | Path | None = None,
    offline: bool = False,
    mailto: str | None = None,
    cache: str | Path | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    openalex_key: str | None = None,
    s2_key: str | None = None,
    notice: Callable[[str], None] = lambda line: None,
) -> list[Source]:
    """The named sources, in order; remote ones share one on-disk response cache.

    ``timeout`` (seconds to wait for an answer) and ``retries`` (of a failed request), when given,
    replace each remote source's defaults. A source that cannot be used (OpenAlex without a key)
    is left out, and ``notice`` told why in one line; so is an index file that does not exist yet.
    """
    from citekit.sources.cache import default_cache_path

    mailto = check_mailto(mailto)
    settings = _Settings(
        index=index,
        offline=offline,
        mailto=mailto,
        cache=cache or default_cache_path(),
        timing={"timeout": timeout} if timeout is not None else {},
        retries=retries,
        openalex_key=openalex_key,
        s2_key=s2_key,
        notice=notice,
    )
    opened: list[Source] = []
    try:
        for name in names:
            source = _open_one(name, settings)
            if source is not None:
                opened.append(source)
    except BaseException:
        close_all(opened)
        raise
    return opened


@dataclass(frozen=True, slots=True)
class _Settings:
    index: str | Path | None
    offline: bool
    mailto: str | None
    cache: str | Path
    timing: dict[str, Any]
    retries: int | None
    openalex_key: str | None
    s2_key: str | None
    notice: Callable[[str], None]

    def retry(self, interval: float | None = None) -> Any:
        from citekit.sources.http import RetryPolicy

        if self.retries is None:
            return None
        if interval is None:
            return RetryPolicy(retries=self.retries)
        return RetryPolicy(retries=self.retries, backoff=max(interval, 0.01))


def _open_one(name: str, s: _Settings) -> Source | None:
    from citekit.sources.arxiv import ArxivSource
    from citekit.sources.crossref import CrossrefSource
    from citekit.sources.dblp import DblpSource
    from citekit.sources.local import LocalIndex, is_database_url
    from citekit.sources.openalex import OpenAlexSource
    from citekit.sources.semanticscholar import SemanticScholarSource

    remote = {"cache": s.cache, "offline": s.offline, **s.timing}
    if name == "local":
        if s.index and not is_database_url(s.index) and not Path(s.index).exists():
            s.notice(
                f"no index at {s.index} yet: matching against an empty one (`citekit index add` fills it)"
            )
        return LocalIndex(s.index)
    if name == "crossref":
        return CrossrefSource(
            base_url("CITEKIT_CROSSREF_URL", "https://api.crossref.org"), s.mailto, retry=s.retry(), **remote
        )
    if name == "arxiv":
        interval = arxiv_interval()
        return ArxivSource(
            base_url("CITEKIT_ARXIV_URL", "https://export.arxiv.org/api/query"),
            mailto=s.mailto,
            min_interval=interval,
            retry=s.retry(interval),
            **remote,
        )
    if name == "dblp":
        interval = interval_from_env("CITEKIT_DBLP_INTERVAL", 2.0)
        return DblpSource(
            base_url("CITEKIT_DBLP_URL", "https://dblp.org"),
            mailto=s.mailto,
            min_interval=interval,
            retry=s.retry(interval),
            **remote,
        )
    if name == "openalex":
        if not s.openalex_key:
            if not s.offline:  # offline it would not be asked anyway
                s.notice(OPENALEX_SKIPPED)
            return None
        return OpenAlexSource(
            base_url("CITEKIT_OPENALEX_URL", "https://api.openalex.org"),
            api_key=s.openalex_key,
            mailto=s.mailto,
            retry=s.retry(),
            **remote,
        )
    if name == "semanticscholar":
        interval = interval_from_env("CITEKIT_S2_INTERVAL", 1.0)
        return SemanticScholarSource(
            base_url("CITEKIT_S2_URL", "https://api.semanticscholar.org"),
            api_key=s.s2_key,
            mailto=s.mailto,
            min_interval=interval,
            retry=s.retry(interval),
            **remote,
        )
    raise UsageError(f"unknown source {name!r}; known: {', '.join(KNOWN)}", option="--sources")


def arxiv_interval() -> float:
    """Seconds between arXiv requests: ``CITEKIT_ARXIV_INTERVAL``, else arXiv's 3."""
    return interval_from_env("CITEKIT_ARXIV_INTERVAL", 3.0)


def interval_from_env(variable: str, default: float) -> float:
    """Seconds between two requests to a service, from ``variable`` if set."""
    text = os.environ.get(variable, "").strip()
    try:
        seconds = float(text) if text else default
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds < math.inf:
        raise UsageError(f"must be a number of seconds, not {text!r}", option=variable)
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
        if isinstance(source, Closing):
            source.close()
