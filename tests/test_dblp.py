"""dblp's XML dump in the local index: entities from its DTD, venues through crossrefs, CoRR
preprints left to arXiv, broken dumps kept up to their fault, and ACL Anthology's gzipped BibTeX."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BACKENDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.cli import main
from citekit.diagnostics import Diagnostic
from citekit.sources.bulk import DBLP, Loaded, read_bulk
from citekit.sources.dblp_dump import dblp_name
from citekit.sources.local import LocalIndex

DTD = """<!ELEMENT dblp (article|inproceedings|proceedings|www)*>
<!ENTITY eacute "&#233;">
<!ENTITY ouml "&#246;">
<!ENTITY Zcaron "&#381;">
"""
HEADER = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n'
PAPER = """<inproceedings key="conf/icml/SablayrollesDSOJ19" mdate="2019-06-04">
<author>Alexandre Sablayrolles 0001</author>
<author>Herv&eacute; J&eacute;gou</author>
<author>Laurens van der Maaten</author>
<title>White-box vs Black-box: Bayes Optimal Strategies for Membership Inference.</title>
<pages>5558-5567</pages>
<year>2019</year>
<booktitle>ICML</booktitle>
<ee type="oa">http://proceedings.mlr.press/v97/sablayrolles19a.html</ee>
<crossref>conf/icml/2019</crossref>
</inproceedings>
"""
VOLUME = """<proceedings key="conf/icml/2019" mdate="2019-06-04">
<editor>Kamalika Chaudhuri</editor>
<title>Proceedings of the 36th International Conference on Machine Learning, ICML 2019, 9-15 June 2019, Long Beach, California, USA</title>
<booktitle>ICML</booktitle>
<series href="db/series/pmlr/index.html">Proceedings of Machine Learning Research</series>
<volume>97</volume>
<publisher>PMLR</publisher>
<year>2019</year>
</proceedings>
"""
JOURNAL = """<article key="journals/jmlr/BornscheinGHRCC23" mdate="2023-05-01">
<author>J&ouml;rg Bornschein</author>
<author>Bo &Zcaron;ivkovi&#263;</author>
<title>NEVIS'22: A Stream of 100 Tasks Sampled from 30 Years of Computer Vision Research.</title>
<journal>J. Mach. Learn. Res.</journal>
<volume>24</volume>
<pages>1-77</pages>
<year>2023</year>
<ee>https://doi.org/10.5555/3648699.3648707</ee>
<ee type="oa">http://jmlr.org/papers/v24/22-1345.html</ee>
</article>
"""
CORR = """<article key="journals/corr/abs-1809-06396" mdate="2018-09-20" publtype="informal">
<author>Alexandre Sablayrolles</author>
<title>White-box vs Black-box: Bayes Optimal Strategies for Membership Inference.</title>
<journal>CoRR</journal>
<volume>abs/1908.11229</volume>
<year>2019</year>
<ee type="oa">https://doi.org/10.48550/arXiv.1908.11229</ee>
</article>
"""
PAGE = '<www key="homepages/s/AlexandreSablayrolles"><author>Alexandre Sablayrolles</author><title>Home Page</title></www>\n'


def dump(
    folder: Path, *records: str, name: str = "dblp.xml", dtd: str | None = DTD, end: bool = True
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if dtd is not None:
        (folder / "dblp.dtd").write_text(dtd, encoding="ascii")
    text = HEADER + "".join(records) + ("</dblp>\n" if end else "")
    data = text.encode("iso-8859-1")
    path = folder / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def records_of(index: LocalIndex) -> dict[str, object]:
    return {r.custom.get("dblp", ""): r for r in index.all_records()}


@pytest.mark.parametrize("index_location", BACKENDS, indirect=True)
@pytest.mark.parametrize("order", ["before", "after"])
def test_a_paper_gets_its_volume_in_either_order(tmp_path: Path, index_location: str, order: str) -> None:
    records = (VOLUME, PAPER) if order == "before" else (PAPER, VOLUME)
    with LocalIndex(index_location) as index:
        result = index.add_file(dump(tmp_path / order, *records))
        paper = records_of(index)["conf/icml/SablayrollesDSOJ19"]
    assert result.added == 2 and result.skipped == 0, order
    assert paper.type == "paper-conference"
    assert paper.container_title == "Proceedings of the 36th International Conference on Machine Learning"
    assert (paper.volume, paper.collection_title, paper.publisher) == (
        "97",
        "Proceedings of Machine Learning Research",
        "PMLR",
    ), order
    assert paper.event_title == "ICML 2019" and paper.page == "5558-5567"
    assert paper.url == "http://proceedings.mlr.press/v97/sablayrolles19a.html" and not paper.doi


@pytest.mark.parametrize("index_location", BACKENDS, indirect=True)
def test_a_volume_in_a_later_file_completes_the_paper(tmp_path: Path, index_location: str) -> None:
    with LocalIndex(index_location) as index:
        index.add_file(dump(tmp_path / "a", PAPER))
        alone = records_of(index)["conf/icml/SablayrollesDSOJ19"]
        assert (
            alone.container_title == "International Conference on Machine Learning"
        )  # from ICML, until then
        index.add_file(dump(tmp_path / "b", VOLUME))
        paper = records_of(index)["conf/icml/SablayrollesDSOJ19"]
        assert paper.container_title == "Proceedings of the 36th International Conference on Machine Learning"
        assert paper.volume == "97"


@pytest.mark.parametrize("index_location", BACKENDS, indirect=True)
def test_the_search_finds_the_completed_venue(tmp_path: Path, index_location: str) -> None:
    from citekit.sources.base import Query

    with LocalIndex(index_location) as index:
        index.add_file(dump(tmp_path / "d", PAPER, VOLUME))
        found = index.search(
            Query(
                title="Bayes Optimal Strategies for Membership Inference",
                venue="Proceedings of the 36th International Conference on Machine Learning",
            )
        )
    assert found and found[0].volume == "97"


def test_names_titles_links_and_journal_abbreviations(tmp_path: Path) -> None:
    with LocalIndex(tmp_path / "index.sqlite") as index:
        index.add_file(dump(tmp_path / "d", PAPER, VOLUME, JOURNAL))
        found = records_of(index)
    paper, article = found["conf/icml/SablayrollesDSOJ19"], found["journals/jmlr/BornscheinGHRCC23"]
    assert [(n.given, n.family) for n in paper.author] == [
        ("Alexandre", "Sablayrolles"),
        ("Hervé", "Jégou"),
        ("Laurens", "van der Maaten"),
    ]
    assert paper.title == "White-box vs Black-box: Bayes Optimal Strategies for Membership Inference"
    assert article.type == "article-journal"
    assert article.container_title == "Journal of Machine Learning Research"
    assert (
        article.doi == "10.5555/3648699.3648707" and article.url == "http://jmlr.org/papers/v24/22-1345.html"
    )
    assert [n.display() for n in article.author] == [
        "Jörg Bornschein",
        "Bo Živković",
    ]  # &Zcaron; from the DTD


def test_homonym_numbers_and_particles() -> None:
    assert (dblp_name("Wei Li 0001").given, dblp_name("Wei Li 0001").family) == ("Wei", "Li")
    assert dblp_name("Diego de las Casas").family == "de las Casas"
    assert dblp_name("Yu. A. Malkov").given == "Yu. A."
    assert dblp_name("Plato").family == "Plato"
    assert (dblp_name("John Smith Jr.").family, dblp_name("John Smith Jr.").suffix) == ("Smith", "Jr.")


def test_corr_articles_are_arxiv_preprints_not_venues(tmp_path: Path) -> None:
    with LocalIndex(tmp_path / "index.sqlite") as index:
        result = index.add_file(dump(tmp_path / "d", CORR, JOURNAL, PAGE))
        stored = list(index.all_records())
    assert [r.custom["dblp"] for r in stored] == ["journals/jmlr/BornscheinGHRCC23"]
    assert all(r.container_title != "CoRR" for r in stored)
    codes = {d.code: d for d in result.diagnostics}
    assert "1 CoRR articles are arXiv preprints" in codes["index.dblp-corr"].message
    assert "1 author or data pages" in codes["index.dblp-pages"].message
    assert result.skipped == 0


def test_gzipped_and_plain_dumps_give_the_same_records(tmp_path: Path) -> None:
    plain = [
        item.record
        for item in read_bulk(dump(tmp_path / "p", PAPER, VOLUME, JOURNAL))
        if isinstance(item, Loaded)
    ]
    packed = [
        item.record
        for item in read_bulk(dump(tmp_path / "g", PAPER, VOLUME, JOURNAL, name="dblp.xml.gz"))
        if isinstance(item, Loaded)
    ]
    assert len(plain) == 3 and plain == packed


def test_a_missing_dtd_is_an_error_naming_the_file_and_dtd_gives_another(tmp_path: Path) -> None:
    path = dump(tmp_path / "nodtd", JOURNAL, dtd=None)
    items = list(read_bulk(path))
    assert len(items) == 1 and isinstance(items[0], Diagnostic)
    assert items[0].code == "index.dblp-no-dtd" and str(tmp_path / "nodtd" / "dblp.dtd") in items[0].message
    elsewhere = tmp_path / "dtds" / "my.dtd"
    elsewhere.parent.mkdir()
    elsewhere.write_text(DTD)
    runner = CliRunner()
    failed = runner.invoke(main, ["index", "add", "--index", str(tmp_path / "i.sqlite"), str(path)])
    assert failed.exit_code == 1 and "dblp.dtd does not exist" in failed.output
    result = runner.invoke(
        main, ["index", "add", "--index", str(tmp_path / "i.sqlite"), "--dtd", str(elsewhere), str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output


def test_an_undeclared_entity_is_a_warning_and_the_record_is_kept(tmp_path: Path) -> None:
    odd = JOURNAL.replace("J&ouml;rg", "J&oumlaut;rg")
    items = list(read_bulk(dump(tmp_path / "d", odd, PAPER)))
    warnings = [i for i in items if isinstance(i, Diagnostic)]
    assert [(w.level, w.code, w.line) for w in warnings] == [("warning", "index.dblp-entity", 5)]
    assert "oumlaut" in warnings[0].message
    records = [i.record for i in items if isinstance(i, Loaded)]
    assert [n.display() for n in records[0].author][0] == "Jrg Bornschein"
    assert len(records) == 2


def _broken(tmp_path: Path, name: str) -> tuple[LocalIndex, list[Diagnostic], Path]:
    many = [JOURNAL.replace("BornscheinGHRCC23", f"X{n}").replace("1-77", f"{n}-{n + 1}") for n in range(12)]
    text = HEADER + "".join(many)
    cut = text[: text.index('<article key="journals/jmlr/X10"') + 60]  # inside the 11th record
    folder = tmp_path / name
    folder.mkdir()
    (folder / "dblp.dtd").write_text(DTD)
    path = folder / name
    data = cut.encode("iso-8859-1")
    path.write_bytes(gzip.compress(data)[:-30] if name.endswith(".gz") else data)
    index = LocalIndex(tmp_path / f"{name}.sqlite")
    result = index.add_file(path)
    return index, result.diagnostics, path


def test_a_truncated_dump_keeps_the_records_before_the_fault_and_names_the_line(tmp_path: Path) -> None:
    index, diagnostics, _ = _broken(tmp_path, "dblp.xml")
    broken = [d for d in diagnostics if d.code == "index.dblp-broken"]
    assert len(broken) == 1 and broken[0].level == "error"
    # 3 lines of header, 11 lines a record: the 11th record starts on line 114, and is cut on its second
    assert broken[0].line == 3 + 10 * 11 + 2
    assert "10 records before it were kept" in broken[0].message
    assert index.info().records == {DBLP: 10}
    index.close()


def test_a_cut_gzip_stream_keeps_what_it_holds(tmp_path: Path) -> None:
    index, diagnostics, _ = _broken(tmp_path, "dblp.xml.gz")
    broken = [d for d in diagnostics if d.code == "index.dblp-broken"]
    assert len(broken) == 1 and "cut off" in broken[0].message and broken[0].line
    kept = index.info().records.get(DBLP, 0)
    assert 1 <= kept <= 10 and f"{kept} records before it were kept" in broken[0].message
    index.close()


@pytest.mark.parametrize("index_location", BACKENDS, indirect=True)
def test_readding_a_dump_changes_nothing(tmp_path: Path, index_location: str) -> None:
    path = dump(tmp_path / "d", PAPER, VOLUME, JOURNAL)
    with LocalIndex(index_location) as index:
        index.add_file(path)
        again = index.add_file(path)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
        assert index.info().records == {DBLP: 3}


VALID = (HEADER + PAPER + VOLUME + JOURNAL + CORR + PAGE + "</dblp>\n").encode("iso-8859-1")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(st.integers(0, len(VALID)), st.integers(0, 40), st.binary(max_size=12)), max_size=4),
    st.booleans(),
)
def test_the_reader_never_raises_on_mutated_dumps(
    tmp_path: Path, edits: list[tuple[int, int, bytes]], packed: bool
) -> None:
    data = VALID
    for at, cut, insert in edits:
        data = data[:at] + insert + data[at + cut :]
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "dblp.dtd").write_text(DTD)
    path = folder / ("dblp.xml.gz" if packed else "dblp.xml")
    path.write_bytes(gzip.compress(data) if packed else data)
    for item in read_bulk(path):
        assert isinstance(item, (Loaded, Diagnostic))


ACL = r"""@proceedings{emnlp-2021-2021,
    title = "Proceedings of the 2021 Conference on Empirical Methods in Natural Language Processing",
    editor = "Moens, Marie-Francine  and
      Huang, Xuanjing",
    month = nov,
    year = "2021",
    address = "Online and Punta Cana, Dominican Republic",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2021.emnlp-main.0",
}

