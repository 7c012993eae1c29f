"""Merge records that describe one paper, across all inputs.

Identifiers first (arXiv id, DOI: a preprint and its published version share the arXiv id once
enriched), then a fuzzy rule for records without a shared identifier: the same title, the same
first author and years at most one apart — or, for abstract-only records, the same abstract.
Clusters are built with union-find, and the result does not depend on input order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from citekit.ids import is_arxiv_doi
from citekit.keys import fingerprint
from citekit.match import normalize_title, score_abstract, score_title, surname_key
from citekit.model import Record


def cluster(records: Sequence[Record]) -> list[list[int]]:
    """Groups of indices into ``records`` that are one paper, each group and the list sorted."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    for indices in _identifier_groups(records).values():
        for other in indices[1:]:
            union(indices[0], other)
    for indices in _blocks(records).values():
        for position, i in enumerate(indices):
            for j in indices[position + 1 :]:
                if find(i) != find(j) and _fuzzy_same(records[i], records[j]):
                    union(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        groups[find(i)].append(i)
    return sorted(groups.values())


def merge_cluster(members: Sequence[Record]) -> Record:
    """One record from several of one paper: the most complete first, gaps filled from the rest."""
    ranked = sorted(sorted(members, key=fingerprint), key=_completeness, reverse=True)
    merged = ranked[0].copy()
    for other in ranked[1:]:
        for name in (
            "title",
            "container_title",
            "volume",
            "issue",
            "page",
            "publisher",
            "doi",
            "url",
            "abstract",
            "arxiv_id",
            "arxiv_class",
            "event_title",
            "note",
            "isbn",
            "issn",
        ):
            if not getattr(merged, name) and getattr(other, name):
                setattr(merged, name, getattr(other, name))
                if name in other.provenance:
                    merged.provenance[name] = other.provenance[name]
        if (merged.authors_truncated or not merged.author) and other.author and not other.authors_truncated:
            merged.author, merged.authors_truncated = list(other.author), False
        if merged.issued is None and other.issued is not None:
            merged.issued = other.issued
        for key, value in other.custom.items():
            merged.custom.setdefault(key, value)
    return merged


def _identifier_groups(records: Sequence[Record]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        if record.arxiv_id:
            groups["arxiv:" + record.arxiv_id].append(i)
        if record.doi and not is_arxiv_doi(record.doi):
            groups["doi:" + record.doi.casefold()].append(i)
    return groups


def _blocks(records: Sequence[Record]) -> dict[str, list[int]]:
    """Cheap blocking so fuzzy comparison stays near-linear: a titled record can only be the same
    as one with its first author (see :func:`_fuzzy_same`), so first author and first title word;
    an untitled one, the start of its abstract."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        words = normalize_title(record.title).split()
        if words and record.author:
            blocks[f"t:{surname_key(record.author[0])}:{words[0]}"].append(i)
        elif not words and record.abstract:
            blocks["a:" + " ".join(normalize_title(record.abstract).split()[:3])].append(i)
    return blocks


def _fuzzy_same(a: Record, b: Record) -> bool:
    if a.title and b.title:
        same_author = bool(a.author and b.author) and surname_key(a.author[0]) == surname_key(b.author[0])
        close_years = a.year is None or b.year is None or abs(a.year - b.year) <= 1
        return same_author and close_years and score_title(a.title, b.title).verdict == "agree"
    return score_abstract(a.abstract, b.abstract).detail.startswith("decisive")


def _completeness(record: Record) -> tuple[int, int, int]:
    published = 1 if record.container_title else 0
    filled = sum(
        1 for name in ("title", "doi", "arxiv_id", "volume", "page", "abstract") if getattr(record, name)
    )
    return published, filled, len(record.author) * (0 if record.authors_truncated else 1)
