"""DOIs and arXiv identifiers: recognise them in any usual spelling, normalise, derive.

Shared by every reader (identifiers hide in URLs, ``journal``, ``note``, ``eprint``), the
matcher and the writers, so that one spelling rule holds everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Crossref's recommended pattern (10.prefix/suffix), stopped at whitespace and at closing
# punctuation that ends a sentence or a URL in running text.
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)
_DOI_PREFIX = re.compile(
    r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/|https?://doi\.org/|doi\.org/)", re.IGNORECASE
)
# New style: YYMM.NNNN(N) since 2007; old style: archive(.SUBJ)/YYMMNNN.
_ARXIV_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_ARXIV_OLD = r"(?P<old>[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7})"
_ARXIV_ID = re.compile(rf"(?:{_ARXIV_NEW}|{_ARXIV_OLD})(?:v(?P<version>\d+))?", re.IGNORECASE)
ARXIV_ID_AS_WRITTEN = re.compile(rf"(?:{_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?")
"""An arXiv id as arXiv writes it (an old-style archive in lower case): to find in running text."""
_ARXIV_CONTEXT = re.compile(
    r"(?:arxiv(?:\.org)?(?:/abs|/pdf)?[:/ ]\s*(?:preprint\s+)?(?:arxiv:)?\s*|10\.48550/arxiv\.)",
    re.IGNORECASE,
)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_STATED_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?", re.IGNORECASE)
"""The resolver prefixes a DOI field may carry (``citekit check`` asks for the bare DOI otherwise)."""
# dblp's record pages and BibTeX links (the ``biburl`` of dblp's BibTeX): https://dblp.org/rec/conf/cvpr/SzegedyLJSRAEVR15
_DBLP_URL = re.compile(
    r"dblp\.(?:org|uni-trier\.de)/rec/(?:bibtex/|html/)?([a-z0-9/_\-.]+?)(?:\.(?:bib|html|xml))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ArxivId:
    """An arXiv identifier without version, plus the version when one was given."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id


def normalize_doi(text: str) -> str:
    """A bare DOI from ``doi:…``, ``https://doi.org/…`` or a bare DOI; ``""`` if none."""
    match = _DOI.search(_DOI_PREFIX.sub("", text.strip()))
    if not match:
        return ""
    return match.group(1).rstrip(".,;:)]")


def find_doi(text: str) -> str:
    """The first DOI anywhere in free text, bare; ``""`` if none."""
    match = _DOI.search(text)
    return match.group(1).rstrip(".,;:)]") if match else ""


def parse_arxiv_id(text: str) -> ArxivId | None:
    """An arXiv id from a bare id, ``arXiv:…``, an arxiv.org URL or an arXiv DOI.

    Accepts only text that *is* an identifier (after such a prefix); use :func:`find_arxiv_id`
    for free text.
    """
    candidate = text.strip()
    doi = _ARXIV_DOI.match(candidate)
    if doi:
        candidate = doi.group(1)
    candidate = re.sub(
        r"^(?:https?://)?(?:export\.|www\.)?arxiv\.org/(?:abs|pdf)/", "", candidate, flags=re.IGNORECASE
    )
    candidate = re.sub(r"^arxiv:\s*", "", candidate, flags=re.IGNORECASE)
    candidate = re.sub(r"\.pdf$", "", candidate, flags=re.IGNORECASE)
    match = _ARXIV_ID.fullmatch(candidate)
    return _to_arxiv_id(match) if match else None


def find_arxiv_id(text: str) -> ArxivId | None:
    """An arXiv id mentioned in free text (``arXiv preprint arXiv:2012.12877``, arXiv URLs/DOIs).

    Only ids introduced by an arXiv marker count: a bare ``2012.12877`` in a note could be anything.
    """
    for marker in _ARXIV_CONTEXT.finditer(text):
        match = _ARXIV_ID.match(text, marker.end())
        if match:
            return _to_arxiv_id(match)
    return None


def arxiv_doi(arxiv_id: str) -> str:
    """The DataCite DOI arXiv registers for every paper (never asked of Crossref)."""
    return f"10.48550/arXiv.{arxiv_id}"


def arxiv_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def find_dblp_key(url: str) -> str:
    """The dblp key of a dblp record URL (``conf/cvpr/SzegedyLJSRAEVR15``); ``""`` if it is none."""
    match = _DBLP_URL.search(url.strip())
    return match.group(1) if match else ""


def is_arxiv_doi(doi: str) -> bool:
    return bool(_ARXIV_DOI.match(doi))


def same_doi(a: str, b: str) -> bool:
    """DOIs are case-insensitive (ISO 26324)."""
    return bool(a) and a.casefold() == b.casefold()


def _to_arxiv_id(match: re.Match[str]) -> ArxivId:
    new, old, version = match.group("new"), match.group("old"), match.group("version")
    identifier = new if new else old.lower()
    if old and "." in old.split("/")[0]:
        # math.GT/0309136: the archive is lower case, the subject class upper case.
        archive, rest = old.split("/")
        head, subject = archive.split(".")
        identifier = f"{head.lower()}.{subject.upper()}/{rest}"
    return ArxivId(identifier, int(version) if version else None)


def doi_problem(text: str) -> str:
    """Why ``text`` is not exactly one DOI (a resolver prefix is fine); ``""`` if it is."""
    doi = normalize_doi(text)
    if not doi:
        return f"{text!r} is not a DOI"
    if _STATED_DOI_PREFIX.sub("", text.strip(), count=1) != doi:
        return f"{text!r} is not one DOI (read as {doi!r}); write the bare DOI"
    if is_arxiv_doi(doi):
        return arxiv_problem(doi)
    return ""


def arxiv_problem(text: str) -> str:
    """Why ``text`` cannot be an arXiv identifier arXiv issued; ``""`` if it can be."""
    ident = parse_arxiv_id(text)
    if ident is None:
        return f"{text!r} is not an arXiv identifier"
    new = re.fullmatch(r"(\d\d)(\d\d)\.(\d+)", ident.id)
    old = re.search(r"/(\d\d)(\d\d)\d{3}$", ident.id)
    if new:
        yymm, digits = int(new.group(1) + new.group(2)), len(new.group(3))
        if not 1 <= int(new.group(2)) <= 12:
            return f"{text!r}: {new.group(2)} is no month (arXiv ids start with YYMM)"
        if yymm < 704:
            return f"{text!r}: ids of this form start in April 2007 (0704)"
        if digits != (expected := 5 if yymm >= 1501 else 4):
            return f"{text!r}: arXiv numbers had {expected} digits in {new.group(1)}{new.group(2)}"
    elif old and (not 1 <= int(old.group(2)) <= 12 or 8 <= int(old.group(1)) <= 90):
        return f"{text!r}: old-style ids run from 9108 to 0703"
    return ""
