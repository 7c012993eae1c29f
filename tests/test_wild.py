"""Input from the wild: other projects' test files (``tests/data/wild/``, see its README) through
every reader and writer, and the reader defects such files exposed.

For each file: no exception and no hang; every entry the file holds (counted here independently:
``@type{`` lines, ``TY`` lines, array items) is a record or an error diagnostic naming it; every
writer's output reads back to as many records with no error; a first trip through the same format
changes only what :data:`NORMALISED` and :data:`FIRST_TRIP` say, each for its reason; and a second
round trip through a format changes nothing (writing is a fixpoint).
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from operator import eq
from pathlib import Path

import pytest

from citekit import formats
from citekit.diagnostics import ReadResult
from citekit.formats import csljson, ris
from citekit.formats.base import Format
from citekit.formats.bibtex import BIBLATEX, BIBTEX
from citekit.io import read_input
from citekit.model import Record
from citekit.text import plain_text

WILD = Path(__file__).parent / "data" / "wild"
FILES = sorted(p for p in WILD.rglob("*") if p.suffix in (".bib", ".ris", ".json"))
WRITERS: dict[str, Format] = {
    "bibtex": BIBTEX,
    "biblatex": BIBLATEX,
    "csljson": csljson.FORMAT,
    "ris": ris.FORMAT,
}
HANG_GUARD = 300  # seconds: a guard against an endless loop, not a speed target (a file reads in ms)
_ENTRY = re.compile(r"^[ \t]*@[ \t]*(?!(?:string|comment|preamble)\b)[A-Za-z]+[ \t]*[{(]", re.I | re.M)


def read_chunks(path: Path) -> list[ReadResult]:
    """The file read as ``citekit convert`` streams it: in chunks, by its format's chunked reader."""
    fmt = formats.by_suffix(path.name)
    assert fmt is not None and fmt.read_chunks is not None
    return list(fmt.read_chunks(path, path.name))


