"""The main job: the five seeds (80 records) exported against the bundled snapshot.

The index holds arXiv's and Crossref's records and dblp's dump (``dblp.xml.gz``); the published
versions without a DOI reach it only through dblp. The expected paper of every seed record is
found here independently of the matcher, by exact comparison: a profile block's title, or an
abstract line's text, equal (after normalising case, accents and punctuation) to exactly one arXiv
record of the snapshot. The expected venues are the facts ``dblp.xml.gz`` was generated from:
``crossref.jsonl`` and ``proceedings.json``.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from emulators import ArxivEmulator, CrossrefEmulator

from citekit import formats, pipeline
from citekit.cli import main
from citekit.enrich import Enricher
from citekit.report import Report
from citekit.sources.arxiv import ArxivSource
from citekit.sources.crossref import CrossrefSource
from citekit.sources.local import LocalIndex
from citekit.text import fold, latex_to_unicode

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
METADATA = ROOT / "seeds" / "metadata"
REFERENCE_DATE = "2026-11-23"


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(latex_to_unicode(text)).lower()).split())


def _snapshot() -> tuple[list[dict], dict[str, dict], list[dict]]:
    arxiv = [json.loads(line) for line in (METADATA / "arxiv.jsonl").read_text().splitlines()]
    crossref = {
        json.loads(line)["DOI"].lower(): json.loads(line)
        for line in (METADATA / "crossref.jsonl").read_text().splitlines()
    }
    proceedings = json.loads((METADATA / "proceedings.json").read_text())
    return arxiv, crossref, proceedings


def _expected_arxiv_ids() -> dict[tuple[str, int], str]:
    """(seed file, record index) → the arXiv id whose title or abstract the record carries verbatim."""
    arxiv, _, _ = _snapshot()
    by_title = Counter(_norm(e["title"]) for e in arxiv)
    titles = {_norm(e["title"]): e["id"] for e in arxiv if by_title[_norm(e["title"])] == 1}
    abstracts = {_norm(e["abstract"]): e["id"] for e in arxiv if e["abstract"]}
    expected = {}
    for seed in SEEDS:
        result = formats.read_path(seed)
        for record in result.records:
            assert record.origin is not None
            key = (seed.name, record.origin.index)
            if record.title:
                expected[key] = titles[_norm(record.title)]
            else:
                expected[key] = abstracts[_norm(record.abstract)]
    return expected


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index") / "index.sqlite"
    result = CliRunner().invoke(
        main,
        [
            "index",
            "add",
            "--index",
            str(path),
            str(METADATA / "arxiv.jsonl"),
            str(METADATA / "crossref.jsonl"),
            str(METADATA / "dblp.xml.gz"),
        ],
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def exported(index_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    result = CliRunner().invoke(
        main,
        [
            "export",
            *map(str, SEEDS),
            "-d",
            str(out),
            "--index",
            str(index_path),
            "--offline",
            "--cache",
            str(out / "cache.sqlite"),
            "--reference-date",
            REFERENCE_DATE,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "80 input records → 56 output records" in result.output
    return out


def test_the_seeds_export_to_56_records_in_every_format(exported: Path) -> None:
    csl = json.loads((exported / "library.json").read_text())
    assert len(csl) == 56
    assert len({item["id"] for item in csl}) == 56
    bib = (exported / "library.bib").read_text()
    assert len(re.findall(r"^@\w+\{", bib, flags=re.M)) == 56
    biblatex = (exported / "library-biblatex.bib").read_text()
    assert len(re.findall(r"^@\w+\{", biblatex, flags=re.M)) == 56
    ris = (exported / "library.ris").read_bytes().decode()
    assert ris.count("\r\nER  - ") + ris.startswith("ER  - ") == 56


def test_the_report_lists_all_80_inputs_once(exported: Path) -> None:
    report = json.loads((exported / "report.json").read_text())
    inputs = [(r["input"]["file"], r["input"]["index"]) for r in report["records"]]
    assert len(inputs) == 80 and len(set(inputs)) == 80
    assert Counter(f for f, _ in inputs) == {
        "000_02a37204108da257.txt": 10,
        "001_91528496c5e000d6.txt": 10,
        "002_8fbc228d6ee0bde4.txt": 28,
        "003_db5e59c17fcc9c5a.txt": 23,
        "004_6a6d746c7edeb49d.txt": 9,
    }
    keys = {item["id"] for item in json.loads((exported / "library.json").read_text())}
    assert {r["key"] for r in report["records"]} == keys
    assert all(r["status"] == "matched" and r["match"]["candidates"] for r in report["records"])


def test_every_record_gets_its_own_arxiv_id(exported: Path) -> None:
    expected = _expected_arxiv_ids()
    report = json.loads((exported / "report.json").read_text())
    got = {(r["input"]["file"], r["input"]["index"]): r["ids"]["arxiv"] for r in report["records"]}
    assert got == expected


def test_every_venue_and_doi_in_the_snapshot_is_filled_and_no_other(exported: Path) -> None:
    arxiv, crossref, proceedings = _snapshot()
    venue_by_title = {_norm(p["title"]): p for p in proceedings}
    csl = {
        item["custom"]["arxiv_id"] if "arxiv_id" in item.get("custom", {}) else _arxiv_of(item): item
        for item in json.loads((exported / "library.json").read_text())
    }
    for entry in arxiv:
        item = csl.get(entry["id"])
        if item is None:
            continue
        published = crossref.get((entry["doi"] or "").lower())
        venue = venue_by_title.get(_norm(entry["title"]))
        if published:
            assert item["DOI"].lower() == entry["doi"].lower(), entry["id"]
            assert item["container-title"] == published["container-title"][0], entry["id"]
            for field in ("volume", "issue", "page"):
                assert item.get(field) == published.get(field), (entry["id"], field)
        elif venue:
            assert item["container-title"] == venue["container-title"], entry["id"]
            assert item.get("DOI") == venue.get("DOI"), entry["id"]  # no DOI: not the arXiv one either
            assert item["type"] == venue["type"], entry["id"]
            for field in ("volume", "page", "collection-title"):
                assert item.get(field) == venue.get(field), (entry["id"], field)
        else:
            assert item["DOI"] == f"10.48550/arXiv.{entry['id']}", entry["id"]
            assert "container-title" not in item and item["type"] == "article", entry["id"]


def test_all_34_published_venues_are_filled_and_no_preprint_is_a_corr_article(exported: Path) -> None:
    """dblp's CoRR copies of the preprints are their arXiv versions, never a journal called CoRR."""
    _, crossref, proceedings = _snapshot()
    published = {_norm(p["title"]) for p in proceedings} | {_norm(w["title"][0]) for w in crossref.values()}
    csl = json.loads((exported / "library.json").read_text())
    with_venue = [item for item in csl if item.get("container-title")]
    assert len(with_venue) == 34
    assert all(_norm(item["title"]) in published for item in with_venue)
    assert not any("corr" in _norm(item.get("container-title", "")).split() for item in csl)
    biblatex = (exported / "library-biblatex.bib").read_text()
    assert not re.search(r"(journal|journaltitle|booktitle) = \{CoRR\}", biblatex)


