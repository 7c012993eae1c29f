"""The matcher's decisions on real papers and on their near twins."""

from __future__ import annotations

from functools import cache

import pytest
from metadata import VOXTRAL_TTS_REWORDED, all_arxiv, all_crossref, arxiv, crossref

from citekit.match import (
    SIMILAR_TITLE,
    TITLE_ALONE,
    IndexStats,
    Policy,
    assess,
    decide,
    is_published_version,
    normalize_title,
    same_work,
    score_authors,
    score_title,
    title_words,
)
from citekit.model import Date, Name, Record


def everything() -> list[tuple[Record, str]]:
    return [(r, "arxiv") for r in all_arxiv()] + [(r, "crossref") for r in all_crossref()]


def profile_entry(arxiv_id: str, shown: int = 3, *, abstract: bool = True) -> Record:
    """What a profile page shows of a paper: title, first names and et al., date, abstract."""
    paper = arxiv(arxiv_id)
    return Record(
        title=paper.title,
        author=paper.author[:shown],
        authors_truncated=len(paper.author) > shown,
        issued=paper.issued,
        abstract=paper.abstract if abstract else "",
    )


@pytest.mark.parametrize(
    "arxiv_id",
    [
        "2310.06825",
        "2401.04088",
        "2507.13264",
        "2602.11298",
        "2603.25551",
        "2410.09101",
        "2503.10269",
        "1409.4842",
        "2103.17239",
    ],
)
def test_profile_entries_match_their_own_paper_among_all(arxiv_id: str) -> None:
    decision = decide(profile_entry(arxiv_id), everything())
    assert decision.status == "matched", decision.explain()
    assert decision.best is not None and decision.best.candidate.arxiv_id == arxiv_id


@pytest.mark.parametrize("arxiv_id", ["2310.06825", "2401.04088", "2507.13264", "2602.11298", "2603.25551"])
def test_without_abstract_title_and_authors_still_decide(arxiv_id: str) -> None:
    decision = decide(profile_entry(arxiv_id, abstract=False), everything())
    assert decision.status == "matched"
    assert decision.best is not None and decision.best.candidate.arxiv_id == arxiv_id


@pytest.mark.parametrize(
    ("record_of", "twin"),
    [
        ("2603.25551", "2507.13264"),  # Voxtral TTS vs Voxtral
        ("2602.11298", "2507.13264"),  # Voxtral Realtime vs Voxtral
        ("2507.13264", "2603.25551"),
        ("2310.06825", "2401.04088"),  # Mistral 7B vs Mixtral
        ("2401.04088", "2310.06825"),
        ("2410.09101", "2503.10269"),  # data taggants: images vs audio
        ("2503.10269", "2410.09101"),
        ("1409.4842", "2103.17239"),  # Going deeper with convolutions / with Image Transformers
    ],
)
def test_near_twins_never_match_each_other(record_of: str, twin: str) -> None:
    for abstract in (True, False):
        decision = decide(profile_entry(record_of, abstract=abstract), [(arxiv(twin), "arxiv")])
        assert decision.status == "unmatched", decision.explain()


def test_a_sequel_does_not_match_its_original() -> None:
    original = arxiv("2310.06825")
    sequel = original.copy()
    sequel.title, sequel.arxiv_id, sequel.abstract = "Mistral 7B III", "2999.00001", ""
    entry = Record(
        title=original.title, author=original.author[:3], authors_truncated=True, issued=original.issued
    )
    assert decide(entry, [(sequel, "arxiv")]).status == "unmatched"
    scaled = Record(
        title="Radioactive data: tracing through training at scale",
        author=arxiv("2002.00937").author,
        issued=Date((2020,)),
    )
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
    renamed = Record(
        title="Data Taggants: Verifying dataset use with targeted poisoning",
        author=paper.author,
        issued=paper.issued,
        abstract=paper.abstract,
    )
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
    record = Record(
        title="Mistral 7B", author=[Name(family="Jiang", given="Albert")], doi="10.1109/CVPR.2015.7298594"
    )
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
    entry = Record(
        title="Going deeper with convolutions",
        author=preprint.author[:3],
        authors_truncated=True,
        issued=Date((2014,)),
    )
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
    venue = Record(
        type="paper-conference",
        title=preprint.title,
        author=preprint.author,
        container_title="CVPR",
        issued=Date((2018,)),
    )
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


# --- rules that lean on the index's statistics ------------------------------------------------


