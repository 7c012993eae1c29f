"""dblp's bulk XML dump (``dblp.xml.gz``, https://dblp.org/xml/) read as records, streaming.

The dump is one ``<dblp>`` element holding millions of records (``article``, ``inproceedings``,
``proceedings``, ``incollection``, ``book``, theses, and ``www``/``person``/``data`` pages, which
are not publications and are only counted). It is ISO-8859-1, and its named character entities
(``&eacute;``) are declared in ``dblp.dtd``, shipped beside it: lxml loads that DTD (beside the
file, or the one given) through a resolver that serves nothing else, so no other external entity
is ever read. An entity the DTD does not declare is dropped with a warning; a missing DTD is an
error naming the file looked for.

Memory stays flat: :func:`lxml.etree.iterparse` hands over one record at a time, which is cleared
once converted. Only the proceedings volumes seen so far are kept (a few tens of thousands in the
whole dump), so that a paper's ``<crossref>`` gets its volume's full title, volume, series and
publisher. A paper read before its volume is yielded with :attr:`Loaded.crossref` set; the
index keeps that link in a side table and completes the paper once the volume is stored
(:meth:`citekit.sources.local.LocalIndex.add_file`), with :func:`~citekit.sources.convert.apply_proceedings`.

dblp's conventions undone here: homonym numbers (``Wei Li 0001``), the period ending every title,
abbreviated journal names (expanded by :mod:`citekit.venues` where known), ``<ee>`` holding both
DOIs and landing pages. arXiv papers are informal ``CoRR`` articles (``publtype="informal"``,
volume ``abs/ID``): they are arXiv's preprints, never a journal called ``CoRR``, so they are
counted and left to the arXiv source, whose record of the same id has what dblp's lacks (abstract,
categories, dates). Stored as preprints they would stand in for it: a search finds the copy
without an abstract first, and an abstract-only reference is then matched to nothing.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from citekit.diagnostics import Diagnostic
from citekit.ids import normalize_doi, parse_arxiv_id
from citekit.model import Date, Name, Origin, Record
from citekit.sources.bulk import DBLP, Loaded
from citekit.sources.convert import DBLP_KEY_FIELD, apply_proceedings, without_part
from citekit.venues import full_title

PUBLICATIONS = (
    "article",
    "inproceedings",
    "proceedings",
    "incollection",
    "book",
    "phdthesis",
    "mastersthesis",
)
PAGES = ("www", "person", "data")
"""Records that are author or dataset pages, not publications: counted, not indexed."""
TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "proceedings": "book",
    "incollection": "chapter",
    "book": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
}

"""A volume's part in a short booktitle: ``ECCV (13)``."""
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
_ARXIV_URL = re.compile(r"^https?://(?:www\.)?arxiv\.org/", re.IGNORECASE)
_PARTICLES = frozenset(
    "van von der den de del della di da dos das du le la las los ter ten zu af al el bin ibn".split()
)
_SUFFIXES = frozenset(("Jr.", "Jr", "Sr.", "II", "III", "IV"))
_FIELDS = frozenset(
    (
        "title",
        "year",
        "month",
        "pages",
        "volume",
        "number",
        "journal",
        "booktitle",
        "crossref",
        "publisher",
        "series",
        "isbn",
        "school",
    )
)


def is_dblp(head: str) -> bool:
    """Does this file start like dblp's dump (``<!DOCTYPE dblp`` or a ``<dblp>`` root)?"""
    return head.startswith("<") and re.search(r"<!DOCTYPE\s+dblp\b|<dblp[\s>]", head[:2048]) is not None


def find_dtd(path: Path, dtd: str | Path | None) -> Path:
    """The DTD to read: the one given, else ``dblp.dtd`` beside the dump."""
    return Path(dtd) if dtd else path.parent / "dblp.dtd"


class _DtdResolver(etree.Resolver):  # type: ignore[misc]  # lxml ships no type hints: Resolver is Any
    """Serves the DTD for the document's DOCTYPE, and an empty text for any other external entity."""

    def __init__(self, dtd: Path) -> None:
        super().__init__()
        self.dtd = dtd

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        if system_url and system_url.lower().endswith(".dtd"):
            return self.resolve_filename(str(self.dtd), context)
        return self.resolve_string("", context)


