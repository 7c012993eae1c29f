"""What each source alone fills of the seeds' published venues, against the emulated services.

Runs ``citekit export seeds/*.txt`` (the README's main job) with no local index of the venues
that have no DOI (``seeds/metadata/proceedings.json``), once per source set: arXiv alone (it
identifies the papers), arXiv with each venue source, and every source. The services are the
emulators of ``tests/emulators.py``, backed by ``seeds/metadata/``; what they know of each paper
is what the snapshot says, so the table shows how each source's way of asking and answering
(lookups by id, searches, what a hit carries) reaches those facts.

    .venv/bin/python bench/venue_sources.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from emulators import (  # noqa: E402
    ArxivEmulator,
    CrossrefEmulator,
    DblpEmulator,
    OpenAlexEmulator,
    SemanticScholarEmulator,
    venues_filled,
)

from citekit.cli import main  # noqa: E402

RUNS = [
    "arxiv",
    "arxiv,crossref",
    "arxiv,dblp",
    "arxiv,openalex",
    "arxiv,semanticscholar",
    "crossref,arxiv,semanticscholar,openalex,dblp",
]


def run(sources: str, folder: Path) -> tuple[dict, dict[str, int]]:
    with (
        CrossrefEmulator() as crossref,
        ArxivEmulator() as arxiv,
        DblpEmulator() as dblp,
        OpenAlexEmulator(api_key="bench") as openalex,
        SemanticScholarEmulator() as s2,
    ):
        crossref.rate_limit = (200, "1s", 5)
        env = {
            "CITEKIT_CROSSREF_URL": crossref.url,
            "CITEKIT_ARXIV_URL": arxiv.url + "/api/query",
            "CITEKIT_ARXIV_INTERVAL": "0",
            "CITEKIT_DBLP_URL": dblp.url,
            "CITEKIT_DBLP_INTERVAL": "0",
            "CITEKIT_OPENALEX_URL": openalex.url,
            "CITEKIT_OPENALEX_KEY": "bench",
            "CITEKIT_S2_URL": s2.url,
            "CITEKIT_S2_INTERVAL": "0",
            "CITEKIT_S2_KEY": None,
        }
        seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
        result = CliRunner().invoke(
            main,
            [
                "export",
                *seeds,
                "-d",
                str(folder),
                "--sources",
                f"local,{sources}",
                "--index",
                str(folder / "empty.sqlite"),
                "--cache",
                str(folder / "c.sqlite"),
                "--mailto",
                "bench@example.org",
                "--reference-date",
                "2026-11-23",
            ],
            env=env,
        )
        if result.exit_code != 0:
            raise SystemExit(result.output)
        asked = {
            name: len(server.log)
            for name, server in (
                ("Crossref", crossref),
                ("arXiv", arxiv),
                ("dblp", dblp),
                ("OpenAlex", openalex),
                ("S2", s2),
            )
        }
    return venues_filled(json.loads((folder / "library.json").read_text())), asked


def main_() -> None:
    print(
        "| sources (after the empty local index) | venues | full names | DOIs | pages | volumes | wrong "
        "| requests |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for number, sources in enumerate(RUNS):
            filled, asked = run(sources, Path(tmp) / str(number))
            cells = [
                f"{got}/{want}"
                for got, want in (filled[k] for k in ("venues", "full names", "DOIs", "pages", "volumes"))
            ]
            requests = ", ".join(f"{name} {count}" for name, count in asked.items() if count)
            print(
                f"| {sources.replace(',', ', ')} | {' | '.join(cells)} | {len(filled['wrong'])} | {requests} |"
            )


if __name__ == "__main__":
    main_()
