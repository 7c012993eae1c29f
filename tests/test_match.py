"""The matcher's decisions on real papers and on their near twins."""

from __future__ import annotations

import pytest

from citekit.match import (
    Policy,
    assess,
    decide,
    is_published_version,
    normalize_title,
    same_work,
    score_authors,
    score_title,
)
from citekit.model import Date, Name, Record
from metadata import all_arxiv, all_crossref, arxiv, crossref


def everything() -> list[tuple[Record, str]]:
    return [(r, "arxiv") for r in all_arxiv()] + [(r, "crossref") for r in all_crossref()]


def profile_entry(arxiv_id: str, shown: int = 3, *, abstract: bool = True) -> Record:
    """What a profile page shows of a paper: title, first names and et al., date, abstract."""
    paper = arxiv(arxiv_id)
    return Record(title=paper.title, author=paper.author[:shown], authors_truncated=len(paper.author) > shown,
                  issued=paper.issued, abstract=paper.abstract if abstract else "")


@pytest.mark.parametrize("arxiv_id", ["2310.06825", "2401.04088", "2507.13264", "2602.11298", "2603.25551",
                                      "2410.09101", "2503.10269", "1409.4842", "2103.17239"])
def test_profile_entries_match_their_own_paper_among_all(arxiv_id: str) -> None:
    decision = decide(profile_entry(arxiv_id), everything())
    assert decision.status == "matched", decision.explain()
    assert decision.best is not None and decision.best.candidate.arxiv_id == arxiv_id


@pytest.mark.parametrize("arxiv_id", ["2310.06825", "2401.04088", "2507.13264", "2602.11298", "2603.25551"])
def test_without_abstract_title_and_authors_still_decide(arxiv_id: str) -> None:
    decision = decide(profile_entry(arxiv_id, abstract=False), everything())
    assert decision.status == "matched"
    assert decision.best is not None and decision.best.candidate.arxiv_id == arxiv_id


@pytest.mark.parametrize(("record_of", "twin"), [
    ("2603.25551", "2507.13264"),  # Voxtral TTS vs Voxtral
    ("2602.11298", "2507.13264"),  # Voxtral Realtime vs Voxtral
    ("2507.13264", "2603.25551"),
    ("2310.06825", "2401.04088"),  # Mistral 7B vs Mixtral
    ("2401.04088", "2310.06825"),
    ("2410.09101", "2503.10269"),  # data taggants: images vs audio
    ("2503.10269", "2410.09101"),
    ("1409.4842", "2103.17239"),   # Going deeper with convolutions / with Image Transformers
])
def test_near_twins_never_match_each_other(record_of: str, twin: str) -> None:
    for abstract in (True, False):
        decision = decide(profile_entry(record_of, abstract=abstract), [(arxiv(twin), "arxiv")])
        assert decision.status == "unmatched", decision.explain()


def test_a_sequel_does_not_match_its_original() -> None:
    original = arxiv("2310.06825")
    sequel = original.copy()
    sequel.title, sequel.arxiv_id, sequel.abstract = "Mistral 7B III", "2999.00001", ""
    entry = Record(title=original.title, author=original.author[:3], authors_truncated=True, issued=original.issued)
    assert decide(entry, [(sequel, "arxiv")]).status == "unmatched"
    scaled = Record(title="Radioactive data: tracing through training at scale", author=arxiv("2002.00937").author,
                    issued=Date((2020,)))
    assert decide(scaled, [(arxiv("2002.00937"), "arxiv")]).status == "unmatched"


def test_abstract_only_record_matches_by_its_abstract() -> None:
    for arxiv_id in ("2401.04088", "2603.25551", "2602.11298", "2602.03899"):
        decision = decide(Record(abstract=arxiv(arxiv_id).abstract), everything())
        assert decision.status == "matched"
        assert decision.best is not None and decision.best.candidate.arxiv_id == arxiv_id


