"""``crossref``: a child entry inherits the fields of its parent, as bibtex and biber resolve it.

bibtex copies every field the child lacks under the same name; biber does too, and maps some of
them by the pair of entry types (biblatex manual, appendix B, "Default Inheritance Setup"): a
``@proceedings``' ``title`` is its ``@inproceedings``' ``booktitle``, a ``@periodical``'s
``title`` its ``@article``'s ``journaltitle``, a multi-volume work's ``title`` the ``maintitle``.
Both rules are applied here, on the raw fields before they are read into a record: the child's
own fields win, then biber's mapped fields, then bibtex's same-name fields. A ``@book`` parent of
an ``@incollection`` gives its ``title`` as ``booktitle`` too (biber leaves that pair out, and
bibtex files give such parents a ``booktitle`` for it).

The parent is resolved wherever it is in the file (bibtex wants it after its children, biber does
not), also through a parent's own ``crossref`` (as biber). Every entry stays a record of its own
(bibtex's ``min-crossrefs`` decides what a bibliography prints, not what a converter keeps), and
the child keeps its ``crossref`` field. A parent's ``abstract`` and ``file`` are its own, not the
child's: not inherited either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

CROSSREF = "crossref"

# biber's "* → *" rule: what no entry inherits.
NOT_INHERITED = frozenset(
    {
        "ids",
        "crossref",
        "xref",
        "entryset",
        "entrysubtype",
        "execute",
        "label",
        "options",
        "presort",
        "related",
        "relatedoptions",
        "relatedstring",
        "relatedtype",
        "shorthand",
        "shorthandintro",
        "sortkey",
        # Not biber's: what describes the parent, not the work it holds.
        "abstract",
        "file",
    }
)
_TITLES = ("title", "subtitle", "titleaddon")
_SHORT_TITLES = ("shorttitle", "sorttitle", "indextitle", "indexsorttitle")
_BOOKS = frozenset({"book", "collection", "reference", "proceedings"})
_PARTS = frozenset({"inbook", "bookinbook", "suppbook", "incollection", "inreference", "suppcollection"})


def _titles(prefix: str) -> dict[str, tuple[str, ...]]:
    """``title`` → ``<prefix>title`` (and its sub- and add-on titles); short titles not inherited."""
    mapped = {name: (prefix + name,) for name in _TITLES}
    return mapped | dict.fromkeys(_SHORT_TITLES, ())


# (parent types, child types) → parent field → the child's fields it becomes (none: not inherited).
MAPPED: tuple[tuple[frozenset[str], frozenset[str], dict[str, tuple[str, ...]]], ...] = (
    (
        frozenset({"mvbook", "book"}),
        frozenset({"inbook", "bookinbook", "suppbook"}),
        {"author": ("author", "bookauthor")},
    ),
    (frozenset({"mvbook"}), frozenset({"book", "inbook", "bookinbook", "suppbook"}), _titles("main")),
    (
        frozenset({"mvcollection", "mvreference"}),
        frozenset({"collection", "reference", "incollection", "inreference", "suppcollection"}),
        _titles("main"),
    ),
    (frozenset({"mvproceedings"}), frozenset({"proceedings", "inproceedings"}), _titles("main")),
    (_BOOKS, _PARTS | {"inproceedings", "conference"}, _titles("book")),
    (frozenset({"periodical"}), frozenset({"article", "suppperiodical"}), _titles("journal")),
)
_SAME = (
    frozenset({"year", "date", "month", "day"}),
    frozenset({"address", "location"}),
    frozenset({"journal", "journaltitle"}),
)
"""Fields that say one thing: a child with one of them inherits none (its own ``year`` wins over a
parent's ``date``)."""
_KEY = re.compile(r"^[\s{\"]*(.*?)[\s}\"]*$", re.DOTALL)


def target(raw: str) -> str:
    """The key a ``crossref`` value names (braces, quotes and spaces around it dropped)."""
    match = _KEY.match(raw)
    return match.group(1) if match else raw.strip()


def inherited(
    child_type: str, child: Mapping[str, str], parent_type: str, parent: Mapping[str, str]
) -> dict[str, str]:
    """The fields (lower-case names) the child gets from its parent: those it lacks, or has empty."""
    child_type, parent_type = child_type.lower(), parent_type.lower()
    maps = [m for parents, children, m in MAPPED if parent_type in parents and child_type in children]
    gained: dict[str, str] = {}
    for name, value in parent.items():
        for mapped in maps:
            for name_in_child in mapped.get(name, ()):
                _give(gained, child, name_in_child, value)
    for name, value in parent.items():
        if name not in NOT_INHERITED and not any(name in m for m in maps):
            _give(gained, child, name, value)
    return gained


def _give(gained: dict[str, str], child: Mapping[str, str], name: str, value: str) -> None:
    if _has(child, name) or name in gained or not value.strip():
        return
    if not any(name in same and any(_has(child, other) for other in same) for same in _SAME):
        gained[name] = value


def _has(fields: Mapping[str, str], name: str) -> bool:
    return bool(fields.get(name, "").strip())


def resolve(
    key: str,
    entry_type: str,
    fields: Mapping[str, str],
    parents: Mapping[str, tuple[str, Mapping[str, str]]],
    seen: frozenset[str] = frozenset(),
) -> tuple[dict[str, str], str]:
    """What the entry gets from its ``crossref`` parent (resolved first through the parent's own,
    as biber does), and why it gets nothing ('' when it does): a missing parent, or a cycle.
    ``parents`` maps casefolded keys to entry types and fields."""
    name = target(fields.get(CROSSREF, ""))
    seen |= {key.casefold()}
    if name.casefold() in seen:
        return {}, f"{key}: crossref {name!r} leads back to itself; inherited up to there"
    if name.casefold() not in parents:
        return {}, f"{key}: crossref {name!r} names no entry in the file; nothing inherited"
    parent_type, parent = parents[name.casefold()]
    problem = ""
    if CROSSREF in parent:
        gained, problem = resolve(name, parent_type, parent, parents, seen)
        parent, problem = {**parent, **gained}, problem and f"{key}: through {problem}"
    return inherited(entry_type, fields, parent_type, parent), problem


def targets(crossrefs: Iterable[str]) -> set[str]:
    """The keys named, casefolded (bibtex matches a crossref's key whatever its case)."""
    return {target(raw).casefold() for raw in crossrefs if target(raw)}
