"""Deciding whether a candidate is the paper a record describes: pure scoring, no I/O.

A wrong identifier is worse than none, so a candidate is accepted only when several independent
fields agree and none contradicts (the shape of Crossref's search-based matching with validation
and of biblio-glutton's post-validation). Every field gets a score and a verdict, and the
:class:`Decision` says which rule decided, so the report can explain every match.

Near twins (``Voxtral`` / ``Voxtral TTS`` / ``Voxtral Realtime``, a paper and its ``III`` sequel)
differ by whole title words; those words are a contradiction, not a typo, unless the abstract and
the authors both say it is the same paper (a title changed between arXiv versions).

Three rules lean on what the local index knows (:class:`IndexStats`, gathered by the caller, so
this module stays pure): a title alone identifies a paper when it is exact, made of words rare in
the index, and no other title of the index comes near it; a similar title identifies it when the
authors and the year agree strongly and no other paper of those authors comes as close; abstracts
are compared by the rare word sequences they share (shingles), so a reworded or partial abstract
of one paper agrees while two papers written to one template do not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from rapidfuzz import fuzz

from citekit.brief import brief
from citekit.ids import find_dblp_key, is_arxiv_doi, same_doi
from citekit.model import Name, Record
from citekit.text import fold, latex_to_unicode, strip_markup
from citekit.venues import same_venue

Verdict = Literal["agree", "disagree", "neutral", "absent"]
Status = Literal["matched", "ambiguous", "unmatched"]

_STOP_WORDS = frozenset("a an the of on in at to for and or with via by from is are".split())
_NON_WORD = re.compile(r"[^a-z0-9]+")
_MATH = re.compile(r"\$[^$]*\$")


@dataclass(frozen=True, slots=True)
class Policy:
    """The named thresholds every decision is made with."""

    title_same: float = 0.90
    """Normalised title similarity at which two titles are the same (typos allowed)."""
    title_different: float = 0.60
    """Below this, titles contradict each other."""
    word_typo: float = 0.80
    """A title word that differs by less than this is a typo, not another word."""
    authors_agree: float = 0.75
    """Share of the record's (shown) authors found in the candidate."""
    authors_disagree: float = 0.40
    abstract_shingle: int = 4
    """Words in a shingle: the word sequences two abstracts are compared by."""
    abstract_same: float = 0.25
    """Share of the shorter abstract's rare shingles the other has, at which two abstracts agree
    (a reworded published abstract keeps more; two different papers of one group share < 0.15)."""
    abstract_rare_words: float = 0.50
    """Share of one abstract's rare words the other has, also needed to agree: papers written to
    one template share phrasing but not the words that name what they are about."""
    abstract_different: float = 0.05
    """Below this share of shingles, two abstracts of some length are of different papers."""
    abstract_min_rare: int = 3
    """Rare shingles both abstracts must share to agree at all ..."""
    abstract_min_shingles: int = 12
    """... and shingles of any words (a sentence of 15 words has 12)."""
    abstract_decisive_shingles: int = 20
    """Shared shingles that identify a paper on their own (abstract-only records), the other
    conditions of agreement met: some 25 words in the same order."""
    rare_share: float = 0.002
    """A word is rare when at most this share of the index's records hold it ..."""
    rare_floor: int = 3
    """... or at most this many (a small index)."""
    title_alone_words: int = 3
    """Content words a title needs to identify a paper on its own."""
    title_alone_chance: float = 0.1
    """Titles of the index expected to hold all of a lone title's words by chance, at most."""
    twin_title: float = 0.90
    """Title similarity at which another title of the index is a near twin of the record's (a
    typo apart; titles a word or two apart by other words are other papers')."""
    twin_extra_words: int = 2
    """Words that one title may add to another and still be its near twin."""
    similar_title_shared: float = 0.5
    """Share of each title's content words the other must have for the similar-title rule."""
    similar_title_margin: float = 0.10
    """Another paper of the same authors whose title is within this similarity of the record's
    comes as close: the similar-title rule then decides nothing."""
    year_agree: int = 1
    """arXiv year vs venue year."""
    year_disagree: int = 4
    """Preprints can precede their journal version by years; beyond this, another paper."""
    venue_agree: float = 0.80
    min_support: int = 2
    min_margin: float = 0.10
    """Two acceptable candidates for different papers closer than this are ambiguous."""


