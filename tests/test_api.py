"""The library API (``citekit.read``, ``enrich``, ``write``, ``export``): what a batch script uses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import citekit
from citekit import errors, formats
from citekit.api import EXPORT_FILES, PYTHON_INPUT
from citekit.cli import main
from citekit.sources.local import LocalIndex

GOOGLENET = "@misc{g, title = {Going deeper with convolutions}, author = {Szegedy, Christian and Liu, Wei}, year = 2015}\n"
BROKEN = "@misc{broken, title = {never closed\n"


@pytest.fixture
def index(snapshot_index: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index.sqlite"
    shutil.copy(snapshot_index, copy)
    return copy


def test_the_public_names_are_pinned() -> None:
    assert citekit.__all__ == [
        "CitekitError",
        "Date",
        "InputError",
        "Name",
        "Origin",
        "OutputError",
        "Record",
        "Report",
        "Result",
        "SourceError",
        "StoreError",
        "UsageError",
        "__version__",
        "enrich",
        "export",
        "open_sources",
        "read",
        "read_string",
        "write",
        "write_string",
    ]
    assert all(hasattr(citekit, name) for name in citekit.__all__)


def test_records_read_without_a_report_are_enriched_and_accounted_for(index: Path) -> None:
    """The records of a reader, handed straight to ``enrich``: it builds the report itself."""
    result = formats.read_text(GOOGLENET, "arxiv.bib")
    records, report = citekit.enrich(result.records, sources="local", index=index, offline=True)
    assert [r.doi for r in records] == ["10.1109/CVPR.2015.7298594"] and records[0].arxiv_id == "1409.4842"
    assert [(e.file, e.index, e.status, e.output.key) for e in report.entries.values()] == [
        ("arxiv.bib", 1, "matched", records[0].key)
    ]
    assert report.sources and report.sources[0].name == "local"


def test_records_made_in_python_are_accounted_for_under_a_name_of_their_own(index: Path) -> None:
    made = [
        citekit.Record(title="Going deeper with convolutions", author=[citekit.Name("Szegedy", "Christian")]),
        citekit.Record(title="A paper no source has heard of, on nothing at all"),
    ]
    records, report = citekit.enrich(made, sources=["local"], index=index, offline=True)
    statuses = {(e.file, e.index): e.status for e in report.entries.values()}
    assert statuses == {(PYTHON_INPUT, 1): "matched", (PYTHON_INPUT, 2): "unmatched"}
    assert len(records) == 2 and all(r.origin is None for r in made)  # the caller's records untouched


def test_read_enrich_write_continue_one_report(index: Path, tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(GOOGLENET + BROKEN)
    records, report = citekit.read([tmp_path / "refs.bib"])
    assert len(records) == 1 and report.failed == 1  # the broken entry is in the report, not lost
    records, report = citekit.enrich(records, report=report, sources="local", index=index, offline=True)
    citekit.write(records, tmp_path / "clean.json")
    citekit.write(records, tmp_path / "clean.txt", format="ris")
    assert json.loads((tmp_path / "clean.json").read_text())[0]["DOI"] == "10.1109/CVPR.2015.7298594"
    assert (tmp_path / "clean.txt").read_text().startswith("TY  - ")
    assert report.counts() == {"matched": 1, "error": 1}


def test_sources_opened_by_the_caller_stay_open(index: Path) -> None:
    with LocalIndex(index) as local:
        first, _ = citekit.enrich(citekit.read_string(GOOGLENET).records, sources=[local])
        second, _ = citekit.enrich(citekit.read_string(GOOGLENET, name="again.bib").records, sources=[local])
        assert local.info().total > 0  # still open
    assert first == second


def test_export_writes_the_library_in_every_format_and_the_report(index: Path, tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(GOOGLENET)
    records, report = citekit.export(
        tmp_path / "refs.bib", tmp_path / "out", sources="local", index=index, offline=True
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([*EXPORT_FILES, "report.json"])
    assert json.loads((tmp_path / "out" / "report.json").read_text())["summary"]["matched"] == 1
    assert records[0].key in (tmp_path / "out" / "library.bib").read_text()


def test_the_command_and_the_function_write_the_same_library(index: Path, tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(GOOGLENET)
    from click.testing import CliRunner

    run = CliRunner().invoke(
        main,
        [
            "enrich",
            str(tmp_path / "refs.bib"),
            "-o",
            str(tmp_path / "cli.bib"),
            "--sources",
            "local",
            "--index",
            str(index),
            "--offline",
        ],
    )
    assert run.exit_code == 0, run.output
    records, _ = citekit.enrich(
        citekit.read(tmp_path / "refs.bib").records, sources="local", index=index, offline=True
    )
    assert citekit.write_string(records, "bibtex") == (tmp_path / "cli.bib").read_text()


@pytest.mark.parametrize(
    ("call", "kind", "message"),
    [
        (lambda tmp: citekit.read(tmp / "missing.bib"), errors.InputError, "missing.bib: cannot read it"),
        (lambda tmp: citekit.read(tmp), errors.InputError, "cannot read it"),
        (lambda tmp: citekit.read_string("", format="nope"), errors.UsageError, "unknown format 'nope'"),
        (lambda tmp: citekit.write_string([], "profile"), errors.UsageError, "can be read, not written"),
        (lambda tmp: citekit.write([], tmp / "out.xyz"), errors.UsageError, "cannot tell the output format"),
        (lambda tmp: citekit.enrich([], sources="google"), errors.UsageError, "unknown source"),
        (lambda tmp: citekit.enrich([], key_pattern="{nope}"), errors.UsageError, "unknown key field"),
        (
            lambda tmp: citekit.enrich([], sources="local", index=tmp / "refs.bib"),
            errors.StoreError,
            "file is not a database",
        ),
        (lambda tmp: citekit.write([], tmp / "refs.bib" / "out.bib"), errors.OutputError, "cannot write it"),
    ],
)
def test_errors_are_citekit_errors_of_one_kind(tmp_path: Path, call, kind, message) -> None:
    (tmp_path / "refs.bib").write_text(GOOGLENET)
    with pytest.raises(kind, match=message) as caught:
        call(tmp_path)
    assert isinstance(caught.value, citekit.CitekitError)


def test_the_error_kinds_and_their_exit_statuses() -> None:
    kinds = {
        errors.UsageError: 2,
        errors.InputError: 2,
        errors.OutputError: 2,
        errors.StoreError: 2,
        errors.SourceError: 1,
    }
    assert {kind: kind.exit_code for kind in kinds} == kinds
    assert all(issubclass(kind, citekit.CitekitError) for kind in kinds)
    assert issubclass(errors.StoreError, errors.SourceError)  # a broken index is a source that cannot answer
    assert issubclass(formats.UnknownFormatError, errors.UsageError)
