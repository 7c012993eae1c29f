"""The records people really have, through the command line, from every input format: a title
alone, an older title, another version's abstract, part of an abstract; and beside each, the
near twins that must stay unmatched. Matched against the local index of the snapshot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BACKENDS
from metadata import VOXTRAL_TTS_REWORDED

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "seeds" / "metadata"
SNAPSHOT = [
    str(METADATA / name) for name in ("arxiv.jsonl", "crossref.jsonl", "dblp.xml.gz", "proceedings.json")
]

HNSW = (
    "Efficient and robust approximate nearest neighbor search using Hierarchical Navigable Small World graphs"
)
# arXiv 2207.12779 is "Reconciling Security and …": an older title says "Privacy".
OLDER_TITLE = "Reconciling Privacy and Communication Efficiency in Federated Learning"
RECONCILING_AUTHORS = [
    ("Prasad", "Karthik"),
    ("Ghosh", "Sayan"),
    ("Cormode", "Graham"),
    ("Mironov", "Ilya"),
    ("Yousefpour", "Ashkan"),
    ("Stock", "Pierre"),
]
# The first two sentences of Data Taggants (2410.09101).
PART_ABSTRACT = (
    "Dataset ownership verification, the process of determining if a dataset is used in a model's training "
    "data, is necessary for detecting unauthorized data usage and data contamination. Existing approaches, "
    "such as backdoor watermarking, rely on inducing a detectable behavior into the trained model on a part "
    "of the data distribution."
)
# Near twins, none of them indexed: a sequel of the title-alone paper, the older title's sequel by
# the same authors, a paper written to Voxtral TTS's template, and a sentence many papers share.
SEQUEL_TITLE = HNSW + " 2"
SEQUEL_OLDER_TITLE = OLDER_TITLE + " II"
TEMPLATE_ABSTRACT = (
    "We introduce Voxtral Translate, a multilingual speech-to-speech translation model that renders lectures "
    "in twelve target languages with under one second of delay. Voxtral Translate adopts a cascaded design "
    "that combines a streaming recognizer with a compact text decoder distilled from a larger teacher. In human "
    "evaluations conducted by native speakers, Voxtral Translate is preferred for its fluency and adequacy over "
    "commercial systems. We release the model weights under a CC BY-NC license."
)
SHARED_SENTENCE = "Our models are released under the Apache 2.0 license."

# (key, fields, expected arXiv id or None)
CASES = [
    ("titlealone", {"title": HNSW}, "1603.09320"),
    ("oldertitle", {"title": OLDER_TITLE, "authors": RECONCILING_AUTHORS, "year": 2022}, "2207.12779"),
    ("otherabstract", {"abstract": VOXTRAL_TTS_REWORDED}, "2603.25551"),
    ("partabstract", {"abstract": PART_ABSTRACT}, "2410.09101"),
    ("sequel", {"title": SEQUEL_TITLE}, None),
    ("twintitle", {"title": "Voxtral Large"}, None),
    ("oldersequel", {"title": SEQUEL_OLDER_TITLE, "authors": RECONCILING_AUTHORS, "year": 2022}, None),
    ("template", {"abstract": TEMPLATE_ABSTRACT}, None),
    ("shared", {"abstract": SHARED_SENTENCE}, None),
]


@pytest.fixture(scope="module", params=BACKENDS)
def index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The snapshot indexed as the README does, in each backend: the index statistics behind these
    rules must be the same in both."""
    if request.param == "postgresql":
        location = request.getfixturevalue("postgres").create_database()
    else:
        location = str(tmp_path_factory.mktemp("recall") / "index.sqlite")
    citekit("index", "add", "--index", location, *SNAPSHOT)
    return location