DEFAULT_POLICY = Policy()


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What the local index knows that a decision may lean on, gathered by the caller.

    ``documents`` maps words (as :func:`title_words` gives them) to the number of the index's
    records that hold them, for the words of the record's abstract; a word not in it is not known
    to be rare. ``titles`` counts, for the words of a lone title, the titles that hold
    them, and ``neighbours`` are the index's records whose titles come closest to it (both empty
    when nobody looked).
    """

    total: int
    documents: Mapping[str, int] = field(default_factory=dict)
    titles: Mapping[str, int] = field(default_factory=dict)
    neighbours: tuple[Record, ...] = ()

    def rare(self, word: str, policy: Policy = DEFAULT_POLICY) -> bool:
        count = self.documents.get(word)
        return count is not None and count <= max(policy.rare_floor, policy.rare_share * self.total)

    def chance(self, words: Sequence[str], counts: Mapping[str, int]) -> float:
        """Records expected to hold all these words if words fell independently: the index's size
        times each word's share of it by ``counts`` (an unknown word counts as in every record)."""
        expected = float(self.total)
        for word in dict.fromkeys(words):
            count = counts.get(word, self.total)
            expected *= max(count, 1) / self.total if self.total else 1.0
        return expected


@dataclass(slots=True)
class FieldScore:
    score: float | None
    verdict: Verdict
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"verdict": self.verdict}
        if self.score is not None:
            data["score"] = round(self.score, 3)
        if self.detail:
            data["detail"] = self.detail
        return data


@dataclass(slots=True)
class Assessment:
    """One candidate judged against one record."""

    candidate: Record
    source: str
    fields: dict[str, FieldScore]
    support: int
    contradictions: list[str]
    score: float
    accepted: bool
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            **brief(self.candidate),
            "score": round(self.score, 3),
            "support": self.support,
            "accepted": self.accepted,
            "rule": self.rule,
            "contradictions": self.contradictions,
            "fields": {name: f.as_dict() for name, f in self.fields.items()},
        }


@dataclass(slots=True)
class Decision:
    status: Status
    rule: str
    best: Assessment | None = None
    runner_up: Assessment | None = None
    assessed: list[Assessment] = field(default_factory=list)

    def explain(self, limit: int = 5) -> dict[str, Any]:
        return {
            "status": self.status,
            "rule": self.rule,
            "candidates": [a.as_dict() for a in self.assessed[:limit]],
        }


# --- normalisation -------------------------------------------------------------------------


def title_words(text: str) -> list[str]:
    """Lower-case ASCII words of a title, math kept as its letters (``$k$-NN`` → ``k nn``)."""
    if "\\" in text:
        text = latex_to_unicode(text)
    text = _MATH.sub(lambda m: " " + m.group(0).strip("$") + " ", strip_markup(text))
    return [w for w in _NON_WORD.split(fold(text).lower()) if w]


def normalize_title(text: str) -> str:
    return " ".join(title_words(text))


def surname_key(name: Name) -> str:
    """``van der Schaar``, ``Van Der Schaar`` and ``vanderSchaar`` alike: ``vanderschaar``."""
    return "".join(_NON_WORD.split(fold(name.surname).lower()))


def _initial(name: Name) -> str:
    given = fold(name.given).lower().strip()
    return given[:1] if given else ""


# --- field scores --------------------------------------------------------------------------


def score_title(a: str, b: str, policy: Policy = DEFAULT_POLICY) -> FieldScore:
    words_a, words_b = title_words(a), title_words(b)
    if not words_a or not words_b:
        return FieldScore(None, "absent")
    similarity = fuzz.ratio(" ".join(words_a), " ".join(words_b)) / 100
    extra = _unmatched_words(words_a, words_b, policy) + _unmatched_words(words_b, words_a, policy)
    if not extra and similarity >= policy.title_same:
        return FieldScore(similarity, "agree")
    if _is_subtitle_variant(a, b):
        return FieldScore(similarity, "neutral", "one title is the other without its subtitle")
    if extra:
        return FieldScore(similarity, "disagree", "words only in one title: " + ", ".join(sorted(set(extra))))
    if similarity < policy.title_different:
        return FieldScore(similarity, "disagree")
    return FieldScore(similarity, "neutral")


