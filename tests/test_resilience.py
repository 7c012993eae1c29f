"""Faults injected through the emulated servers, seen through the real command line.

Each test runs ``citekit enrich`` on three identifiers (two Crossref DOIs, one arXiv id) over real
sockets and proves, for one kind of fault: that the request was retried (the server's log), that
the output still holds every input record (enriched, or as read when a source gave up), the exit
status, and that the end-of-run summary names what failed. Nothing depends on how busy the
machine is: a fault that must time out never answers, answers that must come in time have a
wide margin, and waits are checked on the session's own clock (its debug log). Then: a rerun resumes from the cache,
and an interrupted run leaves the previous library as it was (see also ``test_io.py`` for a write
that fails halfway).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from emulators import ArxivEmulator, CrossrefEmulator, LoggedRequest

from citekit.cli import EXPORT_FILES, main

CVPR, GREEN_AI, MISTRAL = "10.1109/CVPR.2015.7298594", "10.1145/3381831", "2310.06825"
IDS = f"{CVPR}\n{GREEN_AI}\narXiv:{MISTRAL}\n"
ENRICHED_TITLES = {"Going deeper with convolutions", "Green AI", "Mistral 7B"}


@dataclass
class Run:
    code: int
    stderr: str
    items: list[dict]
    report: dict

    def item(self, doi: str = "", arxiv: str = "") -> dict:
        return next(
            i
            for i in self.items
            if (doi and i.get("DOI", "").lower() == doi.lower())
            or (arxiv and i.get("custom", {}).get("arxiv_id") == arxiv)
        )


@pytest.fixture
def servers():
    with CrossrefEmulator() as crossref, ArxivEmulator() as arxiv:
        crossref.rate_limit = (1000, "1s", 3)  # advertise a fast pace: these tests are about faults
        yield crossref, arxiv


def enrich(tmp_path: Path, servers, *options: str) -> Run:
    crossref, arxiv = servers
    (tmp_path / "ids.txt").write_text(IDS)
    env = {
        "CITEKIT_CROSSREF_URL": crossref.url,
        "CITEKIT_ARXIV_URL": arxiv.url + "/api/query",
        "CITEKIT_ARXIV_INTERVAL": "0",
    }
    args = [
        "enrich",
        str(tmp_path / "ids.txt"),
        "-o",
        str(tmp_path / "out.json"),
        "--report",
        str(tmp_path / "r.json"),
        "--sources",
        "crossref,arxiv",
        "--cache",
        str(tmp_path / "cache.sqlite"),
        "--mailto",
        "ci@example.org",
        *options,
    ]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    return Run(
        result.exit_code,
        result.stderr,
        json.loads((tmp_path / "out.json").read_text()),
        json.loads((tmp_path / "r.json").read_text()),
    )


def assert_fully_enriched(run: Run) -> None:
    assert run.code == 0, run.stderr
    assert {i["title"] for i in run.items} == ENRICHED_TITLES
    assert run.item(doi=CVPR)["container-title"].startswith("2015 IEEE Conference on Computer Vision")
    assert run.item(doi=CVPR)["custom"]["arxiv_id"] == "1409.4842"  # the preprint, found through arXiv
    assert run.item(doi=GREEN_AI)["container-title"] == "Communications of the ACM"
    assert run.report["summary"]["matched"] == 3 and run.report["diagnostics"] == []


def retried(log: list[LoggedRequest], fault: str) -> list[LoggedRequest]:
    """Requests that got ``fault`` and whose question was later answered normally."""
    return [
        r
        for i, r in enumerate(log)
        if r.fault == fault
        and any(
            later.target == r.target and not later.fault and later.status == 200 for later in log[i + 1 :]
        )
    ]


def summary_line(run: Run, source: str) -> str:
    return next(line for line in run.stderr.splitlines() if line.startswith(f"{source}: "))


# ------------------------------------------------------------------------- transient faults


@pytest.mark.parametrize(
    ("target", "fault", "options"),
    [
        ("crossref", dict(kind="slow-body", delay=None), ["--timeout", "2"]),
        ("crossref", dict(kind="slow", delay=None), ["--timeout", "2"]),
        ("crossref", dict(kind="429", retry_after="1"), []),
        ("crossref", dict(kind="500"), []),
        ("crossref", dict(kind="503"), []),
        ("crossref", dict(kind="reset"), []),
        ("crossref", dict(kind="truncated"), []),  # JSON cut off by a closed connection
        ("crossref", dict(kind="malformed"), []),  # half a JSON body, announced as whole
        ("arxiv", dict(kind="slow-body", delay=None), ["--timeout", "2"]),
        ("arxiv", dict(kind="503", retry_after="1"), []),
        ("arxiv", dict(kind="reset"), []),
        ("arxiv", dict(kind="truncated"), []),  # Atom cut off by a closed connection
        ("arxiv", dict(kind="malformed"), []),  # half an Atom feed, announced as whole
    ],
    ids=lambda value: value if isinstance(value, str) else value["kind"] if isinstance(value, dict) else "",
)
def test_a_transient_fault_is_retried_and_the_run_ends_fully_enriched(
    tmp_path, servers, target, fault, options, caplog
):
    caplog.set_level(logging.DEBUG, logger="citekit.sources.http")
    server = servers[0] if target == "crossref" else servers[1]
    kind = fault["kind"]
    server.fail(kind, 1, **{k: v for k, v in fault.items() if k != "kind"})
    run = enrich(tmp_path, servers, *options)
    assert_fully_enriched(run)
    assert len(retried(server.log, kind)) == 1, [(r.target, r.fault, r.status) for r in server.log]
    assert ", 1 retried, 0 failed" in summary_line(run, target)
    if "retry_after" in fault:  # the wait the server asked for was kept, by every thread
        faulted = next(r for r in server.log if r.fault == kind)
        again = next(r for r in server.log if r.target == faulted.target and r.start > faulted.start)
        assert again.start - faulted.start >= 0.95
        # a request already on its way when the answer came is not held back; none started after it
        records = [r for r in caplog.records if getattr(r, "session", "").lower() == target]
        holds = [(r.hold_from, r.hold_until) for r in records if hasattr(r, "hold_until")]
        starts = [r.started for r in records if hasattr(r, "started")]
        assert holds and not [s for s in starts for start, end in holds if start <= s < end]


@pytest.mark.parametrize("kind", ["slow", "slow-body"])
def test_slow_answers_within_the_timeout_are_waited_for_not_retried(tmp_path, servers, kind):
    crossref, arxiv = servers
    crossref.fail(kind, 1, delay=0.4)
    arxiv.fail(kind, 1, delay=0.4)
    run = enrich(tmp_path, servers, "--timeout", "30")  # a wide margin over 0.4 s, on a busy machine too
    assert_fully_enriched(run)
    assert [r.fault for r in crossref.log].count(kind) == 1 and [r.fault for r in arxiv.log].count(kind) == 1
    assert ", 0 retried, 0 failed" in summary_line(run, "crossref")
    assert ", 0 retried, 0 failed" in summary_line(run, "arxiv")


# ------------------------------------------------------------------------- retries exhausted


@pytest.mark.parametrize(
    ("target", "kind", "only", "options"),
    [
        ("crossref", "500", GREEN_AI, []),
        ("crossref", "slow-body", GREEN_AI, ["--timeout", "2"]),
        ("arxiv", "truncated", f"id_list={MISTRAL}", []),
    ],
)
def test_when_retries_run_out_the_record_is_kept_as_read_and_the_summary_names_it(
    tmp_path, servers, target, kind, only, options
):
    server = servers[0] if target == "crossref" else servers[1]
    server.fail(kind, 10, only=only, delay=None)
    run = enrich(tmp_path, servers, "--retries", "1", *options)
    assert run.code == 0, run.stderr  # a source failing is not an input error: see the --strict test
    assert len(run.items) == 3
    failed = run.item(doi=GREEN_AI) if target == "crossref" else run.item(arxiv=MISTRAL)
    assert "title" not in failed  # kept as it was read: an identifier, nothing invented
    assert {i["title"] for i in run.items if "title" in i} == ENRICHED_TITLES - {"Green AI", "Mistral 7B"} | {
        "Mistral 7B" if target == "crossref" else "Green AI"
    }
    assert [r.fault for r in server.log].count(kind) == 2  # the first attempt and one retry
    assert ", 1 failed" in summary_line(run, target)
    named = [line for line in run.stderr.splitlines() if line.startswith(f"  {target}: ")]
    assert len(named) == 1 and only in named[0] and "gave up after 2 attempts" in named[0]
    assert [d["code"] for d in run.report["diagnostics"]] == ["source.failed"]


def test_under_strict_a_source_that_gave_up_fails_the_run(tmp_path, servers):
    servers[0].fail("503", 10, only=GREEN_AI)
    run = enrich(tmp_path, servers, "--retries", "0", "--strict")
    assert run.code == 1 and len(run.items) == 3
    assert "warning: Crossref: gave up after 1 attempts (HTTP 503)" in run.stderr


# ------------------------------------------------------------------------- resuming


def test_a_rerun_asks_only_for_what_failed_and_ends_fully_enriched(tmp_path, servers):
    crossref, arxiv = servers
    crossref.fail("500", 10, only=GREEN_AI)
    arxiv.fail("503", 10, only=f"id_list={MISTRAL}")
    first = enrich(tmp_path, servers, "--retries", "1")
    assert {i.get("title") for i in first.items} == {"Going deeper with convolutions", None}
    answered = {r.target for server in servers for r in server.log if r.status == 200}
    crossref.faults.clear()
    arxiv.faults.clear()
    crossref.log.clear()
    arxiv.log.clear()

    second = enrich(tmp_path, servers)
    assert_fully_enriched(second)
    asked = [r.target for server in servers for r in server.log]
    assert not answered & set(asked), "a question answered in the first run was asked again"
    assert f"/works/{GREEN_AI}?mailto=ci@example.org" in asked
    assert any(f"id_list={MISTRAL}" in target for target in asked)
    assert "answered from the cache" in summary_line(second, "crossref")


# ------------------------------------------------------------------------- interruptions

LIBRARY = "@misc{old, title = {The library as it was}}\n"
SLOW_REPLACE = """
import os, pathlib, sys, time
marker = pathlib.Path(sys.argv.pop(1))
def replace_slowly(source, target):  # the moment between the complete temporary files and the renames
    names = "\\n".join(sorted(p.name for p in pathlib.Path(source).parent.glob(".*.tmp")))
    pathlib.Path(f"{marker}.part").write_text(names)
    os.rename(f"{marker}.part", marker)  # whole when it appears: the test reads it as soon as it exists
    time.sleep(60)
