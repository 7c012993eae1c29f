"""Find each record's paper in the sources, validate it, and fill in what the record lacks.

For every record: identifiers are looked up first, then each source is searched with what the
record has; :func:`citekit.match.decide` validates the candidates. A matched preprint is
followed to its published version (the DOI arXiv names, or a venue record with the same title
and authors). The record is then merged field by field with a stated priority — published
version, then the arXiv record, then the input — keeping per-field provenance and reporting
every input value that a source contradicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ParamSpec, Protocol, TypeGuard, TypeVar

from citekit import decisions as user
from citekit.brief import brief
from citekit.diagnostics import Diagnostic
from citekit.ids import is_arxiv_doi
from citekit.match import (
    DEFAULT_POLICY,
    Candidate,
    Decision,
    IndexStats,
    Policy,
    assess,
    decide,
    is_published_version,
    one_paper,
    score_title,
    title_words,
)
from citekit.model import CSL_FIELDS, Record
from citekit.sources.base import Prefetching, Query, Source, SourceError
from citekit.text import plain_text
from citekit.venues import add_short_forms

# Fields merged by priority; the rest (authors, dates, identifiers) have rules of their own.
MERGED_FIELDS: tuple[str, ...] = (*CSL_FIELDS, "arxiv_class")
# Fields whose disagreement with the input is worth reporting (others are formatting).
CHECKED_FIELDS = ("title", "container_title", "volume", "issue", "page", "doi", "arxiv_id", "arxiv_class")
NEIGHBOURS = 10
"""Titles of the index nearest a lone title that are checked for near twins."""
SENTENCE_SEARCHES = 3
"""Sentences of an unmatched abstract searched on their own."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Index(Source, Protocol):
    """A source that also knows its words' statistics: the local index."""

    def document_counts(self, words: list[str], *, titles: bool = False) -> tuple[int, dict[str, int]]: ...


def _is_index(source: Source) -> TypeGuard[_Index]:
    return hasattr(source, "document_counts")


@dataclass(slots=True)
class Outcome:
    """What became of one record."""

    record: Record
    """The enriched record (the input's copy when nothing matched)."""
    decision: Decision
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class Matched:
    """A record with its candidates and the decision on them, waiting to be completed."""

    record: Record
    candidates: list[Candidate]
    decision: Decision
    outcome: Outcome | None = None
    """Already settled (by a person's decision): nothing left to complete."""


