"""The command line as a script in CI sees it: exit codes, stderr diagnostics, reports, stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

GOOD_BIB = """@article{jegou2011product,
  author = {J{\\'e}gou, Herv{\\'e} and Douze, Matthijs and Schmid, Cordelia},
  title = {Product quantization for nearest neighbor search},
  journal = {IEEE Transactions on Pattern Analysis and Machine Intelligence},
  year = {2011}, volume = {33}, number = {1}, pages = {117--128},
  doi = {10.1109/TPAMI.2010.57}
}
"""
BROKEN_BIB = (
    GOOD_BIB
    + """
@article{broken,
  title = {Missing a closing brace,
  year = 2020

@misc{after, title = {Still read}, year = {2021}}
"""
)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_help_on_every_command() -> None:
    for command in (
        [],
        ["convert"],
        ["enrich"],
        ["export"],
        ["check"],
        ["index"],
        ["index", "add"],
        ["index", "info"],
    ):
        code, out, _ = run(*command, "--help")
        assert code == 0 and "Usage:" in out


def test_convert_seeds_keeps_all_80_records(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    code, _, err = run(
        "convert",
        *map(str, SEEDS),
        "-o",
        str(tmp_path / "seeds.json"),
        "--report",
        str(report_path),
        "--reference-date",
        "2026-11-23",
    )
    assert code == 0, err
    items = json.loads((tmp_path / "seeds.json").read_text())
    report = json.loads(report_path.read_text())
    assert len(items) == 80 and len(report["records"]) == 80
    assert {r["status"] for r in report["records"]} == {"converted"}
    assert {r["key"] for r in report["records"]} == {item["id"] for item in items}
    assert "80 input records → 80 output records" in err
    voxtral = next(i for i in items if i.get("title") == "Voxtral TTS")
    assert voxtral["issued"]["date-parts"] == [[2026, 3, 26]]


def test_a_broken_entry_is_reported_with_file_and_line_and_exit_1(tmp_path: Path) -> None:
    source = tmp_path / "refs.bib"
    source.write_text(BROKEN_BIB)
    report_path = tmp_path / "r.json"
    code, _, err = run("convert", str(source), "-o", str(tmp_path / "out.ris"), "--report", str(report_path))
    assert code == 1
    assert "refs.bib:9: error bibtex.failed-block" in err
    report = json.loads(report_path.read_text())
    statuses = [(r["input"]["index"], r["status"]) for r in report["records"]]
    assert statuses == [(1, "converted"), (2, "error"), (3, "converted")]
    assert report["records"][1]["key"] is None and report["records"][1]["diagnostics"][0]["line"] == 9
    ris = (tmp_path / "out.ris").read_bytes()
    assert ris.count(b"TY  - ") == 2 and b"\r\n" in ris


def test_strict_turns_warnings_into_exit_1(tmp_path: Path) -> None:
    source = tmp_path / "dup.bib"
    source.write_text(GOOD_BIB + GOOD_BIB.replace("Product", "Another"))
    assert run("convert", str(source), "-o", str(tmp_path / "o.bib"))[0] == 0
    code, _, err = run("convert", str(source), "-o", str(tmp_path / "o.bib"), "--strict")
    assert code == 1 and "warning bibtex.duplicate-key" in err


def test_stdin_to_stdout_needs_formats_named() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "citekit", "convert", "-", "-o", "-", "--from", "bibtex", "--to", "ris"],
        input=GOOD_BIB.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0
    assert (
        completed.stdout.startswith(b"TY  - JOUR\r\n")
        and b"DO  - 10.1109/TPAMI.2010.57\r\n" in completed.stdout
    )
    code, out, _ = run("convert", "-", "-o", "-", "--to", "csljson", stdin=GOOD_BIB)
    assert code == 0 and json.loads(out)[0]["id"] == "jegou2011product"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "a.bib"
    source.write_text(GOOD_BIB)
    assert run("convert", str(source), "-o", str(tmp_path / "out.xyz"))[0] == 2
    assert run("convert", str(source), "-o", "-", "--to", "profile")[0] == 2
    assert run("convert", str(tmp_path / "missing.bib"), "-o", "-")[0] == 2
    assert run("convert", str(source), "-o", "-", "--to", "ris", "--key-pattern", "{nope}")[0] == 2
    assert run("export", str(source), "-d", str(tmp_path), "--sources", "google")[0] == 2


def test_an_unrecognisable_input_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("just some words\nand more\n")
    code, _, err = run("convert", str(source), "-o", "-", "--to", "ris")
    assert code == 2 and "notes.txt" in err and "--from" in err


def test_same_base_names_stay_apart_in_the_report(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "refs.bib").write_text(GOOD_BIB)
    report_path = tmp_path / "r.json"
    code, _, _ = run(
        "convert",
        str(tmp_path / "a" / "refs.bib"),
        str(tmp_path / "b" / "refs.bib"),
        "-o",
        str(tmp_path / "o.json"),
        "--report",
        str(report_path),
    )
    assert code == 0
    files = [r["input"]["file"] for r in json.loads(report_path.read_text())["records"]]
    assert len(set(files)) == 2
    keys = [item["id"] for item in json.loads((tmp_path / "o.json").read_text())]
    assert sorted(keys) == ["jegou2011producta", "jegou2011productb"]


def test_unreachable_network_is_said_once_and_the_run_carries_on(tmp_path: Path, dead_url: str) -> None:
    source = tmp_path / "refs.bib"
    source.write_text(
        GOOD_BIB + "\n@misc{x, title = {Mixtral of Experts}, author = {Jiang, Albert Q.}, year = 2024}\n"
    )
    env = {**os.environ, "CITEKIT_CROSSREF_URL": dead_url, "CITEKIT_ARXIV_URL": dead_url + "/api/query"}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "citekit",
            "enrich",
            str(source),
            "-o",
            str(tmp_path / "out.bib"),
            "--sources",
            "crossref,arxiv",
            "--cache",
            str(tmp_path / "cache.sqlite"),
            "--index",
            str(tmp_path / "i.sqlite"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.count("cannot reach") == 2  # once for Crossref, once for arXiv
    assert "2 input records → 2 output records (2 unmatched)" in completed.stderr
    assert (tmp_path / "out.bib").read_text().count("@") == 2


@pytest.mark.parametrize("suffix", [".bib", ".ris", ".json"])
def test_output_format_follows_the_suffix(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "in.bib"
    source.write_text(GOOD_BIB)
    assert run("convert", str(source), "-o", str(tmp_path / f"out{suffix}"))[0] == 0
    text = (tmp_path / f"out{suffix}").read_text()
    assert {".bib": "@article{jegou2011product", ".ris": "TY  - JOUR", ".json": '"id": "jegou2011product"'}[
        suffix
    ] in text


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_convert_obeys_a_declared_encoding(tmp_path: Path, jobs: str) -> None:
    """JabRef's ``% Encoding:`` header (and a UTF-16 BOM) hold for convert's chunked path too."""
    jabref = tmp_path / "jabref.bib"
    jabref.write_bytes(
        "% Encoding: windows-1252\n\n@article{k, title = {At 25\u00b0 C}, year = 2020}\n".encode("cp1252")
    )
    utf16 = tmp_path / "utf16.bib"
    utf16.write_bytes("@article{u, title = {Caf\u00e9 \u0416}, year = 2021}\n".encode("utf-16"))
    for path, title in ((jabref, "At 25\u00b0 C"), (utf16, "Caf\u00e9 \u0416")):
        out = tmp_path / (path.stem + ".json")
        result = CliRunner().invoke(main, ["convert", str(path), "-o", str(out), "--jobs", jobs])
        assert result.exit_code == 0, result.output
        assert [item["title"] for item in json.loads(out.read_text(encoding="utf-8"))] == [title]


def test_an_index_file_that_is_not_there_is_said_offline_too(tmp_path: Path) -> None:
    source = tmp_path / "refs.bib"
    source.write_text(GOOD_BIB, encoding="utf-8")
    missing = tmp_path / "typo.sqlite"
    args = ["export", str(source), "-d", str(tmp_path / "out"), "--sources", "local", "--offline"]
    code, _, stderr = run(*args, "--index", str(missing))
    assert code == 0
    assert f"no index at {missing} yet" in stderr
    code, _, stderr = run("index", "info", "--index", str(tmp_path / "other.sqlite"))
    assert code == 2 and "no index at" in stderr
    assert not (tmp_path / "other.sqlite").exists()


def test_formats_are_named_with_short_options_as_in_pandoc(tmp_path: Path) -> None:
    source = tmp_path / "refs.txt"
    source.write_text(GOOD_BIB, encoding="utf-8")
    code, stdout, _ = run("convert", str(source), "-f", "bibtex", "-t", "ris", "-o", "-")
    assert code == 0 and stdout.startswith("TY  - JOUR") and "DO  - 10.1109/TPAMI.2010.57" in stdout
