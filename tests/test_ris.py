"""RIS reader and writer: golden triples, Zotero's line rules, rispy re-reading, properties."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import rispy
import strategies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import mutated, record_lists

from citekit.diagnostics import ReadResult
from citekit.formats import ris
from citekit.model import Date, Name, Record

DATA = Path(__file__).parent / "data" / "ris"
CASES = sorted(p.stem for p in DATA.glob("*.ris") if p.name.count(".") == 1)
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$", re.DOTALL)


def dump_model(records: list[Record]) -> str:
    """The golden form of a model: every field but ``origin``."""
    data = [{k: v for k, v in dataclasses.asdict(r).items() if k != "origin"} for r in records]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_case(case: str):
    # Bytes, not read_text: universal newlines would hide the input's CRLF.
    return ris.read((DATA / f"{case}.ris").read_bytes().decode("utf-8"), f"{case}.ris")


def blocks(output: str) -> list[list[str]]:
    """The output's records as lists of tag lines (a continuation line, only of a note or an
    abstract, joined to its tag line with a newline), checking the separator on the way."""
    assert output.endswith("ER  - \r\n\r\n")
    records = []
    for block in output.removesuffix("\r\n\r\n").split("\r\n\r\n"):
        lines: list[str] = []
        for line in block.split("\r\n"):
            if TAG_LINE.match(line):
                lines.append(line)
            else:
                assert lines[-1][:2] in ("AB", "N1") and line.strip()
                lines[-1] += "\n" + line
        records.append(lines)
    return records


@pytest.mark.parametrize("case", CASES)
def test_golden_model(case: str) -> None:
    assert dump_model(read_case(case).records) == (DATA / f"{case}.model.json").read_text("utf-8")


@pytest.mark.parametrize("case", CASES)
def test_golden_output(case: str) -> None:
    output = ris.write(read_case(case).records)
    assert output.encode("utf-8") == (DATA / f"{case}.out.ris").read_bytes()


@pytest.mark.parametrize("case", CASES)
def test_output_is_zotero_shaped_and_reads_back_to_itself(case: str) -> None:
    records = read_case(case).records
    output = ris.write(records)
    assert "\n" not in output.replace("\r\n", "")
    for block in blocks(output):
        tags = [TAG_LINE.match(line).group(1) for line in block]
        assert tags[0] == "TY" and tags.count("TY") == 1
        assert tags[-1] == "ER" and tags.count("ER") == 1
    again = ris.read(output, "again.ris")
    assert [d for d in again.diagnostics if d.level != "info"] == []
    assert ris.write(again.records) == output


@pytest.mark.parametrize("case", CASES)
def test_rispy_reads_every_line_we_write(case: str) -> None:
    output = ris.write(read_case(case).records)
    written = [[TAG_LINE.match(line).groups() for line in block] for block in blocks(output)]
    tags = sorted({tag for block in written for tag, _ in block})
    entries = rispy.loads(output, mapping={t: t for t in tags}, list_tags=tags, delimiter_tags_mapping={})
    assert len(entries) == len(written)
    for entry, block in zip(entries, written, strict=True):
        expected: dict[str, list[str]] = {}
        for tag, value in block[1:-1]:
            expected.setdefault(tag, []).append(value)
        # rispy gives a continuation line as one more value of its tag.
        assert {tag: "\n".join(v) if isinstance(v, list) else v for tag, v in entry.items()} == {
            "TY": block[0][1],
            **{tag: "\n".join(values) for tag, values in expected.items()},
        }


def test_missing_er_is_reported_and_no_record_is_lost() -> None:
    text = "TY  - JOUR\nTI  - First\nTY  - BOOK\nTI  - Second\nER  - \nTY  - GEN\nTI  - Third\n"
    result = ris.read(text, "loose.ris")
    assert [r.title for r in result.records] == ["First", "Second", "Third"]
    assert [(r.origin.index, r.origin.line) for r in result.records] == [(1, 1), (2, 3), (3, 6)]
    missing = [(d.level, d.index, d.line) for d in result.diagnostics if d.code == "ris.missing-er"]
    assert missing == [("warning", 1, 1), ("warning", 3, 6)]


def test_lines_outside_records_and_unknown_tags_are_reported_and_kept() -> None:
    text = "Exported by X\r\n\r\nTY  - JOUR\r\nM3  - Article\r\nER  - \r\ntrailing junk\r\n"
    result = ris.read(text, "x.ris")
    codes = [(d.code, d.line) for d in result.diagnostics]
    assert codes == [("ris.outside-record", 1), ("ris.unknown-tag", 4), ("ris.outside-record", 6)]
    assert result.diagnostics[0].raw == "Exported by X"
    assert result.records[0].custom == {"ris:M3": "Article"}
    assert "M3  - Article\r\n" in ris.write(result.records)


def test_continuation_lines_and_aliases() -> None:
    text = "TY  - CPAPER\nA1  - Jégou, Hervé\nT1  - A long\n  title\nJF  - Venue\nY1  - 2019///\nN2  - Line one\nline two\nER  -"
    [record] = ris.read(text, "x.ris").records
    assert (record.type, record.title, record.container_title) == (
        "paper-conference",
        "A long title",
        "Venue",
    )
    assert record.author == [Name(family="Jégou", given="Hervé")]
    assert (record.issued, record.abstract) == (Date((2019,)), "Line one\nline two")


def test_names_keep_particles_suffixes_and_organisations() -> None:
    record = Record(
        author=[
            Name(family="Schaar", given="Mihaela", non_dropping_particle="van der"),
            Name(literal="Mistral-AI"),
            Name(family="Smith", given="John", suffix="Jr."),
            Name(family="Plato"),
        ]
    )
    output = ris.write([record])
    assert [line for line in output.split("\r\n") if line.startswith("AU")] == [
        "AU  - van der Schaar, Mihaela",
        "AU  - Mistral-AI",
        "AU  - Smith, John, Jr.",
        "AU  - Plato,",
    ]
    assert ris.read(output, "x.ris").records[0].author == record.author


def test_preprint_is_a_preprint_report_with_arxiv_doi_url_and_id() -> None:
    record = Record(type="article", title="Mistral 7B", arxiv_id="2310.06825", arxiv_class="cs.CL")
    lines = ris.write([record]).split("\r\n")
    for line in (
        "TY  - RPRT",
        "M3  - Preprint",
        "PB  - arXiv",
        "SN  - arXiv:2310.06825",
        "DO  - 10.48550/arXiv.2310.06825",
        "UR  - https://arxiv.org/abs/2310.06825",
        "M2  - arXiv: 2310.06825",
        "M2  - arxiv_class: cs.CL",
    ):
        assert line in lines
    assert not any(line.startswith(("N1", "AN")) for line in lines)
    [back] = ris.read("\r\n".join(lines), "x.ris").records
    assert (back.arxiv_id, back.arxiv_class, back.doi, back.number) == (
        "2310.06825",
        "cs.CL",
        "",
        "arXiv:2310.06825",
    )


def test_published_paper_keeps_its_doi_and_arxiv_id() -> None:
    record = Record(
        type="article-journal", title="T", container_title="TMLR", doi="10.1234/x", arxiv_id="2310.06825"
    )
    lines = ris.write([record]).split("\r\n")
    assert "DO  - 10.1234/x" in lines and "M2  - arXiv: 2310.06825" in lines
    [back] = ris.read("\r\n".join(lines), "x.ris").records
    assert (back.doi, back.arxiv_id, back.number) == ("10.1234/x", "2310.06825", "")


def test_embedded_newlines_cannot_forge_tags() -> None:
    record = Record(
        title="Title\nER  - ",
        abstract="First line.\r\nER  - \nTY  - JOUR\u2028KW  - x",
        custom={"comment": "a\nTY  - BOOK"},
        note="one\nER  - ",
    )
    output = ris.write([record])
    [block] = blocks(output)
    tags = [TAG_LINE.match(line).group(1) for line in block]
    assert tags.count("TY") == 1 and tags.count("ER") == 1 and tags[-1] == "ER" and "KW" not in tags
    [back] = ris.read(output, "x.ris").records
    assert back.abstract == "First line.\nER  -\nTY  - JOUR\nKW  - x"
    assert back.note == "one\nER  -"
    assert back.custom == {"comment": "a TY  - BOOK"}


def test_one_note_per_record_and_no_clashing_custom_field_lost() -> None:
    record = Record(
        type="article-journal",
        title="T",
        issue="3",
        note="first line\nsecond: line",
        custom={"issue": "4", "DOI": "not a doi", "publisher-place": "Paris"},
    )
    output = ris.write([record])
    assert (
        output.count("N1  - ") == 1
        and "M2  - issue: 4\r\n" in output
        and "M2  - DOI: not a doi\r\n" in output
    )
    [back] = ris.read(output, "x.ris").records
    assert (back.issue, back.custom["issue"], back.custom["DOI"]) == ("3", "4", "not a doi")


def test_custom_fields_and_fields_without_a_tag_come_back() -> None:
    record = Record(
        type="article-journal",
        title="T",
        isbn="978-3-16-148410-0",
        event_title="Workshop",
        number="7",
        custom={"edition": "2", "tex.ids": "a, b", "ris:L1": "x.pdf\ny.pdf"},
    )
    output = ris.write([record])
    assert "ET  - 2\r\n" in output and "L1  - x.pdf\r\nL1  - y.pdf\r\n" in output
    assert "M2  - ISBN: 978-3-16-148410-0\r\n" in output and "M2  - event-title: Workshop\r\n" in output
    assert ris.read(output, "x.ris").records[0] == record


# --------------------------------------------------------------------------------------------- properties

ris_lines = st.one_of(
    st.sampled_from(
        [
            "TY  - JOUR",
            "TY  - GEN",
            "TY  - ",
            "ER  - ",
            "ER  -",
            "",
            "AU  - van der Schaar, M",
            "AU  - ,",
            "PY  - 2023///",
            "DA  - 0/0/0/",
            "SP  - -",
            "N1  - arXiv: 2310.06825 [cs",
            "DO  - 10.48550/arXiv.2310.06825v3",
            "AN  - arXiv:",
            "UR  - https://arxiv.org/abs/x",
        ]
    ),
    st.builds("{}  - {}".format, st.from_regex(r"\A[A-Z][A-Z0-9]\Z"), st.text(max_size=20)),
    st.text(max_size=30),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ris_lines, max_size=25).map("\n".join) | st.text())
def test_reader_never_raises_and_reads_every_ty(text: str) -> None:
    result = ris.read(text, "fuzz.ris")
    assert_every_ty_read(text, result)
    assert ris.read(ris.write(result.records), "again.ris").records == result.records


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(record_lists(max_size=2).map(ris.write)))
def test_near_valid_files_are_read_and_every_ty_accounted_for(text: str) -> None:
    """What the writer makes, with a tag, line break or character too many or too few.

    Written back, what was read is stable, though not always equal to what was read: the writer
    folds an abstract's continuation lines into one line and splits a range in ``SP`` into ``SP``
    and ``EP``, both of which the reader keeps as found.
    """
    result = ris.read(text, "fuzz.ris")
    assert_every_ty_read(text, result)
    written = ris.write(result.records)
    assert ris.write(ris.read(written, "again.ris").records) == written


def test_a_name_that_looks_like_markup_is_written_as_it_is() -> None:
    """CSL rich text is stripped from RIS text fields, but a name has none (found by hypothesis)."""
    [record] = ris.read("TY  - JOUR\nA1 - <sub>\nAU  - <i>Smith</i>, Jo\nER  - \n", "odd.ris").records
    assert [ris.format_ris_name(name) for name in record.author] == ["<sub>", "<i>Smith</i>, Jo"]
    assert ris.read(ris.write([record]), "again.ris").records[0].author == record.author


def assert_every_ty_read(text: str, result: ReadResult) -> None:
    starts = [
        n
        for n, line in enumerate(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")), 1)
        if re.match(r"^TY {1,2}-(?: |$)", line)
    ]
    assert [r.origin.line for r in result.records] == starts
    assert [r.origin.index for r in result.records] == list(range(1, len(starts) + 1))


one_line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30)
plain_text = one_line.map(str.strip).filter(bool)
words = st.from_regex(r"\A[A-Za-zÀ-ÿğ'\-]{1,12}\Z").filter(lambda w: w[0].isupper() or w[0] == "d")
people = st.builds(
    Name,
    family=st.sampled_from(["Jégou", "Oğuz", "d'Ascoli", "Schaar"]) | words.filter(str.istitle),
    given=st.sampled_from(["", "Hervé", "Albert Q."]) | plain_text.filter(lambda t: "," not in t),
    non_dropping_particle=st.sampled_from(["", "", "van der", "de la"]),
    suffix=st.sampled_from(["", "", "Jr."]),
)
organisations = st.builds(
    Name, literal=st.sampled_from(["Mistral-AI", "Meta AI"]) | plain_text.filter(lambda t: "," not in t)
)
dates = st.tuples(st.integers(1000, 2030), st.integers(1, 12), st.integers(1, 28)).flatmap(
    lambda ymd: st.sampled_from([Date(ymd[:1]), Date(ymd[:2]), Date(ymd)])
)
custom_names = st.from_regex(r"\A[a-z][a-z0-9_]{0,8}\Z").filter(
    lambda n: (
        n
        not in (
            "arxiv",
            "type",
            "number",
            "note",
            "language",
            "publisher",
            "keyword",
            "abstract",
            "title",
            "volume",
            "issue",
            "page",
            "edition",
            "archive",
            "source",
            "section",
            "accessed",
            "arxiv_id",
            "arxiv_class",
            "arxiv_version",
            "authors_truncated",
        )
    )
)
records = st.builds(
    Record,
    type=st.sampled_from(
        ["article", "article-journal", "paper-conference", "chapter", "book", "report", "document"]
    ),
    title=plain_text | st.just("Scaling $κ^\\star$ & 100% of $x_1$"),
    author=st.lists(people | organisations, max_size=5).filter(
        lambda names: not names or (names[-1].literal or names[-1].family).lower() != "others"
    ),
    editor=st.lists(people, max_size=2),
    authors_truncated=st.booleans(),
    issued=st.none() | dates,
    container_title=st.just("") | plain_text,
    volume=st.just("") | st.from_regex(r"\A[0-9]{1,3}\Z"),
    issue=st.just("") | st.from_regex(r"\A[0-9]{1,2}\Z"),
    page=st.just("") | st.from_regex(r"\A[0-9]{1,4}(-[0-9]{1,4})?\Z"),
    doi=st.just("") | st.from_regex(r"\A10\.[0-9]{4,5}/[a-z0-9]{1,8}\Z"),
    arxiv_id=st.just("") | st.from_regex(r"\A(1[0-9]|2[0-6])(0[1-9]|1[0-2])\.[0-9]{5}\Z"),
    arxiv_class=st.just("") | st.sampled_from(["cs.CL", "stat.ML"]),
    abstract=st.just("") | st.text(min_size=1, max_size=60),
    custom=st.dictionaries(custom_names, plain_text, max_size=3),
)


def kept_fields(record: Record) -> dict[str, object]:
    """What a round trip through RIS must keep (whitespace in abstracts aside). Not a cut author
    list: RIS has no place for that, and no client should show it (the report says it)."""
    return {**strategies.kept_fields(record), "abstract": " ".join(record.abstract.split())}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, max_size=3))
def test_round_trip_keeps_every_field(originals: list[Record]) -> None:
    output = ris.write(originals)
    result = ris.read(output, "round.ris")
    assert [d for d in result.diagnostics if d.level != "info"] == []
    assert [kept_fields(r) for r in result.records] == [kept_fields(r) for r in originals]
    assert ris.write(result.records) == output