@inproceedings{wenzek-etal-2021-findings,
    title = "Findings of the {WMT} 2021 Shared Task on Large-Scale Multilingual Machine Translation",
    author = "Wenzek, Guillaume  and
      Chaudhary, Vishrav  and
      Fan, Angela  and
      J{\'e}gou, Herv{\'e}",
    booktitle = "Proceedings of the 2021 Conference on Empirical Methods in Natural Language Processing",
    month = nov,
    year = "2021",
    address = "Online and Punta Cana, Dominican Republic",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2021.emnlp-main.464",
    doi = "10.18653/v1/2021.emnlp-main.464",
    pages = "5747--5757",
    abstract = "We present the results of the shared task.",
}
"""


def test_acl_anthology_gzipped_bibtex_keeps_venues_and_dois(tmp_path: Path) -> None:
    path = tmp_path / "anthology+abstracts.bib.gz"
    path.write_bytes(gzip.compress(ACL.encode("utf-8")))
    result = CliRunner().invoke(main, ["index", "add", "--index", str(tmp_path / "i.sqlite"), str(path)])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    with LocalIndex(tmp_path / "i.sqlite") as index:
        paper = index.lookup_doi("10.18653/V1/2021.EMNLP-MAIN.464")
        volume = next(r for r in index.all_records() if r.type == "book")
    assert paper is not None and paper.type == "paper-conference"
    assert (
        paper.container_title
        == "Proceedings of the 2021 Conference on Empirical Methods in Natural Language Processing"
    )
    assert (paper.page, paper.publisher, paper.year) == (
        "5747-5757",
        "Association for Computational Linguistics",
        2021,
    )
    assert paper.author[-1].display() == "Hervé Jégou"
    assert volume.title.startswith("Proceedings of the 2021 Conference") and volume.editor


def test_a_corrupt_gzip_stream_is_reported_after_the_records_before_it(tmp_path: Path) -> None:
    """Found by the mutation property: bytes that start like gzip but are not, and a JSON Lines
    dump whose compressed stream breaks part-way."""
    fake = tmp_path / "fake.xml"
    fake.write_bytes(b"\x1f\x8bnot gzip at all")
    assert [(d.code, d.file) for d in read_bulk(fake) if isinstance(d, Diagnostic)] == [
        ("index.corrupt-file", "fake.xml")
    ]
    line = (Path(__file__).parents[1] / "seeds" / "metadata" / "arxiv.jsonl").read_bytes().splitlines()[
        0
    ] + b"\n"
    packed = gzip.compress(line * 2000)
    broken = tmp_path / "arxiv.jsonl.gz"
    broken.write_bytes(packed[: len(packed) // 2] + b"\xff" * 64 + packed[len(packed) // 2 :])
    items = list(read_bulk(broken))
    assert isinstance(items[0], Loaded) and items[0].kind == "arxiv"
    assert isinstance(items[-1], Diagnostic) and items[-1].code == "index.corrupt-file"
