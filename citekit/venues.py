"""Venue names: the forms one conference or journal goes by, read from a data file.

``citekit/data/venues.json`` lists the major venues (``short``, ``full``, a journal's ISO
``abbreviation``, and every other spelling as ``forms``). It serves three purposes:

- :func:`full_title` writes a clean full container title where a source gives only an
  abbreviation (dblp's ``J. Mach. Learn. Res.``, a bare ``NeurIPS``);
- :func:`add_short_forms` gives an enriched record the short forms a format has a place for (CSL
  ``container-title-short``, BibLaTeX ``eventtitle`` through the record's event);
- :func:`same_venue` tells the matcher that ``NeurIPS`` and ``Advances in Neural Information
  Processing Systems 32`` are one venue, which no string similarity would.

Titles are compared by a key that ignores case, accents, punctuation, years, ordinals, volume
numbers, ``Proceedings of the``, the publishers' prefixes (IEEE, IEEE/CVF, ACM), and a parenthesised
acronym with its year (``(ICLR 2019)``). A title is only recognised when its whole key is a known
form: ``International Conference on Machine Learning and Applications`` is not ICML.

Users extend the list with files of the same shape: the paths in ``CITEKIT_VENUES`` (separated as
in ``PATH``) or given to :func:`load`. A user's form that is already known for another venue moves
to the user's venue.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from citekit.errors import UsageError
from citekit.model import Record
from citekit.text import fold, plain_text

ENV = "CITEKIT_VENUES"
OPTION = f"--venues / {ENV}"

_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth "
    "fiftieth twenty thirty forty fifty"
)
_NOISE_WORDS = frozenset(f"the of proceedings {_ORDINALS}".split())
_PUBLISHER_PREFIXES = frozenset("ieee cvf acm".split())
# "(ICLR 2019)", "(SP)": an acronym (two capitals at least) with its year; "ICASSP 2025 - " before a title
_ACRONYM_YEAR = re.compile(
    r"\((?=[^)]*[A-Z][^)]*[A-Z])\s*[A-Za-z][\w&\-]*(?:\s+\d{4})?\s*\)"
    r"|^[A-Z][A-Za-z&\-]+\s+\d{4}\s+[-–]\s+"
)
_NUMBER = re.compile(r"\b\d+(?:st|nd|rd|th)?\b")
_NON_WORD = re.compile(r"[^a-z0-9&]+")


@dataclass(slots=True)
class Venue:
    short: str
    full: str
    kind: str = "conference"
    abbreviation: str = ""
    """A journal's ISO 4 abbreviation (``J. Mach. Learn. Res.``), its CSL short title."""
    forms: list[str] = field(default_factory=list)

    @property
    def short_title(self) -> str:
        """What a format's short-title slot gets: a journal's abbreviation, else the acronym."""
        return self.abbreviation or self.short


def key(title: str) -> str:
    """The comparison key of a venue title (see the module docstring)."""
    text = _ACRONYM_YEAR.sub(" ", plain_text(title))
    text = _NUMBER.sub(" ", fold(text).lower())
    words = [w for w in _NON_WORD.split(text) if w and w not in _NOISE_WORDS]
    while len(words) > 1 and words[0] in _PUBLISHER_PREFIXES:
        words.pop(0)
    return " ".join(words)


