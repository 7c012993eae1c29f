"""Enrichment against the local index built from the snapshot: what is filled, what is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from citekit.enrich import Enricher, merge
from citekit.match import Candidate
from citekit.model import Date, Name, Origin, Record
from citekit.sources.base import Query
from citekit.sources.local import LocalIndex

METADATA = Path(__file__).resolve().parent.parent / "seeds" / "metadata"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LocalIndex:
    local = LocalIndex(tmp_path_factory.mktemp("index") / "index.sqlite")
    for name in ("arxiv.jsonl", "crossref.jsonl", "proceedings.json"):
        local.add_file(METADATA / name)
    return local


def entry(**fields: object) -> Record:
    return Record(origin=Origin("refs.bib", 1, 3), **fields)  # type: ignore[arg-type]


def test_a_preprint_becomes_its_published_version_and_keeps_its_arxiv_id(index: LocalIndex) -> None:
    preprint = entry(
        title="Going deeper with convolutions",
        arxiv_id="1409.4842",
        author=[Name(family="Szegedy", given="Christian")],
        authors_truncated=True,
    )
    outcome = Enricher([index]).enrich(preprint)
    record = outcome.record
    assert outcome.decision.status == "matched"
    assert record.doi == "10.1109/CVPR.2015.7298594" and record.arxiv_id == "1409.4842"
    assert record.type == "paper-conference" and record.page == "1-9"
    assert record.container_title == "2015 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    assert len(record.author) == 9 and not record.authors_truncated
    assert record.provenance["container_title"] == record.provenance["doi"] != "input"
    assert record.abstract.startswith("We propose a deep convolutional neural network")


class _CountingSource:
    """A venue source that has nothing, and keeps what it is asked."""

    name = "counting"
    holds_preprints = False
    holds_published = True

    def __init__(self) -> None:
        self.asked: list[str] = []

    def lookup_doi(self, doi: str) -> None:
        self.asked.append(f"doi {doi}")

    def lookup_arxiv(self, arxiv_ids: list[str]) -> dict[str, Record]:
        self.asked.append(f"arxiv {arxiv_ids}")
        return {}

    def search(self, query: Query, limit: int = 5) -> list[Record]:
        self.asked.append(f"search {query.title}")
        return []


def test_a_published_version_among_the_candidates_spares_asking_for_it(index: LocalIndex) -> None:
    """The first search finds the preprint and its published version: a source is asked for the
    paper (its arXiv id, its title), not once more for a published version already at hand."""
    counting = _CountingSource()
    preprint = entry(
        title="Going deeper with convolutions",
        arxiv_id="1409.4842",
        author=[Name(family="Szegedy", given="C.")],
    )
    record = Enricher([counting, index]).enrich(preprint).record
    assert record.doi == "10.1109/CVPR.2015.7298594" and record.arxiv_id == "1409.4842"
    assert counting.asked == ["arxiv ['1409.4842']", "search Going deeper with convolutions"]


def test_a_venue_without_doi_is_found_by_title_and_authors(index: LocalIndex) -> None:
    record = (
        Enricher([index])
        .enrich(
            entry(
                title="Spreading vectors for similarity search",
                issued=Date((2018,)),
                author=[Name(family="Sablayrolles", given="Alexandre")],
                authors_truncated=True,
            )
        )
        .record
    )
    assert record.arxiv_id == "1806.03198"
    assert record.container_title.startswith("7th International Conference on Learning Representations")
    assert record.type == "paper-conference" and record.doi == ""


def test_user_values_that_disagree_are_reported_not_silently_replaced(index: LocalIndex) -> None:
    mine = entry(
        title="Going deeper with convolutions",
        doi="10.1109/CVPR.2015.7298594",
        volume="99",
        page="5--10",
        container_title="Proc. CVPR",
        author=[Name(family="Szegedy")],
    )
    outcome = Enricher([index]).enrich(mine)
    conflicts = [d for d in outcome.diagnostics if d.code == "enrich.conflict"]
    assert [d.message.split(":")[0] for d in conflicts] == ["container_title", "page"]
    assert all(d.file == "refs.bib" and d.line == 3 and d.index == 1 for d in conflicts)
    assert outcome.record.container_title.startswith("2015 IEEE Conference") and outcome.record.page == "1-9"
    assert outcome.record.volume == "99" and outcome.record.provenance["volume"] == "input"  # no rival value


def test_what_the_sources_lack_is_kept_from_the_input(index: LocalIndex) -> None:
    mine = entry(
        title="Mistral 7B",
        author=[Name(family="Jiang", given="Albert Q.")],
        authors_truncated=True,
        issued=Date((2023,)),
        note="read this",
        custom={"file": "mistral.pdf"},
    )
    record = Enricher([index]).enrich(mine).record
    assert record.arxiv_id == "2310.06825" and len(record.author) == 18
    assert record.note == "read this" and record.custom["file"] == "mistral.pdf"
    assert record.provenance["note"] == "input"
    assert record.issued == Date((2023, 10, 10))


def test_nothing_is_invented_when_nothing_matches(index: LocalIndex) -> None:
    mine = entry(
        title="A paper nobody wrote about nothing", author=[Name(family="Nobody")], issued=Date((2020,))
    )
    outcome = Enricher([index]).enrich(mine)
    assert outcome.decision.status == "unmatched"
    assert outcome.record == mine and outcome.record is not mine


def test_the_near_twin_of_an_indexed_paper_gets_no_identifier(index: LocalIndex) -> None:
    twin = entry(
        title="Voxtral Large",
        author=[Name(family="Liu", given="Alexander H.")],
        authors_truncated=True,
        issued=Date((2026,)),
    )
    outcome = Enricher([index]).enrich(twin)
    assert outcome.decision.status == "unmatched"
    assert outcome.record.arxiv_id == "" and outcome.record.doi == ""


def test_a_replaced_arxiv_class_is_reported_too(index: LocalIndex) -> None:
    mine = entry(title="Going deeper with convolutions", arxiv_id="1409.4842", arxiv_class="cs.CV")
    outcome = Enricher([index]).enrich(mine)
    conflicts = [d.message for d in outcome.diagnostics if d.code == "enrich.conflict"]
    assert conflicts == [
        "arxiv_class: input has 'cs.CV', the matched record has 'cs.LG'; kept the matched record's value"
    ]


def test_merge_keeps_the_inputs_case_protection_of_the_same_title() -> None:
    """A .bib input's braces (nocase spans) survive enrichment when the source has the same words;
    a source's different title still wins."""
    protected = '<span class="nocase">Delaunay</span> triangulation'
    record = Record(type="article-journal", title=protected, container_title="J")
    same = Record(type="article-journal", title="Delaunay triangulation", container_title="J", volume="3")
    merged, _ = merge(record, [Candidate(same, "crossref")])
    assert (merged.title, merged.volume) == (protected, "3")
    other = Record(type="article-journal", title="Delaunay triangulations", container_title="J")
    assert merge(record, [Candidate(other, "crossref")])[0].title == "Delaunay triangulations"


def test_a_protected_venue_is_no_conflict() -> None:
    """``Proceedings of the {IEEE} Conference`` read from a .bib file is the source's venue in other case."""
    record = Record(
        type="paper-conference",
        title="T",
        container_title='Proceedings of the <span class="nocase">IEEE</span> Conference',
    )
    found = Record(type="paper-conference", title="T", container_title="Proceedings of the IEEE conference")
    _, conflicts = merge(record, [Candidate(found, "crossref")])
    assert conflicts == []
    changed = Record(type="paper-conference", title="T", container_title="Proceedings of the ACM Conference")
    assert [d.code for d in merge(record, [Candidate(changed, "crossref")])[1]] == ["enrich.conflict"]