def read_dblp(path: Path, file: str, dtd: str | Path | None = None) -> Iterator[Loaded | Diagnostic]:
    """Every publication of the dump (gzipped or not), in order; diagnostics for what could not be read."""
    dtd_path = find_dtd(path, dtd)
    if not dtd_path.is_file():
        yield Diagnostic(
            "error",
            "index.dblp-no-dtd",
            f"{file} declares its character entities in a DTD, and {dtd_path} does not exist: "
            "download dblp.dtd from https://dblp.org/xml/ beside the dump, or give --dtd PATH",
            file,
        )
        return
    with path.open("rb") as handle:
        yield from _parse(_Stream(handle), file, dtd_path)


def iterparse_dump(stream: _Stream, dtd_path: Path) -> etree.iterparse:
    """lxml's streaming parser over a dump: its records' end events, entities from ``dtd_path``."""
    parser = etree.iterparse(
        stream,
        events=("end",),
        tag=PUBLICATIONS + PAGES,
        load_dtd=True,
        resolve_entities=True,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
    )
    parser.resolvers.add(_DtdResolver(dtd_path))
    return parser


def _parse(stream: _Stream, file: str, dtd_path: Path) -> Iterator[Loaded | Diagnostic]:
    parser = iterparse_dump(stream, dtd_path)
    reader = _Reader(file)
    try:
        for _, element in parser:
            yield from reader.element(element)
            yield from reader.warnings(parser.error_log)
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        # lxml also raises at the end of a whole document whose log holds errors that libxml2
        # recovered from (undeclared entities): only a fatal error broke the reading.
        yield from reader.warnings(error.error_log)
        fatal = [entry for entry in error.error_log if entry.level_name == "FATAL"]
        if fatal or not error.error_log:
            line = fatal[0].line if fatal else max(reader.last_line, error.lineno or 0)
            cause = "; ".join(filter(None, [stream.error, fatal[0].message.strip() if fatal else str(error)]))
            yield Diagnostic(
                "error",
                "index.dblp-broken",
                f"the XML breaks at line {line} ({cause}); the "
                f"{reader.count} records before it were kept, the rest of the file was not read",
                file,
                line,
                reader.count + 1,
            )
    if reader.pages:
        yield Diagnostic(
            "info",
            "index.dblp-pages",
            f"{reader.pages} author or data pages (www, person, data) are not publications: not indexed",
            file,
        )
    if reader.preprints:
        yield Diagnostic(
            "info",
            "index.dblp-corr",
            f"{reader.preprints} CoRR articles are arXiv preprints, not "
            "venues: left to the arXiv source (index arXiv's dump, or ask arXiv online)",
            file,
        )


class _Stream:
    """The dump's bytes for lxml, decompressed here when gzipped: a cut-off or corrupt stream
    then ends after its last good byte (where :class:`gzip.GzipFile` would lose the last chunk),
    so that lxml names the line where the XML stops."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._gzip = handle.peek(2)[:2] == b"\x1f\x8b" if hasattr(handle, "peek") else False
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.error = ""

    def read(self, size: int = -1) -> bytes:
        if not self._gzip:
            return self._handle.read(size)
        while not self.error:
            raw = self._handle.read(1 << 16)
            if not raw:
                if not self._inflate.eof:
                    self.error = "the compressed file is cut off"
                return self._inflate.flush() if not self.error else b""
            try:
                data = self._inflate.decompress(raw)
            except zlib.error as error:
                self.error = f"the compressed file is corrupt: {error}"
                return b""
            if self._inflate.eof and self._inflate.unused_data:  # a file of several gzip members
                rest = self._inflate.unused_data
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data += self._inflate.decompress(rest)
            if data:
                return data
        return b""


class _Reader:
    """The state of one dump's reading: proceedings seen so far, counts, warnings reported."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.proceedings: dict[str, Record] = {}
        self.count = 0
        self.pages = 0
        self.preprints = 0
        self.last_line = 0
        self._warned = 0

    def element(self, element: Any) -> Iterator[Loaded | Diagnostic]:
        self.last_line = element.sourceline or self.last_line
        if element.tag in PAGES:
            self.pages += 1
            return
        self.count += 1
        key = element.get("key", "")
        try:
            loaded = convert(element)
        except (ValueError, TypeError) as error:  # a value lxml or a converter could not take
            yield Diagnostic(
                "error",
                "index.bad-record",
                f"unreadable dblp record {key}: {error}",
                self.file,
                element.sourceline,
                self.count,
            )
            return
        if loaded is None:
            self.preprints += 1
            return
        loaded.record.origin = Origin(self.file, self.count, element.sourceline, "dblp")
        if element.tag == "proceedings" and key:
            self.proceedings[key] = loaded.record
        if loaded.crossref and loaded.crossref in self.proceedings:
            apply_proceedings(loaded.record, self.proceedings[loaded.crossref])
            loaded.crossref = ""
        yield loaded

    def warnings(self, log: Any) -> Iterator[Diagnostic]:
        """Entities the DTD does not declare (libxml2 warns and drops them), each reported once."""
        if len(log) <= self._warned:
            return
        for entry in list(log)[self._warned :]:
            if entry.type_name == "WAR_UNDECLARED_ENTITY":
                yield Diagnostic(
                    "warning",
                    "index.dblp-entity",
                    f"{entry.message.strip()} in the DTD: dropped from the text",
                    self.file,
                    entry.line,
                )
        self._warned = len(log)


