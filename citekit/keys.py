"""Citation keys: readable, ASCII, unique, and stable.

The default pattern is ``{auth}{year}{title}``: first author's family name, year, first
significant title word, ASCII-folded and lower-cased (``jegou2011product``). Keys that clash get
suffixes ``a``, ``b``, … in the order of a content fingerprint, not of the input, so a key does not
change when the input is reordered or when unrelated records are added (Better BibTeX's #1788).
A key the user already has is kept: documents cite it.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from citekit.errors import UsageError
from citekit.model import Record
from citekit.text import fold, plain_text

DEFAULT_PATTERN = "{auth}{year}{title}"
FIELDS = ("auth", "year", "title", "shorttitle", "firstpage")

# Articles, prepositions and conjunctions skipped when picking the "first significant title
# word" (English, as Zotero's and Google Scholar's keys; a title's language is rarely known).
# Question words are kept: "How should we…" is remembered as "how".
STOP_WORDS = frozenset("a an the of on in at to for from by with and or but via into".split())
_INNER_JOINER = re.compile(r"(?<=[A-Za-z0-9])['’\-](?=[A-Za-z0-9])")
_VALID_KEY = re.compile(r"^[A-Za-z0-9_:.\-/+]+$")


class KeyPatternError(UsageError):
    """A pattern naming a field citekit does not know, or not a pattern at all."""


def key_fields(record: Record) -> dict[str, str]:
    """The values a key pattern may use."""
    words = [w for w in _words(plain_text(record.title)) if w not in STOP_WORDS]
    auth = _slug(record.first_author_family) or ("anon" if not record.author else "")
    if not auth and record.author:
        auth = _slug(record.author[0].literal or record.author[0].given)
    return {
        "auth": auth or "anon",
        "year": str(record.year or "nd"),
        "title": words[0] if words else "untitled",
        "shorttitle": "".join(words[:3]) or "untitled",
        "firstpage": record.page.split("-")[0].strip() if record.page else "",
    }


def make_key(record: Record, pattern: str = DEFAULT_PATTERN) -> str:
    check_pattern(pattern)
    return pattern.format(**key_fields(record))


def check_pattern(pattern: str) -> None:
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(pattern) if field}
    except ValueError as error:  # an unmatched brace
        raise KeyPatternError(f"{pattern!r} is not a key pattern ({error})", option="--key-pattern") from None
    unknown = names - set(FIELDS)
    if unknown:
        raise KeyPatternError(
            f"unknown key field(s) {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}",
            option="--key-pattern",
        )
    try:
        pattern.format(**dict.fromkeys(FIELDS, "x"))
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as error:  # {auth[0]}, {year:d}…
        raise KeyPatternError(f"{pattern!r} is not a key pattern ({error})", option="--key-pattern") from None


def assign_keys(
    records: Sequence[Record], pattern: str = DEFAULT_PATTERN, *, keep_existing: bool = True
) -> None:
    """Give every record a unique key, in place: existing valid keys kept, clashes suffixed."""
    bases = [base_key(record, pattern, keep_existing) for record in records]
    for record, key in zip(records, plan_keys(bases, lambda i: fingerprint(records[i])), strict=True):
        record.key = key


def keyed(records: Sequence[Record], *, unique: bool = True) -> Sequence[Record]:
    """The records as a writer writes them: themselves when every key is there (and, ``unique``,
    valid and used once: bibtex reads only the first of two entries with one key), else copies with
    the keys :func:`assign_keys` decides for the missing ones (and, ``unique``, for invalid ones and
    a key used again, its first use keeping it). The pipeline and ``convert`` decide keys before writing: this is for
    what writes records without them (the library's ``write``)."""
    used = [record.key for record in records]
    if all(used) and (not unique or (len(set(used)) == len(used) and all(map(_VALID_KEY.match, used)))):
        return records
    copies = [record.copy() for record in records]
    seen: set[str] = set()
    for record in copies:
        if unique and record.key in seen:
            record.key = ""
        seen.add(record.key)
    assign_keys(copies)
    return copies


def base_key(record: Record, pattern: str = DEFAULT_PATTERN, keep_existing: bool = True) -> str:
    """The key a record asks for: its own when valid and kept, else the pattern's."""
    keep = keep_existing and record.key and _VALID_KEY.match(record.key)
    return record.key if keep else make_key(record, pattern)


def plan_keys(bases: Sequence[str], fingerprint_of: Callable[[int], str | bytes]) -> list[str]:
    """Unique keys for records asking for ``bases``: a base asked for once is kept; a clash is
    suffixed in the order of the members' fingerprints (``fingerprint_of(position)``)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for position, base in enumerate(bases):
        groups[base].append(position)
    taken = set(groups)
    keys = list(bases)
    for base, members in groups.items():
        if len(members) > 1:
            ordered = sorted(members, key=fingerprint_of)
            for position, suffix in zip(ordered, _suffixes(base, taken), strict=False):
                keys[position] = suffix
    return keys


class KeyPlan:
    """Keys for records written before the last one is read (``citekit convert`` streams).

    :func:`assign_keys` needs the whole set: a clash is suffixed in fingerprint order, and a suffix
    skips every key asked for. So the plan keeps, per record, only what that needs: the base key
    and the fingerprint (a small table, O(n) but ~150 bytes a record, against ~13 kB for a
    record), in the order the records are written; :meth:`resolve` then decides the keys
    :func:`assign_keys` would have chosen, and :attr:`keys` lists them in that order.
    """

    def __init__(self, pattern: str = DEFAULT_PATTERN, *, keep_existing: bool = True) -> None:
        self.pattern, self.keep_existing = pattern, keep_existing
        self._bases: list[str] = []
        self._fingerprints: list[bytes] = []
        self.keys: list[str] = []

    def __len__(self) -> int:
        return len(self._bases)

    def entries(self, records: Iterable[Record]) -> tuple[list[str], list[bytes]]:
        """What the plan keeps of these records (computed where the records are, a worker process)."""
        records = list(records)
        return (
            [base_key(record, self.pattern, self.keep_existing) for record in records],
            [hashlib.sha1(_fingerprint_text(record)).digest() for record in records],
        )  # sorts as the hex, in 53 bytes

    def add(self, records: Iterable[Record]) -> None:
        self.extend(*self.entries(records))

    def extend(self, bases: Sequence[str], fingerprints: Sequence[bytes]) -> None:
        self._bases.extend(bases)
        self._fingerprints.extend(fingerprints)

    def resolve(self) -> None:
        """Choose the final keys, once every record has been added."""
        self.keys = plan_keys(self._bases, self._fingerprints.__getitem__)


def fingerprint(record: Record) -> str:
    """What identifies a record's content, independent of where it sits in the input."""
    return hashlib.sha1(_fingerprint_text(record)).hexdigest()


def _fingerprint_text(record: Record) -> bytes:
    ident = record.doi.casefold() or record.arxiv_id or ""
    text = "|".join(
        [ident, fold(plain_text(record.title)).casefold(), record.first_author_family, str(record.year)]
    )
    return text.encode()


def _suffixes(base: str, taken: set[str]) -> Iterator[str]:
    """``basea``, ``baseb``, … ``basez``, ``baseaa`` …, skipping keys already in use."""
    count = 0
    while True:
        count += 1
        label, n = "", count
        while n:
            n, rest = divmod(n - 1, 26)
            label = chr(ord("a") + rest) + label
        if base + label not in taken:
            taken.add(base + label)
            yield base + label


def _words(text: str) -> list[str]:
    """Title words, with hyphens and apostrophes inside words closed up (``U-turn`` → ``uturn``)."""
    joined = _INNER_JOINER.sub("", _strip_math(text))
    return [w for w in re.split(r"[^a-z0-9]+", fold(joined).lower()) if w]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text).lower())


def _strip_math(text: str) -> str:
    return re.sub(r"\$[^$]*\$", " ", text)
