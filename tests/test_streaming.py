"""``citekit convert`` streams: BibTeX read in chunks and output written in pieces must give exactly
what reading and writing the whole file gives (records, diagnostics and their lines, keys, report)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit import formats
from citekit.cli import main
from citekit.diagnostics import Diagnostic, ReadResult
from citekit.formats import bibtex
from citekit.formats.bibtex import streaming
from citekit.keys import KeyPlan, assign_keys
from citekit.model import Name, Record
from citekit.report import Report

ROOT = Path(__file__).resolve().parent.parent
CORPORA = sorted(p for p in (ROOT / "tests" / "data").rglob("*.bib") if ".out" not in p.name)


def _generator():
    spec = importlib.util.spec_from_file_location("generate_bibtex", ROOT / "bench" / "generate_bibtex.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generator().write_file(tmp_path_factory.mktemp("generated") / "generated.bib", 400, seed=11)


def _diagnostic(d: Diagnostic) -> tuple:
    return (d.level, d.code, d.message, d.file, d.line, d.index, d.raw)


def _joined(results: list[ReadResult]) -> ReadResult:
    joined = ReadResult()
    for result in results:
        joined.extend(result)
    return joined


def _assert_same(whole: ReadResult, streamed: ReadResult) -> None:
    assert [(r, r.origin) for r in streamed.records] == [(r, r.origin) for r in whole.records]
    found = sorted(map(_diagnostic, streamed.diagnostics), key=str)
    assert found == sorted(map(_diagnostic, whole.diagnostics), key=str)


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: str(p.relative_to(ROOT / "tests" / "data")))
@pytest.mark.parametrize("blocks", [1, 2, 5])
def test_chunked_read_of_the_corpora_is_the_whole_read(path: Path, blocks: int) -> None:
    whole = formats.read_path(path, formats.get("bibtex"))
    streamed = _joined(list(bibtex.read_chunks(path, path.name, blocks_per_chunk=blocks)))
    _assert_same(whole, streamed)


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_chunked_read_of_a_generated_file_is_the_whole_read(generated: Path, dialect: str) -> None:
    whole = formats.read_path(generated, formats.get(dialect))
    chunks = list(bibtex.read_chunks(generated, generated.name, dialect, blocks_per_chunk=7))
    assert len(chunks) > 50
    _assert_same(whole, _joined(chunks))
    assert len(whole.records) == 400


TRICKY = """% a file whose diagnostics fall in later chunks
@article{first, title = {One}, journal = later, year = 2001}

@article{second, title = {Two}, year = 2002}

@string{later = "Defined after its first use"}

@article{third, title = {Three}, year = 2003,
  title = {Three again}}

