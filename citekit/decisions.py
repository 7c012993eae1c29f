"""What a person decided on the review page (``citekit review``), applied by ``--decisions``.

A decisions file, as the page downloads it::

    {"citekit": "decisions", "version": 1,
     "decisions": {"3f2a…": {"choice": "doi:10.1038/nature14539", "title": "Deep learning"},
                   "9c07…": {"choice": "none", "title": "Voxtral"}}}

Keys are record fingerprints (:func:`fingerprint`). ``choice`` names the accepted candidate
(:func:`choice_for`), or is ``none``: no candidate is the paper, and the record stays unmatched
without a search. ``title`` is the input's, for a person reading the file; citekit ignores it.

**Fingerprints** must find the same input record in a later run, after small edits of the input
file, so they are not positions. A fingerprint hashes the record's normalised title words (case,
accents, LaTeX, punctuation and stop words do not count), the first author's surname and the
year: what a person rarely edits, and enough to tell apart papers with one title (*Deep
learning*, 2015 and 2016). Identifiers are left out on purpose: adding the DOI a review found is
the most likely edit of all. A record without a title is fingerprinted by the start of its
abstract, then by its identifiers, and last by its place in its file. Inputs with the same title,
first author and year (duplicates) share a fingerprint, and so a decision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citekit.diagnostics import Diagnostic
from citekit.errors import UsageError
from citekit.ids import is_arxiv_doi
from citekit.match import normalize_title, surname_key, title_words
from citekit.model import Record

if TYPE_CHECKING:
    import jsonschema

NONE = "none"
"""The choice of a person who rejected every candidate."""
USER_RULE = "decided by the user"
ABSTRACT_WORDS = 40
"""Words of an abstract that fingerprint a record without a title."""
_STOP_WORDS = frozenset("a an the of on in at to for and or with via by from is are".split())


class DecisionsError(UsageError):
    """A decisions file that cannot be used; the message names the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message, option="--decisions")


def fingerprint(record: Record) -> str:
    """16 hex digits identifying an input record across runs and small edits (module docstring)."""
    return hashlib.sha256(_fingerprint_basis(record).encode("utf-8")).hexdigest()[:16]


def _fingerprint_basis(record: Record) -> str:
    words = [w for w in title_words(record.title) if w not in _STOP_WORDS]
    if words:
        author = surname_key(record.author[0]) if record.author else ""
        return f"title:{' '.join(words)}|{author}|{record.year or ''}"
    abstract = title_words(record.abstract)
    if abstract:
        return "abstract:" + " ".join(abstract[:ABSTRACT_WORDS])
    if record.doi and not is_arxiv_doi(record.doi):
        return "doi:" + record.doi.casefold()
    if record.arxiv_id:
        return "arxiv:" + record.arxiv_id
    origin = record.origin
    return f"place:{origin.file}:{origin.index}" if origin else "empty"


def choice_for(candidate: Mapping[str, Any]) -> str | None:
    """How a decision names a candidate (a report's candidate, see :func:`citekit.brief.brief`):
    its DOI, else arXiv id, else dblp key, else its normalised title; ``None`` if it has none."""
    doi: str = candidate.get("doi") or ""
    arxiv: str = candidate.get("arxiv") or ""
    dblp: str = candidate.get("dblp") or ""
    if doi and not is_arxiv_doi(doi):
        return "doi:" + doi.casefold()
    if arxiv:
        return "arxiv:" + arxiv
    if dblp:
        return "dblp:" + dblp
    title = normalize_title(candidate.get("title") or "")
    return "title:" + title if title else None


def identifies(choice: str, candidate: Mapping[str, Any]) -> bool:
    """Whether a choice names this candidate (a brief), by any of its identifiers."""
    kind, _, value = choice.partition(":")
    if kind == "doi":
        return (candidate.get("doi") or "").casefold() == value.casefold()
    if kind == "title":
        return normalize_title(candidate.get("title") or "") == value
    return kind in ("arxiv", "dblp") and candidate.get(kind) == value


def load(path: str | Path) -> dict[str, dict[str, str]]:
    """Fingerprint → ``{"choice": …, "title": …}``; :class:`DecisionsError` naming the file if it is
    unreadable, not JSON, or not a decisions file of this version."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise DecisionsError(f"{path}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DecisionsError(f"{path}: not a JSON file ({error})") from None
    import jsonschema  # imported when first needed: a sixth of citekit's start-up

    problem = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "the top level"
        raise DecisionsError(
            f"{path}: not a citekit decisions file (version 1): at {where}, {problem.message}"
        )
    decisions: dict[str, dict[str, str]] = data["decisions"]  # the schema above vouches for the shape
    return decisions


def unused(
    decisions: Mapping[str, Mapping[str, str]], records: Iterable[Record], path: str | Path
) -> list[Diagnostic]:
    """A warning for each decision whose record is not among the inputs (gone, or edited beyond
    recognition): reported, never silently dropped."""
    present = {fingerprint(record) for record in records}
    name = Path(path).name
    return [
        Diagnostic(
            "warning",
            "review.unused-decision",
            f"decision {key} ({decision.get('title') or 'untitled'!r}: {decision['choice']}) "
            "matches no input record; not applied",
            file=name,
        )
        for key, decision in decisions.items()
        if key not in present
    ]


def _validator() -> jsonschema.Draft7Validator:
    import jsonschema

    schema = json.loads(resources.files("citekit").joinpath("schemas/decisions.json").read_text("utf-8"))
    return jsonschema.Draft7Validator(schema)
