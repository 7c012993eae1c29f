"""What the local index's full-text table holds, and how a query becomes a safe FTS5 expression.

A query is the OR of its words, each quoted: quoting turns every word into a plain term (``NEAR``,
``*``, ``:`` and ``"`` lose their meaning), so no text can make a syntax error, and bm25 ranks records
by how many rare words they share with the query.

The cost of an OR query is the number of records its words occur in: a word found in a million
records makes FTS5 score a million records. Function words are dropped outright; words common in
*this* index (``model`` in an arXiv dump) are estimated from a sample (:func:`common_words`) and left
out while enough rarer words remain.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

from citekit.model import Record
from citekit.sources.base import Query

COMMON_DOCS = 20_000
"""A word in more records than this is common: scoring them all takes tens of milliseconds."""
MAX_TERMS = 24
"""Words taken from each part of a query; an abstract gives its most distinctive ones."""
MIN_TERMS = 3
"""Common words are kept, least common first, until a query has this many words."""

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


def match_expression(query: Query, common: Mapping[str, int] | None = None) -> str:
    """The FTS5 MATCH expression for a query; ``""`` when it has no words to search for.

    ``common`` maps words to their estimated record counts (:func:`common_words`).
    """
    parts = [words(query.title), words(" ".join(query.authors)), words(query.venue),
             _distinctive(query.abstract)]
    terms = list(dict.fromkeys(word for part in parts for word in part[:MAX_TERMS]))
    if common:
        rare = [t for t in terms if t not in common]
        frequent = sorted((t for t in terms if t in common), key=lambda t: common[t])
        terms = rare + frequent[:max(0, MIN_TERMS - len(rare))]
    return " OR ".join(f'"{term}"' for term in terms)


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