os.replace = replace_slowly
from citekit.cli import run
sys.argv[0] = "citekit"
run()
"""


def _debris(folder: Path, *expected: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in expected)


def _stop_while_writing(tmp_path: Path, signal_number: int, *args: str) -> tuple[int, list[str]]:
    """Run ``citekit ARGS``, stop it once its output is complete in temporary files but not yet
    renamed into place; the exit status and the temporary files there were at that moment."""
    marker = tmp_path / "temporary-name"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_REPLACE, str(marker), *args], stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 300  # against a hang only
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        staged = marker.read_text().splitlines()
        process.send_signal(signal_number)
        process.wait(timeout=30)
    finally:
        process.kill()
    return process.returncode, staged


def _bibtex(count: int) -> str:
    return "".join(f"@misc{{k{i}, title = {{Paper {i}}}, year = 2020}}\n" for i in range(count))


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL])
def test_a_run_killed_while_writing_leaves_the_previous_library(tmp_path, signal_number):
    (tmp_path / "refs.bib").write_text(_bibtex(200))
    library = tmp_path / "out" / "library.bib"
    library.parent.mkdir()
    library.write_text(LIBRARY)
    code, staged = _stop_while_writing(
        tmp_path, signal_number, "convert", str(tmp_path / "refs.bib"), "-o", str(library)
    )
    assert len(staged) == 1 and staged[0].startswith(".library.bib.")
    assert library.read_text() == LIBRARY
    if signal_number == signal.SIGTERM:  # a catchable end: the temporary file is cleaned up
        assert code == 128 + signal.SIGTERM
        assert _debris(library.parent, "library.bib") == []


def test_an_export_stopped_while_writing_leaves_every_old_file(tmp_path):
    (tmp_path / "refs.bib").write_text(_bibtex(50))
    folder = tmp_path / "out"
    folder.mkdir()
    old = {name: f"{name} as it was\n" for name in EXPORT_FILES}
    for name, text in old.items():
        (folder / name).write_text(text)
    code, staged = _stop_while_writing(
        tmp_path,
        signal.SIGTERM,
        "export",
        str(tmp_path / "refs.bib"),
        "-d",
        str(folder),
        "--offline",
        "--sources",
        "local",
        "--index",
        str(tmp_path / "index.sqlite"),
        "--cache",
        str(tmp_path / "cache.sqlite"),
    )
    assert sorted(name.split(".tmp")[0].rsplit(".", 1)[0][1:] for name in staged) == sorted(EXPORT_FILES)
    assert code == 128 + signal.SIGTERM
    assert {name: (folder / name).read_text() for name in EXPORT_FILES} == old
    assert _debris(folder, *EXPORT_FILES) == []


def test_a_run_killed_while_matching_has_not_touched_the_library(tmp_path, servers):
    crossref, arxiv = servers
    crossref.delay = 30  # the first answer never comes: the run is killed while it waits
    library = tmp_path / "library.json"
    library.write_text("[]\n")
    (tmp_path / "ids.txt").write_text(IDS)
    env = {**os.environ, "CITEKIT_CROSSREF_URL": crossref.url, "CITEKIT_ARXIV_URL": arxiv.url + "/api/query"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "citekit",
            "enrich",
            str(tmp_path / "ids.txt"),
            "-o",
            str(library),
            "--sources",
            "crossref",
            "--cache",
            str(tmp_path / "cache.sqlite"),
            "--timeout",
            "60",
        ],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300  # against a hang only
        while not crossref.log and time.monotonic() < deadline:
            time.sleep(0.02)
        assert crossref.log, "the run never reached Crossref"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
    assert library.read_text() == "[]\n"
    cache_files = ("cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm")
    assert _debris(tmp_path, "library.json", "ids.txt", *cache_files) == []
