"""The seeds exported online, against emulated Crossref, arXiv, dblp, OpenAlex and Semantic Scholar,
with no local index of the venues that have no DOI (``proceedings.json``).

The oracle does not ask the matcher: each record's paper is the arXiv record whose title or
abstract it carries verbatim (as in test_export.py), and its venue is where the snapshot says
that paper was published — the Crossref work its arXiv record names by DOI, or the
``proceedings.json`` item with the same title (see ``snapshot_papers`` in emulators.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from emulators import (
    ArxivEmulator,
    CrossrefEmulator,
    DblpEmulator,
    Emulator,
    OpenAlexEmulator,
    SemanticScholarEmulator,
    snapshot_papers,
    venues_filled,
)
from test_export import REFERENCE_DATE, SEEDS, _expected_arxiv_ids

from citekit.cli import main
from citekit.sources import DEFAULT_SOURCES
from citekit.text import fold

KEY = "test-key"
PUBLISHED_SEEDS = 34


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Emulator]]:
    with started() as running:
        yield running


@contextmanager
def started() -> Iterator[dict[str, Emulator]]:
    with (
        CrossrefEmulator() as crossref,
        ArxivEmulator() as arxiv,
        DblpEmulator() as dblp,
        OpenAlexEmulator(api_key=KEY) as openalex,
        SemanticScholarEmulator() as s2,
    ):
        crossref.rate_limit = (200, "1s", 5)
        yield {
            "crossref": crossref,
            "arxiv": arxiv,
            "dblp": dblp,
            "openalex": openalex,
            "semanticscholar": s2,
        }


def environment(servers: dict[str, Emulator]) -> dict[str, str | None]:
    return {
        "CITEKIT_CROSSREF_URL": servers["crossref"].url,
        "CITEKIT_ARXIV_URL": servers["arxiv"].url + "/api/query",
        "CITEKIT_ARXIV_INTERVAL": "0",
        "CITEKIT_DBLP_URL": servers["dblp"].url,
        "CITEKIT_DBLP_INTERVAL": "0",
        "CITEKIT_OPENALEX_URL": servers["openalex"].url,
        "CITEKIT_OPENALEX_KEY": KEY,
        "CITEKIT_S2_URL": servers["semanticscholar"].url,
        "CITEKIT_S2_INTERVAL": "0",
        "CITEKIT_S2_KEY": None,
        "CITEKIT_SOURCES": DEFAULT_SOURCES,
    }


def export(servers: dict[str, Emulator], folder: Path, cache: Path, *options: str) -> str:
    result = CliRunner().invoke(
        main,
        [
            "export",
            *map(str, SEEDS),
            "-d",
            str(folder),
            "--index",
            str(cache.parent / "empty-index.sqlite"),
            "--cache",
            str(cache),
            "--mailto",
            "ci@example.org",
            "--reference-date",
            REFERENCE_DATE,
            *options,
        ],
        env=environment(servers),
    )
    assert result.exit_code == 0, result.output
    assert "80 input records → 56 output records (80 matched)" in result.output
    return result.output


@pytest.fixture(scope="module")
def online(servers: dict[str, Emulator], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("online")
    output = export(servers, folder / "library", folder / "cache.sqlite")
    (folder / "output.txt").write_text(output)
    return folder


def test_every_record_is_its_own_paper(online: Path) -> None:
    report = json.loads((online / "library" / "report.json").read_text())
    got = {(r["input"]["file"], r["input"]["index"]): r["ids"]["arxiv"] for r in report["records"]}
    assert got == _expected_arxiv_ids()


def test_all_34_published_venues_are_filled_with_their_details_and_nothing_is_wrong(online: Path) -> None:
    papers = {paper.arxiv_id: paper for paper in snapshot_papers()}
    items = json.loads((online / "library" / "library.json").read_text())
    published = 0
    for item in items:
        paper = papers[item["custom"]["arxiv_id"]]
        venue = paper.venue
        if venue is None:
            assert "container-title" not in item and item["type"] == "article", paper.arxiv_id
            assert item["DOI"] == f"10.48550/arXiv.{paper.arxiv_id}", paper.arxiv_id
            continue
        published += 1
        assert item["container-title"] in (venue.container, venue.short), paper.arxiv_id
        assert item["type"] == venue.type, paper.arxiv_id
        assert item.get("DOI", "").casefold() == venue.doi.casefold(), (
            paper.arxiv_id
        )  # no DOI: not arXiv's either
        for field in ("volume", "page"):
            assert item.get(field, "") == getattr(venue, field), (paper.arxiv_id, field)
    assert published == PUBLISHED_SEEDS


def test_no_preprint_becomes_a_corr_article(online: Path) -> None:
    for name in ("library.bib", "library-biblatex.bib", "library.json", "library.ris"):
        text = (online / "library" / name).read_text()
        assert "CoRR" not in text and "abs/" not in text.replace("arxiv.org/abs/", ""), name


@pytest.mark.parametrize("alone", ["dblp", "openalex", "semanticscholar"])
def test_each_venue_source_alone_fills_every_venue(tmp_path: Path, alone: str) -> None:
    """With arXiv to identify the papers, any one of them finds all 34 venues (the README's table;
    bench/venue_sources.py prints it): dblp from its short names (written in full where
    citekit.venues knows them), with pages but no proceedings volumes (its search hits carry
    none); OpenAlex and Semantic Scholar with every detail."""
    with started() as servers:
        export(servers, tmp_path / "library", tmp_path / "cache.sqlite", "--sources", f"local,arxiv,{alone}")
    items = json.loads((tmp_path / "library" / "library.json").read_text())
    filled = venues_filled(items)
    assert (filled["venues"], filled["DOIs"], filled["pages"], filled["wrong"]) == (
        (34, 34),
        (8, 8),
        (18, 18),
        [],
    )
    assert filled["full names"] == (
        (33, 34) if alone == "dblp" else (34, 34)
    )  # citekit.venues lacks "ACL (Findings)"
    assert filled["volumes"] == ((1, 14) if alone == "dblp" else (14, 14))
    names = [f"{n.get('given', '')} {n.get('family', '')}" for item in items for n in item.get("author", [])]
    assert names and not [name for name in names if re.search(r"\b\d{4}\b", name)]  # dblp's homonym numbers


def test_identifiers_are_looked_up_before_anything_is_searched_for(online: Path, servers) -> None:
    """Semantic Scholar gets the matched preprints in one batch before any search; OpenAlex and
    dblp search only for papers that no lookup found published (the seeds' unpublished ones)."""
    s2_log = list(servers["semanticscholar"].log)
    assert [r.method for r in s2_log].count("POST") == 1 and s2_log[0].method == "POST"
    unpublished = {" ".join(p.title.split()) for p in snapshot_papers() if p.venue is None}
    openalex_searches = [
        r.param("filter").split(",")[0].removeprefix("title.search:")
        for r in servers["openalex"].log
        if r.path == "/works"
    ]
    assert openalex_searches and all(_searched(title, unpublished) for title in openalex_searches)
    dblp_searches = [r.param("q") for r in servers["dblp"].log]
    assert dblp_searches and all(_searched(q, unpublished) for q in dblp_searches)


def _searched(text: str, titles: set[str]) -> bool:
    """Whether a search's words begin with one of these titles' words."""
    words = _words(text)
    return any(words[: len(_words(title))] == _words(title) for title in titles)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text).lower())


def test_a_rerun_with_the_cache_asks_nothing_and_offline_gives_the_same_library(
    online: Path, servers
) -> None:
    asked = {name: len(server.log) for name, server in servers.items()}
    export(servers, online / "rerun", online / "cache.sqlite")
    again = {name: [r.target for r in server.log[asked[name] :]] for name, server in servers.items()}
    assert not any(again.values()), (again, (online / "output.txt").read_text()[-1500:])
    export(servers, online / "offline", online / "cache.sqlite", "--offline")
    assert {name: len(server.log) for name, server in servers.items()} == asked
    for folder in ("rerun", "offline"):
        assert (online / folder / "library.json").read_text() == (
            online / "library" / "library.json"
        ).read_text()