@dataclass(slots=True)
class Enricher:
    sources: Sequence[Source]
    policy: Policy = DEFAULT_POLICY
    search_limit: int = 5
    on_source_error: Callable[[SourceError], None] = lambda error: None
    """Called when a source fails; the run carries on with the others (and the cache)."""
    decisions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """A person's decisions by record fingerprint (:mod:`citekit.decisions`): they overrule the matcher."""

    def enrich(self, record: Record) -> Outcome:
        return self.complete(self.match(record))

    def match(self, record: Record) -> Matched:
        """The first half of :meth:`enrich`: the candidates, and which one is the record's paper
        (a person's decision, when there is one, settles the whole record here)."""
        decided = self.decisions.get(user.fingerprint(record)) if self.decisions else None
        if decided is not None:
            outcome = self.decided(record, decided["choice"])
            return Matched(record, [], outcome.decision, outcome)
        candidates = self.candidates(record)
        stats = self.statistics(record)
        decision = decide(record, candidates, self.policy, stats)
        if decision.status == "unmatched" and (more := self.more_candidates(record)):
            candidates = _unique([*candidates, *more])
            decision = decide(record, candidates, self.policy, stats)
        return Matched(record, candidates, decision)

    def complete(self, matched: Matched) -> Outcome:
        """The second half: the matched paper's versions, merged into the record."""
        if matched.outcome is not None:
            return matched.outcome
        record, candidates, decision = matched.record, matched.candidates, matched.decision
        if decision.status != "matched" or decision.best is None:
            return Outcome(record.copy(), decision)
        versions = self.versions_of(decision.best.candidate, decision.best.source, candidates)
        merged, diagnostics = merge(record, versions)
        return Outcome(merged, decision, diagnostics)

    def decided(self, record: Record, choice: str) -> Outcome:
        """The record matched to the candidate a person chose (looked up again in the sources), or
        unmatched without a search when they chose none; a choice no source has is reported."""
        if choice == user.NONE:
            return Outcome(record.copy(), Decision("unmatched", user.USER_RULE))
        chosen = self._chosen(record, choice)
        if chosen is None:
            where = record.origin
            note = Diagnostic(
                "warning",
                "review.choice-not-found",
                f"the decision names {choice}, which no source has now; the record is kept as read",
                file=where.file if where else "",
                line=where.line if where else None,
                index=where.index if where else None,
            )
            return Outcome(record.copy(), Decision("unmatched", user.USER_RULE), [note])
        assessment = assess(record, *chosen, self.policy)
        merged, diagnostics = merge(record, self.versions_of(*chosen, [chosen]))
        decision = Decision("matched", user.USER_RULE, assessment, assessed=[assessment])
        return Outcome(merged, decision, diagnostics)

    def _chosen(self, record: Record, choice: str) -> Candidate | None:
        """The chosen candidate: by identifier when the choice is a DOI or an arXiv id, else among
        the candidates a search finds (dblp keys and titles: no source looks them up)."""
        kind, _, value = choice.partition(":")
        found: list[Candidate] = []
        for source in self.sources:
            if kind == "doi":
                found += [Candidate(r, source.name) for r in self._by_doi(source, value)]
            elif kind == "arxiv":
                found += [
                    Candidate(r, source.name)
                    for r in (self._ask(source.lookup_arxiv, [value]) or {}).values()
                ]
        found = found or self.candidates(record)
        return next((c for c in found if user.identifies(choice, brief(c.record))), None)

    def prefetch(self, records: Sequence[Record]) -> None:
        """Lets sources that answer many identifiers a request (arXiv, Semantic Scholar) do so before
        the run asks record by record; a source that fails here is asked again then."""
        self._prefetch([record.arxiv_id for record in records if record.arxiv_id], self.sources)

    def prefetch_versions(self, matches: Sequence[Matched]) -> None:
        """Between :meth:`match` and :meth:`complete`: the arXiv ids of the matched preprints, asked
        at once of the sources that batch lookups of published versions (Semantic Scholar)."""
        best = [m.decision.best for m in matches if m.outcome is None and m.decision.status == "matched"]
        arxiv_ids = [a.candidate.arxiv_id for a in best if a and a.candidate.arxiv_id]
        self._prefetch(arxiv_ids, [source for source in self.sources if source.holds_published])

    def _prefetch(self, arxiv_ids: list[str], sources: Sequence[Source]) -> None:
        for source in sources:
            if isinstance(source, Prefetching) and arxiv_ids:
                self._ask(source.prefetch, arxiv_ids)

    def candidates(self, record: Record) -> list[Candidate]:
        """Every candidate the sources offer, without repeats: identifiers first, then searches.
        Costly sources (rate-limited, budgeted) are asked each only when the others have not
        matched the record yet."""
        cheap = [source for source in self.sources if not _costly(source)]
        costly = [source for source in self.sources if _costly(source)]
        query = query_for(record)
        found = self._lookups(record, cheap)
        if costly and not self._matched(record, found):
            found += self._lookups(record, costly)
        if not (query.title or query.abstract):
            return _unique(found)
        for source in cheap:
            found += self._search(source, query)
        if costly and query.title and not self._matched(record, found):
            for source in costly:
                found += self._search(source, query)
        return _unique(found)

    def _lookups(self, record: Record, sources: Sequence[Source]) -> list[Candidate]:
        found: list[Candidate] = []
        for source in sources:
            if record.doi and not is_arxiv_doi(record.doi):
                found.extend(Candidate(r, source.name) for r in self._by_doi(source, record.doi))
            if record.arxiv_id:
                by_id = self._ask(source.lookup_arxiv, [record.arxiv_id]) or {}
                found.extend(Candidate(r, source.name) for r in by_id.values())
        return found

    def _matched(self, record: Record, found: list[Candidate]) -> bool:
        return bool(found) and decide(record, _unique(found), self.policy).status == "matched"

    def more_candidates(self, record: Record) -> list[Candidate]:
        """Local searches for what the first ones may miss. A title that differs from today's in
        a word (an older one) blocks the search on that word when it is among its rarest: the
        title is searched again without each of its two rarest words, with its first authors. An
        abstract of another version has sentences of its own, whose words lead a search of the
        whole astray: its longest sentences are searched one by one."""
        found: list[Candidate] = []
        for index in filter(_is_index, self.sources):
            queries: list[Query] = []
            if record.title and record.author:
                authors = tuple(n.surname for n in record.author[:3] if n.surname)
                words = title_words(record.title)
                _, counts = self._ask(index.document_counts, words) or (0, {})
                known = sorted({w for w in words if counts.get(w)}, key=counts.__getitem__)
                queries += [
                    Query(title=" ".join(w for w in words if w != dropped), authors=authors, year=record.year)
                    for dropped in known[:2]
                ]
            if record.abstract and not record.title:
                longest = sorted(_SENTENCE_END.split(record.abstract), key=len, reverse=True)[
                    :SENTENCE_SEARCHES
                ]
                queries += [Query(abstract=sentence) for sentence in longest if sentence.strip()]
            for query in queries:
                found.extend(
                    Candidate(r, index.name) for r in self._ask(index.search, query, self.search_limit) or []
                )
        return found

    def statistics(self, record: Record) -> IndexStats | None:
        """What the local index knows of the record's words, when a rule needs it: how many of its
        records hold each word of the abstract; for a title alone, how many titles hold each of its
        words, and the titles nearest it."""
        index = next(filter(_is_index, self.sources), None)
        alone = bool(record.title) and not record.author and not record.abstract
        if index is None or not (alone or record.abstract):
            return None
        words = sorted(set(title_words(record.title if alone else record.abstract)))
        counted = self._ask(index.document_counts, words, titles=alone)
        if counted is None:
            return None
        total, counts = counted
        if not alone:
            return IndexStats(total, counts)
        neighbours = self._ask(index.search, Query(title=record.title), NEIGHBOURS) or []
        return IndexStats(total, titles=counts, neighbours=tuple(neighbours))

    def versions_of(self, match: Record, source: str, candidates: Sequence[Candidate]) -> list[Candidate]:
        """The matched paper's versions, published first: [(published, src)?, (arXiv, src)?]."""
        preprint = match if match.arxiv_id and not match.container_title else None
        published = match if match.container_title else None
        if preprint is not None and published is None:
            published_pair = self._published_version(preprint, candidates) or self._published_version(
                preprint, self._published_candidates(preprint)
            )  # the sources are asked only when the candidates at hand hold none
            return ([published_pair] if published_pair else []) + [Candidate(preprint, source)]
        if published is None:  # neither a preprint nor in a venue: a book, a report
            return [Candidate(match, source)]
        arxiv_pair = next((c for c in candidates if _is_preprint_of(c.record, published, self.policy)), None)
        arxiv_pair = arxiv_pair or self._preprint_of(published)
        return [Candidate(published, source)] + ([arxiv_pair] if arxiv_pair else [])

    def _published_version(self, preprint: Record, pool: Sequence[Candidate]) -> Candidate | None:
        return next((c for c in pool if is_published_version(preprint, c.record, self.policy)), None)

    def _published_candidates(self, preprint: Record) -> list[Candidate]:
        """Venue records that may be ``preprint``'s published version: looked up by identifier,
        source after source until one has it; else searched for, cheap searches before costly ones,
        until one finds it."""
        found: list[Candidate] = []
        holders = [source for source in self.sources if source.holds_published]
        for source in holders:
            if any(is_published_version(preprint, r, self.policy) for r, _ in found):
                return found
            if preprint.doi and not is_arxiv_doi(preprint.doi):
                found.extend(
                    Candidate(r, source.name) for r in self._by_doi(source, preprint.doi) if r.container_title
                )
            by_id = self._ask(source.lookup_arxiv, [preprint.arxiv_id]) or {}
            found.extend(Candidate(r, source.name) for r in by_id.values() if r.container_title)
        query = Query(
            title=preprint.title, authors=tuple(n.surname for n in preprint.author[:3]), year=preprint.year
        )
        for costly in (False, True):
            for source in (s for s in holders if _costly(s) == costly):
                if costly and any(is_published_version(preprint, r, self.policy) for r, _ in found):
                    return found
                found += [c for c in self._search(source, query) if c.record.container_title]
        return found

    def _search(self, source: Source, query: Query) -> list[Candidate]:
        return [Candidate(r, source.name) for r in self._ask(source.search, query, self.search_limit) or []]

    def _preprint_of(self, published: Record) -> Candidate | None:
        """The arXiv record of a published paper, if a source has it."""
        query = Query(title=published.title, authors=tuple(n.surname for n in published.author[:3]))
        for source in (s for s in self.sources if s.holds_preprints):
            for candidate in self._ask(source.search, query, self.search_limit) or []:
                if _is_preprint_of(candidate, published, self.policy):
                    return Candidate(candidate, source.name)
        return None

    def _ask(self, method: Callable[_P, _R], *args: _P.args, **options: _P.kwargs) -> _R | None:
        """What ``method`` answers, or ``None`` when its source fails (reported, and the run goes on)."""
        try:
            return method(*args, **options)
        except SourceError as error:
            self.on_source_error(error)
            return None

    def _by_doi(self, source: Source, doi: str) -> list[Record]:
        found = self._ask(source.lookup_doi, doi)
        return [found] if found is not None else []