def convert(element: Any) -> Loaded | None:
    """One dblp record element as a :class:`Loaded` record; None for a CoRR preprint."""
    fields, authors, editors, links = _fields(element)
    if corr_arxiv_id(element.tag, fields, links) is not None:
        return None
    key = element.get("key", "")
    record = Record(type=TYPES.get(element.tag, "article"), title=_title(fields.get("title", "")))
    record.author = [dblp_name(text) for text in authors]
    record.editor = [dblp_name(text) for text in editors]
    year = fields.get("year", "")
    if year.isdigit():
        record.issued = Date((int(year),))
    record.page, record.volume, record.issue = (
        fields.get("pages", ""),
        fields.get("volume", ""),
        fields.get("number", ""),
    )
    record.publisher = fields.get("publisher", "") or fields.get("school", "")
    record.collection_title, record.isbn = fields.get("series", ""), fields.get("isbn", "")
    record.custom[DBLP_KEY_FIELD] = key
    _links(record, links)
    if element.tag == "article":
        record.container_title = full_title(fields.get("journal", ""))
    elif element.tag == "proceedings":
        record.custom["dblp-booktitle"] = fields.get("booktitle", "")
    elif fields.get("booktitle"):
        booktitle = without_part(fields["booktitle"])
        record.container_title = full_title(booktitle)
        record.event_title = f"{booktitle} {year}".strip() if element.tag == "inproceedings" else ""
    return Loaded(DBLP, record, crossref=fields.get("crossref", ""))


def dblp_name(text: str) -> Name:
    """``Given Family`` as dblp writes names, without the homonym number (``Wei Li 0001``).

    Split here rather than by :func:`citekit.names.parse_name` (BibTeX's grammar, in Python): it
    is the dump's most frequent operation, 20+ million names, and dblp's form is always
    ``Given [particles] Family [Jr.]``. Particles stay in the family name (``de las Casas``), as
    Crossref and arXiv's listings have them.
    """
    words = text.split()
    if len(words) > 1 and words[-1].isdigit():
        words.pop()
    suffix = words.pop() if len(words) > 2 and words[-1] in _SUFFIXES else ""
    if len(words) == 1:
        return Name(family=words[0], suffix=suffix)
    first = len(words) - 1
    while first > 1 and words[first - 1] in _PARTICLES:
        first -= 1
    return Name(family=" ".join(words[first:]), given=" ".join(words[:first]), suffix=suffix)


def _fields(element: Any) -> tuple[dict[str, str], list[str], list[str], list[str]]:
    fields: dict[str, str] = {}
    authors: list[str] = []
    editors: list[str] = []
    links: list[str] = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        text = child.text or "" if len(child) == 0 else "".join(child.itertext())
        if tag == "author":
            authors.append(text)
        elif tag == "editor":
            editors.append(text)
        elif tag == "ee":
            links.append(text.strip())
        elif tag in _FIELDS and tag not in fields:
            fields[tag] = " ".join(text.split())
    return fields, authors, editors, links


def _title(text: str) -> str:
    """Without the period dblp ends every title with (an ellipsis stays)."""
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _links(record: Record, links: list[str]) -> None:
    """``<ee>``: the first DOI is the record's DOI, the first other page (not arXiv's) its URL."""
    for link in links:
        if _DOI_URL.match(link) and not record.doi:
            record.doi = normalize_doi(link)
        elif not _DOI_URL.match(link) and not _ARXIV_URL.match(link) and not record.url:
            record.url = link


def corr_arxiv_id(tag: str, fields: dict[str, str], links: list[str]) -> str | None:
    """The arXiv id of a CoRR article (from ``abs/ID``, else its links); None for any other record."""
    if tag != "article" or fields.get("journal", "").strip() != "CoRR":
        return None
    for candidate in (fields.get("volume", "").removeprefix("abs/"), *links):
        parsed = parse_arxiv_id(candidate)
        if parsed:
            return parsed.id
    return None