def guarded(action: Callable[[], object]) -> object:
    """Run ``action``; fail if it does not end (a hang), re-raise what it raised (a crash)."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(("ok", action()))
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome.append(("error", error))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert outcome, f"still running after {HANG_GUARD}s: a hang"
    kind, value = outcome[0]
    if kind == "error":
        raise value  # type: ignore[misc]
    return value


def expected_entries(path: Path, text: str) -> int:
    if path.suffix == ".ris":
        return len(re.findall(r"^\s*TY {1,2}-", text, re.M))
    if path.suffix == ".json":
        data = json.loads(text)
        return len(data) if isinstance(data, list) else 1
    comments = re.finditer(r"^[ \t]*@comment[ \t]*\{", text, re.I | re.M)
    inside = sum(len(_ENTRY.findall(text[m.end() : _closing(text, m.end())])) for m in comments)
    return len(_ENTRY.findall(text)) - inside


def _closing(text: str, start: int) -> int:
    depth = 1
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return len(text)


def accounted(result: ReadResult) -> int:
    lost = {d.index for d in result.diagnostics if d.level == "error" and d.index is not None}
    return len(result.records) + len(lost - {r.origin.index for r in result.records if r.origin})


def read_wild(path: Path) -> ReadResult:
    return guarded(lambda: read_input(str(path), path.name, formats.by_suffix(str(path))))  # type: ignore[return-value]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_entry_is_read_or_reported(path: Path) -> None:
    result = read_wild(path)
    text, _ = formats.decode(path.read_bytes(), path.name)
    assert accounted(result) == expected_entries(path, text), [d.as_dict() for d in result.diagnostics]
    if path.suffix == ".bib":
        chunks = guarded(lambda: read_chunks(path))
        assert sum(len(r.records) for r in chunks) == len(result.records)  # type: ignore[union-attr]


# Second trips that still change something: known, each for its reason (strict: fixed means removed).
SECOND_TRIP_CHANGES = {
    "unknown_command_handler_1733.bib": "an unknown macro as the whole journal (\\aap) decodes to nothing and is kept raw, then as text",
    "RIS-003.ris": "RIS fields the model lacks come back from BibTeX under the model's own field names",
    "RIS-004.ris": "the BibTeX reader takes the DOI from a doi.org URL, the RIS reader does not",
    "RIS-005.ris": "RIS fields the model lacks come back from BibTeX under the model's own field names",
}


def known(path: Path) -> list[pytest.MarkDecorator]:
    reason = SECOND_TRIP_CHANGES.get(path.name)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize(
    "path", [pytest.param(p, marks=known(p)) for p in FILES], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_writer_takes_every_record_and_a_second_trip_changes_nothing(path: Path) -> None:
    records = read_wild(path).records
    for name, fmt in WRITERS.items():
        first = guarded(lambda fmt=fmt: fmt.write(records))
        again = guarded(lambda fmt=fmt, first=first, name=name: fmt.read(first, f"again.{name}"))
        assert len(again.records) == len(records), name  # type: ignore[union-attr]
        assert [d for d in again.diagnostics if d.level == "error"] == [], name  # type: ignore[union-attr]
        assert fmt.write(again.records) == first, f"{name}: a second round trip changed the output"  # type: ignore[union-attr]


# What a FIRST trip through the same format (.bib read as BibTeX and as BibLaTeX, RIS, CSL-JSON)
# changes in the records, compared field by field. Normalisations every file may show:
NORMALISED: dict[tuple[str, str], str] = {
    ("*", "key"): "an entry with no key, or a key used again or not valid in a .bib file, is given one",
    (
        "bibtex",
        "custom:entrytype",
    ): "a BibLaTeX entry type (collection, thesis, video, online…) becomes a BibTeX one",
}
# And each file's own, field by field (strict: a change fixed must leave this list).
_SAFE = "a field holding commands outside the safe list (xampl's @preamble macros, \\discretionary) is written as text, so nothing runs as TeX"
_DATAMODEL = "BibLaTeX leaves out what biblatex's data model forbids on the type (publisher on @article): biber warns; the other formats keep it"
_TYPE = "an entry type biblatex does not define (talk, webpage, jurisdiction, softwareversion…) is written as the nearest one"
FIRST_TRIP: dict[tuple[str, str], dict[str, str]] = {
    **{
        (dialect, "Allow_spaces_between_href_arguments_for_import_2504.bib"): {"custom:howpublished": _SAFE}
        for dialect in ("bibtex", "biblatex")
    },
    **{(dialect, "xampl.bib"): {"custom:key": _SAFE} for dialect in ("bibtex", "biblatex")},
    **{
        (dialect, "xampl_mixed.bib"): dict.fromkeys(("custom:key", "custom:keY", "custom:kEy"), _SAFE)
        for dialect in ("bibtex", "biblatex")
    },
    **{
        (dialect, "Map_the_call-number_field_from_Bib_La_TeX_to_call_number_2021.bib"): dict.fromkeys(
            ("custom:genre", "custom:type"), "genre is written as type (biber rejects genre) and read back so"
        )
        for dialect in ("bibtex", "biblatex")
    },
    **{
        (dialect, "unknown_command_handler_1733.bib"): dict.fromkeys(
            ("container_title", "custom:journal"),
            "an unknown macro as the whole journal (\\aap) is kept raw, then read as text",
        )
        for dialect in ("bibtex", "biblatex")
    },
    ("bibtex", "detect-urls.bib"): {
        "custom:month": "a month that contradicts the date (reported: bibtex.date-conflict)"
    },
    **{
        ("biblatex", name): {"publisher": _DATAMODEL}
        for name in (
            "BBT_+_Zotfile_creating_duplicate_files_in_the_wrong_location_2300.bib",
            "BibTeX-016.bib",
            "Double_newlines_means_parbreak_2789.bib",
            "Options_to_use_default_import_process_1562.bib",
            "Qiqqa.bib",
        )
    },
    ("biblatex", "Import_Jabref_fileDirectory_unexpected_reference_type_1058.bib"): {
        "publisher": _DATAMODEL,
        "custom:entrytype": _TYPE,
    },
    **{
        ("biblatex", name): {"custom:entrytype": _TYPE}
        for name in (
            "IEEEtran.bib",
            "Report_number_field_is_incorrectly_translated_into_the_issue_field_when_importing_a_jurisdiction_from_a_.bib_file_2752.bib",
            "Report_number_field_is_incorrectly_translated_into_the_issue_field_when_importing_a_legislation_from_a_.bib_file_2752.bib",
            "accessDate_must_be_ISO_date_2376.bib",
            "import_software_related_biblatex_entries_1544.bib",
        )
    },
    ("ris", "RIS-003.ris"): dict.fromkeys(
        ("custom:genre", "custom:ris:M3"),
        "a template record whose TY is written as another type: M3 is then its genre",
    ),
}
FIRST_TRIPS = [(p, formats.by_suffix(str(p))) for p in FILES] + [
    (p, BIBLATEX) for p in FILES if p.suffix == ".bib"
]


def first_trip_changes(path: Path, fmt: Format) -> set[str]:
    """The fields (``custom:<name>`` for kept ones) that differ once the file's records are written
    in ``fmt`` and read back."""
    first = (
        read_wild(path).records
        if fmt is not BIBLATEX
        else fmt.read(formats.decode(path.read_bytes(), path.name)[0], path.name).records
    )
    again = fmt.read(fmt.write(first), "again").records
    assert len(again) == len(first)
    changed: set[str] = set()
    for before, after in zip(first, again, strict=True):
        for field in dataclasses.fields(Record):
            old, new = getattr(before, field.name), getattr(after, field.name)
            if field.name == "custom":
                changed |= {f"custom:{k}" for k in set(old) | set(new) if old.get(k) != new.get(k)}
            elif field.name != "origin" and not (same_title if field.name in TITLES else eq)(old, new):
                changed.add(field.name)
    return changed


TITLES = ("title", "container_title", "collection_title")
_NOCASE = re.compile(r'<span class="nocase">(.*?)</span>')


def same_title(old: str, new: str) -> bool:
    """The same text, and every piece the input protected still protected: a .bib writer braces
    the acronyms and proper nouns an input left bare (read back as nocase spans), and nothing else."""
    return plain_text(old) == plain_text(new) and not Counter(
        map(plain_text, _NOCASE.findall(old))
    ) - Counter(map(plain_text, _NOCASE.findall(new)))


@pytest.mark.parametrize(
    "path, fmt", FIRST_TRIPS, ids=[f"{p.parent.name}/{p.name}>{f.name}" for p, f in FIRST_TRIPS]
)
def test_a_first_trip_through_the_same_format_changes_only_what_it_must(path: Path, fmt: Format) -> None:
    changed = first_trip_changes(path, fmt)
    normalised = {c for c in changed if ("*", c) in NORMALISED or (fmt.name, c) in NORMALISED}
    assert changed - normalised == set(FIRST_TRIP.get((fmt.name, path.name), {}))


# --------------------------------------------------------------------------------------- reader defects


def test_an_entry_on_a_last_line_with_no_newline_is_read(tmp_path: Path) -> None:
    path = tmp_path / "last.bib"
    path.write_text("@article{a, title={T}, year=2020}\n@article{b, title={U}, year=2021}", encoding="utf-8")
    chunks = read_chunks(path)
    assert [r.key for chunk in chunks for r in chunk.records] == ["a", "b"]
    path.write_text("@article{a, title={T}, year=2020}\n@article{b, title={U", encoding="utf-8")
    chunks = read_chunks(path)
    assert [(d.code, d.index) for chunk in chunks for d in chunk.diagnostics] == [("bibtex.failed-block", 2)]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_are_read(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "wide.bib"
    path.write_bytes("@article{a, title={Привет 東京 Jégou}, year=2020}\n".encode(codec))
    for result in (read_input(str(path), path.name), *read_chunks(path)):
        if result.records:
            assert [r.title for r in result.records] == ["Привет 東京 Jégou"]
    assert formats.declared_encoding(path.read_bytes()) is not None


def test_jabrefs_encoding_header_is_obeyed(tmp_path: Path) -> None:
    path = tmp_path / "jabref.bib"
    path.write_bytes("% Encoding: windows-1252\n@article{a, title={25° café}, year=2020}\n".encode("cp1252"))
    [record] = [r for result in read_chunks(path) for r in result.records]
    assert record.title == "25° café"
    assert codecs.lookup(formats.declared_encoding(path.read_bytes()) or "").name == "cp1252"


def test_an_entry_with_no_key_is_read_and_reported() -> None:
    result = BIBTEX.read("@techreport{\n journal = {J},\n title = {No key},\n year = 2001\n}\n", "k.bib")
    [record] = result.records
    assert (record.title, record.key, record.custom["journal"]) == ("No key", "", "J")
    assert [d.code for d in result.diagnostics] == ["bibtex.missing-key"]


@pytest.mark.parametrize("issued", [[2019, -1], [2019, 2, 40], [2019, 20], [2019, 25, 1]])
def test_a_date_part_out_of_range_is_no_date_part_and_nothing_crashes(issued: list[int]) -> None:
    item = {"id": "a", "type": "article-journal", "title": "T", "issued": {"date-parts": [issued]}}
    result = csljson.read(json.dumps([item]), "d.json")
    [record] = result.records
    assert record.issued and record.issued.parts == tuple(issued[: 1 if not 1 <= issued[1] <= 12 else 2])
    assert not record.issued.season
    assert json.loads(record.custom["issued"]) == {"date-parts": [issued]}  # the original is kept
    assert [(d.code, d.index) for d in result.diagnostics] == [("csljson.bad-date", 1)]
    for fmt in WRITERS.values():
        assert fmt.read(fmt.write([record]), "x").records[0].year == 2019
    [kept] = ris.read("TY  - JOUR\r\nTI  - T\r\nDA  - 2019/30//\r\nER  - \r\n", "s.ris").records
    assert kept.issued and kept.issued.parts == (2019,) and kept.custom == {"ris:DA": "2019/30//"}


SEASON_INPUTS = {
    "CSL month 21 (ISO 8601-2)": ("csljson", {"date-parts": [[2019, 21]]}),
    "CSL month 13 (citeproc-js)": ("csljson", {"date-parts": [[2019, 13]]}),
    "CSL season number": ("csljson", {"date-parts": [[2019]], "season": 1}),
    "CSL season name": ("csljson", {"date-parts": [[2019]], "season": "spring"}),
    "RIS DA month 21": ("ris", "2019/21//"),
    "RIS DA other info": ("ris", "2019///Spring"),
    "BibLaTeX date": ("biblatex", "date = {2019-21}"),
    "BibTeX month": ("bibtex", "year = 2019, month = {Spring}"),
}


@pytest.mark.parametrize("source", SEASON_INPUTS, ids=list(SEASON_INPUTS))
def test_a_season_is_kept_through_every_format(source: str) -> None:
    """CSL's season (citeproc-js reads months 13-16 so, ISO 8601-2 and Zotero 21-24), RIS's month 21
    and "other info", biblatex's ISO 8601-2 date, a BibTeX month named by its season: spring 2019."""
    kind, value = SEASON_INPUTS[source]
    if kind == "csljson":
        item = {"id": "a", "type": "article-journal", "title": "T", "issued": value}
        result = csljson.read(json.dumps([item]), "s.json")
    elif kind == "ris":
        result = ris.read(f"TY  - JOUR\r\nTI  - T\r\nDA  - {value}\r\nER  - \r\n", "s.ris")
    else:
        result = BIBTEX.read(f"@article{{a, title = {{T}}, {value}}}\n", "s.bib")
    [record] = result.records
    assert record.issued and (record.issued.parts, record.issued.season) == ((2019,), 1)
    assert record.custom == {} and [d for d in result.diagnostics if d.level != "info"] == []
    for fmt in WRITERS.values():
        again = fmt.read(fmt.write([record]), "x").records[0]
        assert again.issued == record.issued and again.custom == {}, fmt.name
    assert "year = {2019},\n  month = {Spring},\n  date = {2019-21}" in BIBTEX.write([record])
    assert "date = {2019-21}" in BIBLATEX.write([record])
    assert "DA  - 2019/21//" in ris.write([record])
    assert json.loads(csljson.write([record]))[0]["issued"] == {"date-parts": [[2019]], "season": "Spring"}