def score_authors(record: Record, candidate: Record, policy: Policy = DEFAULT_POLICY) -> FieldScore:
    """Share of the record's authors found in the candidate's list, by family name and initial.

    A truncated list (``et al.``) only needs its shown names; a full list is not penalised for
    being shorter, because inputs often cut author lists silently.
    """
    shown = [n for n in record.author if surname_key(n)]
    if not shown or not candidate.author:
        return FieldScore(None, "absent")
    pool = [(surname_key(n), _initial(n)) for n in candidate.author]
    found = sum(1 for name in shown if _find_author(name, pool))
    share = found / len(shown)
    first_matches = bool(_find_author(shown[0], pool[:1]))
    detail = f"{found}/{len(shown)} authors found" + ("" if first_matches else ", first author differs")
    if share >= policy.authors_agree and first_matches:
        return FieldScore(share, "agree", detail)
    if share < policy.authors_disagree:
        return FieldScore(share, "disagree", detail)
    return FieldScore(share, "neutral", detail)


def score_year(record: Record, candidate: Record, policy: Policy = DEFAULT_POLICY) -> FieldScore:
    if record.year is None or candidate.year is None:
        return FieldScore(None, "absent")
    gap = abs(record.year - candidate.year)
    detail = f"{record.year} vs {candidate.year}"
    if gap <= policy.year_agree:
        return FieldScore(1.0 - gap * 0.25, "agree", detail)
    return FieldScore(0.0, "disagree" if gap > policy.year_disagree else "neutral", detail)


def score_abstract(
    a: str, b: str, policy: Policy = DEFAULT_POLICY, stats: IndexStats | None = None
) -> FieldScore:
    """Two abstracts judged by the rare word sequences (shingles) and rare words they share.

    The share is taken of the shorter abstract, so its first sentences or a shortened version
    agree with the whole; a reworded version keeps most of its rare sequences and nearly all its
    rare words. Two papers written to one template share common phrasing, which is not rare, and
    differ in the words that name their subject. Rare means rare in the index (``stats``); without
    statistics every content word counts as rare, which asks more of the shared text.
    """
    words_a, words_b = title_words(a), title_words(b)
    if not words_a or not words_b:
        return FieldScore(None, "absent")
    rare = _rare_words(set(words_a) | set(words_b), stats, policy)
    shorter, longer = sorted((words_a, words_b), key=len)
    size = policy.abstract_shingle
    shingles_short, shingles_long = (_shingles(w, rare, size) for w in (shorter, longer))
    if not shingles_short:
        return FieldScore(None, "neutral", "no rare word sequences")
    shared = len(shingles_short & shingles_long)
    share = shared / len(shingles_short)
    in_order = len(_shingles(shorter, None, size) & _shingles(longer, None, size))
    word_share = max(_share_of_rare_words(shorter, longer, rare), _share_of_rare_words(longer, shorter, rare))
    detail = (
        f"{shared}/{len(shingles_short)} rare shingles, {word_share:.0%} of rare words, "
        f"{in_order} shingles shared"
    )
    if (
        share >= policy.abstract_same
        and word_share >= policy.abstract_rare_words
        and shared >= policy.abstract_min_rare
        and in_order >= policy.abstract_min_shingles
    ):
        decisive = in_order >= policy.abstract_decisive_shingles
        return FieldScore(share, "agree", "decisive: " + detail if decisive else detail)
    if share < policy.abstract_different and len(shingles_short) >= 2 * policy.abstract_min_shingles:
        return FieldScore(share, "disagree", detail)
    return FieldScore(share, "neutral", detail)


def _share_of_rare_words(mine: Sequence[str], theirs: Sequence[str], rare: set[str]) -> float:
    """Share of one abstract's rare words that the other has (a version may add a sentence: the
    better of the two directions counts)."""
    own = rare.intersection(mine)
    return len(own.intersection(theirs)) / len(own) if own else 0.0