def _costly(source: Source) -> bool:
    """Requests that cost a rate-limited slot (dblp: one every 2 s) or a daily budget (OpenAlex)."""
    return bool(getattr(source, "costly", False))


def _is_preprint_of(candidate: Record, published: Record, policy: Policy) -> bool:
    return (
        bool(candidate.arxiv_id) and not candidate.container_title and one_paper(candidate, published, policy)
    )


def query_for(record: Record) -> Query:
    return Query(
        title=record.title,
        authors=tuple(n.surname for n in record.author if n.surname),
        year=record.year,
        venue=record.container_title,
        abstract=record.abstract,
    )


def merge(record: Record, versions: Sequence[Candidate]) -> tuple[Record, list[Diagnostic]]:
    """The input completed from its paper's versions (best first), with provenance and conflicts."""
    merged = record.copy()
    layers = [*versions, Candidate(record, "input")]
    for name in MERGED_FIELDS:
        value, origin = next(((getattr(r, name), src) for r, src in layers if getattr(r, name)), ("", ""))
        if name == "abstract" and record.abstract:
            value, origin = record.abstract, "input"
        elif value and value != getattr(record, name) and plain_text(getattr(record, name)) == value:
            value = getattr(record, name)  # the same text, with the input's case protection
        _set(merged, name, value, origin)
    best = versions[0][0] if versions else record
    merged.type = best.type
    merged.issued = best.issued or record.issued
    merged.provenance["issued"] = versions[0][1] if versions and best.issued else "input"
    authors_from = next(((r, s) for r, s in layers if r.author and not r.authors_truncated), None)
    if authors_from:
        merged.author, merged.authors_truncated = list(authors_from[0].author), False
        merged.provenance["author"] = authors_from[1]
    arxiv = next((r for r, _ in layers if r.arxiv_id), None)
    if arxiv:
        merged.arxiv_id, merged.arxiv_version = arxiv.arxiv_id, arxiv.arxiv_version or record.arxiv_version
    if merged.container_title and merged.publisher == "arXiv":
        _set(
            merged,
            "publisher",
            next((r.publisher for r, _ in versions if r.container_title), ""),
            versions[0][1],
        )
    if merged.number == f"arXiv:{merged.arxiv_id}" and merged.container_title:
        merged.number = ""
    for extra, _ in reversed(layers):
        merged.custom.update({k: v for k, v in extra.custom.items() if k not in merged.custom})
    add_short_forms(merged)
    return merged, _conflicts(record, merged)


