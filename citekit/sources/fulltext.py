"""What the local index's full-text table holds, and how a query becomes a safe FTS5 expression.

Every word is quoted: quoting turns it into a plain term (``NEAR``, ``*``, ``:`` and ``"`` lose
their meaning), so no text can make a syntax error.

A search *blocks* first (:func:`blocking_expression`): the candidates are the records that share
at least two of the query's rarest words, ``("a" AND "b") OR ("a" AND "c") OR …``. That tolerates
typos (a misspelt word matches nothing, the other pairs still do) and keeps the work small: FTS5
ranks every record an expression matches, at several microseconds each, and a pair of rare words
matches a handful where one common word matches half the index. A record that shares no pair of
them is not the query's paper. Only a query with no such pair (a very short or very generic one)
searches with the OR of its words (:func:`match_expression`).

The cost of an OR query is the number of records its words occur in: a word found in a million
records makes FTS5 score a million records. Function words are dropped outright; how many records
the words common in *this* index occur in (``model`` in an arXiv dump) is estimated from a sample
(:func:`common_words`), and a query takes them, least common first, only while the records they
make FTS5 score stay within :data:`POSTINGS_BUDGET` (or it has fewer than :data:`MIN_TERMS` words).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import combinations

from citekit.model import Record
from citekit.sources.base import Query

COMMON_DOCS = 500
"""A word in more records than this is common: its cost is estimated before a query takes it."""
POSTINGS_BUDGET = 20_000
"""Records a query may make FTS5 score, by estimate: a few milliseconds."""
MAX_TERMS = 24
"""Words taken from each part of a query; an abstract gives its most distinctive ones."""
MIN_TERMS = 3
"""Common words are kept, least common first, until a query has this many words."""
BLOCKING_TERMS = 4
"""The rarest words the index has, paired up by blocking (a misspelt word it has not is none of
them): four keep a pair when two of them are wrong, and six pairs cost a third of fifteen."""
PAIR_MATCHES = 50
"""Pairs expected (were words independent) in more records than this are left out of blocking."""

# Function words that match nearly every record in any language of science written in English.
STOPWORDS = frozenset("""a about after all also an and any are as at be been but by can do does for from
had has have how in into is it its more most no not of on one only or other our over so such than that
the their them then there these they this those through to two under up using via was we were what when
where which while who why will with within without you your""".split())
_WORD = re.compile(r"[^\W_]+")


def plain(text: str) -> str:
    """Lower case without diacritics (``Jégou`` → ``jegou``): how the FTS5 tokenizer sees words."""
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
    return storable(record.title), storable(authors), storable(record.abstract), storable(venue)


def query_terms(query: Query) -> list[str]:
    """The words a query searches with: title, authors, venue, and the abstract's most distinctive."""
    parts = [words(query.title), words(" ".join(query.authors)), words(query.venue),
             _distinctive(query.abstract)]
    return list(dict.fromkeys(word for part in parts for word in part[:MAX_TERMS]))


def match_expression(query: Query, common: Mapping[str, int] | None = None) -> str:
    """The OR of a query's words; ``""`` when it has no words to search for.

    ``common`` maps words to their estimated record counts (:func:`common_words`).
    """
    terms = query_terms(query)
    if common:
        terms = _within_budget(terms, common)
    return " OR ".join(f'"{term}"' for term in terms)


def blocking_expression(counts: Mapping[str, int], total: int) -> str:
    """Pairs of the rarest words, ORed; ``""`` when no pair is rare enough.

    ``counts`` maps a query's words, in the query's order, to the number of records they occur
    in (0: none, a typo maybe), ``total`` is the size of the index; ties keep the query's order,
    so title words go first. Two common words together still match too many records
    (:data:`PAIR_MATCHES`): such pairs are left out.
    """
    present = [term for term in counts if counts[term] > 0]
    rarest = sorted(present, key=counts.__getitem__)[:BLOCKING_TERMS]
    pairs = [(a, b) for a, b in combinations(rarest, 2) if counts[a] * counts[b] <= PAIR_MATCHES * total]
    return " OR ".join(f'("{a}" AND "{b}")' for a, b in pairs)


def _within_budget(terms: list[str], common: Mapping[str, int]) -> list[str]:
    """The rare terms, then common ones, least common first, while the estimated cost allows."""
    kept = [t for t in terms if t not in common]
    cost = len(kept) * COMMON_DOCS
    for term in sorted((t for t in terms if t in common), key=common.__getitem__):
        if len(kept) >= MIN_TERMS and cost + common[term] > POSTINGS_BUDGET:
            break
        kept.append(term)
        cost += common[term]
    return kept


def common_words(sample: Iterable[Record], total: int) -> dict[str, int]:
    """Words estimated, from a random sample of an index of ``total`` records, in more than
    :data:`COMMON_DOCS` of them, with that estimate."""
    counts: Counter[str] = Counter()
    size = 0
    for record in sample:
        counts.update(set(words(" ".join(search_text(record)))))
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