def _rare_words(words: set[str], stats: IndexStats | None, policy: Policy) -> set[str]:
    if stats is None:
        return {w for w in words if w not in _STOP_WORDS and len(w) > 2}
    return {w for w in words if w not in _STOP_WORDS and stats.rare(w, policy)}


def _shingles(words: Sequence[str], rare: set[str] | None, size: int) -> set[tuple[str, ...]]:
    """The word sequences of ``size`` words (that hold at least one rare word, if ``rare`` is given)."""
    return {
        tuple(words[i : i + size])
        for i in range(max(len(words) - size + 1, 1))
        if rare is None or rare.intersection(words[i : i + size])
    }


def score_venue(record: Record, candidate: Record, policy: Policy = DEFAULT_POLICY) -> FieldScore:
    if not record.container_title or not candidate.container_title:
        return FieldScore(None, "absent")
    if same_venue(record.container_title, candidate.container_title):  # NeurIPS = Advances in Neural…
        return FieldScore(1.0, "agree", "same venue")
    similarity = (
        fuzz.token_set_ratio(
            normalize_title(record.container_title), normalize_title(candidate.container_title)
        )
        / 100
    )
    # Venues are abbreviated and renamed too often for a mismatch to contradict anything.
    return FieldScore(similarity, "agree" if similarity >= policy.venue_agree else "neutral")


def score_identifiers(record: Record, candidate: Record) -> FieldScore:
    """Shared identifiers identify; different ones of the same kind contradict."""
    if record.arxiv_id and candidate.arxiv_id:
        if record.arxiv_id == candidate.arxiv_id:
            return FieldScore(1.0, "agree", "same arXiv id")
        return FieldScore(0.0, "disagree", "different arXiv ids")
    record_doi = record.doi if not is_arxiv_doi(record.doi) else ""
    if record_doi and candidate.doi:
        if same_doi(record_doi, candidate.doi):
            return FieldScore(1.0, "agree", "same DOI")
        return FieldScore(0.0, "disagree", "different DOIs")
    return FieldScore(None, "absent")


# --- decisions -----------------------------------------------------------------------------

_WEIGHTS = {"identifier": 3.0, "title": 3.0, "abstract": 2.0, "authors": 2.0, "year": 1.0, "venue": 0.5}


def assess(
    record: Record,
    candidate: Record,
    source: str,
    policy: Policy = DEFAULT_POLICY,
    stats: IndexStats | None = None,
    titles: Sequence[str] = (),
) -> Assessment:
    """Judge one candidate. ``titles`` are other titles of its paper (its versions' titles, linked
    by an identifier): the record's title may be any of them."""
    known = list(dict.fromkeys((candidate.title, *titles)))
    fields = {
        "identifier": score_identifiers(record, candidate),
        "title": _best_title(record.title, known, policy),
        "authors": score_authors(record, candidate, policy),
        "year": score_year(record, candidate, policy),
        "abstract": score_abstract(record.abstract, candidate.abstract, policy, stats),
        "venue": score_venue(record, candidate, policy),
    }
    contradictions = [name for name, f in fields.items() if f.verdict == "disagree"]
    support = sum(1 for f in fields.values() if f.verdict == "agree")
    if fields["abstract"].detail.startswith("decisive"):
        support += 1
    if fields["identifier"].verdict == "agree":
        support += 1
    rule = _acceptance_rule(fields, contradictions, support, policy)
    if rule.startswith("reject") and _similar_title(record, candidate, known, fields, contradictions, policy):
        rule = SIMILAR_TITLE
    elif rule.startswith("reject") and _title_alone(record, known, fields, policy, stats):
        rule = TITLE_ALONE
    scored = [(n, f.score) for n, f in fields.items() if f.score is not None]
    weight = sum(_WEIGHTS[n] for n, _ in scored)
    score = sum(_WEIGHTS[n] * s for n, s in scored) / weight if weight else 0.0
    return Assessment(
        candidate, source, fields, support, contradictions, score, rule.startswith("accept"), rule
    )