def _arxiv_of(item: dict) -> str:
    match = re.search(r"arXiv:\s*(\S+)", item.get("note", "") + " " + item.get("number", ""))
    assert match, item
    return match.group(1)


def test_preprints_keep_their_arxiv_id_in_every_format(exported: Path) -> None:
    bib = (exported / "library.bib").read_text()
    biblatex = (exported / "library-biblatex.bib").read_text()
    ris = (exported / "library.ris").read_text()
    report = json.loads((exported / "report.json").read_text())
    for arxiv_id in {r["ids"]["arxiv"] for r in report["records"]}:
        assert re.search(rf"eprint = \{{{re.escape(arxiv_id)}(v\d+)?\}}", bib), arxiv_id
        assert re.search(rf"eprint = \{{{re.escape(arxiv_id)}(v\d+)?\}}", biblatex), arxiv_id
        assert f"M2  - arXiv: {arxiv_id}\n" in ris, arxiv_id  # Zotero's Extra
    assert bib.count("archivePrefix = {arXiv}") == 56
    assert biblatex.count("eprinttype = {arxiv}") == 56


def test_online_and_offline_paths_give_the_same_library(index_path: Path, tmp_path: Path) -> None:
    """arXiv and Crossref data through their APIs (emulated) or through the index: one result.

    The venues that have no DOI exist only in dblp's dump, so the online run keeps a local index
    of the dump's records that Crossref does not serve (those without a DOI).
    """
    references = LocalIndex(tmp_path / "references.sqlite")
    references.add_file(_without_dois(METADATA / "dblp.xml.gz", tmp_path / "dblp"))
    offline = _run_pipeline([LocalIndex(index_path)])
    with CrossrefEmulator() as crossref_server, ArxivEmulator() as arxiv_server:
        crossref_server.rate_limit = (200, "1s", 5)
        online_sources = [
            references,
            CrossrefSource(crossref_server.url, "ci@example.org", cache=tmp_path / "cache.sqlite"),
            ArxivSource(arxiv_server.url + "/api/query", min_interval=0.0, cache=tmp_path / "cache.sqlite"),
        ]
        online = _run_pipeline(online_sources)
        assert crossref_server.log and arxiv_server.log
    assert _comparable(online) == _comparable(offline)


