"""``crossref`` in BibTeX/BibLaTeX input: children inherit their parent's fields as bibtex and biber
resolve them (:mod:`citekit.formats.bibtex.crossref`), wherever the parent is in the file, in the
whole-file reader and the chunked one alike; ``citekit check`` counts inherited fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from citekit.check import check_paths
from citekit.formats.bibtex import BIBLATEX, BIBTEX, read, read_chunks
from citekit.model import Record

WILD = Path(__file__).parent / "data" / "wild"
CHILD = (
    "@inproceedings{child, author = {Ann Author}, title = {A Paper}, pages = {1--9}, crossref = {Proc01}}\n"
)
PARENT = (
    "@proceedings{proc01, title = {Proceedings of Things}, editor = {Ed Itor}, year = 2001,\n"
    "  publisher = {Pub}, address = {Paris}, volume = 3, series = {LNCS}, abstract = {The book's}}\n"
)


def records(text: str, tmp_path: Path) -> list[Record]:
    """The records of the whole-file reader, checked against the chunked reader's (one block a chunk)."""
    whole = read(text, "c.bib").records
    path = tmp_path / "c.bib"
    path.write_text(text, encoding="utf-8")
    chunked = [r for result in read_chunks(path, "c.bib", blocks_per_chunk=1) for r in result.records]
    assert chunked == whole
    return whole


@pytest.mark.parametrize("order", ["parent last", "parent first"])
def test_a_child_inherits_its_parents_fields_wherever_the_parent_is(order: str, tmp_path: Path) -> None:
    text = CHILD + PARENT if order == "parent last" else PARENT + CHILD
    by_key = {r.key: r for r in records(text, tmp_path)}
    assert set(by_key) == {"child", "proc01"}  # the parent is a record of its own too
    child = by_key["child"]
    assert child.container_title == "Proceedings of Things"  # biber: a proceedings' title is the booktitle
    assert [n.family for n in child.editor] == ["Itor"]
    assert child.issued and child.issued.parts == (2001,)
    assert (child.publisher, child.publisher_place, child.volume) == ("Pub", "Paris", "3")
    assert child.collection_title == "LNCS"
    assert (child.title, child.page, child.abstract) == (
        "A Paper",
        "1-9",
        "",
    )  # its own; not the book's abstract
    assert child.custom == {"crossref": "Proc01"}  # kept: bibtex and biber still see the link


def test_the_childs_own_fields_win_and_its_year_is_not_mixed_with_the_parents_date() -> None:
    text = (
        "@incollection{c, title = {Ch}, booktitle = {Own Book}, year = 1999, publisher = {Own}, crossref = {p}}\n"
        "@collection{p, title = {Parent}, date = {2001-05}, publisher = {Theirs}, location = {Rome}}\n"
    )
    child = read(text, "c.bib").records[0]
    assert (child.container_title, child.publisher, child.publisher_place) == ("Own Book", "Own", "Rome")
    assert child.issued and child.issued.parts == (1999,)
    assert "date" not in child.custom and "year" not in child.custom


def test_biber_mappings_journal_and_main_title() -> None:
    text = (
        "@article{a, title = {Paper}, author = {X Y}, crossref = {j}}\n"
        "@periodical{j, title = {Journal of Things}, subtitle = {Sub}, shorttitle = {JT}, year = 2020}\n"
        "@inbook{b, title = {Chapter}, crossref = {bk}}\n"
        "@book{bk, title = {Book}, author = {Bo Okauthor}, publisher = {P}, year = 1990, crossref = {mv}}\n"
        "@mvbook{mv, title = {Collected Works}, location = {Oslo}}\n"
    )
    article, _, chapter, book, _ = read(text, "c.bib", "biblatex").records
    assert (article.container_title, article.year) == ("Journal of Things", 2020)
    assert article.custom == {"crossref": "j", "journalsubtitle": "Sub"}  # shorttitle is not inherited
    assert chapter.container_title == "Book"  # book → inbook: title → booktitle, author → author, bookauthor
    assert [n.family for n in chapter.author] == ["Okauthor"] and chapter.custom[
        "bookauthor"
    ] == "Bo Okauthor"
    assert (chapter.publisher_place, book.publisher_place) == ("Oslo", "Oslo")  # through the grandparent
    assert chapter.custom["maintitle"] == book.custom["maintitle"] == "Collected Works"


