"""Researcher profile pages (seeds 002 and 003): blocks, dates, categories, accounting."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.diagnostics import ReadResult
from citekit.formats import abstracts, detect, idlist, profile
from citekit.model import Date, Record

ROOT = Path(__file__).parent
SEEDS = ROOT.parent / "seeds"
REFERENCE = datetime.date(2026, 11, 23)


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def read_seed(prefix: str) -> ReadResult:
    path = seed(prefix)
    return profile.read_profile(path.read_text(encoding="utf-8"), path.name, reference_date=REFERENCE)


def block(result: ReadResult, index: int) -> Record:
    (record,) = [r for r in result.records if r.origin and r.origin.index == index]
    return record


def accounted_indices(result: ReadResult) -> list[int]:
    """Indices of read records and of records reported as lost, in one sorted list."""
    indices = [r.origin.index for r in result.records if r.origin] + [
        d.index for d in result.diagnostics if d.level == "error" and d.index is not None
    ]
    return sorted(indices)


def families(record: Record) -> list[str]:
    return [name.family for name in record.author]


@pytest.mark.parametrize(("prefix", "count"), [("002", 28), ("003", 23)])
def test_seed_block_counts_and_clean_read(prefix: str, count: int) -> None:
    result = read_seed(prefix)
    assert len(result.records) == count
    assert [r.origin.index for r in result.records if r.origin] == list(range(1, count + 1))
    assert {d.code for d in result.diagnostics} <= {
        "profile.year-inferred",
        "profile.page-data",
        "profile.affiliations",
    }
    assert all(
        r.type == "article" and r.title and r.author and r.abstract and r.issued for r in result.records
    )
    assert all(
        r.origin and r.origin.format == "profile" and r.origin.file == seed(prefix).name
        for r in result.records
    )


def test_first_block_of_002() -> None:
    result = read_seed("002")
    mistral = block(result, 1)
    assert [d.message for d in result.diagnostics if d.index == 1 and d.code == "profile.affiliations"] == [
        "affiliations on the page (unverified): cambridge"
    ]
    assert mistral.title == "Mistral 7B"
    assert mistral.arxiv_class == "cs.CL"
    assert mistral.issued and mistral.issued.parts == (2023, 10, 10)
    assert mistral.authors_truncated
    assert mistral.custom == {} and not mistral.note
    assert [(n.given, n.family) for n in mistral.author] == [
        ("Albert Q.", "Jiang"),
        ("Alexandre", "Sablayrolles"),
        ("Arthur", "Mensch"),
    ]
    assert mistral.origin and mistral.origin.line == 12
    assert mistral.abstract.startswith("We introduce Mistral 7B v0.1, a 7-billion-parameter language model")
    assert not mistral.arxiv_id and not mistral.doi


def test_voxtral_tts_score_prefix_and_yearless_date() -> None:
    voxtral = block(read_seed("002"), 3)
    assert voxtral.title == "Voxtral TTS"
    assert voxtral.issued and voxtral.issued.parts == (2026, 3, 26)
    assert voxtral.arxiv_class == "cs.AI"
    assert voxtral.custom == {} and not voxtral.note
    assert voxtral.origin and voxtral.origin.line == 26
    assert families(voxtral) == ["Liu", "Tacnet", "Ehrenberg"]
    assert "68.4% win rate" in voxtral.abstract


def test_voxtral_tts_in_003_has_no_score() -> None:
    voxtral = block(read_seed("003"), 3)
    assert voxtral.title == "Voxtral TTS"
    assert voxtral.arxiv_class == "cs.AI"
    assert not any(d.code == "profile.page-data" and d.index == 3 for d in read_seed("003").diagnostics)


@pytest.mark.parametrize(
    ("prefix", "index", "title", "category", "date", "truncated", "has_code"),
    [
        (
            "002",
            2,
            "Optimal Membership Inference Bounds for Adaptive Composition of Sampled Gaussian Mechanisms",
            "cs.CR",
            (2022, 4, 12),
            True,
            False,
        ),
        ("002", 4, "Ministral 3", "cs.CL", (2026, 1, 13), True, False),
        (
            "002",
            5,
            "Analyzing Privacy Leakage in Machine Learning via Multiple Hypothesis Testing: A Lesson From Fano",
            "cs.LG",
            (2022, 10, 24),
            False,
            False,
        ),
        (
            "002",
            11,
            "Devstral: Fine-tuning Language Models for Coding Agent Applications",
            "cs.SE",
            (2025, 8, 8),
            True,
            True,
        ),
        ("002", 14, "Voxtral", "cs.SD", (2025, 7, 17), True, False),
        ("002", 15, "Voxtral Realtime", "cs.AI", (2026, 2, 11), True, False),
        ("002", 22, "Radioactive data: tracing through training", "stat.ML", (2020, 2, 3), True, False),
        (
            "002",
            25,
            "Déjà Vu: an empirical evaluation of the memorization properties of ConvNets",
            "cs.CV",
            (2018, 9, 17),
            True,
            False,
        ),
        (
            "002",
            27,
            "Link and code: Fast indexing with graphs and compact regression codes",
            "cs.CV",
            (2018, 4, 26),
            False,
            False,
        ),
        ("002", 28, "How should we evaluate supervised hashing?", "cs.CV", (2016, 9, 21), True, False),
        (
            "003",
            2,
            "Reconciling Security and Communication Efficiency in Federated Learning",
            "cs.LG",
            (2022, 7, 26),
            True,
            False,
        ),
        (
            "003",
            12,
            "LeViT: a Vision Transformer in ConvNet's Clothing for Faster Inference",
            "cs.CV",
            (2021, 4, 2),
            True,
            True,
        ),
        (
            "003",
            18,
            "An Embedding of ReLU Networks and an Analysis of their Identifiability",
            "cs.LG",
            (2021, 7, 20),
            False,
            False,
        ),
        (
            "003",
            23,
            "ConvNets and ImageNet Beyond Accuracy: Understanding Mistakes and Uncovering Biases",
            "cs.LG",
            (2017, 11, 30),
            False,
            False,
        ),
    ],
)
def test_specific_blocks(
    prefix: str, index: int, title: str, category: str, date: tuple[int, ...], truncated: bool, has_code: bool
) -> None:
    result = read_seed(prefix)
    record = block(result, index)
    assert record.title == title
    assert record.arxiv_class == category
    assert record.issued and record.issued.parts == date
    assert record.authors_truncated is truncated
    page = [d.message for d in result.diagnostics if d.index == index and d.code == "profile.page-data"]
    assert any("marked as having code" in m for m in page) is has_code
    assert not record.custom, "the page's own data goes to the report, not into the record"


@pytest.mark.parametrize(("prefix", "truncated"), [("002", 23), ("003", 19)])
def test_truncation_counts(prefix: str, truncated: int) -> None:
    assert sum(r.authors_truncated for r in read_seed(prefix).records) == truncated


def test_names_are_parsed_one_by_one() -> None:
    result = read_seed("002")
    assert [(n.given, n.family) for n in block(result, 27).author] == [
        ("Matthijs", "Douze"),
        ("Alexandre", "Sablayrolles"),
        ("Hervé", "Jégou"),
    ]
    assert families(block(result, 10))[0] == "Mistral-AI"
    assert families(block(result, 24)) == ["Lample", "Sablayrolles", "Ranzato"]
    assert [(n.given, n.family) for n in block(read_seed("003"), 18).author] == [
        ("Pierre", "Stock"),
        ("Rémi", "Gribonval"),
    ]


@pytest.mark.parametrize("prefix", ["002", "003"])
def test_affiliations_are_never_authors(prefix: str) -> None:
    path = seed(prefix)
    affiliations = {
        a.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if " · " in line
        for a in line.split(" · ")[1].split(",")
    }
    assert affiliations >= {"cambridge", "deepmind"}
    result = read_seed(prefix)
    shown = {n.display().casefold() for r in result.records for n in r.author}
    assert not shown & affiliations
    assert not any(r.note for r in result.records)
    reported = [d for d in result.diagnostics if d.code == "profile.affiliations"]
    assert len(reported) == sum(" · " in line for line in path.read_text(encoding="utf-8").splitlines())


def test_abstract_latex_decoded_but_math_and_percent_kept() -> None:
    bounds = block(read_seed("002"), 2)
    assert "bounds for the advantage of an adversary" in bounds.abstract  # \textit{advantage}
    assert "$\\approx0.36$" in bounds.abstract and "$ε=4$" in bounds.abstract
    deit = block(read_seed("002"), 20)
    assert "we obtain up to 85.2% accuracy) and when transferring" in deit.abstract  # bare % is no comment
    relu = block(read_seed("003"), 18)
    assert "$R_θ: x \\in \\mathbb R^{d} \\mapsto R_θ(x) \\in \\mathbb R^{k}$" in relu.abstract


def test_yearless_dates_follow_the_reference_date() -> None:
    text = seed("002").read_text(encoding="utf-8")
    early = profile.read_profile(text, "p.txt", reference_date=datetime.date(2026, 2, 1))
    assert block(early, 3).issued == Date((2025, 3, 26))  # on 2026-02-01, Mar 26 is still to come
    assert block(early, 4).issued == Date((2026, 1, 13))
    leap = profile.read_profile(
        "CLFeb 29\nA Leap Paper\n\nAnn Author\n", "p.txt", reference_date=datetime.date(2026, 11, 23)
    )
    assert leap.records[0].issued == Date((2024, 2, 29))


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("CL", "cs.CL"),
        ("ML", "stat.ML"),
        ("DS", "cs.DS"),
        ("GT", "cs.GT"),
        ("IT", "cs.IT"),
        ("AS", "eess.AS"),
        ("IV", "eess.IV"),
        ("SP", "eess.SP"),
        ("HC", "cs.HC"),
        ("MA", "cs.MA"),
    ],
)
def test_category_codes(code: str, category: str) -> None:
    page = f"{code}Oct 10, 2023\nA Paper\n\nAnn Author\n\nAn abstract.\n"
    result = profile.read_profile(page, "p.txt", reference_date=REFERENCE)
    assert result.records[0].arxiv_class == category
    assert not result.diagnostics


def test_format_read_uses_today() -> None:
    text = seed("002").read_text(encoding="utf-8")
    today = profile.read_profile(text, "p.txt", reference_date=datetime.date.today())
    assert [r.issued for r in profile.FORMAT.read(text, "p.txt").records] == [r.issued for r in today.records]
    assert profile.FORMAT.write is None and profile.FORMAT.name == "profile" and profile.FORMAT.suffixes == ()


def test_broken_page_reports_every_block() -> None:
    path = ROOT / "data" / "profile" / "broken.txt"
    result = profile.read_profile(path.read_text(encoding="utf-8"), path.name, reference_date=REFERENCE)
    assert accounted_indices(result) == list(range(1, 8))  # the page claims 8
    codes = {(d.index, d.code) for d in result.diagnostics if d.level != "info"}
    assert codes == {
        (1, "profile.no-title"),
        (2, "profile.no-authors"),
        (3, "profile.unknown-category"),
        (4, "profile.bad-date"),
        (5, "profile.no-category"),
        (6, "profile.odd-header"),
        (7, "profile.no-authors"),
        (None, "profile.count-mismatch"),
    }
    (lost,) = [d for d in result.diagnostics if d.level == "error"]
    assert (lost.line, lost.raw) == (10, "CLOct 10, 2023Code")
    assert block(result, 2).title == "A Title With Nothing Else" and not block(result, 2).author
    messages = {(d.index, d.code): d.message for d in result.diagnostics}
    assert not block(result, 3).custom and not block(result, 3).arxiv_class
    assert "'ZZ'" in messages[3, "profile.unknown-category"]
    impossible = block(result, 4)
    assert impossible.issued and impossible.issued.literal == "Feb 30, 2023" and not impossible.issued.parts
    assert not impossible.custom and impossible.arxiv_class == "cs.CV"
    assert messages[4, "profile.page-data"] == "the page shows: score 12.5"
    assert (
        families(impossible) == ["Researcher"] and "nowhere university" in messages[4, "profile.affiliations"]
    )
    assert block(result, 5).abstract.endswith("keeps its 50% sign and everything after it.")
    odd = block(result, 6)
    assert not odd.custom and odd.authors_truncated
    assert "'CLSep 9, 2019Slides'" in messages[6, "profile.odd-header"]
    assert odd.abstract == "Abstract text.\nSecond paragraph of the abstract."
    assert block(result, 7).abstract.startswith("this abstract follows the title directly")


@pytest.mark.parametrize("prefix", ["002", "003"])
def test_sniffs_profile_seeds(prefix: str) -> None:
    assert profile.sniff(seed(prefix).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "path",
    [
        *(seed(p) for p in ("000", "001", "004")),
        ROOT / "data" / "ids" / "mixed.ids",
        *sorted((ROOT / "data" / "foreign").iterdir()),
    ],
    ids=lambda p: p.name,
)
def test_does_not_sniff_other_formats(path: Path) -> None:
    assert not profile.sniff(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("prefix", "name"),
    [
        ("000", "abstracts"),
        ("001", "abstracts"),
        ("002", "profile"),
        ("003", "profile"),
        ("004", "abstracts"),
    ],
)
def test_scraped_seeds_sniff_to_the_right_format_in_priority_order(prefix: str, name: str) -> None:
    text = seed(prefix).read_text(encoding="utf-8")
    formats = sorted((profile.FORMAT, abstracts.FORMAT, idlist.FORMAT), key=lambda f: f.priority)
    assert [f.name for f in formats] == ["profile", "abstracts", "ids"]
    assert next(f.name for f in formats if f.sniff(text)) == name


# --- properties --------------------------------------------------------------------------------

_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ é-'$\\{}%", min_size=1, max_size=30)
_SAFE = _WORDS.filter(lambda s: s.strip() and not profile._BLOCK_START.fullmatch(s.strip()))


@st.composite
def paper_block(draw: st.DrawFn) -> list[str]:
    """One block's lines: a start line, then any of title, authors, abstract (maybe missing)."""
    score = draw(st.sampled_from(["", "55.2", "7"]))
    code = draw(st.sampled_from([*profile.CATEGORIES, "ZZ", ""]))
    month = draw(st.sampled_from(["Jan", "Feb", "Mar", "Sep", "Dec"]))
    day = draw(st.integers(1, 31))
    year = draw(st.sampled_from(["", ", 2019", ", 2024"]))
    flag = draw(st.sampled_from(["", "Code", "Slides"]))
    lines = [f"{score}{code}{month} {day}{year}{flag}"]
    if draw(st.booleans()):
        lines.append(draw(_SAFE))
    if draw(st.booleans()):
        names = ", ".join(draw(st.lists(st.sampled_from(["Ann Lee", "Bo Chen", "Jo van Dijk"]), min_size=1)))
        names += draw(st.sampled_from(["", " et al."]))
        names += draw(st.sampled_from(["", " · mit", " · oxford, inria"]))
        lines.append(names)
    lines.extend(draw(st.lists(_SAFE, max_size=2)))
    return lines