def snapshot_stats(*texts: str, neighbours: tuple[Record, ...] = (), scale: int = 1) -> IndexStats:
    """Statistics as the local index of the snapshot gives them (``scale`` times as many records,
    every word as frequent), counted here over the snapshot's records."""
    papers = snapshot_words()
    words = {w for text in texts for w in title_words(text)}
    documents = {w: scale * sum(w in everywhere for _, everywhere in papers) for w in words}
    titles = {w: scale * sum(w in title for title, _ in papers) for w in words}
    return IndexStats(scale * len(papers), documents, titles, neighbours)


@cache
def snapshot_words() -> list[tuple[frozenset[str], frozenset[str]]]:
    """Each snapshot record's title words and all its words."""
    return [
        (frozenset(title_words(r.title)), frozenset(title_words(f"{r.title} {r.abstract}")))
        for r, _ in everything()
    ]


HNSW = (
    "Efficient and robust approximate nearest neighbor search using Hierarchical Navigable Small World graphs"
)


def test_a_title_alone_matches_when_exact_distinctive_and_without_near_twin() -> None:
    record = Record(title=HNSW.upper())
    versions = [(arxiv("1603.09320"), "local"), (crossref("10.1109/TPAMI.2018.2889473"), "local")]
    stats = snapshot_stats(HNSW, neighbours=tuple(r for r, _ in versions), scale=10_000)
    decision = decide(record, versions, stats=stats)
    assert decision.status == "matched" and decision.rule == TITLE_ALONE
    assert decision.best is not None and decision.best.candidate.doi.lower() == "10.1109/tpami.2018.2889473"


@pytest.mark.parametrize(
    ("title", "twin", "why"),
    [
        (HNSW, HNSW + " 2", "near twin"),  # its sequel is indexed too
        (HNSW, HNSW + " (Workshop Version)", "near twin"),
        (HNSW, HNSW.replace("graphs", "networks"), "near twin"),  # one word apart
        (
            "Efficient and robust approximate nearest neighbor search using Hierarchical Navigable Small World graph",
            None,
            "1 agreeing field",
        ),  # not exact: a typo is not the title
    ],
)
def test_a_title_alone_is_rejected_beside_a_near_twin_or_when_not_exact(
    title: str, twin: str | None, why: str
) -> None:
    paper = arxiv("1603.09320")
    neighbours = (paper,) if twin is None else (paper, Record(title=twin, arxiv_id="2999.00002"))
    decision = decide(
        Record(title=title),
        [(paper, "local")],
        stats=snapshot_stats(title, neighbours=neighbours, scale=10_000),
    )
    assert decision.status == "unmatched"
    assert why in decision.assessed[0].rule


def test_a_title_alone_must_be_distinctive_by_the_index_statistics() -> None:
    paper = arxiv("1603.09320")
    common = IndexStats(1_000_000, titles=dict.fromkeys(title_words(HNSW), 500000), neighbours=(paper,))
    assert decide(Record(title=HNSW), [(paper, "local")], stats=common).status == "unmatched"
    assert decide(Record(title=HNSW), [(paper, "local")]).status == "unmatched"  # no statistics, no rule
    short = arxiv("2603.25551")  # "Voxtral TTS": rare words, but two of them
    rare = IndexStats(1_000_000, titles={"voxtral": 3, "tts": 40}, neighbours=(short,))
    assert decide(Record(title=short.title), [(short, "local")], stats=rare).status == "unmatched"


def test_a_title_alone_is_not_enough_when_another_field_disagrees() -> None:
    paper = arxiv("1603.09320")
    record = Record(title=HNSW, author=[Name(family="Doe", given="Jane")])
    stats = snapshot_stats(HNSW, neighbours=(paper,), scale=10_000)
    assert decide(record, [(paper, "local")], stats=stats).status == "unmatched"


RECONCILING = "2207.12779"  # "Reconciling Security and Communication Efficiency in Federated Learning"
OLDER = "Reconciling Privacy and Communication Efficiency in Federated Learning"


def test_a_similar_title_matches_with_every_author_and_the_year() -> None:
    paper = arxiv(RECONCILING)
    record = Record(title=OLDER, author=paper.author, issued=Date((2022,)))
    decision = decide(record, everything())
    assert decision.status == "matched" and decision.rule == SIMILAR_TITLE
    assert decision.best is not None and decision.best.candidate.arxiv_id == RECONCILING
    first_three = Record(title=OLDER, author=paper.author[:3], authors_truncated=True, issued=Date((2022,)))
    assert decide(first_three, everything()).status == "matched"


