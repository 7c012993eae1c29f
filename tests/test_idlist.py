"""Identifier lists: every usual DOI/arXiv spelling, comments, errors accounted for by index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.diagnostics import ReadResult
from citekit.formats import idlist
from citekit.model import Record

ROOT = Path(__file__).parent
SEEDS = ROOT.parent / "seeds"
MIXED = ROOT / "data" / "ids" / "mixed.ids"
# The format's definition, independent of the reader: a line holds an identifier unless it is
# blank or a comment (``#`` at the start or after white space).
COMMENT = re.compile(r"(?:^|\s)#.*$")


def accounted_indices(result: ReadResult) -> list[int]:
    indices = [r.origin.index for r in result.records if r.origin] + [
        d.index for d in result.diagnostics if d.level == "error" and d.index is not None
    ]
    return sorted(indices)


@pytest.mark.parametrize(
    ("line", "doi", "arxiv_id", "version"),
    [
        ("arXiv:2101.00001v2", "", "2101.00001", 2),
        ("arxiv:2310.06825", "", "2310.06825", None),
        ("https://arxiv.org/abs/2401.04088", "", "2401.04088", None),
        ("https://arxiv.org/pdf/2012.12877v2.pdf", "", "2012.12877", 2),
        ("2101.00001", "", "2101.00001", None),
        ("hep-th/9901001", "", "hep-th/9901001", None),
        ("arXiv:math.GT/0309136v1", "", "math.GT/0309136", 1),
        ("https://doi.org/10.1109/CVPR.2015.7298594", "10.1109/CVPR.2015.7298594", "", None),
        ("http://dx.doi.org/10.1145/3065386", "10.1145/3065386", "", None),
        ("doi:10.1145/3065386", "10.1145/3065386", "", None),
        ("DOI: 10.1145/3065386", "10.1145/3065386", "", None),
        ("10.1145/3065386", "10.1145/3065386", "", None),
        ("https://doi.org/10.1000%2Fxyz-1", "10.1000/xyz-1", "", None),
        ("https://doi.org/10.48550/arXiv.2310.06825", "", "2310.06825", None),  # arXiv's DOI: the arXiv id
    ],
)
def test_identifier_forms(line: str, doi: str, arxiv_id: str, version: int | None) -> None:
    record = idlist.parse_identifier(line)
    assert record == Record(doi=doi, arxiv_id=arxiv_id, arxiv_version=version)


@pytest.mark.parametrize(
    "line",
    [
        "not an identifier",
        "see 10.1145/3065386",
        "10.1145/3065386 and more",
        "@article{x,",
        "TY  - JOUR",
        "DO  - 10.1145/3065386",
        '"DOI": "10.1145/3065386",',
        "Abstract:We introduce",
        "CLOct 10, 2023Code",
        "12345",
        "https://example.org/10.1145/3065386",
    ],
)
def test_non_identifiers(line: str) -> None:
    assert idlist.parse_identifier(line) is None


def test_mixed_list() -> None:
    result = idlist.read(MIXED.read_text(encoding="utf-8"), MIXED.name)
    got = [
        (r.origin.index, r.origin.line, r.doi, r.arxiv_id, r.arxiv_version)
        for r in result.records
        if r.origin
    ]
    assert got == [
        (1, 3, "", "2310.06825", 1),
        (2, 4, "", "2401.04088", None),
        (3, 5, "10.1109/CVPR.2015.7298594", "", None),
        (4, 6, "10.1145/3065386", "", None),  # trailing comment skipped
        (6, 8, "", "hep-th/9901001", None),
        (7, 9, "", "2006.11239", None),
        (8, 10, "", "2310.06825", None),
    ]
    found = [(d.level, d.code, d.line, d.index, d.raw) for d in result.diagnostics]
    assert found == [
        ("error", "ids.unrecognised", 7, 5, "not an identifier at all"),
        ("info", "ids.duplicate", 10, 8, ""),
    ]
    assert result.failed_indices == {5}
    assert all(r.origin and r.origin.format == "ids" and r.origin.file == "mixed.ids" for r in result.records)


def test_sniffs_identifier_lists() -> None:
    assert idlist.sniff(MIXED.read_text(encoding="utf-8"))
    assert idlist.sniff("10.1145/3065386\n")
    assert not idlist.sniff("# only a comment\n\n")
    assert not idlist.sniff("10.1145/3065386\nnot one\nnor this\n")  # a minority is not a list


@pytest.mark.parametrize(
    "path",
    [*sorted(SEEDS.glob("*.txt")), *sorted((ROOT / "data" / "foreign").iterdir())],
    ids=lambda p: p.name,
)
def test_does_not_sniff_other_formats(path: Path) -> None:
    assert not idlist.sniff(path.read_text(encoding="utf-8"))


def test_format_metadata() -> None:
    assert idlist.FORMAT.name == "ids" and idlist.FORMAT.suffixes == (".ids",)
    assert idlist.FORMAT.write is None


# --- properties --------------------------------------------------------------------------------

_NEW_ID = st.builds(
    lambda yymm, number: f"{yymm:04d}.{number:05d}", st.integers(701, 2612), st.integers(0, 99999)
)
_VERSION = st.one_of(st.none(), st.integers(1, 9))
_ARXIV_SPELLING = st.sampled_from(["{}", "arXiv:{}", "https://arxiv.org/abs/{}", "arxiv.org/pdf/{}.pdf"])


@settings(max_examples=60, deadline=None)
@given(_NEW_ID, _VERSION, _ARXIV_SPELLING)
def test_any_arxiv_spelling_reads_back(arxiv_id: str, version: int | None, spelling: str) -> None:
    text = spelling.format(f"{arxiv_id}v{version}" if version else arxiv_id)
    assert idlist.parse_identifier(text) == Record(arxiv_id=arxiv_id, arxiv_version=version)


_DOI = st.builds(
    lambda prefix, suffix: f"10.{prefix}/{suffix}",
    st.integers(1000, 99999),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-._()", min_size=1, max_size=20).filter(
        lambda s: s[-1] not in ".,;:)]"
    ),
)
_LINE = st.one_of(
    _DOI,
    _DOI.map("doi:{}".format),
    _NEW_ID.map("arXiv:{}".format),
    st.just(""),
    st.just("# note"),
    st.text(max_size=30),
)


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.lists(_LINE, max_size=12).map("\n".join), st.text(max_size=300)))
def test_every_line_is_accounted_for(text: str) -> None:
    result = idlist.read(text, "x.ids")
    expected = [n for n, line in enumerate(text.split("\n"), 1) if COMMENT.sub("", line).strip()]
    assert accounted_indices(result) == list(range(1, len(expected) + 1))
    assert (
        sorted(
            [r.origin.line for r in result.records if r.origin]
            + [d.line for d in result.diagnostics if d.level == "error"]
        )
        == expected
    )
    assert all(bool(r.doi) != bool(r.arxiv_id) for r in result.records)
    idlist.sniff(text)
