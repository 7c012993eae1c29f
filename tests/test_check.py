"""``citekit check``: one faulty file per rule (code and line), clean files, JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.check import Input, check, check_paths
from citekit.cli import main
from citekit.diagnostics import Diagnostic
from citekit.enrich import Enricher
from citekit.ids import arxiv_problem, doi_problem
from citekit.sources.local import LocalIndex

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "check"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def found(*names: str, target: str | None = None, prefix: str = "check.") -> set[tuple[str, str, int | None]]:
    """(file, code, line) of every finding whose code starts with ``prefix``."""
    findings = check_paths([str(DATA / n) for n in names], target)
    return {(d.file, d.code, d.line) for d in findings if d.code.startswith(prefix)}


def with_code(name: str, code: str, target: str | None = None) -> list[Diagnostic]:
    return [d for d in check_paths([str(DATA / name)], target) if d.code == code]


# ------------------------------------------------------------------------------------------ one rule per file


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("bibtex", {(1, "journal"), (7, "booktitle"), (7, "year")}),
        ("biblatex", {(1, "journaltitle or journal"), (7, "booktitle")}),  # biblatex takes date for year
    ],
)
def test_required_fields_follow_the_dialects_standard_styles(
    target: str, expected: set[tuple[int, str]]
) -> None:
    findings = with_code("missing-field.bib", "check.missing-field", target)
    assert {(d.line, d.message.split(" needs ")[1].split(" (")[0]) for d in findings} == expected


def test_missing_fields_are_not_a_latex_matter_for_other_targets() -> None:
    assert found("missing-field.bib", target="zotero") == set()


def test_unescaped_specials_outside_math_urls_and_escapes() -> None:
    findings = check_paths([str(DATA / "specials.bib")])
    assert [(d.code, d.line, d.message.split(": ")[0]) for d in findings] == [
        ("check.unescaped-special", 2, "author"),
        ("check.unescaped-special", 3, "title"),
        ("check.unescaped-special", 4, "note"),
        ("check.unescaped-special", 5, "note"),  # the _ on the value's second line
        ("check.unbalanced-math", 9, "publisher"),
    ]
    assert "unescaped &" in findings[0].message and "unescaped _" in findings[3].message


def test_unbalanced_braces_point_at_the_culprit() -> None:
    findings = with_code("braces.bib", "check.unbalanced-braces")
    assert [(d.line, d.message.split(" ")[1]) for d in findings] == [(3, "{"), (10, "}"), (17, "{")]


def test_duplicate_keys_dois_and_arxiv_ids_within_and_across_files() -> None:
    assert found("duplicates.bib", "duplicates.json") == {
        ("duplicates.bib", "check.duplicate-key", 9),
        ("duplicates.bib", "check.duplicate-arxiv", 24),  # 1706.03762v5 is 1706.03762
        ("duplicates.json", "check.duplicate-key", 2),
        ("duplicates.json", "check.duplicate-doi", 2),
    }


def test_a_duplicate_names_where_the_first_one_is() -> None:
    findings = check_paths([str(DATA / "duplicates.bib"), str(DATA / "duplicates.json")])
    doi = next(d for d in findings if d.code == "check.duplicate-doi")
    assert "duplicates.bib:1" in doi.message and "10.5555/3295222.3295349" in doi.message


def test_malformed_identifiers() -> None:
    assert found("identifiers.bib") == {
        ("identifiers.bib", "check.malformed-doi", 3),
        ("identifiers.bib", "check.malformed-doi", 7),
        ("identifiers.bib", "check.malformed-arxiv", 15),
        ("identifiers.bib", "check.malformed-arxiv", 19),
        ("identifiers.bib", "check.malformed-arxiv", 23),
        ("identifiers.bib", "check.malformed-arxiv", 31),
    }
    assert "bibtex.bad-doi" not in {d.code for d in check_paths([str(DATA / "identifiers.bib")])}


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1409.4842", True),
        ("arXiv:1409.4842v3", True),
        ("hep-th/9901001", True),
        ("math.GT/0309136", True),
        ("0704.0001", True),
        ("2310.06825", True),
        ("2310.068255", False),
        ("1413.1234", False),
        ("2101.1234", False),
        ("1412.12345", False),
        ("0612.1234", False),
        ("hep-th/0801001", False),
        ("42", False),
    ],
)
def test_arxiv_ids_arxiv_could_have_issued(text: str, ok: bool) -> None:
    assert (arxiv_problem(text) == "") is ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("10.1109/CVPR.2015.7298594", True),
        ("https://doi.org/10.1000/xyz", True),
        ("doi:10.1000/xyz", True),
        ("10.48550/arXiv.1409.4842", True),
        ("10.48550/arXiv.1413.1234", False),
        ("10.1000", False),
        ("10.1000/a 10.1000/b", False),
        ("see 10.1000/a", False),
    ],
)
def test_dois_are_exactly_one_doi(text: str, ok: bool) -> None:
    assert (doi_problem(text) == "") is ok


def test_arxiv_named_as_the_journal_suggests_eprint_fields() -> None:
    findings = with_code("arxiv-journal.bib", "check.arxiv-as-journal")
    assert [d.line for d in findings] == [4, 11]
    assert "eprint = {2012.12877}, archivePrefix = {arXiv}" in findings[0].message
    biblatex = with_code("arxiv-journal.bib", "check.arxiv-as-journal", "biblatex")
    assert "eprinttype = {arxiv}" in biblatex[0].message


def test_csl_keys_types_and_values_outside_the_schema() -> None:
    assert found("csl-faults.json") == {
        ("csl-faults.json", "check.missing-field", 7),
        ("csl-faults.json", "check.csl-unknown-key", 15),
        ("csl-faults.json", "check.csl-unknown-type", 17),
        ("csl-faults.json", "check.zotero-type", 22),
        ("csl-faults.json", "check.csl-invalid-value", 31),
    }
    assert "csljson.schema" not in {d.code for d in check_paths([str(DATA / "csl-faults.json")])}


@pytest.mark.parametrize(("target", "level"), [("zotero", "error"), ("csljson", "info"), ("biblatex", None)])
def test_the_software_type_matters_for_zotero(target: str, level: str | None) -> None:
    findings = check_paths([str(DATA / "csl-faults.json")], target)
    assert next((d.level for d in findings if d.code == "check.zotero-type"), None) == level


def test_ris_record_structure() -> None:
    assert found("structure.ris") == {
        ("structure.ris", "check.ris-ty-not-first", 1),
        ("structure.ris", "check.ris-repeated-ty", 7),
        ("structure.ris", "check.ris-ty-not-first", 11),
    }
    assert found("missing-er.ris") == {
        ("missing-er.ris", "check.ris-missing-er", 1),
        ("missing-er.ris", "check.ris-missing-er", 4),
    }


def test_ris_for_zotero_wants_crlf_and_says_which_tags_it_ignores() -> None:
    findings = check_paths([str(DATA / "zotero-lf.ris")], "zotero")
    assert [(d.level, d.code, d.line) for d in findings] == [
        ("warning", "check.ris-line-ending", 1),
        ("info", "check.ris-ignored-tag", 2),
        ("info", "check.ris-ignored-tag", 4),
        ("info", "check.ris-ignored-tag", 6),
        ("info", "check.ris-ignored-tag", 8),
    ]
    assert "2 records" in findings[1].message and "Y1 when DA" in findings[3].message
    assert "check.ris-line-ending" not in {d.code for d in check_paths([str(DATA / "zotero-lf.ris")], "ris")}


# -------------------------------------------------------------------------------------- published versions


def test_a_preprint_whose_published_version_is_known(snapshot_index: Path) -> None:
    with LocalIndex(snapshot_index) as local:
        findings = check(
            [Input("refs.bib", (DATA / "preprint.bib").read_text(), "bibtex")], enricher=Enricher([local])
        )
    assert [(d.code, d.line) for d in findings] == [("check.published-version-known", 1)]
    assert "10.1109/CVPR.2015.7298594" in findings[0].message and "(CVPR)" in findings[0].message


def test_without_sources_nothing_is_looked_up() -> None:
    assert found("preprint.bib") == set()


def test_the_cli_looks_published_versions_up_in_the_index(snapshot_index: Path) -> None:
    code, stdout, _ = run("check", "--json", "--index", str(snapshot_index), str(DATA / "preprint.bib"))
    assert code == 1
    assert [(f["code"], f["line"]) for f in json.loads(stdout)] == [("check.published-version-known", 1)]


def test_online_asks_crossref_and_arxiv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crossref_server: object, arxiv_server: object
) -> None:
    monkeypatch.setenv("CITEKIT_CROSSREF_URL", crossref_server.url)  # type: ignore[attr-defined]
    monkeypatch.setenv("CITEKIT_ARXIV_URL", arxiv_server.url + "/api/query")  # type: ignore[attr-defined]
    LocalIndex(tmp_path / "empty.sqlite").close()
    known = tmp_path / "known.bib"  # the known preprint alone: arXiv's API wants seconds between requests
    known.write_text((DATA / "preprint.bib").read_text().split("\n\n")[0])
    code, stdout, _ = run(
        "check",
        "--json",
        "--online",
        "--index",
        str(tmp_path / "empty.sqlite"),
        "--cache",
        str(tmp_path / "cache.sqlite"),
        str(known),
    )
    findings = json.loads(stdout)
    assert code == 1 and [(f["code"], f["line"]) for f in findings] == [("check.published-version-known", 1)]
    assert "10.1109/CVPR.2015.7298594" in findings[0]["message"]


def test_an_unreachable_source_is_said_once_and_the_check_goes_on(
    tmp_path: Path, dead_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEKIT_CROSSREF_URL", dead_url)
    monkeypatch.setenv("CITEKIT_ARXIV_URL", dead_url + "/api/query")
    LocalIndex(tmp_path / "empty.sqlite").close()
    code, _, stderr = run(
        "check",
        "--online",
        "--index",
        str(tmp_path / "empty.sqlite"),
        "--cache",
        str(tmp_path / "cache.sqlite"),
        str(DATA / "preprint.bib"),
        str(DATA / "specials.bib"),
    )
    assert code == 1 and stderr.count("cannot reach") == 2
    assert "specials.bib:2: error check.unescaped-special" in stderr


# ------------------------------------------------------------------------------------------ CLI


@pytest.mark.parametrize(
    ("suffix", "to", "target"),
    [
        (".bib", "bibtex", "bibtex"),
        (".bib", "biblatex", "biblatex"),
        (".json", "csljson", "zotero"),
        (".ris", "ris", "zotero"),
    ],
)
def test_what_convert_writes_is_clean(tmp_path: Path, suffix: str, to: str, target: str) -> None:
    output = tmp_path / f"escaping{suffix}"
    assert run("convert", str(ROOT / "tests/data/bibtex/escaping.bib"), "--to", to, "-o", str(output))[0] == 0
    code, _, stderr = run("check", "--target", target, "--from", to, str(output))
    findings = [line for line in stderr.splitlines() if ": warning " in line or ": error " in line]
    assert (code, findings) == (0, [])


def test_findings_go_to_stderr_in_compiler_form_with_exit_1() -> None:
    code, stdout, stderr = run("check", str(DATA / "specials.bib"))
    assert code == 1 and stdout == ""
    assert "specials.bib:2: error check.unescaped-special: author: unescaped &" in stderr.splitlines()[0]


def test_json_output_is_an_array_of_findings() -> None:
    code, stdout, _ = run("check", "--json", str(DATA / "structure.ris"), str(DATA / "missing-field.bib"))
    findings = json.loads(stdout)
    assert code == 1
    assert all(set(f) == {"file", "line", "level", "code", "message"} for f in findings)
    files = [f["file"] for f in findings]
    assert files == sorted(files, reverse=True)  # input order, then lines
    assert [f["line"] for f in findings if f["file"] == "missing-field.bib"] == [1, 7, 7]
    first = {"file": "missing-field.bib", "line": 1, "level": "warning", "code": "check.missing-field"}
    assert first.items() <= findings[-3].items()


def test_standard_input_and_undecodable_bytes(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["check", "--from", "bibtex", "-"],
        input=(DATA / "specials.bib").read_bytes().replace(b"Wesson", b"Wes\xffson"),
    )
    lines = result.stderr.splitlines()
    assert result.exit_code == 1
    assert lines[0].startswith("<stdin>:2: warning input.encoding")
    assert lines[1].startswith("<stdin>:2: error check.unescaped-special")


def test_info_alone_passes() -> None:
    code, _, stderr = run("check", "--target", "ris", str(DATA / "zotero-lf.ris"))
    assert code == 0 and "info check.ris-ignored-tag" in stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("check", "--target", "word", str(DATA / "specials.bib"))[0] == 2
    assert run("check", str(tmp_path / "missing.bib"))[0] == 2
    assert run("check")[0] == 2
    unknown = tmp_path / "notes.xyz"
    unknown.write_bytes(b"\x00\x01")
    assert run("check", str(unknown))[0] == 2


# ------------------------------------------------------------------------------------------ properties


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(
        alphabet=st.sampled_from(list('@{}()",=#$%&_\\ \n\r-TYERAUarxiv:10./[]')) | st.characters(),
        max_size=300,
    ),
    fmt=st.sampled_from(["bibtex", "biblatex", "csljson", "ris"]),
    target=st.sampled_from(["bibtex", "biblatex", "csljson", "ris", "zotero"]),
)
def test_check_never_raises(text: str, fmt: str, target: str) -> None:
    for finding in check([Input("x", text, fmt)], target):
        assert finding.code and finding.level in ("error", "warning", "info")
