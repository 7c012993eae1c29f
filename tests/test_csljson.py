"""CSL-JSON reader and writer: golden triples, schema validity, diagnostics, properties."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
import strategies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import mutated, record_lists

from citekit.formats import csljson
from citekit.model import Date, Name, Record
from citekit.names import TRUNCATION_MARKERS

DATA = Path(__file__).parent / "data" / "csljson"
CASES = sorted(p.name.removesuffix(".json") for p in DATA.glob("*.json") if p.name.count(".") == 1)
SCHEMA = csljson.schema()


def dump_model(records: list[Record]) -> str:
    """The golden form of a model: every field but ``origin``."""
    data = [{k: v for k, v in dataclasses.asdict(r).items() if k != "origin"} for r in records]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_file(name: str):
    return csljson.read((DATA / name).read_text("utf-8"), name)


@pytest.mark.parametrize("case", CASES)
def test_golden_model(case: str) -> None:
    result = read_file(f"{case}.json")
    assert dump_model(result.records) == (DATA / f"{case}.model.json").read_text("utf-8")


@pytest.mark.parametrize("case", CASES)
def test_golden_output(case: str) -> None:
    output = csljson.write(read_file(f"{case}.json").records)
    assert output == (DATA / f"{case}.out.json").read_text("utf-8")
    jsonschema.validate(json.loads(output), SCHEMA)


@pytest.mark.parametrize("case", CASES)
def test_output_reads_back_to_the_same_output(case: str) -> None:
    output = csljson.write(read_file(f"{case}.json").records)
    result = csljson.read(output, "again.json")
    assert result.diagnostics == []
    assert csljson.write(result.records) == output


def test_seed_proceedings_read_cleanly_and_write_back_unchanged() -> None:
    path = Path(__file__).parents[1] / "seeds" / "metadata" / "proceedings.json"
    source = json.loads(path.read_text("utf-8"))
    result = csljson.read(path.read_text("utf-8"), path.name)
    assert result.diagnostics == []
    assert [r.origin.index for r in result.records] == list(range(1, len(source) + 1))
    written = json.loads(csljson.write(result.records))
    assert [{k: v for k, v in item.items() if k != "citation-key"} for item in written] == source


def test_single_object_is_one_item() -> None:
    result = read_file("single.json")
    assert [r.key for r in result.records] == ["jegou2011product"]
    assert result.records[0].doi == "10.1109/TPAMI.2010.57"
    assert result.records[0].origin.line == 1


def test_bad_json_is_reported_with_its_line_and_reads_nothing() -> None:
    text = '[\n  {"id": "a", "type": "book"},\n  {"id": "b" "type": "book"}\n]\n'
    result = csljson.read(text, "bad.json")
    assert result.records == []
    [diagnostic] = result.diagnostics
    assert (diagnostic.level, diagnostic.code, diagnostic.line) == ("error", "csljson.syntax", 3)


def test_invalid_items_are_reported_by_index_and_still_read() -> None:
    result = read_file("invalid.json")
    codes = [(d.code, d.index, d.line) for d in result.diagnostics]
    assert codes == [("csljson.not-an-item", 2, 3), ("csljson.schema", 3, 4), ("csljson.not-an-item", 4, 6)]
    assert result.failed_indices == {2, 4}
    assert [r.origin.index for r in result.records] == [1, 3]
    salvaged = result.records[1]
    assert salvaged.title == "A Crossref-style title"
    assert salvaged.custom["journal"] == '"Nowhere"'
    assert salvaged.custom["type"] == "preprint"
    assert result.diagnostics[0].raw == '"not an item"'


def test_top_level_scalar_is_an_error() -> None:
    result = csljson.read("42", "scalar.json")
    assert result.records == [] and [d.code for d in result.diagnostics] == ["csljson.not-items"]


def preprint(**changes) -> Record:
    record = Record(
        type="article",
        title="Mistral 7B",
        key="jiang2023mistral",
        author=[Name(literal="Mistral-AI"), Name(family="Jiang", given="Albert Q.")],
        issued=Date((2023, 10, 10)),
        arxiv_id="2310.06825",
        arxiv_class="cs.CL",
    )
    return dataclasses.replace(record, **changes)


def test_preprint_is_written_as_zotero_models_it() -> None:
    [item] = json.loads(csljson.write([preprint()]))
    assert item["type"] == "article"
    assert (item["number"], item["publisher"]) == ("arXiv:2310.06825", "arXiv")
    assert (item["DOI"], item["URL"]) == ("10.48550/arXiv.2310.06825", "https://arxiv.org/abs/2310.06825")
    assert item["custom"] == {"arxiv_class": "cs.CL", "arxiv_id": "2310.06825"}
    assert item["note"].splitlines() == ["arXiv: 2310.06825", "arxiv_class: cs.CL"]


def test_published_paper_keeps_its_doi_and_its_arxiv_id() -> None:
    record = preprint(type="paper-conference", container_title="ICML 2024", doi="10.5555/3618408.3619002")
    [item] = json.loads(csljson.write([record]))
    assert (item["type"], item["DOI"]) == ("paper-conference", "10.5555/3618408.3619002")
    assert "number" not in item and "URL" not in item
    assert item["custom"]["arxiv_id"] == "2310.06825"
    assert "arXiv: 2310.06825" in item["note"].splitlines()


def test_software_gets_a_type_zotero_accepts_and_keeps_its_own() -> None:
    record = Record(type="software", title="Faiss", key="faiss")
    [item] = json.loads(csljson.write([record]))
    assert item["type"] == "article" and item["custom"]["type"] == "software"
    assert csljson.read(csljson.write([record]), "x.json").records[0].type == "software"


def test_truncated_author_list_survives() -> None:
    text = csljson.write([preprint(authors_truncated=True)])
    assert "others" not in text
    [record] = csljson.read(text, "x.json").records
    assert record.authors_truncated and len(record.author) == 2


def test_missing_keys_are_assigned_on_copies() -> None:
    records = [preprint(key=""), preprint(key="", title="Mistral 7B v2")]
    items = json.loads(csljson.write(records))
    assert len({item["id"] for item in items}) == 2
    assert all(item["id"].startswith("mistralai2023mistral") for item in items)
    assert [r.key for r in records] == ["", ""]


# --------------------------------------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
csl_like_items = st.dictionaries(
    st.sampled_from(
        [
            "id",
            "type",
            "title",
            "author",
            "editor",
            "issued",
            "page",
            "DOI",
            "URL",
            "number",
            "note",
            "custom",
            "container-title",
            "translator",
            "accessed",
            "version",
            "bogus",
        ]
    ),
    json_values | st.sampled_from(["article", "arXiv:2310.06825", "10.48550/arXiv.2310.06825"]),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_reader_never_raises_on_arbitrary_text(text: str) -> None:
    result = csljson.read(text, "fuzz.json")
    assert all(d.code.startswith("csljson.") for d in result.diagnostics)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(csl_like_items | json_values, max_size=5))
def test_reader_accounts_for_every_item(items: list[object]) -> None:
    result = csljson.read(json.dumps(items), "fuzz.json")
    read = {r.origin.index for r in result.records}
    assert read | result.failed_indices == set(range(1, len(items) + 1))
    assert not read & result.failed_indices
    jsonschema.validate(json.loads(csljson.write(result.records)), SCHEMA)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(record_lists(max_size=2).map(csljson.write)))
def test_near_valid_json_is_read_or_reported_with_its_line(text: str) -> None:
    """What the writer makes, with a brace, quote, comma or bracket too many or too few."""
    result = csljson.read(text, "fuzz.json")
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except ValueError:
        errors = [d.code for d in result.diagnostics if d.level == "error"]
        assert not result.records and errors == ["csljson.syntax"]
        assert all(d.line for d in result.diagnostics) or not text.strip()
        return
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    read = {r.origin.index for r in result.records}
    assert read | result.failed_indices == set(range(1, len(items) + 1)) and not read & result.failed_indices


plain_text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
family_names = st.sampled_from(["Jégou", "Oğuz", "d'Ascoli", "Schaar", "Sablayrolles", "Douze"]) | plain_text
people = st.builds(
    Name,
    family=family_names,
    given=st.sampled_from(["", "Hervé", "Barlas", "Mihaela"]) | plain_text,
    non_dropping_particle=st.sampled_from(["", "", "van der", "de la"]),
    dropping_particle=st.sampled_from(["", "", "van"]),
    suffix=st.sampled_from(["", "", "Jr."]),
)
organisations = st.builds(Name, literal=st.sampled_from(["Mistral-AI", "Meta AI"]) | plain_text)
not_a_marker = lambda name: (name.literal or name.family).lower() not in TRUNCATION_MARKERS  # noqa: E731
dates = st.builds(
    Date,
    st.tuples(st.integers(1900, 2030), st.integers(1, 12), st.integers(1, 28)).flatmap(
        lambda ymd: st.sampled_from([ymd[:1], ymd[:2], ymd])
    ),
)
arxiv_ids = st.from_regex(r"\A(1[0-9]|2[0-6])(0[1-9]|1[0-2])\.[0-9]{5}\Z") | st.just("hep-th/9901001")
# "arxiv: <id>" is the arXiv note line, so a custom field of that name is read as the id.
custom_names = st.from_regex(r"\A[a-z][a-z0-9_]{0,8}\Z").filter(
    lambda n: n not in SCHEMA["items"]["properties"] and n not in csljson.RESERVED and n != "arxiv"
)
records = st.builds(
    Record,
    type=st.sampled_from(["article", "article-journal", "paper-conference", "chapter", "book", "software"]),
    title=plain_text | st.just("Scaling $κ^\\star$ & 100% of $x_1$"),
    author=st.lists((people | organisations).filter(not_a_marker), max_size=6),
    editor=st.lists(people.filter(not_a_marker), max_size=2),
    authors_truncated=st.booleans(),
    issued=st.none() | dates,
    container_title=st.just("") | plain_text,
    volume=st.just("") | st.from_regex(r"\A[0-9]{1,3}\Z"),
    issue=st.just("") | st.from_regex(r"\A[0-9]{1,2}\Z"),
    page=st.just("") | st.from_regex(r"\A[0-9]{1,4}(-[0-9]{1,4})?\Z"),
    doi=st.just("") | st.from_regex(r"\A10\.[0-9]{4,5}/[a-z0-9]{1,8}\Z"),
    arxiv_id=st.just("") | arxiv_ids,
    arxiv_class=st.just("") | st.sampled_from(["cs.CL", "stat.ML", "hep-th"]),
    abstract=st.just("") | st.text(min_size=1, max_size=60).map(str.strip),
    custom=st.dictionaries(custom_names, plain_text, max_size=3),
    key=st.from_regex(r"\A[a-z]{3,8}[0-9]{4}\Z"),
)


def kept_fields(record: Record) -> dict[str, object]:
    """What a round trip through CSL-JSON must keep: every field, the cut author list and key too."""
    return {**strategies.kept_fields(record), "truncated": record.authors_truncated, "key": record.key}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, max_size=3, unique_by=lambda r: r.key))
def test_round_trip_keeps_every_field(originals: list[Record]) -> None:
    output = csljson.write(originals)
    jsonschema.validate(json.loads(output), SCHEMA)
    result = csljson.read(output, "round.json")
    assert result.diagnostics == []
    assert [kept_fields(r) for r in result.records] == [kept_fields(r) for r in originals]
    assert csljson.write(result.records) == output


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        ("book", True),
        ("thesis", True),
        ("report", True),
        ("chapter", True),
        ("article-journal", False),
        ("paper-conference", False),
    ],
)
def test_doi_also_in_a_note_line_where_zotero_has_no_doi_field(kind: str, line: bool) -> None:
    record = Record(type=kind, title="T", doi="10.1234/abc", note="A note")
    [item] = json.loads(csljson.write([record]))
    assert item["DOI"] == "10.1234/abc"
    assert ("DOI: 10.1234/abc" in item["note"].split("\n")) is line
    [back] = csljson.read(json.dumps([item]), "x.json").records
    assert (back.doi, back.note, back.custom) == ("10.1234/abc", "A note", {})


def test_an_arxiv_doi_on_a_published_paper_is_kept_in_every_format() -> None:
    from citekit.formats import ris
    from citekit.formats.bibtex import BIBLATEX, BIBTEX

    item = {
        "id": "k",
        "type": "article-journal",
        "title": "T",
        "container-title": "TMLR",
        "DOI": "10.48550/arXiv.2310.06825",
    }
    [record] = csljson.read(json.dumps([item]), "x.json").records
    assert (record.doi, record.arxiv_id) == ("10.48550/arXiv.2310.06825", "2310.06825")
    for fmt in (csljson.FORMAT, ris.FORMAT, BIBTEX, BIBLATEX):
        [back] = fmt.read(fmt.write([record]), "x").records
        assert (back.doi, back.arxiv_id) == (record.doi, "2310.06825"), fmt.name


def test_note_lines_set_only_the_fields_they_name_as_zotero_reads_extra() -> None:
    """A line naming a CSL variable (in any case) or ``tex.<field>`` sets that field; any other
    ``name: value`` line is the note's own text (Zotero keeps it in Extra), not a field."""
    note = "Comment: great\ndoi: 10.1234/ABC\ntex.howpublished: Online\nSecond line"
    [record] = csljson.read(
        json.dumps([{"id": "x", "type": "book", "title": "T", "note": note}]), "x.json"
    ).records
    assert record.note == "Comment: great\nSecond line"
    assert record.doi == "10.1234/ABC" and record.custom == {"howpublished": "Online"}
    [item] = json.loads(csljson.write([record]))
    assert item["note"].split("\n")[:2] == ["Comment: great", "Second line"]
    assert "tex.howpublished: Online" in item["note"].split("\n")


def test_a_bibtex_field_the_model_lacks_travels_through_a_note_as_better_bibtex_writes_it() -> None:
    from citekit.formats import ris
    from citekit.formats.bibtex import BIBTEX

    [record] = BIBTEX.read("@article{k, title = {T}, mendeley-tags = {a,b}}", "k.bib").records
    text = ris.write([record])
    assert "M2  - tex.mendeley-tags: a,b" in text.splitlines()
    [back] = ris.read(text, "k.ris").records
    assert back.custom == {"mendeley-tags": "a,b"} and back.note == ""