def test_a_missing_parent_and_a_cycle_are_reported_with_the_childs_key_and_line() -> None:
    text = (
        "@article{ok, title = {T}, journal = {J}, year = 2000}\n"
        "@inproceedings{orphan, title = {T},\n  crossref = {nowhere}}\n"
        "@book{x, title = {X}, crossref = {y}}\n@book{y, title = {Y}, crossref = {x}}\n"
    )
    result = read(text, "c.bib")
    assert len(result.records) == 4
    found = [(d.code, d.line, d.index, d.message.split(":")[0]) for d in result.diagnostics]
    assert found == [
        ("bibtex.crossref-missing", 2, 2, "orphan"),
        ("bibtex.crossref-missing", 4, 3, "x"),
        ("bibtex.crossref-missing", 5, 4, "y"),
    ]
    assert "nowhere" in result.diagnostics[0].message and "itself" in result.diagnostics[1].message


def test_xampl_as_bibtex_resolves_it() -> None:
    """pybtex's copy of bibtex's own xampl.bib: the crossref key's case differs (WHOLE-JOURNAL)."""
    by_key = {
        r.key: r for r in read((WILD / "pybtex" / "xampl.bib").read_text(encoding="utf-8"), "x").records
    }
    proceedings = by_key["inproceedings-crossref"]
    assert proceedings.container_title == "Proc. Fifteenth Annual Symposium on the Theory of Computing"
    assert proceedings.year == 1983
    assert by_key["article-crossref"].issued == by_key["whole-journal"].issued
    assert by_key["article-crossref"].volume == "41"
    collection = by_key["incollection-crossref"]
    assert (collection.container_title, collection.publisher) == (
        "High Speed Computer and Algorithm Organization",
        "Academic Press",
    )
    assert [n.family for n in collection.editor] == ["Lipcoll", "Lawrie", "Sameh"]


def test_better_bibtex_crossref_fixture_gets_date_and_booktitle() -> None:
    """A BibDesk file from https://github.com/retorquere/zotero-better-bibtex/issues/3514: @incollection
    children before their @book parents."""
    path = WILD / "better-bibtex" / "Crossrefd_incollection_items_are_missing_date_on_import_3514.bib"
    result = read(path.read_text(encoding="utf-8"), path.name)
    assert result.diagnostics == []
    children = [r for r in result.records if "crossref" in r.custom]
    assert [(r.year, r.publisher) for r in children] == [
        (2011, "Território das Artes"),
        (2007, "Brasilienkunde Verlag"),
        (2023, "Letraria"),
    ]
    assert all(r.container_title and r.editor for r in children)


@pytest.mark.parametrize("fmt", [BIBTEX, BIBLATEX])
def test_a_resolved_child_is_written_whole_and_keeps_its_crossref(fmt) -> None:  # type: ignore[no-untyped-def]
    child, parent = read(CHILD + PARENT, "c.bib").records
    again = fmt.read(fmt.write([child, parent]), "again.bib").records
    assert again[0].container_title == "Proceedings of Things" and again[0].custom["crossref"] == "Proc01"
    assert again[0].year == 2001 and len(again) == 2


def test_check_counts_inherited_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.bib"
    path.write_text(
        CHILD
        + PARENT.replace("proc01", "Proc_01").replace("Proc01", "x")
        + CHILD.replace("child", "other").replace("Proc01", "Proc_01"),
        encoding="utf-8",
    )
    findings = [(d.code, d.line, d.message) for d in check_paths([str(path)], "bibtex")]
    missing = [f for f in findings if f[0] == "check.missing-field"]
    # "child" names no parent (x): its booktitle and year are missing; "other" gets them from Proc_01.
    assert [(line, message.split(" needs ")[1].split(" ")[0]) for _, line, message in missing] == [
        (1, "booktitle"),
        (1, "year"),
    ]
    assert not [f for f in findings if f[0] == "check.unescaped-special"]  # Proc_01: a key, not text