@st.composite
def profile_page(draw: st.DrawFn) -> tuple[str, list[int]]:
    """A page and the line numbers where its blocks start."""
    lines = ["Some Researcher", "", "CV", draw(st.sampled_from(["3 Papers", "h-index2", ""])), ""]
    starts = []
    for lines_of_block in draw(st.lists(paper_block(), max_size=6)):
        starts.append(len(lines) + 1)
        for line in lines_of_block:
            lines.append(line)
            lines.extend([""] * draw(st.integers(0, 1)))
    return "\n".join(lines), starts


@settings(max_examples=60, deadline=None)
@given(profile_page())
def test_every_generated_block_is_accounted_for(page: tuple[str, list[int]]) -> None:
    text, starts = page
    result = profile.read_profile(text, "p.txt", reference_date=REFERENCE)
    assert accounted_indices(result) == list(range(1, len(starts) + 1))
    assert [r.origin.line for r in result.records if r.origin] == [
        line for index, line in enumerate(starts, 1) if index not in result.failed_indices
    ]
    affiliations = {"mit", "oxford", "inria"}
    assert all(not affiliations & {n.display() for n in r.author} for r in result.records)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_and_indices_have_no_gaps(text: str) -> None:
    result = profile.read_profile(text, "p.txt", reference_date=REFERENCE)
    assert accounted_indices(result) == list(range(1, len(accounted_indices(result)) + 1))
    profile.sniff(text)


@pytest.mark.parametrize(
    ("prefix", "name"),
    [
        ("000", "abstracts"),
        ("001", "abstracts"),
        ("002", "profile"),
        ("003", "profile"),
        ("004", "abstracts"),
    ],
)
def test_registry_detects_each_seed(prefix: str, name: str) -> None:
    path = seed(prefix)
    assert detect(str(path), path.read_text(encoding="utf-8")).name == name
