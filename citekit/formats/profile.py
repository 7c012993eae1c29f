"""Researcher profile pages: the text of a scraped listing of one researcher's arXiv papers.

Read-only. Layout (seeds 002 and 003)::

    Alexandre Sablayrolles            ← header: name, main category, h-index, counts …
    28 Papers                          ← the page's own paper count (checked against the blocks)

    55.2AIMar 26                       ← [score][category code][date][Code flag]
    Voxtral TTS                        ← title
    Alexander H. Liu, Alexis Tacnet, Andy Ehrenberg et al. · deepmind, tsinghua
    We introduce Voxtral TTS, …        ← abstract

A block starts at a line holding a date (``Oct 10, 2023``, or ``Mar 26`` without a year, which
belongs to the year of the reference date). The text after `` · `` on the author line is the
page's guess at affiliations: reported as unverified, never taken as an author. What only the page
says (its score, the Code flag, affiliations) goes to the report as ``info`` diagnostics on the
record, not into the record: no client should show it as bibliographic data. Nothing here
has a grammar a library could parse, so the reader is hand-written; it never invents a record and
never loses one (a block without a title is reported as an error with its text).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from citekit.diagnostics import Diagnostic, Level, ReadResult
from citekit.formats.abstracts import scraped_to_unicode
from citekit.formats.base import Format
from citekit.model import Date, Origin, Record
from citekit.names import parse_display_name

NAME = "profile"

# The one mapping table: the page's category code → arXiv primary category. The site lists
# CS/ML papers, so where an archive code is shared (DS, GT, LO, IT) the cs archive wins.
CATEGORIES: dict[str, str] = {
    **{
        code: f"cs.{code}"
        for code in (
            "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NE NI OH OS "
            "PF PL RO SC SD SE SI"
        ).split()
    },
    "ML": "stat.ML",
    "ME": "stat.ME",
    "TH": "stat.TH",
    "AS": "eess.AS",
    "IV": "eess.IV",
    "SP": "eess.SP",
    "SY": "eess.SY",
    "NA": "math.NA",
    "OC": "math.OC",
    "PR": "math.PR",
    "ST": "math.ST",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BLOCK_START = re.compile(
    rf"(?P<prefix>\S*?)(?P<month>{'|'.join(_MONTHS)})[a-z]*\.?[ \t](?P<day>\d{{1,2}})(?:,[ \t]*(?P<year>\d{{4}}))?"
    r"(?P<suffix>\S*)"
)
_PREFIX = re.compile(r"(?P<score>\d{1,3}(?:\.\d+)?)?(?P<code>[A-Z]{2,3})?")
_CODE_FLAG = "Code"
_MAX_START_LENGTH = 40
_PAPER_COUNT = re.compile(r"(?P<count>\d[\d,]*)\s*Papers", re.IGNORECASE)
_AFFILIATION_MARK = "·"
# No pattern here starts with \s* or \s+: searched in a long run of spaces, such a pattern is tried
# at every space and scans to the end of the run each time, quadratic (16k spaces took 13 s).
_TRUNCATION = re.compile(r"(?:(?<![^\s,])et\s+al\.?|…|\.\.\.)$", re.IGNORECASE)
"""On right-stripped text; the comma and spaces before it go with it (:func:`_drop_truncation`)."""
_ET_AL = re.compile(r"(?<=\s)et\s+al\.?$", re.IGNORECASE)
"""On right-stripped text."""
_NAME_SEPARATOR = re.compile(r",|&|(?<=\s)and(?=\s)")
_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "dos",
    "du",
    "la",
    "le",
    "y",
    "bin",
}


@dataclass(slots=True)
class _Block:
    index: int
    line: int
    header: re.Match[str]
    body: list[tuple[int, str]]
    """Non-blank lines after the header, with their line numbers."""

    @property
    def raw(self) -> str:
        return "\n".join([self.header.string, *(text for _, text in self.body)])


def sniff(text: str) -> bool:
    """At least two block-start lines, or one plus the page's ``N Papers`` line."""
    lines = [line.strip() for line in text.split("\n")]
    starts = sum(1 for line in lines if _strict_start(line))
    has_count = any(_PAPER_COUNT.fullmatch(line) for line in lines)
    return starts >= 2 or (starts == 1 and has_count)