TITLE_ALONE = "accept: title alone, exact and distinctive in the index"
SIMILAR_TITLE = "accept: similar title, same authors and year"
_VERDICT_RANK = {"agree": 3, "neutral": 2, "disagree": 1, "absent": 0}
_TWIN_MARKERS = frozenset(
    """ii iii iv v vi vii viii ix x xi xii part workshop extended abstract short
preliminary supplementary supplement erratum corrigendum addendum reply comment revisited version""".split()
)
"""Title words that make another paper of a title (a sequel, a workshop or extended version)."""


def _best_title(title: str, known: Sequence[str], policy: Policy) -> FieldScore:
    scores = [score_title(title, other, policy) for other in known]
    best = max(range(len(scores)), key=lambda i: (_VERDICT_RANK[scores[i].verdict], scores[i].score or 0.0))
    if best and scores[best].verdict == "agree":
        scores[best].detail = f"agrees with another version's title: {known[best]!r}"
    return scores[best]


def _acceptance_rule(
    fields: dict[str, FieldScore], contradictions: list[str], support: int, policy: Policy
) -> str:
    identified = fields["identifier"].verdict == "agree"
    if (
        identified
        and "title" in contradictions
        and fields["title"].score is not None
        and fields["title"].score < policy.title_different
        and "authors" not in _agreeing(fields)
    ):
        return "reject: the identifier points to a paper with another title and other authors"
    if identified:
        return "accept: shared identifier"
    if contradictions == ["title"] and {"abstract", "authors"} <= _agreeing(fields):
        return "accept: same abstract and authors, title changed"
    if contradictions:
        return "reject: " + ", ".join(contradictions) + " disagree"
    if not {"title", "abstract"} & _agreeing(fields):
        return "reject: neither title nor abstract identifies the paper"
    if support < policy.min_support:
        return f"reject: {support} agreeing field(s), {policy.min_support} needed"
    return f"accept: {support} agreeing fields, none disagreeing"


def _title_alone(
    record: Record,
    known: Sequence[str],
    fields: dict[str, FieldScore],
    policy: Policy,
    stats: IndexStats | None,
) -> bool:
    """The rule for a record that has a title and nothing else the candidate can confirm: the
    title must be exactly one of the paper's, and distinctive by the index's own statistics
    (enough words, rare enough in the index's titles that all of them together are expected in no
    other title by chance). That no other title of the index comes near is checked by :func:`decide`."""
    if stats is None or fields["title"].verdict != "agree" or _agreeing(fields) != {"title"}:
        return False
    if any(f.verdict != "absent" for name, f in fields.items() if name not in ("title", "venue")):
        return False
    if normalize_title(record.title) not in {normalize_title(t) for t in known}:
        return False
    content = [w for w in title_words(record.title) if w not in _STOP_WORDS]
    return (
        len(set(content)) >= policy.title_alone_words
        and stats.chance(content, stats.titles) <= policy.title_alone_chance
    )


def _similar_title(
    record: Record,
    candidate: Record,
    known: Sequence[str],
    fields: dict[str, FieldScore],
    contradictions: list[str],
    policy: Policy,
) -> bool:
    """The rule for a title that differs from the paper's in a phrase (an older arXiv title, the
    published one): the authors agree strongly (the whole list, or the first three in order), the
    year agrees, and the titles share most words, each having words the other lacks (a title that
    only adds words to another, ``… at scale``, ``… TTS``, or a sequel number, is another paper).
    That no other paper of these authors comes as close is checked by :func:`decide`."""
    if set(contradictions) - {"title"} or fields["year"].verdict != "agree" or not record.title:
        return False
    if not _authors_strongly_agree(record, candidate):
        return False
    return any(_differs_in_a_phrase(record.title, title, policy) for title in known)