def _without_dois(dump: Path, folder: Path) -> Path:
    """The dump without its records that have a DOI (each record is written from its own line on)."""
    text = gzip.decompress(dump.read_bytes()).decode("iso-8859-1")
    records = re.findall(r"^<(\w+) key=.*?^</\1>\n", text, flags=re.S | re.M)
    assert records
    kept = re.sub(
        r"^<(\w+) key=.*?^</\1>\n",
        lambda m: "" if "https://doi.org/10.1" in m.group() else m.group(),
        text,
        flags=re.S | re.M,
    )
    folder.mkdir()
    shutil.copy(dump.with_name("dblp.dtd"), folder / "dblp.dtd")
    (folder / "dblp.xml").write_text(kept, encoding="iso-8859-1")
    return folder / "dblp.xml"


def _comparable(csljson: str) -> list[dict]:
    """Two things differ by design between the API and the index, and nothing else may.

    The source named in a field's provenance is one; the other is how a name is split. arXiv's
    Atom feed gives display names only ("Teven Le Scao"), while the bulk snapshot splits them,
    so names are compared as written.
    """
    items = json.loads(csljson)
    for item in items:
        item.get("custom", {}).pop("provenance", None)
        item["author"] = [
            " ".join(
                filter(
                    None, (n.get("given"), n.get("non-dropping-particle"), n.get("family"), n.get("literal"))
                )
            )
            for n in item.get("author", [])
        ]
    return items


def _run_pipeline(sources: list) -> str:
    report = Report()
    records = []
    for seed in SEEDS:
        result = formats.read_path(seed)
        report.add_read(result)
        records.extend(result.records)
    outputs = pipeline.run(records, report, Enricher(sources))
    for source in sources:
        source.close()
    csljson = formats.get("csljson").write
    assert csljson is not None
    return csljson(outputs)


@pytest.mark.parametrize(
    "name", ["library.bib", "library-biblatex.bib", "library.json", "library.ris", "report.json"]
)
def test_the_committed_exports_are_what_the_main_command_writes(exported: Path, name: str) -> None:
    """exports/ is committed: it must be what the README's main command writes today."""
    assert (ROOT / "exports" / name).read_bytes() == (exported / name).read_bytes()
