"""Deciding whether a candidate is the paper a record describes: pure scoring, no I/O.

A wrong identifier is worse than none, so a candidate is accepted only when several independent
fields agree and none contradicts (the shape of Crossref's search-based matching with validation
and of biblio-glutton's post-validation). Every field gets a score and a verdict, and the
:class:`Decision` says which rule decided, so the report can explain every match.

Near twins (``Voxtral`` / ``Voxtral TTS`` / ``Voxtral Realtime``, a paper and its ``III`` sequel)
differ by whole title words; those words are a contradiction, not a typo, unless the abstract and
the authors both say it is the same paper (a title changed between arXiv versions).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz

from citekit.brief import brief
from citekit.ids import is_arxiv_doi, same_doi
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
    abstract_same: float = 0.90
    abstract_different: float = 0.50
    abstract_decisive_words: int = 40
    """An identical abstract this long identifies a paper on its own (abstract-only records)."""
    year_agree: int = 1
    """arXiv year vs venue year."""
    year_disagree: int = 4
    """Preprints can precede their journal version by years; beyond this, another paper."""
    venue_agree: float = 0.80
    min_support: int = 2
    min_margin: float = 0.10
    """Two acceptable candidates for different papers closer than this are ambiguous."""


DEFAULT_POLICY = Policy()


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
        return {"status": self.status, "rule": self.rule,
                "candidates": [a.as_dict() for a in self.assessed[:limit]]}


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


def score_abstract(a: str, b: str, policy: Policy = DEFAULT_POLICY) -> FieldScore:
    words_a, words_b = title_words(a), title_words(b)
    if not words_a or not words_b:
        return FieldScore(None, "absent")
    similarity = fuzz.ratio(" ".join(words_a), " ".join(words_b)) / 100
    if similarity >= policy.abstract_same:
        decisive = min(len(words_a), len(words_b)) >= policy.abstract_decisive_words
        return FieldScore(similarity, "agree", "decisive" if decisive else "")
    if similarity < policy.abstract_different:
        return FieldScore(similarity, "disagree")
    return FieldScore(similarity, "neutral")


def score_venue(record: Record, candidate: Record, policy: Policy = DEFAULT_POLICY) -> FieldScore:
    if not record.container_title or not candidate.container_title:
        return FieldScore(None, "absent")
    if same_venue(record.container_title, candidate.container_title):  # NeurIPS = Advances in Neural…
        return FieldScore(1.0, "agree", "same venue")
    similarity = fuzz.token_set_ratio(normalize_title(record.container_title),
                                      normalize_title(candidate.container_title)) / 100
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


def assess(record: Record, candidate: Record, source: str, policy: Policy = DEFAULT_POLICY) -> Assessment:
    fields = {
        "identifier": score_identifiers(record, candidate),
        "title": score_title(record.title, candidate.title, policy),
        "authors": score_authors(record, candidate, policy),
        "year": score_year(record, candidate, policy),
        "abstract": score_abstract(record.abstract, candidate.abstract, policy),
        "venue": score_venue(record, candidate, policy),
    }
    contradictions = [name for name, f in fields.items() if f.verdict == "disagree"]
    support = sum(1 for f in fields.values() if f.verdict == "agree")
    if fields["abstract"].detail == "decisive":
        support += 1
    if fields["identifier"].verdict == "agree":
        support += 1
    rule = _acceptance_rule(fields, contradictions, support, policy)
    scored = [(n, f.score) for n, f in fields.items() if f.score is not None]
    weight = sum(_WEIGHTS[n] for n, _ in scored)
    score = sum(_WEIGHTS[n] * s for n, s in scored) / weight if weight else 0.0
    return Assessment(candidate, source, fields, support, contradictions, score, rule.startswith("accept"), rule)


def _acceptance_rule(fields: dict[str, FieldScore], contradictions: list[str], support: int,
                     policy: Policy) -> str:
    identified = fields["identifier"].verdict == "agree"
    if identified and "title" in contradictions and fields["title"].score is not None \
            and fields["title"].score < policy.title_different and "authors" not in _agreeing(fields):
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


def _agreeing(fields: dict[str, FieldScore]) -> set[str]:
    return {name for name, f in fields.items() if f.verdict == "agree"}


def decide(record: Record, candidates: Sequence[tuple[Record, str]], policy: Policy = DEFAULT_POLICY) -> Decision:
    """Judge every candidate; matched only when one paper is clearly the record's.

    Candidates that are versions of one paper (an arXiv record and its published DOI) count as
    one paper: only their best assessment competes.
    """
    assessed = sorted((assess(record, c, s, policy) for c, s in candidates),
                      key=lambda a: (-a.score, -a.support, a.candidate.arxiv_id, a.candidate.doi.casefold(), a.candidate.title))
    accepted = [a for a in assessed if a.accepted]
    if not accepted:
        return Decision("unmatched", "no candidate passed validation" if assessed else "no candidates",
                        assessed=assessed)
    best = accepted[0]
    rivals = [a for a in accepted[1:] if not one_paper(a.candidate, best.candidate, policy)]
    if rivals and best.score - rivals[0].score < policy.min_margin:
        return Decision("ambiguous", f"two papers within a margin of {policy.min_margin}", best, rivals[0], assessed)
    return Decision("matched", best.rule, best, rivals[0] if rivals else None, assessed)


def same_work(a: Record, b: Record) -> bool:
    """Two records of one paper: shared arXiv id, shared DOI, or an arXiv record naming the other's DOI."""
    if a.arxiv_id and a.arxiv_id == b.arxiv_id:
        return True
    return bool(a.doi and b.doi and same_doi(a.doi, b.doi))


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
    if preprint.year and candidate.year and not 0 - policy.year_agree <= candidate.year - preprint.year \
            <= policy.year_disagree:
        return False
    return title.verdict == "agree" and authors.verdict == "agree"


def _find_author(name: Name, pool: list[tuple[str, str]]) -> bool:
    family, initial = surname_key(name), _initial(name)
    for other_family, other_initial in pool:
        close = family == other_family or (min(len(family), len(other_family)) > 3
                                           and fuzz.ratio(family, other_family) >= 85)
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
