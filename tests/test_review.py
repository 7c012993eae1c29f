"""Reviewing uncertain matches: fingerprints, the report's review data, the page's embedding,
decisions files applied by ``--decisions``, and bad input. The page in a real browser:
tests/test_review_browser.py.

The inputs (``tests/data/review/uncertain.bib``) are matched against the seeds' snapshot plus two
real works titled *Deep learning* (``deep-learning.json``: the 2015 Nature paper and the 2016 MIT
Press book), so that one record is ambiguous, one matched and one unmatched.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from citekit import decisions, io, pipeline, review
from citekit.brief import brief
from citekit.cli import main
from citekit.enrich import Enricher, Outcome
from citekit.model import Date, Name, Record
from citekit.sources import open_sources
from citekit.sources.local import LocalIndex

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "seeds" / "metadata"
DATA = ROOT / "tests" / "data" / "review"
UNCERTAIN = DATA / "uncertain.bib"


@pytest.fixture(scope="session")
def review_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("review-index") / "index.sqlite"
    result = CliRunner().invoke(
        main,
        [
            "index",
            "add",
            "--index",
            str(path),
            str(METADATA / "arxiv.jsonl"),
            str(METADATA / "crossref.jsonl"),
            str(METADATA / "proceedings.json"),
            str(DATA / "deep-learning.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    return path


def export(index: Path, out: Path, *extra: str, inputs: tuple[Path, ...] = (UNCERTAIN,)) -> CliRunner:
    result = CliRunner().invoke(
        main,
        [
            "export",
            *map(str, inputs),
            "-d",
            str(out),
            "--index",
            str(index),
            "--offline",
            "--cache",
            str(out.parent / f"{out.name}-cache.sqlite"),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="session")
def uncertain(review_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("uncertain") / "out"
    export(review_index, out, "--review")
    return out


def by_key(report: dict) -> dict[str, dict]:
    return {r["input"]["file"] + "#" + str(r["input"]["index"]): r for r in report["records"]}


# --- fingerprints ------------------------------------------------------------------------------


def _record(
    title: str = "Product Quantization for Nearest Neighbor Search",
    surname: str = "Jégou",
    year: int | None = 2011,
    **fields: str,
) -> Record:
    return Record(
        title=title,
        author=[Name(family=surname, given="Hervé"), Name(family="Douze", given="M.")],
        issued=Date((year,)) if year else None,
        **fields,
    )


def test_a_fingerprint_survives_small_edits_and_added_identifiers() -> None:
    original = decisions.fingerprint(_record())
    edited = [
        _record("product  quantization for nearest-neighbor search."),
        _record("Product Quantization for the Nearest Neighbor Search: "),
        _record(surname="J{\\'e}gou"),
        _record(surname="Jegou", doi="10.1109/TPAMI.2010.57", container_title="IEEE TPAMI", page="117-128"),
        _record(arxiv_id="1234.56789", abstract="An abstract added later."),
    ]
    assert [decisions.fingerprint(r) for r in edited] == [original] * len(edited)


def test_a_fingerprint_tells_apart_another_year_author_or_title() -> None:
    prints = {
        decisions.fingerprint(r)
        for r in (
            _record(),
            _record(year=2016),
            _record(surname="Douze"),
            _record("Product quantization for search"),
        )
    }
    assert len(prints) == 4
    assert all(re.fullmatch(r"[0-9a-f]{16}", p) for p in prints)


def test_a_record_without_title_is_fingerprinted_by_its_abstract_then_its_identifiers() -> None:
    abstract = Record(abstract="We introduce Voxtral TTS, an expressive multilingual text-to-speech model.")
    assert decisions.fingerprint(abstract) == decisions.fingerprint(
        Record(
            abstract="We introduce  Voxtral-TTS, an expressive multilingual text to speech model",
            doi="10.1/x",
        )
    )
    assert decisions.fingerprint(Record(arxiv_id="2603.25551")) != decisions.fingerprint(
        Record(arxiv_id="2603.25552")
    )


# --- the report's review data --------------------------------------------------------------------


def test_the_report_has_a_version_fingerprints_and_what_the_page_shows(uncertain: Path) -> None:
    report = json.loads((uncertain / "report.json").read_text())
    assert report["version"] == 1 and report["generator"].startswith("citekit ")
    records = by_key(report)
    assert [r["status"] for r in records.values()] == ["ambiguous", "matched", "unmatched"]
    deep = records["uncertain.bib#1"]
    assert deep["record"] == {
        "title": "Deep Learning",
        "authors": [],
        "et_al": False,
        "year": 2016,
        "venue": None,
        "doi": None,
        "arxiv": None,
        "dblp": None,
    }
    nature = next(c for c in deep["match"]["candidates"] if c["doi"] == "10.1038/nature14539")
    assert (nature["authors"], nature["year"], nature["venue"]) == (
        ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"],
        2015,
        "Nature",
    )
    assert nature["fields"]["title"]["verdict"] == "agree"
    renyi = records["uncertain.bib#2"]
    assert renyi["fingerprint"] == decisions.fingerprint(
        Record(title="Rényi differential privacy", author=[Name("Mironov", "I.")], issued=Date((2017,)))
    )
    assert {(c["doi"], c["arxiv"]) for c in renyi["match"]["candidates"][:2]} == {
        ("10.1109/CSF.2017.11", None),
        ("10.1109/CSF.2017.11", "1702.07476"),
    }


def test_a_dblp_key_comes_from_the_record_url_or_biburl() -> None:
    assert (
        brief(Record(url="https://dblp.org/rec/journals/nature/LeCunBH15"))["dblp"]
        == "journals/nature/LeCunBH15"
    )
    assert (
        brief(Record(custom={"biburl": "https://dblp.org/rec/conf/cvpr/SzegedyLJSRAEVR15.bib"}))["dblp"]
        == "conf/cvpr/SzegedyLJSRAEVR15"
    )
    assert brief(Record(url="https://example.org/rec/a/b"))["dblp"] is None


def test_the_page_puts_what_needs_a_person_first_and_names_each_candidate(uncertain: Path) -> None:
    data = review.load_report(uncertain / "report.json")
    rows = review.rows(data["records"])
    assert [r["status"] for r in rows] == ["ambiguous", "unmatched", "matched"]
    assert [c["choice"] for c in rows[0]["candidates"][:2]] == [
        "title:deep learning",
        "doi:10.1038/nature14539",
    ]
    assert rows[2]["sources"] == ["local"]
    assert decisions.choice_for({"title": "", "doi": None, "arxiv": None, "dblp": None}) is None
    assert (
        decisions.choice_for({"title": "X", "doi": "10.48550/arXiv.2101.00001", "arxiv": "2101.00001"})
        == "arxiv:2101.00001"
    )


def test_the_page_is_one_file_whose_data_no_title_can_break_out_of(uncertain: Path) -> None:
    report = review.load_report(uncertain / "report.json")
    hostile = "</script><script>alert(1)</script><!-- x"
    report["records"][0]["record"]["title"] = hostile
    html = review.page(report)
    assert html.count("<script") == 2 and html.count("</script>") == 2
    assert not re.search(r"""<(link|img|iframe)\b|\bsrc=|@import|url\(""", html)
    embedded = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1))["records"][0]["record"]["title"] == hostile
    assert "default-src 'none'" in html
    assert (uncertain / "review.html").read_text().startswith("<!DOCTYPE html>")


# --- decisions applied ---------------------------------------------------------------------------


def write_decisions(path: Path, choices: dict[str, str]) -> Path:
    path.write_text(
        json.dumps(
            {
                "citekit": "decisions",
                "version": 1,
                "decisions": {fp: {"choice": c, "title": "t"} for fp, c in choices.items()},
            }
        )
    )
    return path


def test_decisions_match_accepted_records_and_leave_rejected_ones_unmatched(
    uncertain: Path, review_index: Path, tmp_path: Path
) -> None:
    before = by_key(json.loads((uncertain / "report.json").read_text()))
    fp = {name: r["fingerprint"] for name, r in before.items()}
    chosen = write_decisions(
        tmp_path / "decisions.json",
        {
            fp["uncertain.bib#1"]: "title:deep learning",  # the book, which has no identifier
            fp["uncertain.bib#2"]: "none",
            fp["uncertain.bib#3"]: "doi:10.1109/CVPR.2015.7298594",  # as a person may write it
            "0123456789abcdef": "doi:10.1000/gone",
        },
    )
    result = export(review_index, tmp_path / "out", "--decisions", str(chosen))
    assert "review.unused-decision" in result.output and "0123456789abcdef" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    after = by_key(report)
    assert {n: (r["status"], r["match"]["rule"]) for n, r in after.items()} == {
        "uncertain.bib#1": ("matched", "decided by the user"),
        "uncertain.bib#2": ("unmatched", "decided by the user"),
        "uncertain.bib#3": ("matched", "decided by the user"),
    }
    assert [d["code"] for d in report["diagnostics"]] == ["review.unused-decision"]
    assert report["diagnostics"][0]["file"] == "decisions.json"
    library = {item["title"]: item for item in json.loads((tmp_path / "out" / "library.json").read_text())}
    assert (
        library["Deep Learning"]["publisher"] == "MIT Press"
        and library["Deep Learning"]["ISBN"] == "9780262035613"
    )
    assert "DOI" not in library["Rényi Differential Privacy"]
    assert library["Going deeper with convolutions"]["DOI"] == "10.1109/CVPR.2015.7298594"
    assert after["uncertain.bib#3"]["ids"] == {"doi": "10.1109/CVPR.2015.7298594", "arxiv": "1409.4842"}


def test_enrich_applies_decisions_too_and_reports_a_choice_no_source_has(
    review_index: Path, tmp_path: Path
) -> None:
    fp = decisions.fingerprint(Record(title="Deep Learning", issued=Date((2016,))))
    chosen = write_decisions(tmp_path / "decisions.json", {fp: "doi:10.1038/nature14540"})
    result = CliRunner().invoke(
        main,
        [
            "enrich",
            str(UNCERTAIN),
            "-o",
            str(tmp_path / "out.json"),
            "--index",
            str(review_index),
            "--offline",
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--decisions",
            str(chosen),
            "--report",
            str(tmp_path / "r.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "review.choice-not-found" in result.output
    first = json.loads((tmp_path / "r.json").read_text())["records"][0]
    assert (first["status"], first["match"]["rule"], first["ids"]) == (
        "unmatched",
        "decided by the user",
        {"doi": None, "arxiv": None},
    )
    assert first["diagnostics"][0]["code"] == "review.choice-not-found"


def _reopen_local(index_path: str) -> list:
    return open_sources(["local"], index=index_path)


def test_worker_processes_apply_decisions_as_one_process_does(review_index: Path) -> None:
    records = io.read_input(str(UNCERTAIN), UNCERTAIN.name, None, None).records * 40
    chosen = {
        decisions.fingerprint(records[0]): {"choice": "doi:10.1038/nature14539"},
        decisions.fingerprint(records[1]): {"choice": "none"},
    }

    def summary(outcomes: list[Outcome]) -> list[tuple[str, str, str]]:
        return [(o.decision.status, o.decision.rule, o.record.doi) for o in outcomes]

    with LocalIndex(review_index) as index:
        enricher = Enricher([index], decisions=chosen)
        one = summary(pipeline.enrich_all(records, enricher, jobs=1))
        many = summary(
            pipeline.enrich_all(
                records, enricher, jobs=2, reopen=functools.partial(_reopen_local, str(review_index))
            )
        )
    assert many == one
    assert one[:3] == [
        ("matched", "decided by the user", "10.1038/nature14539"),
        ("unmatched", "decided by the user", ""),
        ("unmatched", "no candidate passed validation", ""),
    ]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, says",
    [
        ("{not json", "not a JSON file"),
        ('{"citekit": "decisions", "version": 2, "decisions": {}}', "version"),
        (
            '{"citekit": "decisions", "version": 1, "decisions": {"0123456789abcdef": {"choice": "maybe"}}}',
            "decisions/0123456789abcdef/choice",
        ),
        ("[]", "not a citekit decisions file"),
    ],
)
@pytest.mark.parametrize("command", ["enrich", "export"])
def test_a_corrupt_decisions_file_is_a_clear_error_naming_it(
    tmp_path: Path, content: str, says: str, command: str
) -> None:
    bad = tmp_path / "my-decisions.json"
    bad.write_text(content)
    target = ["-o", str(tmp_path / "x.bib")] if command == "enrich" else ["-d", str(tmp_path / "x")]
    result = CliRunner().invoke(
        main,
        [
            command,
            str(UNCERTAIN),
            *target,
            "--offline",
            "--sources",
            "local",
            "--index",
            str(tmp_path / "i.sqlite"),
            "--decisions",
            str(bad),
        ],
    )
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output and says in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not (tmp_path / "x.bib").exists() and not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "content, says",
    [
        ('{"records": [], "summary": {}}', "an older format, without a version"),
        ('{"version": 7, "generator": "citekit 9.0", "records": []}', "format version 7 (citekit 9.0)"),
        ('{"records": ', "not a JSON file"),
        ('{"summary": {}}', "not a citekit report"),
    ],
)
def test_a_report_of_another_version_or_no_report_is_a_clear_error_naming_it(
    tmp_path: Path, content: str, says: str
) -> None:
    bad = tmp_path / "old-report.json"
    bad.write_text(content)
    result = CliRunner().invoke(main, ["review", str(bad), "-o", str(tmp_path / "review.html")])
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output and says in result.output
    assert not (tmp_path / "review.html").exists()


def test_review_writes_the_page_of_a_report(uncertain: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["review", str(uncertain / "report.json"), "-o", str(tmp_path / "review.html")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "review.html").read_text() == review.page(
        review.load_report(uncertain / "report.json")
    )