@pytest.mark.parametrize(
    "change", ["two authors", "order", "year", "sequel", "roman sequel", "extension", "rival"]
)
def test_a_similar_title_is_rejected_without_strong_evidence(change: str) -> None:
    paper = arxiv(RECONCILING)
    record = Record(title=OLDER, author=paper.author, issued=Date((2022,)))
    candidates = [(paper, "arxiv")]
    if change == "two authors":
        record.author, record.authors_truncated = paper.author[:2], True
    elif change == "order":
        record.author = [paper.author[1], paper.author[0], *paper.author[2:]]
    elif change == "year":
        record.issued = Date((2025,))
    elif change == "sequel":
        record.title = OLDER + " 2"
    elif change == "roman sequel":
        record.title = OLDER + " II"
    elif change == "extension":  # words added, none replaced: another paper, as "Voxtral" and "Voxtral TTS"
        record.title = paper.title + " at Scale"
    else:  # another paper of the same authors comes as close
        rival = paper.copy()
        rival.arxiv_id, rival.title = (
            "2999.00003",
            "Reconciling Utility and Communication Efficiency in Federated Learning",
        )
        candidates.append((rival, "arxiv"))
    decision = decide(record, candidates)
    assert decision.status == "unmatched", decision.explain()


VOXTRAL_TEMPLATE = (
    "We introduce Voxtral Translate, a multilingual speech-to-speech translation model that renders lectures "
    "in twelve target languages with under one second of delay. Voxtral Translate adopts a cascaded design "
    "that combines a streaming recognizer with a compact text decoder distilled from a larger teacher. In human "
    "evaluations conducted by native speakers, Voxtral Translate is preferred for its fluency and adequacy over "
    "commercial systems. We release the model weights under a CC BY-NC license."
)


@pytest.mark.parametrize("with_stats", [False, True])
def test_another_version_or_part_of_an_abstract_identifies_the_paper(with_stats: bool) -> None:
    taggants = arxiv("2410.09101").abstract
    first_sentences = " ".join(taggants.split(". ")[:2]) + "."
    for abstract, expected in ((VOXTRAL_TTS_REWORDED, "2603.25551"), (first_sentences, "2410.09101")):
        stats = snapshot_stats(abstract) if with_stats else None
        decision = decide(Record(abstract=abstract), everything(), stats=stats)
        assert decision.status == "matched", decision.explain()
        assert decision.best is not None and decision.best.candidate.arxiv_id == expected


@pytest.mark.parametrize("with_stats", [False, True])
def test_abstracts_written_to_one_template_or_sharing_a_sentence_do_not_identify(with_stats: bool) -> None:
    for abstract in (
        VOXTRAL_TEMPLATE,
        "Our models are released under the Apache 2.0 license.",
        arxiv("2602.11298").abstract,
    ):  # Voxtral Realtime against Voxtral TTS and Voxtral
        stats = snapshot_stats(abstract) if with_stats else None
        candidates = [(arxiv(i), "arxiv") for i in ("2603.25551", "2507.13264", "2310.06825", "2601.08584")]
        decision = decide(Record(abstract=abstract), candidates, stats=stats)
        assert decision.status == "unmatched", decision.explain()
        tts = next(a for a in decision.assessed if a.candidate.arxiv_id == "2603.25551")
        assert tts.fields["abstract"].verdict != "agree"


@pytest.mark.parametrize(
    ("record_of", "twin"),
    [
        ("2603.25551", "2507.13264"),
        ("2602.11298", "2507.13264"),
        ("2507.13264", "2603.25551"),
        ("2310.06825", "2401.04088"),
        ("2401.04088", "2310.06825"),
        ("2410.09101", "2503.10269"),
        ("2503.10269", "2410.09101"),
        ("1409.4842", "2103.17239"),
    ],
)
def test_near_twins_never_match_each_other_with_the_index_statistics_either(
    record_of: str, twin: str
) -> None:
    for abstract in (True, False):
        entry = profile_entry(record_of, abstract=abstract)
        stats = snapshot_stats(entry.title, entry.abstract, neighbours=(arxiv(twin),))
        assert decide(entry, [(arxiv(twin), "arxiv")], stats=stats).status == "unmatched"
        alone = Record(title=entry.title)
        assert (
            decide(alone, [(arxiv(twin), "arxiv")], stats=snapshot_stats(alone.title, scale=10_000)).status
            == "unmatched"
        )


def test_versions_linked_by_a_dblp_key_are_one_paper_and_no_near_twins() -> None:
    paper = arxiv("1603.09320")
    paper.doi = ""
    paper.custom["dblp"] = "journals/pami/MalkovY20"
    older = Record(title=HNSW.replace("graphs", "networks"), custom={"dblp": "journals/pami/MalkovY20"})
    assert same_work(paper, older) and not same_work(
        paper, Record(title=older.title, custom={"dblp": "x/y/Z"})
    )
    stats = snapshot_stats(HNSW, neighbours=(paper, older), scale=10_000)
    assert decide(Record(title=HNSW), [(paper, "local"), (older, "local")], stats=stats).status == "matched"