def _set(record: Record, name: str, value: str, origin: str) -> None:
    setattr(record, name, value)
    if value:
        record.provenance[name] = origin
    else:
        record.provenance.pop(name, None)


def _conflicts(record: Record, found: Record) -> list[Diagnostic]:
    """Input values the merge replaced with a source's: replaced, but never silently."""
    notes = []
    for name in CHECKED_FIELDS:
        mine, theirs = plain_text(getattr(record, name)), plain_text(getattr(found, name))
        if not mine or not theirs or _equivalent(name, mine, theirs):
            continue
        notes.append(
            Diagnostic(
                "warning",
                "enrich.conflict",
                f"{name}: input has {mine!r}, the matched record has {theirs!r}; "
                "kept the matched record's value",
                index=record.origin.index if record.origin else None,
                file=record.origin.file if record.origin else "",
                line=record.origin.line if record.origin else None,
            )
        )
    return notes


def _equivalent(name: str, mine: str, theirs: str) -> bool:
    if name == "title":
        return score_title(mine, theirs).verdict == "agree"
    if name == "doi":
        return mine.casefold() == theirs.casefold() or is_arxiv_doi(mine)
    if name == "page":
        return mine.replace("--", "-").split("-")[0] == theirs.split("-")[0]
    return mine.strip().casefold() == theirs.strip().casefold()


def _unique(pairs: Iterable[Candidate]) -> list[Candidate]:
    seen: set[tuple[str, str, bool, str]] = set()
    unique = []
    for record, source in pairs:
        identity = (
            record.arxiv_id,
            record.doi.casefold(),
            bool(record.container_title),
            record.title if not (record.arxiv_id or record.doi) else "",
        )
        if identity not in seen:
            seen.add(identity)
            unique.append(Candidate(record, source))
    return unique
