"""A long batch shows its progress (records/s, ETA) on a terminal, and nothing in a pipe."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from citekit.cli import main
from citekit.enrich import Enricher
from citekit.model import Record
from citekit.pipeline import enrich_all
from citekit.progress import Progress
from citekit.sources.local import LocalIndex

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
ARXIV_DUMP = ROOT / "seeds" / "metadata" / "arxiv.jsonl"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_gives_rate_and_time_left_then_time_taken() -> None:
    clock, screen = Clock(), FakeTerminal()
    progress = Progress("matching", 100, stream=screen, clock=clock)
    clock.now += 10
    progress.update(25)
    assert screen.getvalue() == "\rmatching  25/100  25%  2.5 records/s  ETA 0:00:30\x1b[K"
    clock.now += 0.05
    progress.update(26)  # too soon after the last redraw: nothing drawn
    clock.now += 29.95
    progress.update(100)
    progress.close()
    assert screen.getvalue().endswith("\rmatching  100/100  100%  2.5 records/s  in 0:00:40\x1b[K\n")
    assert screen.getvalue().count("\r") == 3


def test_without_a_total_it_counts_and_gives_the_rate() -> None:
    clock, screen = Clock(), FakeTerminal()
    progress = Progress("indexing", stream=screen, clock=clock)
    clock.now += 2
    progress.update(5000)
    assert screen.getvalue() == "\rindexing  5000 records  2,500.0 records/s\x1b[K"


def test_nothing_is_drawn_when_the_stream_is_not_a_terminal() -> None:
    screen = io.StringIO()
    progress = Progress("matching", 10, stream=screen)
    for done in range(1, 11):
        progress.update(done)
    progress.close()
    assert screen.getvalue() == ""


def _enrich_seeds(tmp_path: Path) -> list[str]:
    return [
        "enrich",
        *SEEDS,
        "-o",
        str(tmp_path / "out.json"),
        "--offline",
        "--sources",
        "local",
        "--index",
        str(tmp_path / "index.sqlite"),
        "--cache",
        str(tmp_path / "cache.sqlite"),
        "--reference-date",
        "2026-11-23",
    ]


def test_in_a_pipe_stderr_holds_only_the_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, _enrich_seeds(tmp_path), catch_exceptions=False)
    assert result.exit_code == 0
    assert "records/s" not in result.stderr and "\r" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("80 input records → ")


def _on_a_terminal(*args: str) -> str:
    """What ``citekit ARGS`` shows on standard error when that is a (pseudo-)terminal."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "citekit", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the program has exited and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.wait(timeout=300) == 0  # against a hang only
    return shown.decode()


def test_on_a_terminal_the_batch_shows_records_per_second_and_eta(tmp_path: Path) -> None:
    text = _on_a_terminal(*_enrich_seeds(tmp_path))
    assert "matching  1/80  1%" in text and "records/s  ETA " in text
    assert "matching  80/80  100%" in text and "records/s  in 0:00:" in text
    assert text.splitlines()[-1].startswith("80 input records → ")


def test_indexing_reports_progress_after_each_batch(tmp_path: Path) -> None:
    seen: list[int] = []
    with LocalIndex(tmp_path / "index.sqlite") as index:
        result = index.add_file(ARXIV_DUMP, progress=seen.append)
    assert seen == [result.added] == [91]


def test_index_add_shows_its_rate_on_a_terminal_only(tmp_path: Path) -> None:
    piped = CliRunner().invoke(main, ["index", "add", "--index", str(tmp_path / "a.sqlite"), str(ARXIV_DUMP)])
    assert piped.exit_code == 0 and "records/s" not in piped.stderr
    shown = _on_a_terminal("index", "add", "--index", str(tmp_path / "b.sqlite"), str(ARXIV_DUMP))
    assert "indexing arxiv.jsonl  91 records" in shown and "records/s  in 0:00:" in shown


def test_matching_counts_as_half_of_a_records_progress_and_completing_as_the_rest(tmp_path: Path) -> None:
    """With remote sources the searches are the long part: the line moves while they run."""
    with LocalIndex(tmp_path / "index.sqlite") as index:
        index.add_file(ARXIV_DUMP)
        records = [Record(title=f"Paper {n}") for n in range(7)]
        for jobs in (1, 4):
            seen: list[int] = []
            enrich_all(records, Enricher([index]), jobs=jobs, progress=seen.append)
            matching = [done // 2 for done in range(1, 8)]
            assert seen == matching + [(7 + done) // 2 for done in range(1, 8)], jobs