def read(text: str, file: str) -> ReadResult:
    """Read with today as the reference date for dates shown without a year."""
    return read_profile(text, file)


def read_profile(text: str, file: str, *, reference_date: datetime.date | None = None) -> ReadResult:
    """Every paper block → a Record (type ``article``, origin index = block number)."""
    reference = reference_date or datetime.date.today()
    result = ReadResult()
    header, blocks = _split(text)
    for block in blocks:
        record = _to_record(block, file, reference, result.diagnostics)
        if record is not None:
            result.records.append(record)
    _check_count(header, len(blocks), file, result.diagnostics)
    return result


def _split(text: str) -> tuple[list[str], list[_Block]]:
    """The header lines and the paper blocks (a block runs until the next block start)."""
    header: list[str] = []
    blocks: list[_Block] = []
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip()
        start = _BLOCK_START.fullmatch(line) if len(line) <= _MAX_START_LENGTH else None
        if start:
            blocks.append(_Block(len(blocks) + 1, number, start, []))
        elif not blocks:
            header.append(line)
        elif line:
            blocks[-1].body.append((number, line))
    return header, blocks


def _strict_start(line: str) -> bool:
    """A block start with nothing unexplained in it (what the sniffer trusts)."""
    match = _BLOCK_START.fullmatch(line) if len(line) <= _MAX_START_LENGTH else None
    return bool(
        match
        and match.group("suffix") in ("", _CODE_FLAG)
        and _PREFIX.fullmatch(match.group("prefix"))
        and match.group("prefix")
    )


def _to_record(
    block: _Block, file: str, reference: datetime.date, diagnostics: list[Diagnostic]
) -> Record | None:
    report = _Reporter(file, block, diagnostics)
    body = list(block.body)
    if not body or _is_author_line(body[0][1], strong=True):
        report("error", "profile.no-title", "paper block has no title; not read", raw=block.raw)
        return None
    record = Record(type="article", origin=Origin(file, block.index, block.line, NAME))
    record.title = _decode(body.pop(0)[1], report)
    _read_header(block.header, record, reference, report)
    if body and _is_author_line(body[0][1], strong=False):
        _read_authors(body.pop(0)[1], record, report)
    else:
        report("warning", "profile.no-authors", "paper block has no author line")
    if body:
        record.abstract = "\n".join(_decode(text, report) for _, text in body)
    else:
        report("info", "profile.no-abstract", "paper block has no abstract")
    return record


def _read_header(header: re.Match[str], record: Record, reference: datetime.date, report: _Reporter) -> None:
    prefix = _PREFIX.fullmatch(header.group("prefix"))
    suffix = header.group("suffix")
    if prefix is None or suffix not in ("", _CODE_FLAG):
        report("warning", "profile.odd-header", f"block start {header.string!r} only partly understood")
    page = [f"score {prefix.group('score')}"] if prefix and prefix.group("score") else []
    page += ["marked as having code"] if suffix == _CODE_FLAG else []
    if page:
        report("info", "profile.page-data", f"the page shows: {', '.join(page)}")
    code = prefix.group("code") if prefix else None
    if code and code in CATEGORIES:
        record.arxiv_class = CATEGORIES[code]
    elif code:
        report("warning", "profile.unknown-category", f"category code {code!r} is not in the table")
    else:
        report("warning", "profile.no-category", "block start has no category code")
    record.issued = _date(header, reference, report)


