"""Abstract lists (seeds 000, 001, 004): one record per ``Abstract:`` line, groups, stray lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.diagnostics import ReadResult
from citekit.formats import abstracts
from citekit.model import Record

ROOT = Path(__file__).parent
SEEDS = ROOT.parent / "seeds"
# The format's definition, written independently of the reader: a record per labelled line.
ABSTRACT_LINE = re.compile(r"\s*abstract\s*:", re.IGNORECASE)


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def read_seed(prefix: str) -> ReadResult:
    path = seed(prefix)
    return abstracts.read(path.read_text(encoding="utf-8"), path.name)


def accounted_indices(result: ReadResult) -> list[int]:
    indices = [r.origin.index for r in result.records if r.origin] + [
        d.index for d in result.diagnostics if d.level == "error" and d.index is not None
    ]
    return sorted(indices)


@pytest.mark.parametrize(
    ("prefix", "groups"),
    [
        ("000", [1, 1, 1, 1, 2, 3, 4, 5, 6, 7]),
        ("001", [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]),
        ("004", [1, 1, 1, 1, 2, 3, 4, 4, 5]),
    ],
)
def test_seed_counts_and_groups(prefix: str, groups: list[int]) -> None:
    result = read_seed(prefix)
    assert result.diagnostics == []
    assert [r.origin.group for r in result.records if r.origin] == groups
    assert [r.origin.index for r in result.records if r.origin] == list(range(1, len(groups) + 1))
    lines = seed(prefix).read_text(encoding="utf-8").split("\n")
    for record in result.records:
        assert record.origin and lines[record.origin.line - 1].startswith("Abstract:")


def test_records_carry_only_the_abstract() -> None:
    for prefix in ("000", "001", "004"):
        for record in read_seed(prefix).records:
            bare = Record(abstract=record.abstract)
            assert record == bare  # origin is not compared
            assert record.abstract and record.abstract == record.abstract.strip()


def test_first_abstract_of_each_seed_is_voxtral_tts() -> None:
    for prefix in ("000", "001", "004"):
        first = read_seed(prefix).records[0]
        assert first.abstract.startswith("We introduce Voxtral TTS, an expressive multilingual")
        assert "achieving a 68.4% win rate over ElevenLabs Flash v2.5." in first.abstract  # \% decoded
        assert first.origin and (first.origin.line, first.origin.group) == (1, 1)


def test_latex_decision_on_seed_000() -> None:
    text = " ".join(r.abstract for r in read_seed("000").records)
    assert "we introduce $κ^\\star$, the optimal" in text  # math verbatim
    assert "with extremely high confidence ($p < 10^{-55}$)" in text
    assert "top-$k$ predictions" in text
    assert "less than 0.005% of poisoned tokens are suffic" in text
    assert "(1%) of the dataset" in text  # a bare % is a percent sign, not a LaTeX comment
    assert "\\url" not in text and "https://github.com/facebookresearch/pal" in text


@pytest.mark.parametrize(
    ("raw", "expected", "decoded"),
    [
        ("a 68.4\\% win rate", "a 68.4% win rate", True),
        ("by 50% and then \\textit{more}", "by 50% and then more", True),
        ("keep $5\\%$ and $\\approx 0.3$ as written", "keep $5\\%$ and $\\approx 0.3$ as written", True),
        ("costs \\$5 per $x$ unit", "costs \\$5 per $x$ unit", False),  # \$ would become a math delimiter
        ("plain   text,\twith space", "plain text, with space", True),
    ],
)
def test_scraped_to_unicode(raw: str, expected: str, decoded: bool) -> None:
    assert abstracts.scraped_to_unicode(raw) == (expected, decoded)


def test_stray_lines_are_reported_never_dropped() -> None:
    path = ROOT / "data" / "abstracts" / "stray.txt"
    result = abstracts.read(path.read_text(encoding="utf-8"), path.name)
    assert [r.abstract for r in result.records] == [
        "First abstract, whose text was hard-wrapped onto a second line.",
        "Second abstract in the first group.",
        "Third abstract, $\\epsilon$-DP at 50% of the cost and faster.",
    ]
    assert [(r.origin.index, r.origin.line, r.origin.group) for r in result.records if r.origin] == [
        (1, 2, 1),
        (2, 5, 1),
        (4, 9, 2),
    ]
    found = [(d.level, d.code, d.line, d.index, d.raw) for d in result.diagnostics]
    assert found == [
        ("warning", "abstracts.stray-line", 1, None, "Listing scraped 2026-11-23"),
        ("warning", "abstracts.stray-line", 3, 1, "hard-wrapped onto a second line."),
        ("warning", "abstracts.stray-line", 4, None, "Keywords: privacy, federated learning"),
        ("error", "abstracts.empty", 8, 3, "Abstract:"),
    ]
    assert accounted_indices(result) == [1, 2, 3, 4]


def test_windows_line_endings() -> None:
    data = (ROOT / "data" / "abstracts" / "crlf.txt").read_bytes().decode("utf-8")
    assert "\r\n" in data
    result = abstracts.read(data, "crlf.txt")
    assert [(r.abstract, r.origin.group) for r in result.records if r.origin] == [
        ("A line ended the Windows way.", 1),
        ("Second group.", 2),
    ]
    assert result.diagnostics == []


@pytest.mark.parametrize("prefix", ["000", "001", "004"])
def test_sniffs_abstract_seeds(prefix: str) -> None:
    assert abstracts.sniff(seed(prefix).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "path",
    [
        *(seed(p) for p in ("002", "003")),
        ROOT / "data" / "ids" / "mixed.ids",
        *sorted((ROOT / "data" / "foreign").iterdir()),
    ],
    ids=lambda p: p.name,
)
def test_does_not_sniff_other_formats(path: Path) -> None:
    assert not abstracts.sniff(path.read_text(encoding="utf-8"))


def test_format_metadata() -> None:
    assert abstracts.FORMAT.name == "abstracts" and abstracts.FORMAT.suffixes == ()
    assert abstracts.FORMAT.write is None


# --- properties --------------------------------------------------------------------------------

_LINE = st.one_of(
    st.builds(
        lambda label, text: label + text,
        st.sampled_from(["Abstract:", "abstract :", "  ABSTRACT:"]),
        st.text(max_size=40),
    ),
    st.just(""),
    st.just("   "),
    st.text(max_size=40),
)


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.lists(_LINE, max_size=12).map("\n".join), st.text(max_size=300)))
def test_every_abstract_line_is_accounted_for(text: str) -> None:
    result = abstracts.read(text, "a.txt")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    labelled = [number for number, line in enumerate(lines, 1) if ABSTRACT_LINE.match(line)]
    assert accounted_indices(result) == list(range(1, len(labelled) + 1))
    assert [r.origin.line for r in result.records if r.origin] == [
        line for index, line in enumerate(labelled, 1) if index not in result.failed_indices
    ]
    groups = [r.origin.group for r in result.records if r.origin]
    assert groups == sorted(groups) and all(g and g >= 1 for g in groups)
    abstracts.sniff(text)