def _differs_in_a_phrase(a: str, b: str, policy: Policy) -> bool:
    words_a, words_b = (Counter(w for w in title_words(t) if w not in _STOP_WORDS) for t in (a, b))
    only_a, only_b = words_a - words_b, words_b - words_a  # counted: "$O(n^2)$ … 2" adds a "2"
    if (
        not only_a
        or not only_b
        or set(only_a | only_b) & _TWIN_MARKERS
        or any(w.isdigit() for w in only_a | only_b)
    ):
        return False
    shared = (words_a & words_b).total()
    return (
        shared >= policy.similar_title_shared * max(words_a.total(), words_b.total())
        and fuzz.ratio(normalize_title(a), normalize_title(b)) / 100 >= policy.title_different
    )


def _authors_strongly_agree(record: Record, candidate: Record) -> bool:
    """The record's whole author list is the candidate's, or its first three are, in order."""
    shown = [n for n in record.author if surname_key(n)]
    if not shown or not candidate.author:
        return False
    whole = not record.authors_truncated and len(shown) == len(candidate.author)
    if not whole and len(shown) < 3:
        return False
    pairs = zip(
        shown if whole else shown[:3], candidate.author if whole else candidate.author[:3], strict=False
    )
    return all(_find_author(mine, [(surname_key(theirs), _initial(theirs))]) for mine, theirs in pairs)


def near_twin(a: str, b: str, policy: Policy = DEFAULT_POLICY) -> bool:
    """Titles a record could mean either of: the same, one the other plus a word or two (a sequel,
    ``… TTS``, a workshop version: a citation may cut them), or close in spelling (a typo)."""
    norm_a, norm_b = normalize_title(a), normalize_title(b)
    if not norm_a or not norm_b:
        return False
    if norm_a == norm_b:
        return True
    words_a, words_b = (Counter(w for w in title_words(t) if w not in _STOP_WORDS) for t in (a, b))
    small, large = sorted((words_a, words_b), key=lambda c: c.total())
    if small and not small - large and (large - small).total() <= policy.twin_extra_words:
        return True
    return fuzz.ratio(norm_a, norm_b) / 100 >= policy.twin_title


def _agreeing(fields: dict[str, FieldScore]) -> set[str]:
    return {name for name, f in fields.items() if f.verdict == "agree"}


class Candidate(NamedTuple):
    """A record a source offered for another, with the source's name: what the matcher judges."""

    record: Record
    source: str


def decide(
    record: Record,
    candidates: Sequence[Candidate],
    policy: Policy = DEFAULT_POLICY,
    stats: IndexStats | None = None,
) -> Decision:
    """Judge every candidate; matched only when one paper is clearly the record's.

    Candidates that are versions of one paper (an arXiv record and its published DOI) count as
    one paper: only their best assessment competes, and the record's title may be any of their
    titles. ``stats`` (the local index's word counts and nearest titles) enable the title-alone
    rule and let abstracts be judged by words rare in the index.
    """
    pool = [c for c, _ in candidates]
    assessed = [
        assess(record, c, s, policy, stats, [o.title for o in pool if o is not c and same_work(o, c)])
        for c, s in candidates
    ]
    for assessment in assessed:
        _check_rivals(record, assessment, assessed, stats, policy)
    assessed.sort(
        key=lambda a: (
            -a.score,
            -a.support,
            a.candidate.arxiv_id,
            a.candidate.doi.casefold(),
            a.candidate.title,
        )
    )
    accepted = [a for a in assessed if a.accepted]
    if not accepted:
        return Decision(
            "unmatched", "no candidate passed validation" if assessed else "no candidates", assessed=assessed
        )
    best = accepted[0]
    rivals = [a for a in accepted[1:] if not one_paper(a.candidate, best.candidate, policy)]
    if rivals and best.score - rivals[0].score < policy.min_margin:
        return Decision(
            "ambiguous", f"two papers within a margin of {policy.min_margin}", best, rivals[0], assessed
        )
    return Decision("matched", best.rule, best, rivals[0] if rivals else None, assessed)


