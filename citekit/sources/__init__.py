"""Where matches come from: the local index, Crossref and arXiv, behind one interface.

:func:`open_sources` builds them from the command line's options; base URLs can be pointed
elsewhere (a mirror, or the emulators the tests start) with ``CITEKIT_CROSSREF_URL`` and
``CITEKIT_ARXIV_URL``.
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
                 mailto: str | None = None, cache: str | Path | None = None) -> list[Source]:
    """The named sources, in order; remote ones share one on-disk response cache."""
    from citekit.sources.arxiv import ArxivSource
    from citekit.sources.cache import default_cache_path
    from citekit.sources.crossref import CrossrefSource
    from citekit.sources.local import LocalIndex

    cache_path = cache or default_cache_path()
    opened: list[Source] = []
    for name in names:
        if name == "local":
            opened.append(LocalIndex(index))
        elif name == "crossref":
            opened.append(CrossrefSource(os.environ.get("CITEKIT_CROSSREF_URL", "https://api.crossref.org"),
                                         mailto, cache=cache_path, offline=offline))
        elif name == "arxiv":
            opened.append(ArxivSource(os.environ.get("CITEKIT_ARXIV_URL", "https://export.arxiv.org/api/query"),
                                      mailto=mailto, cache=cache_path, offline=offline))
    return opened


def close_all(sources: Sequence[Source]) -> None:
    for source in sources:
        close = getattr(source, "close", None)
        if close:
            close()