class Venues:
    """A table of venues with every form's key; later venues take over the forms they repeat."""

    def __init__(self) -> None:
        self.venues: list[Venue] = []
        self._by_key: dict[str, Venue] = {}
        self._abbreviations: set[str] = set()

    def add(self, venue: Venue) -> None:
        existing = self._by_key.get(key(venue.short))
        if existing is not None and existing.short == venue.short:  # a user's entry extends a known venue
            existing.forms.extend(venue.forms)
            existing.full = venue.full or existing.full
            existing.abbreviation = venue.abbreviation or existing.abbreviation
            venue = existing
        else:
            self.venues.append(venue)
        for form in (venue.short, venue.full, venue.abbreviation, *venue.forms):
            if form and key(form):
                self._by_key[key(form)] = venue
        for form in (venue.short, venue.abbreviation, *venue.forms):
            if form and form != venue.full and (form.isupper() or "." in form or form == venue.short):
                self._abbreviations.add(key(form))

    def add_file(self, path: str | Path) -> None:
        """Adds the venues of a JSON file shaped like ``citekit/data/venues.json``."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            for entry in data.get("venues", []):
                self.add(
                    Venue(
                        short=entry["short"],
                        full=entry.get("full", entry["short"]),
                        kind=entry.get("kind", "conference"),
                        abbreviation=entry.get("abbreviation", ""),
                        forms=list(entry.get("forms", [])),
                    )
                )
        except OSError as error:
            raise UsageError(f"{path}: cannot be read ({error.strerror})", option=OPTION) from None
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise UsageError(f"{path}: not a venue file ({error!r})", option=OPTION) from None

    def find(self, title: str) -> Venue | None:
        """The venue a container title names, or None. A title with a subtitle (``…Systems 32:
        Annual Conference on…``) is also tried by its main part."""
        if not title:
            return None
        found = self._by_key.get(key(title))
        if found is None and ":" in title:
            found = self._by_key.get(key(title.split(":", 1)[0]))
        return found

    def is_abbreviation(self, title: str) -> bool:
        return key(title) in self._abbreviations


@cache
def table() -> Venues:
    """The bundled venues, then those of the files named in ``CITEKIT_VENUES``."""
    venues = Venues()
    venues.add_file(Path(str(resources.files("citekit").joinpath("data/venues.json"))))
    for path in filter(None, os.environ.get(ENV, "").split(os.pathsep)):
        venues.add_file(path)
    return venues


def load(path: str | Path) -> None:
    """Adds a user's venue file to the table every function here uses (``--venues FILE``), through
    ``CITEKIT_VENUES``, so that worker processes read it too."""
    Venues().add_file(path)  # a broken file fails here, not in a worker
    os.environ[ENV] = os.pathsep.join(filter(None, [os.environ.get(ENV, ""), str(Path(path).resolve())]))
    table.cache_clear()


def find(title: str) -> Venue | None:
    return table().find(title)


def full_title(title: str) -> str:
    """A clean full container title: an abbreviation a source gave (``J. Mach. Learn. Res.``,
    ``NeurIPS``) becomes the venue's full name; any other title is kept as written."""
    venue = table().find(title)
    if venue is not None and table().is_abbreviation(title):
        return venue.full
    return title


def short_form(title: str) -> str:
    """The short form of a known venue's title (``ICML``, ``J. Mach. Learn. Res.``), else ``""``."""
    venue = table().find(title)
    return venue.short_title if venue is not None else ""


def event_name(title: str, year: int | None) -> str:
    """A conference's short name with the year (``ICML 2019``), as BibLaTeX's ``eventtitle``; ``""``
    for journals and unknown venues."""
    venue = table().find(title)
    if venue is None or venue.kind != "conference":
        return ""
    return f"{venue.short} {year}" if year else venue.short


SHORT_TITLE = "container-title-short"
"""The ``custom`` entry CSL-JSON writes as its ``container-title-short`` variable."""


def add_short_forms(record: Record) -> None:
    """Gives a record of a known venue its short forms where it has none: ``container-title-short``
    (``ICML``, ``J. Mach. Learn. Res.``) and, for a conference paper, the event (``ICML 2019``)."""
    venue = table().find(record.container_title)
    if venue is None:
        return
    if venue.short_title != record.container_title and SHORT_TITLE not in record.custom:
        record.custom[SHORT_TITLE] = venue.short_title
    if not record.event_title and record.type == "paper-conference" and venue.kind == "conference":
        record.event_title = event_name(record.container_title, record.year)


def same_venue(a: str, b: str) -> bool | None:
    """True when both titles name one known venue, False when they name two, None when either is
    unknown (then only the text can be compared)."""
    first, second = table().find(a), table().find(b)
    if first is None or second is None:
        return None
    return first is second