def citekit(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "citekit", *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr


def enrich(index: str, source: Path, *options: str) -> list[dict]:
    report = source.with_suffix(".report.json")
    citekit(
        "enrich",
        str(source),
        "-o",
        str(source.with_suffix(".out.json")),
        "--sources",
        "local",
        "--index",
        str(index),
        "--report",
        str(report),
        *options,
    )
    return sorted(json.loads(report.read_text())["records"], key=lambda r: r["input"]["index"])


def bibtex(cases: list) -> str:
    entries = []
    for key, fields, _ in cases:
        lines = [f"  title = {{{fields['title']}}}"] if "title" in fields else []
        if "authors" in fields:
            lines.append("  author = {" + " and ".join(f"{f}, {g}" for f, g in fields["authors"]) + "}")
        if "year" in fields:
            lines.append(f"  year = {{{fields['year']}}}")
        if "abstract" in fields:
            escaped = fields["abstract"].replace("%", r"\%")
            lines.append(f"  abstract = {{{escaped}}}")
        entries.append(f"@article{{{key},\n" + ",\n".join(lines) + "\n}\n")
    return "\n".join(entries)


def ris(cases: list) -> str:
    entries = []
    for key, fields, _ in cases:
        lines = ["TY  - JOUR", f"ID  - {key}"]
        lines += [f"TI  - {fields['title']}"] if "title" in fields else []
        lines += [f"AU  - {f}, {g}" for f, g in fields.get("authors", [])]
        lines += [f"PY  - {fields['year']}"] if "year" in fields else []
        lines += [f"AB  - {fields['abstract']}"] if "abstract" in fields else []
        entries.append("\n".join([*lines, "ER  - "]) + "\n")
    return "\n".join(entries)


def csl_json(cases: list) -> str:
    items = []
    for key, fields, _ in cases:
        item: dict[str, object] = {"id": key, "type": "article-journal"}
        if "title" in fields:
            item["title"] = fields["title"]
        if "authors" in fields:
            item["author"] = [{"family": f, "given": g} for f, g in fields["authors"]]
        if "year" in fields:
            item["issued"] = {"date-parts": [[fields["year"]]]}
        if "abstract" in fields:
            item["abstract"] = fields["abstract"]
        items.append(item)
    return json.dumps(items, indent=1)


WRITERS = {"refs.bib": bibtex, "refs.ris": ris, "refs.json": csl_json}


def check(records: list[dict], cases: list) -> None:
    assert len(records) == len(cases), "every record is accounted for"
    for record, (key, _, expected) in zip(records, cases, strict=True):
        if expected is None:
            assert record["status"] != "matched" and not record["ids"]["arxiv"], (key, record.get("match"))
        else:
            assert record["status"] == "matched", (key, record.get("match"))
            assert record["ids"]["arxiv"] == expected, key


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_the_four_classes_match_and_their_near_twins_do_not(index: str, tmp_path: Path, name: str) -> None:
    source = tmp_path / name
    source.write_text(WRITERS[name](CASES), encoding="utf-8")
    check(enrich(index, source), CASES)


def test_from_an_abstract_list(index: str, tmp_path: Path) -> None:
    cases = [case for case in CASES if set(case[1]) == {"abstract"}]
    source = tmp_path / "abstracts.txt"
    source.write_text(
        "".join(f"Abstract:{fields['abstract']}\n\n\n" for _, fields, _ in cases), encoding="utf-8"
    )
    check(enrich(index, source, "--from", "abstracts"), cases)


def profile_block(title: str, authors: list[tuple[str, str]], abstract: str) -> str:
    shown = ", ".join(f"{g} {f}" for f, g in authors[:3]) + (" et al." if len(authors) > 3 else "")
    return f"LGJul 26, 2022\n{title}\n\n{shown}\n\n{abstract}\n\n"


def test_from_a_profile_page(index: str, tmp_path: Path) -> None:
    """A profile page shows a title, the first three authors and a date, and an abstract: the older
    title with the first three authors, and with another version's or part of the abstract."""
    voxtral = [("Liu", "Alexander H."), ("Tacnet", "Alexis"), ("Ehrenberg", "Andy")]
    taggants = [("Bouaziz", "Wassim"), ("Usunier", "Nicolas"), ("El-Mhamdi", "El-Mahdi")]
    blocks = [
        (OLDER_TITLE, RECONCILING_AUTHORS, "", "2207.12779"),
        (
            "Voxtral TTS: expressive multilingual speech synthesis",
            voxtral,
            VOXTRAL_TTS_REWORDED,
            "2603.25551",
        ),
        ("Data Taggants: dataset ownership verification", taggants, PART_ABSTRACT, "2410.09101"),
        (SEQUEL_OLDER_TITLE, RECONCILING_AUTHORS, "", None),
        ("Voxtral Translate", voxtral, TEMPLATE_ABSTRACT, None),
    ]
    page = "Pierre Stock\n\nLG\nh-index27\n23papers\n\n5 Papers\n\n" + "".join(
        profile_block(title, authors, abstract) for title, authors, abstract, _ in blocks
    )
    source = tmp_path / "profile.txt"
    source.write_text(page, encoding="utf-8")
    cases = [(f"b{i}", {}, expected) for i, (*_, expected) in enumerate(blocks)]
    check(enrich(index, source, "--from", "profile", "--reference-date", "2026-11-23"), cases)


def test_an_older_title_another_source_holds_finds_the_paper_by_that_title_alone(tmp_path: Path) -> None:
    """What other sources hold is indexed beside the arXiv listing and linked to it by the arXiv id:
    a title alone that is that older title then identifies the paper, and the listing's title
    (one word apart) is no near twin, being the same paper's."""
    path = tmp_path / "index.sqlite"
    older = tmp_path / "older.json"
    older.write_text(
        json.dumps(
            [
                {
                    "id": "prasad2022",
                    "type": "article",
                    "title": OLDER_TITLE,
                    "author": [{"family": f, "given": g} for f, g in RECONCILING_AUTHORS],
                    "issued": {"date-parts": [[2022]]},
                    "note": "arXiv: 2207.12779",
                }
            ]
        )
    )
    citekit("index", "add", "--index", str(path), str(older), *SNAPSHOT)
    source = tmp_path / "refs.bib"
    source.write_text(
        f"@article{{a, title = {{{OLDER_TITLE}}}}}\n@article{{b, title = {{{SEQUEL_OLDER_TITLE}}}}}\n"
    )
    records = enrich(path, source)
    assert records[0]["status"] == "matched" and records[0]["ids"]["arxiv"] == "2207.12779"
    assert records[1]["status"] == "unmatched"
