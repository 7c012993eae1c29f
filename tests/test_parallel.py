"""Matching on several workers gives exactly what matching one record after another gives.

The seeds' 80 records, three times over (240, enough for :data:`pipeline.MIN_PER_WORKER`), are
matched against the snapshot's local index sequentially, on worker processes and on threads.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit import io, pipeline
from citekit.cli import main
from citekit.enrich import Enricher, Outcome
from citekit.formats import csljson
from citekit.model import Record
from citekit.sources import open_sources
from citekit.sources.base import SourceError
from citekit.sources.local import LocalIndex

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
REFERENCE_DATE = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def records() -> list[Record]:
    read = [r for seed in SEEDS for r in io.read_input(str(seed), seed.name, None, REFERENCE_DATE).records]
    assert len(read) == 80
    return read * 3


def _reopen_local(index_path: str) -> list:
    return open_sources(["local"], index=index_path)


def _summary(outcomes: list[Outcome]) -> list[tuple[str, str, str]]:
    return [(o.decision.status, o.decision.rule, csljson.write([o.record])) for o in outcomes]


@pytest.fixture(scope="module")
def sequential(snapshot_index: Path, records: list[Record]) -> list[tuple[str, str, str]]:
    with LocalIndex(snapshot_index) as index:
        return _summary(pipeline.enrich_all(records, Enricher([index]), jobs=1))


def test_worker_processes_give_the_sequential_outcomes_in_input_order(snapshot_index, records, sequential):
    done: list[int] = []
    with LocalIndex(snapshot_index) as index:
        outcomes = pipeline.enrich_all(
            records,
            Enricher([index]),
            jobs=2,
            reopen=functools.partial(_reopen_local, str(snapshot_index)),
            progress=done.append,
        )
    assert _summary(outcomes) == sequential
    assert done == list(range(1, len(records) + 1))
    assert sum(status == "matched" for status, _, _ in sequential) == len(records)


def test_threads_sharing_one_index_give_the_sequential_outcomes(snapshot_index, records, sequential):
    with LocalIndex(snapshot_index) as index:
        outcomes = pipeline.enrich_all(records, Enricher([index]), jobs=4)
    assert _summary(outcomes) == sequential


def test_few_records_are_matched_without_workers(snapshot_index, records):
    """A worker pool is not worth starting for a handful: ``reopen`` is not even called."""

    def must_not_be_called() -> list:
        raise AssertionError("a worker was started")

    with LocalIndex(snapshot_index) as index:
        outcomes = pipeline.enrich_all(
            records[: pipeline.MIN_PER_WORKER], Enricher([index]), jobs=8, reopen=must_not_be_called
        )
    assert len(outcomes) == pipeline.MIN_PER_WORKER


class _FailingSource:
    """A source whose searches fail: what a broken index does in a worker."""

    name = "broken"
    holds_preprints = holds_published = True

    def lookup_doi(self, doi: str) -> None:
        return None

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict:
        return {}

    def search(self, query, limit: int = 5) -> list:
        raise SourceError("broken", "disk I/O error", url="index.sqlite")


def _reopen_failing() -> list:
    return [_FailingSource()]


def _reopen_impossible() -> list:
    raise SourceError("local", "index.sqlite has index schema 9, this citekit reads 1")


def test_source_errors_in_workers_reach_the_callers_reporter(records):
    told: list[SourceError] = []
    enricher = Enricher([_FailingSource()], on_source_error=told.append)
    outcomes = pipeline.enrich_all(records, enricher, jobs=2, reopen=_reopen_failing)
    assert [o.decision.status for o in outcomes] == ["unmatched"] * len(records)
    assert told and all(isinstance(e, SourceError) and e.url == "index.sqlite" for e in told)
    assert str(told[0]) == "broken: disk I/O error"


def test_sources_that_cannot_open_in_a_worker_fail_the_run(records):
    with pytest.raises(SourceError, match="schema 9"):
        pipeline.enrich_all(records, Enricher([]), jobs=2, reopen=_reopen_impossible)


def _seed_copies(tmp_path: Path) -> list[Path]:
    copies = []
    for copy in ("a", "b"):  # 160 records: enough for two workers; the same papers twice
        for seed in SEEDS:
            copies.append(tmp_path / f"{copy}-{seed.name}")
            copies[-1].write_bytes(seed.read_bytes())
    return copies


def test_the_jobs_option_gives_the_same_library(snapshot_index: Path, tmp_path: Path):
    copies = _seed_copies(tmp_path)
    libraries = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}.json"
        seeds = [str(c) for c in copies]
        result = CliRunner().invoke(
            main,
            [
                "enrich",
                *seeds,
                "-o",
                str(out),
                "--index",
                str(snapshot_index),
                "--sources",
                "local",
                "--jobs",
                jobs,
                "--reference-date",
                "2026-11-23",
            ],
        )
        assert result.exit_code == 0, result.output
        libraries.append(json.loads(out.read_text()))
    assert libraries[0] == libraries[1] and len(libraries[0]) == 56


def test_the_command_line_runs_worker_processes(snapshot_index: Path, tmp_path: Path):
    """As users run it, in a process of its own: workers are spawned, not forked, from it."""
    out = tmp_path / "library.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "citekit",
            "enrich",
            *map(str, _seed_copies(tmp_path)),
            "-o",
            str(out),
            "--index",
            str(snapshot_index),
            "--sources",
            "local",
            "--jobs",
            "2",
            "--reference-date",
            "2026-11-23",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "160 input records → 56 output records" in done.stderr
    assert len(json.loads(out.read_text())) == 56
