"""arXiv ids in BibTeX fields, from every spelling people use."""

from __future__ import annotations

import re
from functools import lru_cache

from citekit.formats.latex import decode, plain_identifier
from citekit.ids import (
    ARXIV_ID_AS_WRITTEN,
    ArxivId,
    find_arxiv_id,
    is_arxiv_doi,
    normalize_doi,
    parse_arxiv_id,
)

_ABS_VOLUME = re.compile(r"\s*abs/(\S+)\s*")
_ARXIV_VENUE = re.compile(r"^\s*(?:arxiv|corr)\b", re.IGNORECASE)
_ARXIV_WORDS = re.compile(r"^[\W_]*(?:(?:arxiv|corr|preprint|e-?prints?|abs)\b[\W_]*)*$", re.IGNORECASE)
_ARXIV_CLASS = re.compile(r"\[\s*([a-z\-]+(?:\.[A-Za-z\-]+)?)")


def take_arxiv(fields: dict[str, str]) -> tuple[ArxivId | None, str]:
    """The arXiv id and primary class, from any spelling; fields that only said "arXiv" are consumed.

    ``eprint`` + ``archivePrefix``/``eprinttype`` (with ``primaryClass``/``eprintclass``),
    ``journal = {CoRR}`` + ``volume = {abs/…}``, ``journal = {arXiv preprint arXiv:… [cs.CL]}``,
    ADS's ``eid``/``pages = {arXiv:…}``, arXiv DOIs and URLs (those two stay as DOI and URL).
    The first id found wins; a field naming another id is left alone.
    """
    if not _may_name_arxiv(fields):
        return None, ""
    mentions = _arxiv_mentions(fields)
    ids = [ident for _, ident, _ in mentions if ident]
    if not ids:
        return None, ""
    first = ids[0]
    same = [(names, hint) for names, ident, hint in mentions if ident is None or ident.id == first.id]
    for names, _ in same:
        for name in names:
            fields.pop(name, None)
    arxiv_class = next((hint for _, hint in same if hint), "")
    if "eprint" not in fields:  # else primaryClass/eprintclass belong to that other (PubMed…) eprint
        stated = fields.pop("primaryclass", "") or fields.pop("eprintclass", "")
        arxiv_class = plain_identifier(stated) or arxiv_class
    version = next((ident.version for ident in ids if ident.id == first.id and ident.version), None)
    return ArxivId(first.id, version), arxiv_class


def _may_name_arxiv(fields: dict[str, str]) -> bool:
    """False when no field can give an arXiv id (most entries), by what each way to give one needs
    (``eprint``, ``abs/`` in ``volume``, ``48550`` in ``doi``, ``arxiv`` in the text fields and in
    ``url``), asked of the raw values, before any decoding; a brace, backslash or non-ASCII letter
    where it could hide one of those sends the entry to :func:`_arxiv_mentions`."""
    if "eprint" in fields or "abs/" in fields.get("volume", ""):
        return True
    doi = fields.get("doi", "")
    if "48550" in doi or "{" in doi or "\\" in doi or "arxiv.org/" in fields.get("url", "").lower():
        return True
    for name in _TEXT_FIELDS:
        text = fields.get(name)
        if text and (
            "\\" in text
            or not text.isascii()  # İ is i to the patterns' IGNORECASE
            or "arxiv" in text.replace("{", "").replace("}", "").lower()
        ):
            return True
    return False


_TEXT_FIELDS = ("journal", "journaltitle", "howpublished", "note", "eid", "pages")


def _arxiv_mentions(fields: dict[str, str]) -> list[tuple[tuple[str, ...], ArxivId | None, str]]:
    """Where arXiv is mentioned: (fields saying nothing else, the id if given, the class if given)."""
    mentions: list[tuple[tuple[str, ...], ArxivId | None, str]] = []
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").strip().lower()
    if prefix == "arxiv" and (ident := parse_arxiv_id(plain_identifier(fields.get("eprint", "")))):
        mentions.append((("eprint", "archiveprefix", "eprinttype"), ident, ""))
    volume = _ABS_VOLUME.fullmatch(fields.get("volume", ""))
    if volume and (ident := parse_arxiv_id(volume.group(1))):
        mentions.append((("volume",), ident, ""))
    doi = normalize_doi(plain_identifier(fields.get("doi", "")))
    for ident in (parse_arxiv_id(doi) if is_arxiv_doi(doi) else None, _arxiv_url(fields.get("url", ""))):
        if ident:
            mentions.append(((), ident, ""))
    for name in _TEXT_FIELDS:
        if name in fields and (mention := _text_mention(fields[name], name in ("journal", "journaltitle"))):
            mentions.append(((name,), *mention))
    return mentions


@lru_cache(maxsize=4096)
def _text_mention(raw: str, venue_field: bool) -> tuple[ArxivId | None, str] | None:
    """The id and class a field naming arXiv gives, None when the field says more than that (cached:
    journals recur)."""
    text = decode(raw)
    only_arxiv = bool(_ARXIV_WORDS.match(_ARXIV_CLASS.sub("", ARXIV_ID_AS_WRITTEN.sub("", text))))
    venue = venue_field and bool(_ARXIV_VENUE.match(text))
    if text and (only_arxiv or venue):
        return find_arxiv_id(text), next(iter(_ARXIV_CLASS.findall(text)), "")
    return None


def _arxiv_url(url: str) -> ArxivId | None:
    return parse_arxiv_id(plain_identifier(url)) if "arxiv.org/" in url.lower() else None