def _check_rivals(
    record: Record,
    assessment: Assessment,
    assessed: Sequence[Assessment],
    stats: IndexStats | None,
    policy: Policy,
) -> None:
    """Withdraws a title-alone acceptance when the index has a near twin of the title, and a
    similar-title one when another paper of the same authors comes as close."""
    paper = assessment.candidate
    if assessment.rule == TITLE_ALONE:
        others = [*(stats.neighbours if stats else ()), *(a.candidate for a in assessed)]
        twin = next(
            (
                o
                for o in others
                if o != paper and not one_paper(o, paper, policy) and near_twin(record.title, o.title, policy)
            ),
            None,
        )
        if twin is not None:
            assessment.accepted = False
            assessment.rule = f"reject: title alone, and the index has a near twin: {twin.title!r}"
    elif assessment.rule == SIMILAR_TITLE:
        closeness = (assessment.fields["title"].score or 0.0) - policy.similar_title_margin
        rival = next(
            (
                a
                for a in assessed
                if a is not assessment
                and not one_paper(a.candidate, paper, policy)
                and a.fields["authors"].verdict == "agree"
                and (a.fields["title"].score or 0.0) >= closeness
            ),
            None,
        )
        if rival is not None:
            assessment.accepted = False
            assessment.rule = (
                f"reject: similar title, but another paper of these authors comes as close: "
                f"{rival.candidate.title!r}"
            )


def same_work(a: Record, b: Record) -> bool:
    """Two records of one paper: shared arXiv id, shared DOI (an arXiv record naming the other's
    DOI, too), or shared dblp key."""
    if a.arxiv_id and a.arxiv_id == b.arxiv_id:
        return True
    if a.doi and b.doi and same_doi(a.doi, b.doi):
        return True
    key = dblp_key(a)
    return bool(key) and key == dblp_key(b)


def dblp_key(record: Record) -> str:
    """The record's dblp key (``conf/icml/SablayrollesDSOJ19``): as the dblp dump stores it, or in
    its dblp URL."""
    return (
        record.custom.get("dblp")
        or find_dblp_key(record.custom.get("biburl", ""))
        or find_dblp_key(record.url)
    )


def one_paper(a: Record, b: Record, policy: Policy = DEFAULT_POLICY) -> bool:
    """Versions of one paper: linked by an identifier, or a preprint and its venue record."""
    return same_work(a, b) or is_published_version(a, b, policy) or is_published_version(b, a, policy)


def is_published_version(preprint: Record, candidate: Record, policy: Policy = DEFAULT_POLICY) -> bool:
    """Is ``candidate`` (a venue record) the published version of ``preprint`` (an arXiv record)?

    Without a DOI link this needs the same title and the same authors (full lists on both
    sides), and a publication date not before the preprint's year minus one.
    """
    if not candidate.container_title or candidate.arxiv_id and candidate.arxiv_id != preprint.arxiv_id:
        return False
    if preprint.doi and candidate.doi and same_doi(preprint.doi, candidate.doi):
        return True
    title = score_title(preprint.title, candidate.title, policy)
    authors = score_authors(candidate, preprint, policy)
    if (
        preprint.year
        and candidate.year
        and not 0 - policy.year_agree <= candidate.year - preprint.year <= policy.year_disagree
    ):
        return False
    return title.verdict == "agree" and authors.verdict == "agree"


def _find_author(name: Name, pool: list[tuple[str, str]]) -> bool:
    family, initial = surname_key(name), _initial(name)
    for other_family, other_initial in pool:
        close = family == other_family or (
            min(len(family), len(other_family)) > 3 and fuzz.ratio(family, other_family) >= 85
        )
        if close and (not initial or not other_initial or initial == other_initial):
            return True
    return False


def _unmatched_words(words: list[str], others: list[str], policy: Policy) -> list[str]:
    """Content words of one title with no equal or near-equal (typo) word in the other."""
    pool = set(others)
    missing = []
    for word in words:
        if word in pool or word in _STOP_WORDS:
            continue
        if len(word) > 3 and any(fuzz.ratio(word, o) >= policy.word_typo * 100 for o in pool if len(o) > 3):
            continue
        missing.append(word)
    return missing


def _is_subtitle_variant(a: str, b: str) -> bool:
    main_a, main_b = (normalize_title(t.split(":")[0]) for t in (a, b))
    full_a, full_b = normalize_title(a), normalize_title(b)
    return (":" in a and main_a == full_b) or (":" in b and main_b == full_a)
