"""Records in dblp's XML dump format (https://dblp.org/xml/): ``dblp.xml.gz`` and its ``dblp.dtd``.

The format is the real one: ISO-8859-1 declared, ASCII written, every other character as a named
entity of ``dblp.dtd`` (``&eacute;``) or a character reference; one element per record with
dblp's ``key`` and ``mdate`` attributes; ``<inproceedings>`` pointing to a ``<proceedings>``
volume by ``<crossref>``; dblp's short booktitles (``ICML``) and journal abbreviations
(``J. Mach. Learn. Res.``); titles ending with a period; ``<ee>`` links to DOIs and landing pages;
arXiv preprints as informal ``CoRR`` articles (``publtype="informal"``, volume ``abs/ID``, the
arXiv DOI). The DTD written is dblp's own (element declarations and the ISO Latin-1 entity set
of the 2017 ``dblp.dtd``).

Two uses:

- ``snapshot``: the published versions and the arXiv versions recorded in ``seeds/metadata/``
  (``proceedings.json``, ``crossref.jsonl``, ``arxiv.jsonl``) as dblp holds them, written to
  ``seeds/metadata/dblp.xml.gz`` (see ``seeds/metadata/README.md``). Half of the volumes come
  before their papers and half after, as in the real dump, whose order is not by crossref.
- ``synthetic N``: N publications for the ingest benchmark (``bench/dblp_ingest.py``), in the
  real dump's proportions: half inproceedings, 30 % journal articles, 20 % CoRR preprints, and
  a proceedings volume per 300 publications, plus one ``www`` author page per two publications.
  Homonym numbers (``Wei Li 0003``), accents and ``<i>``/``<sub>`` title markup occur.

    python bench/generate_dblp.py snapshot
    python bench/generate_dblp.py synthetic 1000000 -o bench/.work/dblp-1m/dblp.xml.gz
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate_arxiv  # noqa: E402

from citekit import venues  # noqa: E402
from citekit.text import fold, latex_to_unicode, squash  # noqa: E402

METADATA = ROOT / "seeds" / "metadata"

# dblp.dtd as dblp ships it (the version of August 2017): its element declarations, then the
# ISO 8879 Latin-1 entity set it declares for the characters of names and titles.
DTD_ELEMENTS = """<!ELEMENT dblp (article|inproceedings|proceedings|book|incollection|
                phdthesis|mastersthesis|www|person|data)*>
<!ATTLIST dblp mdate CDATA #IMPLIED >
<!ENTITY % field "author|editor|title|booktitle|pages|year|address|journal|volume|number|month|url|ee|cdrom|cite|publisher|note|crossref|isbn|series|school|chapter|publnr">
<!ELEMENT article       (%field;)*>
<!ATTLIST article       key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED
                        reviewid CDATA #IMPLIED rating CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT inproceedings (%field;)*>
