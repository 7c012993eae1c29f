"""How many records arrive whole in Zotero: post files to Zotero's translation-server, compare.

Zotero imports BibTeX, RIS and CSL-JSON with its own translators; zotero/translation-server
(https://github.com/zotero/translation-server) runs them outside Zotero and answers ``POST /import``
with the items a Zotero user would get. This script posts each file and checks every item against
a reference CSL-JSON file (citekit's own ``library.json``) on six points:

- type: the Zotero item type for the CSL type (a preprint is ``preprint``; from RIS and BibTeX,
  whose Zotero translators have no preprint type, a ``report`` of type "Preprint");
- creators: the same authors and editors, in order, family and given names;
- date: the same year, month and day as far as the reference has them;
- DOI: in the ``DOI`` field, or a ``DOI: …`` line in ``extra`` for types without one;
- venue: the container title (or, for a preprint, its repository) in the field Zotero has for it;
- arXiv id: ``archiveID`` ``arXiv:<id>`` or an ``arXiv: <id>`` line in ``extra``.

Run by hand with a translation-server listening (it needs no network)::

    python bench/zotero_import.py exports/library.json exports/library.bib \\
        exports/library-biblatex.bib exports/library.json exports/library.ris

The first file is the reference; ``--server`` overrides ``http://127.0.0.1:1969``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ZOTERO_TYPES = {
    "article": "preprint",
    "article-journal": "journalArticle",
    "paper-conference": "conferencePaper",
    "chapter": "bookSection",
    "book": "book",
    "thesis": "thesis",
    "report": "report",
    "webpage": "webpage",
    "manuscript": "manuscript",
    "dataset": "dataset",
    "software": "computerProgram",
    "article-magazine": "magazineArticle",
    "article-newspaper": "newspaperArticle",
    "patent": "patent",
    "speech": "presentation",
    "entry-encyclopedia": "encyclopediaArticle",
    "entry-dictionary": "dictionaryEntry",
    "post-weblog": "blogPost",
    "legislation": "statute",
    "bill": "bill",
    "legal_case": "case",
    "map": "map",
    "motion_picture": "film",
    "song": "audioRecording",
    "graphic": "artwork",
    "personal_communication": "letter",
    "standard": "standard",
}
NO_PREPRINT = {"preprint": "report"}
"""Zotero's RIS and BibTeX translators have no preprint type; a report keeps genre, number,
institution and Extra."""
VENUE_FIELDS = (
    "publicationTitle",
    "proceedingsTitle",
    "bookTitle",
    "websiteTitle",
    "blogTitle",
    "encyclopediaTitle",
    "dictionaryTitle",
    "forumTitle",
    "programTitle",
    "seriesTitle",
    "repository",
    "institution",
    "publisher",
    "university",
    "conferenceName",
)
CHECKS = ("type", "creators", "date", "DOI", "venue", "arXiv id")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def post(server: str, body: bytes) -> list[dict[str, Any]]:
    request = urllib.request.Request(f"{server}/import", data=body, headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)


def expected_creators(item: dict[str, Any]) -> list[tuple[str, str]]:
    names = [*item.get("author", []), *item.get("editor", [])]
    out = []
    for n in names:
        family = " ".join(p for p in (n.get("non-dropping-particle"), n.get("family")) if p)
        out.append((fold(n.get("literal") or family), fold(n.get("given", ""))))
    return out


def zotero_creators(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (fold(c.get("name") or c.get("lastName", "")), fold(c.get("firstName", "")))
        for c in item.get("creators", [])
    ]


def date_parts(text: str) -> tuple[int, ...]:
    """Year, month, day of a date as Zotero keeps it (``2024-10-28``, ``October 28, 2024``, ``2024``)."""
    iso = re.search(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", text or "")
    if not iso:
        return ()
    parts = [int(p) for p in iso.groups() if p]
    named = re.search(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.?\s*(\d{1,2})?\b", (text or "").lower())
    if named and len(parts) == 1:
        parts.append(_MONTHS.index(named.group(1)) + 1)
        if named.group(2):
            parts.append(int(named.group(2)))
    return tuple(parts)


def extra_lines(item: dict[str, Any], name: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(rf"(?im)^{name}:\s*(.+)$", item.get("extra", ""))]


def arxiv_of(item: dict[str, Any]) -> str:
    return (item.get("custom") or {}).get("arxiv_id") or next(
        (m.group(1) for m in re.finditer(r"(?im)^arxiv:\s*(\S+)", item.get("note", ""))), ""
    )


def check(ref: dict[str, Any], got: dict[str, Any], fmt: str) -> dict[str, bool]:
    kind = ZOTERO_TYPES.get(ref["type"], "document")
    kind = NO_PREPRINT.get(kind, kind) if fmt in ("ris", "bibtex") else kind
    genre = got.get("reportType") == "Preprint" if kind == "report" and ref["type"] == "article" else True
    want_date = tuple(ref.get("issued", {}).get("date-parts", [[]])[0])
    doi = ref.get("DOI", "")
    dois = [got.get("DOI", ""), *extra_lines(got, "DOI")]
    venue = ref.get("container-title") or (ref.get("publisher", "") if ref["type"] == "article" else "")
    arxiv = arxiv_of(ref)
    archive_id = got.get("archiveID", "")
    arxivs = [archive_id.removeprefix("arXiv:")] if archive_id.startswith("arXiv:") else []
    arxivs += [re.sub(r"\s*\[.*\]$", "", a) for a in extra_lines(got, "arXiv")]
    return {
        "type": got.get("itemType") == kind and genre,
        "creators": zotero_creators(got) == expected_creators(ref),
        "date": date_parts(got.get("date", ""))[: len(want_date)] == want_date,
        "DOI": not doi or any(fold(d) == fold(doi) for d in dois),
        "venue": not venue or any(fold(got.get(f, "")) == fold(venue) for f in VENUE_FIELDS),
        "arXiv id": not arxiv or arxiv in arxivs,
    }


def title_key(text: str) -> str:
    """A title to pair items by: its words without rich-text tags, in NFKC (Zotero reads
    ``H$_{\\textrm{2}}$O`` as ``H₂O``, CSL-JSON says ``H<sub>2</sub>O``)."""
    plain = re.sub(r"</?(?:i|b|sup|sub|span)\b[^<>]*>", "", text)
    return re.sub(r"\W+", "", fold(unicodedata.normalize("NFKC", plain)))


def run(reference: list[dict[str, Any]], path: Path, server: str) -> tuple[int, Counter[str], list[str]]:
    fmt = {".ris": "ris", ".json": "csl", ".bib": "bibtex"}.get(path.suffix, "?")
    items = [i for i in post(server, path.read_bytes()) if i.get("itemType") not in ("note", "attachment")]
    by_title: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_title.setdefault(title_key(item.get("title", "")), []).append(item)
    whole, failures, lines = 0, Counter[str](), []
    for ref in reference:
        candidates = by_title.get(title_key(ref.get("title", "")), [])
        got = candidates.pop(0) if candidates else {}
        result = check(ref, got, fmt) if got else dict.fromkeys(CHECKS, False)
        whole += all(result.values())
        for name, ok in result.items():
            if not ok:
                failures[name] += 1
                lines.append(f"  {ref.get('id')}: {name} ({got.get('itemType', 'missing')})")
    return whole, failures, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, help="CSL-JSON: what each record holds")
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--server", default="http://127.0.0.1:1969")
    parser.add_argument("-v", "--verbose", action="store_true", help="name each record that falls short")
    args = parser.parse_args()
    reference = json.loads(args.reference.read_text(encoding="utf-8"))
    all_whole = True
    for path in args.files:
        whole, failures, lines = run(reference, path, args.server)
        detail = ", ".join(f"{name} {failures[name]}" for name in CHECKS if failures[name]) or "nothing lost"
        print(f"{path}: {whole}/{len(reference)} whole ({detail})")
        if args.verbose:
            print("\n".join(lines))
        all_whole &= whole == len(reference)
    return 0 if all_whole else 1


if __name__ == "__main__":
    sys.exit(main())
