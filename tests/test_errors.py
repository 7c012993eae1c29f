"""Every command, given bad values (environment variables, options, files, index and cache paths),
ends with a one-line message naming what is wrong and the documented status: never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit.cli import main

GOOD = "@misc{a, title = {A title}, year = 2020}\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "refs.bib").write_text(GOOD)
    (tmp_path / "blob").write_bytes(bytes(range(256)) * 4)  # binary, no suffix: no format to tell
    (tmp_path / "not-a-database.sqlite").write_text("just text\n")
    (tmp_path / "folder").mkdir()
    return tmp_path


def out(folder: Path) -> list[str]:
    return ["-o", str(folder / "out.json")]


# (command line, environment, status, text the message must hold); paths are relative to `files`.
READ = ["refs.bib"]
ENRICH = ["enrich", "refs.bib", "-o", "out.json", "--offline", "--cache", "cache.sqlite"]
EXPORT = ["export", "refs.bib", "-d", "out", "--offline", "--cache", "cache.sqlite"]
CASES = [
    # convert
    (["convert", "missing.bib", "-o", "out.json"], {}, 2, "does not exist"),
    (["convert", "folder", "-o", "out.json"], {}, 2, "is a directory"),
    (["convert", "blob", "-o", "out.json"], {}, 2, "blob: cannot tell the format"),
    (["convert", *READ, "-o", "out.json", "--from", "word"], {}, 2, "'word' is not one of"),
    (["convert", *READ, "-o", "out.json", "--to", "profile"], {}, 2, "'profile' is not one of"),
    (["convert", *READ, "-o", "out.docx"], {}, 2, "cannot tell the output format"),
    (["convert", *READ, "-o", "refs.bib/out.json"], {}, 2, "refs.bib/out.json: cannot write it"),
    (["convert", *READ, "-o", "out.json", "--key-pattern", "{nope}"], {}, 2, "unknown key field"),
    (["convert", *READ, "-o", "out.json", "--key-pattern", "{auth"], {}, 2, "not a key pattern"),
    (
        ["convert", *READ, "-o", "out.json", "--key-pattern", "{auth[0]}"],
        {},
        2,
        "unknown key field(s) auth[0]",
    ),
    (
        ["convert", *READ, "-o", "out.json", "--reference-date", "yesterday"],
        {},
        2,
        "'yesterday' does not match",
    ),
    # enrich: environment variables
    ([*ENRICH, "--sources", "arxiv"], {"CITEKIT_ARXIV_INTERVAL": "abc"}, 2, "CITEKIT_ARXIV_INTERVAL"),
    ([*ENRICH, "--sources", "arxiv"], {"CITEKIT_ARXIV_INTERVAL": "-1"}, 2, "CITEKIT_ARXIV_INTERVAL"),
    ([*ENRICH, "--sources", "arxiv"], {"CITEKIT_ARXIV_INTERVAL": "nan"}, 2, "CITEKIT_ARXIV_INTERVAL"),
    ([*ENRICH, "--sources", "arxiv"], {"CITEKIT_ARXIV_URL": "export.arxiv.org"}, 2, "CITEKIT_ARXIV_URL"),
    ([*ENRICH, "--sources", "crossref"], {"CITEKIT_CROSSREF_URL": "ftp://x"}, 2, "CITEKIT_CROSSREF_URL"),
    ([*ENRICH, "--sources", "crossref"], {"CITEKIT_MAILTO": "me\nX-Evil: 1"}, 2, "CITEKIT_MAILTO"),
    # enrich: options
    ([*ENRICH, "--sources", "google"], {}, 2, "unknown source(s) google"),
    ([*ENRICH, "--jobs", "0"], {}, 2, "'-j' / '--jobs'"),
    ([*ENRICH, "--timeout", "soon"], {}, 2, "'--timeout'"),
    ([*ENRICH, "--timeout", "0"], {}, 2, "'--timeout'"),
    ([*ENRICH, "--retries", "-1"], {}, 2, "'--retries'"),
    ([*ENRICH, "--key-pattern", "{nope}"], {}, 2, "unknown key field"),
    # enrich: index and cache
    ([*ENRICH, "--sources", "local", "--index", "not-a-database.sqlite"], {}, 2, "file is not a database"),
    ([*ENRICH, "--sources", "local", "--index", "refs.bib/index.sqlite"], {}, 2, "refs.bib/index.sqlite"),
    ([*ENRICH, "--sources", "local", "--index", "folder"], {}, 2, "is a directory"),
    (
        [
            "enrich",
            *READ,
            "-o",
            "out.json",
            "--offline",
            "--sources",
            "crossref",
            "--cache",
            "not-a-database.sqlite",
        ],
        {},
        2,
        "cannot use it as the response cache",
    ),
    # export
    ([*EXPORT, "--sources", "arxiv"], {"CITEKIT_ARXIV_INTERVAL": "abc"}, 2, "CITEKIT_ARXIV_INTERVAL"),
    (["export", *READ, "-d", "refs.bib", "--offline"], {}, 2, "is a file"),
    ([*EXPORT, "--sources", "local", "--index", "not-a-database.sqlite"], {}, 2, "file is not a database"),
    (["export", "blob", "-d", "out", "--offline"], {}, 2, "blob: cannot tell the format"),
    # check
    (["check", "--online", *READ], {"CITEKIT_ARXIV_INTERVAL": "abc"}, 2, "CITEKIT_ARXIV_INTERVAL"),
    (["check", "--online", *READ], {"CITEKIT_CROSSREF_URL": "nowhere"}, 2, "CITEKIT_CROSSREF_URL"),
    (["check", "--index", "not-a-database.sqlite", *READ], {}, 2, "file is not a database"),
    (["check", "--index", "missing.sqlite", *READ], {}, 2, "no index at missing.sqlite"),
    (["index", "info", "--index", "missing.sqlite"], {}, 2, "no index at missing.sqlite"),
    (["index", "migrate", "--index", "missing.sqlite"], {}, 2, "no index at missing.sqlite"),
    (["check", "--target", "word", *READ], {}, 2, "'word' is not one of"),
    (["check", "blob"], {}, 2, "blob: cannot tell the format"),
    (["check", "missing.bib"], {}, 2, "does not exist"),
    # decisions and review
    (
        [*ENRICH, "--sources", "local", "--index", "index.sqlite", "--decisions", "refs.bib"],
        {},
        2,
        "Invalid value for --decisions: refs.bib: not a JSON file",
    ),
    ([*ENRICH, "--decisions", "missing.json"], {}, 2, "does not exist"),
    (
        ["review", "refs.bib", "-o", "review.html"],
        {},
        2,
        "Invalid value for REPORT: refs.bib: not a JSON file",
    ),
    (["review", "missing.json", "-o", "review.html"], {}, 2, "does not exist"),
    # venues, for every command
    (["--venues", "refs.bib", "convert", *READ, "-o", "out.json"], {}, 2, "refs.bib: not a venue file"),
    (
        ["convert", *READ, "-o", "out.json"],
        {"CITEKIT_VENUES": "missing.json"},
        2,
        "missing.json: cannot be read",
    ),
    (
        [*ENRICH, "--sources", "local", "--index", "index.sqlite"],
        {"CITEKIT_VENUES": "refs.bib"},
        2,
        "Invalid value for --venues / CITEKIT_VENUES: refs.bib: not a venue file",
    ),
    # index
    (["index", "add", "--index", "not-a-database.sqlite", *READ], {}, 2, "file is not a database"),
    (["index", "add", "--index", "refs.bib/index.sqlite", *READ], {}, 2, "refs.bib/index.sqlite"),
    (["index", "add", "--index", "index.sqlite", "missing.jsonl"], {}, 2, "does not exist"),
    (["index", "add", "--index", "index.sqlite", "blob"], {}, 1, "index.unknown-format"),
    (["index", "info", "--index", "not-a-database.sqlite"], {}, 2, "file is not a database"),
    (["index", "info", "--index", "refs.bib/index.sqlite"], {}, 2, "refs.bib/index.sqlite"),
]


@pytest.mark.parametrize(
    ("args", "env", "status", "says"), CASES, ids=[" ".join(c[0][:2]) + f" {c[2]} {c[3]}" for c in CASES]
)
def test_a_bad_value_gets_a_message_and_the_documented_status(
    files: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], status: int, says: str
) -> None:
    monkeypatch.chdir(files)
    result = CliRunner().invoke(main, args, env=env)
    assert isinstance(result.exception, SystemExit), result.exc_info  # not a crash
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    assert says in result.output
    assert not (files / "out.json").exists() and not (files / "out").exists()  # nothing half-done


def test_the_installed_program_says_what_is_wrong_with_the_environment(files: Path) -> None:
    """As a user runs it: the message on standard error, no traceback, status 2."""
    env = {**os.environ, "CITEKIT_ARXIV_INTERVAL": "abc"}
    done = subprocess.run(
        [sys.executable, "-m", "citekit", "check", "--online", "refs.bib"],
        cwd=files,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().endswith(
        "Error: Invalid value for CITEKIT_ARXIV_INTERVAL: must be a number of seconds, not 'abc'"
    )