<!ATTLIST inproceedings key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT proceedings   (%field;)*>
<!ATTLIST proceedings   key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT book          (%field;)*>
<!ATTLIST book          key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT incollection  (%field;)*>
<!ATTLIST incollection  key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT phdthesis     (%field;)*>
<!ATTLIST phdthesis     key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT mastersthesis (%field;)*>
<!ATTLIST mastersthesis key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT www           (%field;)*>
<!ATTLIST www           key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT data          (%field;)*>
<!ATTLIST data          key CDATA #REQUIRED mdate CDATA #IMPLIED publtype CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT person ((author*, (note|url|cite)*)|crossref) >
<!ATTLIST person key CDATA #REQUIRED mdate CDATA #IMPLIED cdate CDATA #IMPLIED>
<!ELEMENT author    (#PCDATA)>
<!ATTLIST author    aux CDATA #IMPLIED bibtex CDATA #IMPLIED orcid CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT editor    (#PCDATA)>
<!ATTLIST editor    aux CDATA #IMPLIED orcid CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT address   (#PCDATA)>
<!ENTITY % titlecontents "#PCDATA|sub|sup|i|tt|ref">
<!ELEMENT title     (%titlecontents;)*>
<!ATTLIST title     bibtex CDATA #IMPLIED aux CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT booktitle (#PCDATA)>
<!ELEMENT pages     (#PCDATA)>
<!ELEMENT year      (#PCDATA)>
<!ELEMENT journal   (#PCDATA)>
<!ELEMENT volume    (#PCDATA)>
<!ELEMENT number    (#PCDATA)>
<!ELEMENT month     (#PCDATA)>
<!ELEMENT url       (#PCDATA)>
<!ATTLIST url       aux CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT ee        (#PCDATA)>
<!ATTLIST ee        aux CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT cite      (#PCDATA)>
<!ATTLIST cite      aux CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED ref CDATA #IMPLIED>
<!ELEMENT school    (#PCDATA)>
<!ELEMENT publisher (#PCDATA)>
<!ATTLIST publisher href CDATA #IMPLIED aux CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT note      (#PCDATA)>
<!ATTLIST note      aux CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT cdrom     (#PCDATA)>
<!ELEMENT crossref  (#PCDATA)>
<!ELEMENT isbn      (#PCDATA)>
<!ATTLIST isbn      aux CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT chapter   (#PCDATA)>
<!ELEMENT series    (#PCDATA)>
<!ATTLIST series    href CDATA #IMPLIED aux CDATA #IMPLIED label CDATA #IMPLIED type CDATA #IMPLIED>
<!ELEMENT publnr    (#PCDATA)>
<!ELEMENT ref (#PCDATA)>
<!ATTLIST ref href CDATA #REQUIRED>
<!ELEMENT sup (%titlecontents;)*>
<!ELEMENT sub (%titlecontents;)*>
<!ELEMENT i   (%titlecontents;)*>
<!ELEMENT tt  (%titlecontents;)*>

<!ENTITY reg   "&#174;">
<!ENTITY micro "&#181;">
<!ENTITY times "&#215;">
"""
# The ISO 8879 Latin-1 set, by code point: capital A grave (192) … small y dieresis (255),
# without the multiplication (215) and division (247) signs, as dblp.dtd declares it.
LATIN1_NAMES = (
    "Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute "
    "Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml - Oslash Ugrave Uacute Ucirc Uuml "
    "Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc "
    "euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml - oslash ugrave "
    "uacute ucirc uuml yacute thorn yuml"
).split()
ENTITIES = {chr(192 + i): name for i, name in enumerate(LATIN1_NAMES) if name != "-"}
ENTITIES.update({"\u00ae": "reg", "\u00b5": "micro", "\u00d7": "times"})
HEADER = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n'
MDATE = "2026-11-20"


def dtd_text() -> str:
    lines = [
        f'    <!ENTITY {name:<7} "&#{ord(char)};" >'
        for char, name in ENTITIES.items()
        if name not in ("reg", "micro", "times")
    ]
    return DTD_ELEMENTS + "\n" + "\n".join(lines) + "\n"


def escape(text: str) -> str:
    """XML text as dblp writes it: ASCII, named entities of its DTD, else character references."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text.isascii():
        return text
    return "".join(
        ch if ord(ch) < 128 else f"&{ENTITIES[ch]};" if ch in ENTITIES else f"&#{ord(ch)};" for ch in text
    )


def element(tag: str, attributes: dict[str, str], fields: Iterable[tuple[str, str]]) -> str:
    """One record; ``fields`` are (tag, text) pairs, a tag written as ``tag attr="…"`` keeps its attribute."""
    attrs = "".join(f' {name}="{escape(value)}"' for name, value in attributes.items())
    body = "".join(
        f"<{name}>{text if name.startswith('title') else escape(text)}</{name.split()[0]}>\n"
        for name, text in fields
        if text
    )
    return f"<{tag}{attrs}>\n{body}</{tag}>\n"


def write_dump(path: Path, records: Iterable[str]) -> int:
    """Writes ``dblp.xml(.gz)`` and ``dblp.dtd`` beside it; the number of records written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "dblp.dtd").write_text(dtd_text(), encoding="ascii")
    count = 0
    with path.open("wb") as raw:
        # mtime 0: the same records give the same bytes (the snapshot's dump is committed)
        binary = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if path.suffix == ".gz" else raw
        with io.TextIOWrapper(binary, encoding="iso-8859-1", newline="\n") as out:
            out.write(HEADER)
            for record in records:
                out.write(record)
                count += 1
            out.write("</dblp>\n")
    return count


def dblp_title(title: str) -> str:
    """The title as dblp writes it: escaped, ending with a period."""
    title = squash(title)
    return escape(title if title.endswith((".", "?", "!")) else title + ".")


def key_name(authors: list[str], year: int) -> str:
    """dblp's key suffix: first author's family name, the others' initials, two-digit year."""
    families = [re.sub(r"[^A-Za-z]", "", fold(a.split(" ")[-1])) or "X" for a in authors] or ["Anonymous"]
    return families[0] + "".join(f[0] for f in families[1:6]) + f"{year % 100:02d}"


# --- the snapshot ----------------------------------------------------------------------------


def _csl_names(names: list[dict[str, str]]) -> list[str]:
    return [
        squash(" ".join(filter(None, (n.get("given"), n.get("family"))))) or n.get("literal", "")
        for n in names
    ]


def _venue_slug(acronym: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(acronym).lower()) or "conf"


class _Snapshot:
    """Collects the snapshot's published versions as dblp records: papers and their volumes."""

    def __init__(self) -> None:
        self.volumes: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]] = {}
        self.papers: dict[str, list[str]] = {}
        self.keys: set[str] = set()

    def unique(self, key: str) -> str:
        candidate, n = key, 0
        while candidate in self.keys:
            n += 1
            candidate = f"{key}-{n}"
        self.keys.add(candidate)
        return candidate

    def volume(
        self, acronym: str, year: int, container: str, collection: str, volume: str, publisher: str
    ) -> str:
        """The key of the volume with this title (one per title: the snapshot gives ICLR 2019 two)."""
        if (acronym, container) in self.volumes:
            return self.volumes[(acronym, container)][0]
        key = self.unique(f"conf/{_venue_slug(acronym)}/{year}")
        event = f"{acronym} {year}"
        title = container if event in container else f"{container}, {event}"
        fields = [
            ("title", escape(title)),
            ("booktitle", acronym),
            ("publisher", publisher),
            (f'series href="db/series/{_venue_slug(collection)}/index.html"', collection),
            ("volume", volume),
            ("year", str(year)),
            ("url", f"db/{key.rsplit('/', 1)[0]}/{key.rsplit('/', 1)[1]}.html"),
        ]
        self.volumes[(acronym, container)] = (key, fields)
        return key

    def paper(
        self,
        kind: str,
        authors: list[str],
        title: str,
        year: int,
        venue_key: str,
        fields: list[tuple[str, str]],
        links: list[str],
    ) -> None:
        prefix = f"journals/{venue_key}" if kind == "article" else venue_key.rsplit("/", 1)[0]
        key = self.unique(f"{prefix}/{key_name(authors, year)}")
        body = [
            *(("author", a) for a in authors),
            ("title", dblp_title(title)),
            *fields,
            ("year", str(year)),
            *((_ee(link), link) for link in links),
        ]
        if kind == "inproceedings":
            body.append(("crossref", venue_key))
        self.papers.setdefault(venue_key, []).append(element(kind, {"key": key, "mdate": MDATE}, body))

    def records(self) -> Iterator[str]:
        """Volumes and papers, a venue at a time; every other volume after its papers."""
        for number, venue_key in enumerate(self.papers):
            volume = next((v for v in self.volumes.values() if v[0] == venue_key), None)
            if volume is None:  # a journal
                yield from self.papers[venue_key]
                continue
            proceedings = element("proceedings", {"key": venue_key, "mdate": MDATE}, volume[1])
            yield from (
                [proceedings, *self.papers[venue_key]]
                if number % 2 == 0
                else [*self.papers[venue_key], proceedings]
            )


def _ee(link: str) -> str:
    return "ee" if link.startswith("https://doi.org/") else 'ee type="oa"'


def _short(container: str, event: str) -> str:
    if event:
        return re.sub(r"\s+\d{4}$", "", event)
    venue = venues.find(container)
    return venue.short if venue else re.sub(r"[^A-Z]", "", container)[:8] or "Conf"


def _journal(container: str) -> tuple[str, str]:
    """(dblp's journal abbreviation, key slug)."""
    venue = venues.find(container)
    if venue is not None:
        return venue.abbreviation or container, _venue_slug(venue.short)
    return container, _venue_slug("".join(w[0] for w in container.split() if w[0].isupper()))


def _published(snapshot: _Snapshot, item: dict[str, Any], doi: str = "") -> None:
    container = item["container-title"]
    year = item["issued"]["date-parts"][0][0]
    authors = _csl_names(item.get("author", []))
    links = [f"https://doi.org/{doi}"] if doi else []
    if item.get("URL") and "doi.org" not in item["URL"]:
        links.append(item["URL"])
    pages = [("pages", item.get("page", ""))]
    if item["type"] == "article-journal" or item["type"] == "journal-article":
        journal, slug = _journal(container)
        snapshot.paper(
            "article",
            authors,
            item["title"],
            year,
            slug,
            [
                *pages,
                ("journal", journal),
                ("volume", item.get("volume", "")),
                ("number", item.get("issue", "")),
            ],
            links,
        )
        return
    acronym = _short(container, item.get("event-title", ""))
    collection = item.get("collection-title", "")
    key = snapshot.volume(
        acronym, year, container, collection, item.get("volume", ""), item.get("publisher", "")
    )
    snapshot.paper(
        "inproceedings",
        authors,
        item["title"],
        year,
        key,
        [*pages, ("booktitle", acronym), ("volume", item.get("volume", ""))],
        links,
    )


def snapshot_records(metadata: Path = METADATA) -> Iterator[str]:
    """The snapshot's published versions (with their volumes) and arXiv versions, as dblp records."""
    snapshot = _Snapshot()
    for item in json.loads((metadata / "proceedings.json").read_text(encoding="utf-8")):
        _published(snapshot, item)
    for line in (metadata / "crossref.jsonl").read_text(encoding="utf-8").splitlines():
        work = json.loads(line)
        containers = work.get("container-title") or [""]
        item = {
            "type": work["type"],
            "title": work["title"][0],
            "author": work.get("author", []),
            "container-title": containers[0],
            "collection-title": containers[1] if len(containers) > 1 else "",
            "issued": work["issued"],
            "page": work.get("page", ""),
            "volume": work.get("volume", ""),
            "issue": work.get("issue", ""),
            "publisher": work.get("publisher", ""),
        }
        _published(snapshot, item, work["DOI"])
    yield from snapshot.records()
    for line in (metadata / "arxiv.jsonl").read_text(encoding="utf-8").splitlines():
        yield corr_article(json.loads(line))


def corr_article(listing: dict[str, Any]) -> str:
    """An arXiv listing as dblp's informal CoRR article."""
    arxiv_id = listing["id"]
    authors = [
        squash(latex_to_unicode(f"{given} {family}")) for family, given, *_ in listing["authors_parsed"]
    ]
    year = int(listing["versions"][0]["created"].split()[3])
    key = f"journals/corr/abs-{arxiv_id.replace('.', '-').replace('/', '-')}"
    body = [
        *(("author", a) for a in authors),
        ("title", dblp_title(latex_to_unicode(listing["title"]))),
        ("year", str(year)),
        ("volume", f"abs/{arxiv_id}"),
        ("journal", "CoRR"),
        ('ee type="oa"', f"https://doi.org/10.48550/arXiv.{arxiv_id}"),
        ("url", f"db/journals/corr/corr{arxiv_id[:4]}.html#{key.rsplit('/', 1)[1]}"),
    ]
    return element("article", {"key": key, "mdate": MDATE, "publtype": "informal"}, body)


# --- synthetic records -------------------------------------------------------------------------

CONFERENCES = [
    (
        "NeurIPS",
        "Advances in Neural Information Processing Systems {n}: Annual Conference on Neural "
        "Information Processing Systems {y}",
        "Curran Associates, Inc.",
    ),
    ("ICML", "Proceedings of the {n}th International Conference on Machine Learning", "PMLR"),
    ("CVPR", "IEEE/CVF Conference on Computer Vision and Pattern Recognition", "IEEE"),
    (
        "ACL",
        "Proceedings of the {n}th Annual Meeting of the Association for Computational Linguistics",
        "Association for Computational Linguistics",
    ),
    ("ICASSP", "IEEE International Conference on Acoustics, Speech and Signal Processing", "IEEE"),
    ("SODA", "Proceedings of the {n}th Annual ACM-SIAM Symposium on Discrete Algorithms", "SIAM"),
    ("CHI", "Proceedings of the CHI Conference on Human Factors in Computing Systems", "ACM"),
    ("ECCV", "Computer Vision - ECCV {y} - {n}th European Conference, Proceedings, Part {p}", "Springer"),
]
PLACES = ["Long Beach, CA, USA", "Vancouver, BC, Canada", "Paris, France", "Seoul, Korea", "Berlin, Germany"]
JOURNALS = [
    "J. Mach. Learn. Res.",
    "IEEE Trans. Pattern Anal. Mach. Intell.",
    "Commun. ACM",
    "Inf. Sci.",
    "Neurocomputing",
    "Pattern Recognit.",
    "IEEE Trans. Inf. Theory",
    "Bioinform.",
    "Theor. Comput. Sci.",
]
VOLUME_SIZE = 150
"""Half the papers of a volume's stretch of the dump: 300 publications a volume."""


def synthetic(count: int, seed: int = 7) -> Iterator[str]:
    """``count`` publications (and their author pages) in the real dump's proportions."""
    rng = random.Random(seed)
    vocabulary = generate_arxiv.vocabulary_for(seed)
    written = volume_number = 0
    while written < count:
        volume_number += 1
        acronym, pattern, publisher = CONFERENCES[volume_number % len(CONFERENCES)]
        year = 1990 + volume_number % 36
        volume_key = f"conf/{acronym.lower()}/{year}-{volume_number}"
        title = pattern.format(n=volume_number % 40 + 1, y=year, p=volume_number % 20 + 1)
        proceedings = element(
            "proceedings",
            {"key": volume_key, "mdate": MDATE},
            [
                ("editor", _name(rng)),
                ("title", escape(f"{title}, {acronym} {year}, {rng.choice(PLACES)}")),
                ("booktitle", acronym),
                ("publisher", publisher),
                ("year", str(year)),
                ("isbn", f"978-1-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(0, 9)}"),
            ],
        )
        batch = []
        for _ in range(min(VOLUME_SIZE * 2, count - written)):
            batch.append(_synthetic_record(rng, vocabulary, written, acronym, year, volume_key))
            written += 1
        before = rng.random() < 0.5
        yield from ([proceedings] if before else [])
        for record in batch:
            yield record
            if rng.random() < 0.5:
                yield element(
                    "www",
                    {"key": f"homepages/{written % 997}/{rng.randint(0, 10**6)}", "mdate": MDATE},
                    [("author", _name(rng)), ("title", "Home Page"), ("url", "https://example.org/")],
                )
        yield from ([] if before else [proceedings])


def _synthetic_record(
    rng: random.Random, vocabulary: Any, number: int, acronym: str, year: int, volume_key: str
) -> str:
    authors = [_name(rng) for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8)))]
    title = generate_arxiv.title(vocabulary, rng)
    if rng.random() < 0.03:
        title = title.replace(" ", " <i>", 1) + "</i>" if " " in title else title
    title_xml = (
        dblp_title(re.sub(r"\$([^$]*)\$", r"\1", title))
        .replace("&lt;i&gt;", "<i>")
        .replace("&lt;/i&gt;", "</i>")
    )
    kind = rng.random()
    pages = f"{(start := rng.randint(1, 9000))}-{start + rng.randint(3, 20)}"
    doi = f"https://doi.org/10.{rng.randint(1000, 9999)}/bench.{number}"
    if kind < 0.5:
        body = [
            *(("author", a) for a in authors),
            ("title", title_xml),
            ("pages", pages),
            ("year", str(year)),
            ("booktitle", acronym),
            ("ee", doi),
            ("crossref", volume_key),
            ("url", f"db/{volume_key}.html#P{number}"),
        ]
        return element(
            "inproceedings",
            {"key": f"{volume_key.rsplit('/', 1)[0]}/{key_name(authors, year)}-{number}", "mdate": MDATE},
            body,
        )
    if kind < 0.8:
        body = [
            *(("author", a) for a in authors),
            ("title", title_xml),
            ("pages", pages),
            ("year", str(year)),
            ("volume", str(rng.randint(1, 60))),
            ("number", str(rng.randint(1, 12))),
            ("journal", rng.choice(JOURNALS)),
            ("ee", doi),
        ]
        return element(
            "article", {"key": f"journals/bench/{key_name(authors, year)}-{number}", "mdate": MDATE}, body
        )
    arxiv_id = f"{year % 100:02d}{number % 12 + 1:02d}.{number % 99999:05d}"
    body = [
        *(("author", a) for a in authors),
        ("title", title_xml),
        ("year", str(year)),
        ("volume", f"abs/{arxiv_id}"),
        ("journal", "CoRR"),
        ('ee type="oa"', f"https://doi.org/10.48550/arXiv.{arxiv_id}"),
    ]
    return element(
        "article", {"key": f"journals/corr/abs-{number}", "mdate": MDATE, "publtype": "informal"}, body
    )


def _name(rng: random.Random) -> str:
    display, _ = generate_arxiv.author(rng)
    name = squash(latex_to_unicode(display))
    return f"{name} {rng.randint(1, 40):04d}" if rng.random() < 0.08 else name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    snap = sub.add_parser("snapshot", help="seeds/metadata/dblp.xml.gz from the snapshot's facts")
    snap.add_argument("-o", "--output", type=Path, default=METADATA / "dblp.xml.gz")
    synth = sub.add_parser("synthetic", help="N generated publications")
    synth.add_argument("count", type=int)
    synth.add_argument("-o", "--output", type=Path, required=True)
    synth.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    records = snapshot_records() if args.what == "snapshot" else synthetic(args.count, args.seed)
    written = write_dump(args.output, records)
    print(f"{args.output}: {written} records, DTD {args.output.parent / 'dblp.dtd'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