@article{broken,
  title = {Missing a closing brace,
  year = 2020

@string{later = "Defined again"}
@misc{last, title = {Still read}, note = undefinedmacro, year = {2021}}
"""


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_diagnostics_in_a_later_chunk_have_the_file_s_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "tricky.bib"
    path.write_text(TRICKY, encoding="utf-8")
    chunks = list(bibtex.read_chunks(path, path.name, blocks_per_chunk=1))
    streamed = _joined(chunks)
    lines = {d.code: d.line for d in streamed.diagnostics}
    assert lines["bibtex.duplicate-field"] == _line_of(TRICKY, "  title = {Three again}")
    assert lines["bibtex.failed-block"] == _line_of(TRICKY, "@article{broken")
    assert lines["bibtex.duplicate-string"] == _line_of(TRICKY, '@string{later = "Defined again"}')
    assert lines["bibtex.undefined-string"] == _line_of(TRICKY, "@misc{last")
    failed = next(d for d in streamed.diagnostics if d.code == "bibtex.failed-block")
    assert failed.index == 4 and "Unexpected block start" in failed.message  # as in the whole file
    assert streamed.records[0].container_title == "Defined again"  # @strings apply file-wide
    assert [r.origin.line for r in streamed.records] == [
        _line_of(TRICKY, f"{{{key},") for key in ("first", "second", "third", "last")
    ]
    _assert_same(formats.read_path(path), streamed)


STRING_CORPORA = [p for p in CORPORA if "@string" in p.read_text(errors="replace").lower()]


@pytest.mark.parametrize("read_size", [7, 300])
def test_the_string_pass_finds_the_same_whatever_the_pieces(
    tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch, read_size: int
) -> None:
    """The ``@string`` pass reads the file in pieces cut at block starts: with pieces of a few bytes
    it must find what it finds in one piece (tables, allowance, diagnostics and their lines)."""
    tricky = tmp_path / "tricky.bib"
    tricky.write_text(TRICKY, encoding="utf-8")
    paths = [tricky, generated, *STRING_CORPORA]
    assert len(STRING_CORPORA) >= 8
    whole = [streaming.file_strings(path, path.name, "bibtex") for path in paths]
    monkeypatch.setattr(streaming, "_READ_SIZE", read_size)
    assert [streaming.file_strings(path, path.name, "bibtex") for path in paths] == whole
    assert any(strings.table for strings in whole) and any(strings.diagnostics for strings in whole)


@pytest.mark.parametrize("read_size", [3, 9, 1 << 20])
def test_a_crossref_in_any_case_is_seen_even_across_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_size: int
) -> None:
    path = tmp_path / "children.bib"
    path.write_text(
        "@inproceedings{child, title = {Child}, CrossRef = {parent}}\n\n"
        "@proceedings{parent, title = {The Proceedings}, year = 1999}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(streaming, "_READ_SIZE", read_size)
    assert set(streaming.file_strings(path, path.name, "bibtex").parents) == {"parent"}
    [child, _] = [r for result in bibtex.read_chunks(path, path.name) for r in result.records]
    assert child.container_title == "The Proceedings" and child.issued is not None


def test_encoding_problems_are_reported_as_in_the_whole_read(tmp_path: Path) -> None:
    path = tmp_path / "latin1.bib"
    path.write_bytes(b"\xef\xbb\xbf@misc{a, title = {Ok}}\n\n@misc{b, title = {Caf\xe9}}\n")
    streamed = _joined(list(bibtex.read_chunks(path, path.name, blocks_per_chunk=1)))
    assert [d.code for d in streamed.diagnostics] == ["input.encoding"]
    _assert_same(formats.read_path(path), streamed)


def _whole_convert(inputs: list[Path], target: str) -> tuple[str, dict]:
    """What convert wrote before it streamed: read all, assign keys, write once."""
    report, records = Report(), []
    for path in inputs:
        result = formats.read_path(path)
        report.add_read(result)
        records.extend(result.records)
    assign_keys(records)
    writer = formats.get(target).write
    return writer(records), report.as_dict(len(records))


@pytest.mark.parametrize(
    "target,suffix", [("csljson", "json"), ("ris", "ris"), ("bibtex", "bib"), ("biblatex", "bib")]
)
def test_streamed_convert_writes_what_the_whole_convert_writes(
    tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch, target: str, suffix: str
) -> None:
    monkeypatch.setattr(streaming, "CHUNK_BLOCKS", 9)
    inputs = [generated, *CORPORA[:6]]
    out, report_path = tmp_path / f"out.{suffix}", tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        ["convert", *map(str, inputs), "-o", str(out), "--to", target, "--report", str(report_path)],
        catch_exceptions=False,
    )
    expected_text, expected_report = _whole_convert(inputs, target)
    assert out.read_bytes() == expected_text.encode("utf-8")
    assert json.loads(report_path.read_text(encoding="utf-8")) == json.loads(json.dumps(expected_report))
    assert "citekitkey" not in result.stderr + out.read_text(encoding="utf-8")


def test_key_plan_gives_the_keys_assign_keys_gives() -> None:
    def record(title: str, family: str, key: str = "", doi: str = "") -> Record:
        return Record(title=title, author=[Name(family=family)], key=key, doi=doi)

    def batch() -> list[Record]:
        return [
            record("Product quantization", "Jégou"),
            record("Product codes", "Jegou", doi="10.1/b"),
            record("Product quantization", "Jégou", key="jegou0product"),
            record("Other", "Smith"),
            record("Product quantization", "Jégou", key="jegou0producta"),
            record("Product", "Jegou", key="bad key!"),
            record("Other", "Smith", doi="10.1/a"),
        ]

    expected = batch()
    assign_keys(expected)
    plan, planned = KeyPlan(), batch()
    plan.add(planned[:3])
    plan.extend(*plan.entries(planned[3:]))
    plan.resolve()
    assert plan.keys == [r.key for r in expected]
    assert len({r.key for r in expected}) == len(expected)


def test_without_a_report_file_convert_says_the_same(tmp_path: Path, generated: Path) -> None:
    """Without --report, records with nothing to say are only counted: stderr must not change."""
    inputs = [str(generated), str(ROOT / "tests" / "data" / "bibtex" / "broken.bib")]
    runs = [
        CliRunner().invoke(main, ["convert", *inputs, "-o", str(tmp_path / "out.ris"), *extra])
        for extra in ([], ["--report", str(tmp_path / "report.json")])
    ]
    assert runs[0].exit_code == runs[1].exit_code == 1  # broken.bib has unreadable entries
    assert runs[0].stderr == runs[1].stderr
    assert "error" in runs[0].stderr and "input records →" in runs[0].stderr


@pytest.mark.parametrize("target,suffix", [("csljson", "json"), ("ris", "ris"), ("biblatex", "bib")])
def test_convert_writes_the_same_bytes_whatever_the_jobs(
    tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch, target: str, suffix: str
) -> None:
    """Chunks read and written in worker processes come back in order: output, report and
    diagnostics do not depend on ``--jobs``."""
    monkeypatch.setattr(streaming, "CHUNK_BLOCKS", 13)
    inputs = [str(generated), *map(str, CORPORA[:6])]
    outputs = []
    for jobs in ("1", "2", "3"):
        out, report = tmp_path / f"out-{jobs}.{suffix}", tmp_path / f"report-{jobs}.json"
        run = CliRunner().invoke(
            main,
            ["convert", *inputs, "-o", str(out), "--to", target, "--jobs", jobs, "--report", str(report)],
            catch_exceptions=False,
        )
        outputs.append((run.exit_code, run.stderr, out.read_bytes(), report.read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][0] == 1  # broken.bib has entries that cannot be read
    assert json.loads(outputs[0][3])["summary"]["inputs"] > 400