def test_title_typos_and_case_still_agree() -> None:
    assert score_title("Going Deeper with Convlutions", "Going deeper with convolutions").verdict == "agree"
    assert score_title("D{\\'e}j{\\`a} Vu", "Déjà Vu").verdict == "agree"
    assert normalize_title("Déjà Vu: an $\\alpha$-test") == "deja vu an alpha test"


def test_title_changed_between_versions_matches_with_abstract_and_authors() -> None:
    paper = arxiv("2410.09101")
    renamed = Record(title="Data Taggants: Verifying dataset use with targeted poisoning", author=paper.author,
                     issued=paper.issued, abstract=paper.abstract)
    decision = decide(renamed, [(paper, "arxiv")])
    assert decision.status == "matched"
    assert decision.best is not None and "title changed" in decision.best.rule


def test_published_title_differs_but_identifier_decides() -> None:
    published = crossref("10.1109/CVPR.2015.7298594")
    published.title = "Going deeper with convolutions (CVPR version)"
    record = Record(title="Going deeper with convolutions", doi="10.1109/cvpr.2015.7298594")
    decision = decide(record, [(published, "crossref")])
    assert decision.status == "matched" and decision.rule == "accept: shared identifier"


def test_an_identifier_of_another_paper_is_rejected() -> None:
    record = Record(title="Mistral 7B", author=[Name(family="Jiang", given="Albert")], doi="10.1109/CVPR.2015.7298594")
    decision = decide(record, [(crossref("10.1109/CVPR.2015.7298594"), "crossref")])
    assert decision.status == "unmatched"


def test_two_different_papers_equally_good_are_ambiguous() -> None:
    first = arxiv("2310.06825")
    second = first.copy()
    second.arxiv_id, second.doi = "2310.99999", ""
    entry = Record(title=first.title, author=first.author[:2], authors_truncated=True, issued=first.issued)
    decision = decide(entry, [(first, "arxiv"), (second, "arxiv")])
    assert decision.status == "ambiguous"
    assert decision.best is not None and decision.runner_up is not None


def test_versions_of_one_paper_are_not_rivals() -> None:
    preprint, published = arxiv("1409.4842"), crossref("10.1109/CVPR.2015.7298594")
    assert same_work(preprint, published)
    entry = Record(title="Going deeper with convolutions", author=preprint.author[:3], authors_truncated=True,
                   issued=Date((2014,)))
    decision = decide(entry, [(preprint, "arxiv"), (published, "crossref")])
    assert decision.status == "matched"


def test_truncated_author_lists_need_only_their_shown_names() -> None:
    paper = arxiv("2602.11298")
    assert len(paper.author) == 167
    entry = Record(author=paper.author[:3], authors_truncated=True)
    assert score_authors(entry, paper).verdict == "agree"
    stranger = Record(author=[Name(family="Doe", given="Jane"), Name(family="Roe", given="Richard")])
    assert score_authors(stranger, paper).verdict == "disagree"


def test_published_version_needs_title_and_authors() -> None:
    preprint = arxiv("1804.09996")
    venue = Record(type="paper-conference", title=preprint.title, author=preprint.author,
                   container_title="CVPR", issued=Date((2018,)))
    assert is_published_version(preprint, venue)
    other_authors = venue.copy()
    other_authors.author = [Name(family="Doe", given="J.")]
    assert not is_published_version(preprint, other_authors)


def test_every_decision_explains_itself() -> None:
    explained = decide(profile_entry("2310.06825"), everything()).explain()
    assert explained["rule"].startswith("accept")
    best = explained["candidates"][0]
    assert best["arxiv"] == "2310.06825"
    assert {"title", "authors", "year", "abstract"} <= set(best["fields"])
    assert best["fields"]["title"]["verdict"] == "agree"


def test_thresholds_are_policy() -> None:
    entry = profile_entry("2310.06825", abstract=False)
    strict = Policy(min_support=4)
    assert not assess(entry, arxiv("2310.06825"), "arxiv", strict).accepted
    assert assess(entry, arxiv("2310.06825"), "arxiv").accepted