def _date(header: re.Match[str], reference: datetime.date, report: _Reporter) -> Date:
    month = _MONTHS.index(header.group("month")) + 1
    day = int(header.group("day"))
    year = header.group("year")
    shown = _valid_date(int(year), month, day) if year else _yearless_date(month, day, reference)
    literal = header.string[header.start("month") : header.end("year" if year else "day")]
    if shown is None:
        report("warning", "profile.bad-date", f"no such date: {literal!r}")
        return Date(literal=literal)
    if not year:
        report(
            "info",
            "profile.year-inferred",
            f"{literal!r} has no year; taken as {shown.isoformat()} (reference date {reference.isoformat()})",
        )
    return Date((shown.year, shown.month, shown.day))


def _valid_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _yearless_date(month: int, day: int, reference: datetime.date) -> datetime.date | None:
    """The year of the reference date, or the latest earlier one: a listing shows no future dates."""
    for year in range(reference.year, reference.year - 8, -1):
        shown = _valid_date(year, month, day)
        if shown is not None and shown <= reference:
            return shown
    return None


def _read_authors(line: str, record: Record, report: _Reporter) -> None:
    names, _, affiliations = line.partition(_AFFILIATION_MARK)
    names, truncated = _drop_truncation(names.strip())
    record.authors_truncated = truncated
    record.author = [parse_display_name(n) for n in _split_names(names)]
    if affiliations.strip():
        report(
            "info", "profile.affiliations", f"affiliations on the page (unverified): {affiliations.strip()}"
        )


def _is_author_line(line: str, *, strong: bool) -> bool:
    """Whether a line is the author list: names, and when ``strong``, surely so (`` · ``, ``et al.``).

    Only strong evidence makes a block's first line an author line (then the title is missing):
    titles often look like lists of capitalised words.
    """
    if _AFFILIATION_MARK in line:
        return True
    if strong and not _ET_AL.search(line.rstrip()):
        return False
    parts = _split_names(_drop_truncation(line)[0])
    return bool(parts) and all(_looks_like_name(p) for p in parts)


def _drop_truncation(line: str) -> tuple[str, bool]:
    """The line without a trailing ``et al.``/``…`` (and the comma before it); whether it had one."""
    stripped = line.rstrip()
    marker = _TRUNCATION.search(stripped)
    if marker is None:
        return line, False
    return stripped[: marker.start()].rstrip().removesuffix(",").rstrip(), True


def _split_names(text: str) -> list[str]:
    return [part.strip() for part in _NAME_SEPARATOR.split(text) if part.strip()]


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and all(w[0].isupper() or w.lower() in _PARTICLES for w in words)


def _decode(text: str, report: _Reporter) -> str:
    decoded, ok = scraped_to_unicode(text)
    if not ok:
        report("info", "profile.latex-kept", "LaTeX left as written: decoding would alter its $…$ math")
    return decoded


def _check_count(header: list[str], found: int, file: str, diagnostics: list[Diagnostic]) -> None:
    """The page says how many papers it lists: a mismatch means blocks were missed or split."""
    counts = [m for m in map(_PAPER_COUNT.fullmatch, header) if m]
    stated = int(counts[-1].group("count").replace(",", "")) if counts else None  # the listing's heading
    if stated is not None and stated != found:
        diagnostics.append(
            Diagnostic(
                "warning",
                "profile.count-mismatch",
                f"the page says {stated} papers; {found} paper blocks found",
                file,
            )
        )
    if found == 0:
        diagnostics.append(Diagnostic("warning", "profile.no-papers", "no paper blocks found", file))


@dataclass(slots=True)
class _Reporter:
    """Adds diagnostics about one block (its file, line and index filled in)."""

    file: str
    block: _Block
    diagnostics: list[Diagnostic]

    def __call__(self, level: Level, code: str, message: str, raw: str = "") -> None:
        self.diagnostics.append(
            Diagnostic(level, code, message, self.file, self.block.line, self.block.index, raw)
        )


FORMAT = Format(
    name=NAME,
    description="Researcher profile pages: scraped listings of arXiv papers (read-only)",
    suffixes=(),
    sniff=sniff,
    read=read,
    write=None,
    priority=60,
)
