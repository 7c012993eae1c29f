"""Merging records of one paper across inputs, and only those."""

from __future__ import annotations

import random

from metadata import arxiv, crossref

from citekit.dedupe import cluster, merge_cluster
from citekit.model import Date, Name, Record


def test_identifiers_join_a_preprint_and_its_published_version() -> None:
    preprint, published = arxiv("1409.4842"), crossref("10.1109/CVPR.2015.7298594")
    preprint.doi = ""  # linked only through the arXiv id once enriched
    published.arxiv_id = "1409.4842"
    assert cluster([preprint, published, arxiv("2310.06825")]) == [[0, 1], [2]]
    merged = merge_cluster([preprint, published])
    assert merged.container_title == published.container_title and merged.arxiv_id == "1409.4842"
    assert merged.abstract == preprint.abstract  # filled from the preprint


def test_fuzzy_duplicates_need_title_first_author_and_close_years() -> None:
    a = Record(title="Mistral 7B", author=[Name(family="Jiang", given="A.")], issued=Date((2023,)))
    typo = Record(title="Mistral 7b.", author=[Name(family="Jiang", given="Albert Q.")], issued=Date((2024,)))
    other_author = Record(title="Mistral 7B", author=[Name(family="Doe")], issued=Date((2023,)))
    far_year = Record(title="Mistral 7B", author=[Name(family="Jiang")], issued=Date((2019,)))
    twin = Record(title="Mixtral 7B", author=[Name(family="Jiang")], issued=Date((2023,)))
    assert cluster([a, typo, other_author, far_year, twin]) == [[0, 1], [2], [3], [4]]


def test_abstract_only_records_merge_on_the_same_abstract() -> None:
    text = arxiv("2401.04088").abstract
    assert cluster(
        [Record(abstract=text), Record(abstract=text + " "), Record(abstract=arxiv("2310.06825").abstract)]
    ) == [[0, 1], [2]]


def test_truncated_authors_are_completed_from_a_duplicate() -> None:
    full = arxiv("2310.06825")
    short = Record(title=full.title, author=full.author[:3], authors_truncated=True, arxiv_id=full.arxiv_id)
    merged = merge_cluster([short, full])
    assert len(merged.author) == len(full.author) and not merged.authors_truncated


def test_clusters_and_merges_do_not_depend_on_input_order() -> None:
    records = [
        arxiv("1409.4842"),
        crossref("10.1109/CVPR.2015.7298594"),
        arxiv("2310.06825"),
        Record(title="Mistral 7B", author=[Name(family="Jiang")], issued=Date((2023,))),
    ]
    records[1].arxiv_id = "1409.4842"
    reference = sorted(merge_cluster([records[i] for i in g]).title for g in cluster(records))
    for seed in range(4):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        merged = [merge_cluster([shuffled[i] for i in g]) for g in cluster(shuffled)]
        assert sorted(m.title for m in merged) == reference
        assert len(merged) == 2
