"""What the local index's full-text table holds, and how a query becomes a safe FTS5 expression.

Every word is quoted: quoting turns it into a plain term (``NEAR``, ``*``, ``:`` and ``"`` lose
their meaning), so no text can make a syntax error.

A search *blocks* (:func:`search_plan`): the candidates are the records that share at least
two of the query's rarest words, ``("a" AND "b") OR ("a" AND "c") OR …``. A record that shares no
such pair is not the query's paper. This tolerates typos (a misspelt word is in no record, so it
is not among the rarest words; the other pairs still match) and keeps the work small: FTS5 ranks
every record an expression matches, at several microseconds each, and a pair of rare words
matches a handful of records where one common word matches half the index.

How many records a word occurs in is counted for rare words (cheaply: the count stops at
:data:`COMMON_DOCS`) and estimated from a sample for the words common in *this* index
(:func:`common_words`: ``model`` in an arXiv dump).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from citekit.model import Record
from citekit.sources.base import Query
from citekit.text import plain_text

COMMON_DOCS = 500
"""A word in more records than this is common: how many is estimated, not counted."""
MATCHES_BUDGET = 20_000
"""Records a search may make FTS5 rank, by estimate (some 100 ms); a query that cannot do with
fewer is too generic to find one paper by."""
MAX_TERMS = 24
"""Words taken from each part of a query; an abstract gives its most distinctive ones."""
BLOCKING_TERMS = 3
"""The rarest words the index has, paired up by blocking (a misspelt word it has not is none of
them): three keep a pair when one of them is wrong, and each word more costs more pairs to rank."""
SELECTIVE_DOCS = 5_000
"""A word in at most this many records is selective: bm25 may weigh it (reading its records costs
some 0.1 ms; ``wang`` in a million-paper index, 270,000 records, costs 4 ms)."""

# Function words that match nearly every record in any language of science written in English.
STOPWORDS = frozenset(
    """a about after all also an and any are as at be been but by can do does for from
had has have how in into is it its more most no not of on one only or other our over so such than that
the their them then there these they this those through to two under up using via was we were what when
where which while who why will with within without you your""".split()
)
_WORD = re.compile(r"[^\W_]+")


def plain(text: str) -> str:
    """Lower case without diacritics and markup (``Jégou`` → ``jegou``): how the FTS5 tokenizer sees words."""
    text = plain_text(text)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The plain words of a text, function words left out."""
    return [w for w in _WORD.findall(plain(text)) if w not in STOPWORDS]


def comparable_title(title: str) -> str:
    """A title reduced to its plain words, for fuzzy comparison and fingerprints."""
    return " ".join(_WORD.findall(plain(title)))


def search_text(record: Record) -> tuple[str, str, str, str]:
    """Title, author family names, abstract and venue: the columns of the full-text table.

    Text that UTF-8 cannot encode (lone surrogates, which real dumps carry) is replaced.
    """
    authors = " ".join(person.surname for person in record.author)
    venue = " ".join(v for v in (record.container_title, record.event_title, record.collection_title) if v)
    return (
        storable(plain_text(record.title)),
        storable(authors),
        storable(record.abstract),
        storable(plain_text(venue)),
    )


def query_terms(query: Query) -> list[str]:
    """The words a query searches with: title, authors, venue, and the abstract's most distinctive."""
    parts = [
        words(query.title),
        words(" ".join(query.authors)),
        words(query.venue),
        _distinctive(query.abstract),
    ]
    return list(dict.fromkeys(word for part in parts for word in part[:MAX_TERMS]))


@dataclass(frozen=True, slots=True)
class Search:
    """One FTS5 query of a search plan."""

    expression: str
    ranked: bool
    """Ordered by bm25, whose weights read every record each of its words is in: only for plans of
    selective words. Unranked matches come in the index's own order, more of them, and are then
    ordered by the closeness of their titles to the query's."""
    narrows: bool = False
    """Run only when the search before it matched more records than a search takes: its matches
    (a subset of those) go first."""


def search_plan(counts: Mapping[str, int], total: int) -> list[Search]:
    """How to find a query's candidates: searches to try in turn until one matches; none when the
    words cannot find one paper.

    ``counts`` maps the query's words, in the query's order, to the number of records they occur in
    (0: none, a typo maybe), ``total`` is the size of the index. The :data:`BLOCKING_TERMS` rarest
    are paired (ties keep the query's order, so title words go first):

    - pairs of selective words (in at most :data:`SELECTIVE_DOCS` records), ranked;
    - failing two such words, pairs of the one with the others, unranked; if they match more
      records than a search takes (its paper maybe not among them), all the rarest words together;
    - failing any, a generic query: all its rarest words together, then its cheapest pair,
      unranked, unless even that pair is expected in more than :data:`MATCHES_BUDGET` records.

    A query with one word the index has searches for that word.
    """
    present = [term for term in counts if counts[term] > 0]
    rarest = sorted(present, key=counts.__getitem__)[:BLOCKING_TERMS]
    selective = [term for term in rarest if counts[term] <= SELECTIVE_DOCS]
    if not rarest:
        return []
    if len(rarest) == 1:
        return (
            [Search(_all_of(rarest), ranked=bool(selective))] if counts[rarest[0]] <= MATCHES_BUDGET else []
        )
    if len(selective) >= 2:
        return [Search(_pairs(combinations(selective, 2)), ranked=True)]
    if selective:
        narrower = [Search(_all_of(rarest), ranked=False, narrows=True)] if len(rarest) > 2 else []
        return [Search(_pairs((selective[0], other) for other in rarest[1:]), ranked=False), *narrower]
    together = [Search(_all_of(rarest), ranked=False)] if len(rarest) > 2 else []
    cheapest = min(combinations(rarest, 2), key=lambda pair: counts[pair[0]] * counts[pair[1]])
    if counts[cheapest[0]] * counts[cheapest[1]] > MATCHES_BUDGET * total:
        return []
    return [*together, Search(_pairs([cheapest]), ranked=False)]


def _all_of(terms: Iterable[str]) -> str:
    return " AND ".join(f'"{term}"' for term in terms)


def _pairs(pairs: Iterable[tuple[str, str]]) -> str:
    return " OR ".join(f'("{a}" AND "{b}")' for a, b in pairs)


def common_words(sample: Iterable[Record], total: int, *, titles: bool = False) -> dict[str, int]:
    """Words estimated, from a random sample of an index of ``total`` records, in more than
    :data:`COMMON_DOCS` of them (of their titles, with ``titles``), with that estimate."""
    counts: Counter[str] = Counter()
    size = 0
    for record in sample:
        counts.update(set(words(record.title if titles else " ".join(search_text(record)))))
        size += 1
    scale = total / size if size else 0
    return {word: round(n * scale) for word, n in counts.items() if n * scale > COMMON_DOCS}


def _distinctive(text: str) -> list[str]:
    """Names and numbers first (``Voxtral``, ``8x7B``), then the longest words: rare ones, mostly."""
    found = dict.fromkeys(w for w in _WORD.findall(text) if w.lower() not in STOPWORDS)
    ranked = sorted(found, key=lambda w: (not any(c.isupper() or c.isdigit() for c in w), -len(w)))
    return list(dict.fromkeys(part for w in ranked for part in _WORD.findall(plain(w))))


def storable(text: str) -> str:
    """Text SQLite stores and compares whole: lone surrogates (UTF-8 cannot encode them) become ``?``,
    NUL (SQL functions stop at it) becomes U+FFFD."""
    return text.encode("utf-8", errors="replace").decode("utf-8").replace("\x00", "\ufffd")
