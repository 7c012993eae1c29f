r"""``citekit check``: a preflight lint for bibliography files, with stable codes.

Rules that the record model cannot see (it has already decoded, deduplicated or dropped what they are
about: escapes, braces, repeated keys, where a ``TY`` line sits) run on the raw text; the rest run on
the records the readers return. The readers' own diagnostics are passed on too (``bibtex.failed-block``,
``input.encoding`` …), except those a rule below states more precisely (:data:`SUPERSEDED`).

``target`` is where the file is going (default: the input's own format); it selects the rules marked
so below. Only warnings and errors fail a check: info is advice.

============================= ======= ================ ===================================================
code                          level   when             finding
============================= ======= ================ ===================================================
check.missing-field           warning bibtex, biblatex a field the standard styles require for the type
                                                       (btxdoc; biblatex manual §2.1.1); ``a|b``: either
check.missing-field           error   CSL input        an item without ``id`` or ``type``
check.unescaped-special       error   bibtex, biblatex ``& % # _`` outside math, ``\url{}``, verbatim fields
check.unbalanced-math         error   bibtex, biblatex an odd number of unescaped ``$``
check.unbalanced-braces       error   BibTeX input     braces counted as BibTeX does (``\{`` too)
check.duplicate-key           error   always           a citation key used again (across files too)
check.duplicate-doi           warning always           one DOI on two records (across files too)
check.duplicate-arxiv         warning always           one arXiv id on two records (across files too)
check.malformed-doi           warning always           a DOI field that is not exactly one DOI
check.malformed-arxiv         warning always           an arXiv id arXiv cannot have issued
check.arxiv-as-journal        warning always           ``journal = {arXiv preprint …}`` or ``{CoRR}``
check.published-version-known warning with sources     a preprint the sources know a published version of
check.csl-unknown-key         warning CSL input        a key outside CSL-JSON 1.0.2
check.csl-unknown-type        error   CSL input        a type outside CSL-JSON 1.0.2
check.csl-invalid-value       warning CSL input        a value of the wrong shape for the schema
check.zotero-type             error   zotero           a type Zotero's CSL JSON importer rejects (it then
check.zotero-type             info    csljson          rejects the whole file)
check.ris-ty-not-first        error   RIS input        a record whose first tag is not ``TY``
check.ris-repeated-ty         error   RIS input        ``TY`` twice in one record
check.ris-missing-er          warning RIS input        a record without ``ER``
check.ris-line-ending         warning zotero           LF line ends (RIS has CRLF)
check.ris-ignored-tag         info    ris, zotero      ``ID``, or a deprecated alias (``Y1``, ``N2``…) next
                                                       to its tag: Zotero ignores it
============================= ======= ================ ===================================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from citekit import formats, io
from citekit.diagnostics import Diagnostic, Level
from citekit.enrich import Enricher
from citekit.formats import csljson, ris
from citekit.formats.bibtex import evaluate
from citekit.formats.bibtex.crossref import CROSSREF, resolve
from citekit.formats.bibtex.scanner import scan
from citekit.formats.latex import plain_identifier
from citekit.ids import arxiv_problem, doi_problem, is_arxiv_doi
from citekit.model import Record

TARGETS = ("bibtex", "biblatex", "csljson", "ris", "zotero")
LATEX_TARGETS = BIB_FORMATS = frozenset({"bibtex", "biblatex"})
SUPERSEDED = frozenset({"bibtex.duplicate-key", "bibtex.bad-doi", "csljson.schema", "ris.missing-er"})
ZOTERO_REJECTED_TYPES = frozenset({"software"})
"""CSL types missing from ``CSL_TYPES`` in zotero/translators ``CSL JSON.js`` (2022-09-20)."""

_D = "date|year"  # biblatex takes year for date, journal for journaltitle, school for institution
REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {
    "bibtex": {
        "article": ("author", "title", "journal", "year"),
        "book": ("author|editor", "title", "publisher", "year"),
        "booklet": ("title",),
        "inbook": ("author|editor", "title", "chapter|pages", "publisher", "year"),
        "incollection": ("author", "title", "booktitle", "publisher", "year"),
        "inproceedings": ("author", "title", "booktitle", "year"),
        "conference": ("author", "title", "booktitle", "year"),
        "manual": ("title",),
        "mastersthesis": ("author", "title", "school", "year"),
        "phdthesis": ("author", "title", "school", "year"),
        "proceedings": ("title", "year"),
        "techreport": ("author", "title", "institution", "year"),
        "unpublished": ("author", "title", "note"),
    },
    "biblatex": {
        "article": ("author", "title", "journaltitle|journal", _D),
        **dict.fromkeys(("book", "mvbook"), ("author", "title", _D)),
        **dict.fromkeys(
            (
                "inbook",
                "bookinbook",
                "suppbook",
                "incollection",
                "suppcollection",
                "inproceedings",
                "conference",
                "inreference",
            ),
            ("author", "title", "booktitle", _D),
        ),
        **dict.fromkeys(("booklet", "dataset", "manual", "misc", "software"), ("author|editor", "title", _D)),
        **dict.fromkeys(
            ("collection", "mvcollection", "periodical", "reference", "mvreference"), ("editor", "title", _D)
        ),
        **dict.fromkeys(("online", "electronic", "www"), ("author|editor", "title", _D, "doi|eprint|url")),
        "patent": ("author", "title", "number", _D),
        **dict.fromkeys(("proceedings", "mvproceedings"), ("title", _D)),
        **dict.fromkeys(("report", "thesis"), ("author", "title", "type", "institution|school", _D)),
        **dict.fromkeys(
            ("techreport", "mastersthesis", "phdthesis"), ("author", "title", "institution|school", _D)
        ),
        "unpublished": ("author", "title", _D),
    },
}
VERBATIM_FIELDS = frozenset(
    {"url", "doi", "eprint", "file", "pdf", "verba", "verbb", "verbc", "urlraw"}
    | {"crossref", "xref", "ids", "related", "entryset", "xdata"}  # keys: never typeset
)
DOI_FIELDS = {"bibtex": "doi", "biblatex": "doi", "csljson": "DOI", "ris": "DO"}
CONTAINER_FIELDS = {"journal", "journaltitle", "booktitle", "container-title", "T2", "JO", "JF", "JA", "BT"}
NO_CONTAINER_ADVICE = "leave the container empty and keep the id as the arXiv DOI and URL"
EPRINT_ADVICE = {
    "bibtex": "write eprint = {<id>}, archivePrefix = {arXiv}, primaryClass = {…} instead",
    "biblatex": "write eprint = {<id>}, eprinttype = {arxiv}, eprintclass = {…} instead",
}

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
_FIELD_START = re.compile(r"^\s*[A-Za-z][\w:.+-]*\s*=")
_SKIPPED_COMMAND = re.compile(r"\\(?:url|path)\s*\{[^{}]*\}|\\href\s*\{[^{}]*\}")
_ARXIV_VENUE = re.compile(r"^\W*(?:arxiv|corr)\b", re.IGNORECASE)
_ARXIV_MENTION = re.compile(
    r"(?:\barxiv:\s*|arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)([^\s,;\]\)}]+)", re.IGNORECASE
)
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
_RIS_TITLES = {"TI", "T1", "CT"}


@dataclass(frozen=True, slots=True)
class Input:
    """One file to check: the name findings carry, its text, and the format to read it as."""

    name: str
    text: str
    format: str
    notes: tuple[Diagnostic, ...] = ()
    """What reading the bytes had to say (``input.encoding``)."""


@dataclass(slots=True)
class _Entry:
    """A record as written, in any format: its fields in order, with their raw values and lines."""

    line: int
    type: str = ""
    fields: list[tuple[str, str, int]] = field(default_factory=list)
    key: str = ""

    def names(self) -> set[str]:
        return {name for name, value, _ in self.fields if value.strip()}


class _Findings(list[Diagnostic]):
    def add(self, level: Level, code: str, message: str, file: str, line: int | None) -> None:
        self.append(Diagnostic(level, code, message, file, line))


# ---------------------------------------------------------------------------------------- entry points


def check_paths(
    paths: Sequence[str],
    target: str | None = None,
    from_format: str | None = None,
    enricher: Enricher | None = None,
) -> list[Diagnostic]:
    """Read and check files (``-`` for standard input); raises ``formats.UnknownFormatError``."""
    inputs = []
    for path, name in zip(paths, io.input_names(paths), strict=True):
        data = io.read_bytes(path)
        text, notes = formats.decode(data, name)
        fmt = (
            formats.get(from_format)
            if from_format
            else formats.detect(None if path == io.STDIO else path, text)
        )
        inputs.append(Input(name, text, fmt.name, tuple(notes)))
    return check(inputs, target, enricher)


def check(
    inputs: Sequence[Input], target: str | None = None, enricher: Enricher | None = None
) -> list[Diagnostic]:
    """Every finding for these files, file by file in line order."""
    findings = _Findings()
    records: list[Record] = []
    for item in inputs:
        findings += item.notes
        result = formats.read_text(item.text, item.name, formats.get(item.format))
        findings += [d for d in result.diagnostics if d.code not in SUPERSEDED]
        item_lines = {r.origin.index: r.origin.line or 0 for r in result.records if r.origin}
        findings += check_text(item, target or item.format, item_lines)
        records += result.records
    findings += duplicates(records)
    if enricher is not None:
        findings += published_versions(records, enricher)
    order = {item.name: position for position, item in enumerate(inputs)}
    return sorted(findings, key=lambda d: (order.get(d.file, len(order)), d.line or 0))


def as_json(findings: Iterable[Diagnostic]) -> str:
    """A JSON array of ``{file, line, level, code, message}`` (``line`` null when unknown)."""
    data = [
        {"file": d.file, "line": d.line, "level": d.level, "code": d.code, "message": d.message}
        for d in findings
    ]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def fails(findings: Iterable[Diagnostic]) -> bool:
    """Whether the check fails: any warning or error (info is advice)."""
    return any(d.level != "info" for d in findings)


# ---------------------------------------------------------------------------------------- per file


def check_text(item: Input, target: str, item_lines: dict[int, int]) -> list[Diagnostic]:
    """The raw-text rules for one file; ``item_lines`` maps CSL item index → line (from the reader)."""
    findings = _Findings()
    if item.format in BIB_FORMATS:
        entries = _bibtex_entries(item.text)
        findings += _braces(item.text, item.name)
        if target in LATEX_TARGETS:
            gained = _inherited(entries)
            for entry, inherited in zip(entries, gained, strict=True):
                findings += _required(entry, target, item.name, inherited)
                findings += _specials(entry, item.name)
    elif item.format == "csljson":
        entries = _csl_entries(item.text, item.name, target, item_lines, findings)
    elif item.format == "ris":
        entries = _ris_entries(item.text, item.name, target, findings)
    else:
        entries = []
    for entry in entries:
        findings += _identifiers(entry, item.format, target, item.name)
    return findings


def _bibtex_entries(text: str) -> list[_Entry]:
    """The entries as the BibTeX reader splits them (:mod:`citekit.formats.bibtex.scanner`)."""
    return [
        _Entry(
            block.line + 1,
            block.type,
            [
                (name.lower(), value, line + 1)
                for (name, value), line in zip(block.fields, block.field_lines(), strict=True)
            ],
            block.key,
        )
        for block in scan(text)
        if block.kind == "entry"
    ]


def _inherited(entries: Sequence[_Entry]) -> list[set[str]]:
    """For each entry, the fields it gets from its ``crossref`` parent (the reader reports a
    missing one)."""
    fields = [{name: value for name, value, _ in reversed(entry.fields)} for entry in entries]
    parents: dict[str, tuple[str, Mapping[str, str]]] = {}
    for entry, values in zip(entries, fields, strict=True):
        parents.setdefault(entry.key.casefold(), (entry.type, values))
    return [
        set(resolve(entry.key, entry.type, values, parents)[0]) if CROSSREF in values else set()
        for entry, values in zip(entries, fields, strict=True)
    ]


def _required(entry: _Entry, dialect: str, file: str, inherited: set[str]) -> Iterator[Diagnostic]:
    present = {name for name, value, _ in entry.fields if _bibtex_text(value).strip()} | inherited
    for need in REQUIRED[dialect].get(entry.type, ()):
        if not present & set(need.split("|")):
            wanted = " or ".join(need.split("|"))
            yield Diagnostic(
                "warning",
                "check.missing-field",
                f"@{entry.type} needs {wanted} ({dialect}'s standard styles)",
                file,
                entry.line,
            )


def _specials(entry: _Entry, file: str) -> Iterator[Diagnostic]:
    for name, value, line in entry.fields:
        if name not in VERBATIM_FIELDS:
            for char, where in _unescaped(value, line):
                if char == "$":
                    yield Diagnostic(
                        "error", "check.unbalanced-math", f"{name}: a $ is never closed", file, where
                    )
                else:
                    yield Diagnostic(
                        "error",
                        "check.unescaped-special",
                        f"{name}: unescaped {char} (write \\{char}, or put it in $…$)",
                        file,
                        where,
                    )


def _unescaped(raw: str, line: int) -> Iterator[tuple[str, int]]:
    """The first unescaped ``& % # _`` of each kind outside math, and an unclosed ``$``, with lines.

    ``raw`` is the value as written, delimiters included: outside braces and quotes, ``#`` joins.
    """
    depth, quoted, math, math_at, seen = 0, False, False, 0, set()
    position = 0
    while position < len(raw):
        char, here = raw[position], line + raw.count("\n", 0, position)
        inside = depth > 0 or quoted
        command = _SKIPPED_COMMAND.match(raw, position)
        if command and inside:
            position = command.end()
            continue
        if char == "\\":
            follower = raw[position + 1 : position + 2]
            if follower in "()[]" and follower and inside:
                math, math_at = follower in "([", here
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif inside and char == "$":
            math, math_at = not math, here
        elif inside and not math and char in "&%#_" and char not in seen:
            seen.add(char)
            yield char, here
        position += 1
    if math:
        yield "$", math_at


def _braces(text: str, file: str) -> Iterator[Diagnostic]:
    """One finding per entry whose braces do not balance, counted as BibTeX counts (``\\{`` too)."""
    starts = list(_ENTRY_START.finditer(text))
    for match, end in zip(starts, [m.start() for m in starts[1:]] + [len(text)], strict=False):
        if match.group(1).lower() != "comment":
            chunk = text[match.start() : end]
            problem = _imbalance(chunk.split("\n"), text.count("\n", 0, match.start()) + 1)
            if problem:
                yield Diagnostic("error", "check.unbalanced-braces", problem[0], file, problem[1])


def _imbalance(lines: list[str], first_line: int) -> tuple[str, int] | None:
    """Where the braces of one entry go wrong, guessing the culprit from the lines that start fields:
    a ``}`` that closes the entry before a field that follows, a ``{`` still open when the next field
    starts, else the stray ``}`` or the last ``{`` left open."""
    opened: list[int] = []
    unclosed_at: int | None = None
    closed_at: int | None = None
    for line, content in enumerate(lines, start=first_line):
        if _FIELD_START.match(content):
            if closed_at is not None:
                return "this } ends the entry early: the fields after it are lost", closed_at
            if len(opened) > 1 and unclosed_at is None:
                unclosed_at = opened[-1]
        for brace in re.findall(r"[{}]", content):
            if brace == "{":
                opened.append(line)
            elif not opened:
                return "this } closes a brace never opened", line
            else:
                opened.pop()
                closed_at = line if not opened else None
    return ("a { opened here is never closed", unclosed_at or opened[-1]) if opened else None


def _csl_entries(
    text: str, file: str, target: str, item_lines: dict[int, int], findings: _Findings
) -> list[_Entry]:
    """Items as written; what the schema (and Zotero) rejects reported on the way."""
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except (json.JSONDecodeError, RecursionError):
        return []  # the reader reports it
    if not isinstance(data, list | dict):
        return []
    schema = csljson.schema()
    properties, types = schema["items"]["properties"], set(csljson.csl_types())
    import jsonschema  # imported when first needed: a tenth of citekit's start-up

    validator = jsonschema.Draft7Validator({**schema["items"], "definitions": schema["definitions"]})
    entries = []
    for index, item in enumerate(data if isinstance(data, list) else [data], start=1):
        if not isinstance(item, dict):
            continue
        line = item_lines.get(index) or None
        for name in ("id", "type"):
            if item.get(name) in (None, ""):
                findings.add("error", "check.missing-field", f"item {index} has no {name}", file, line)
        for key in item:
            if key not in properties:
                findings.add(
                    "warning",
                    "check.csl-unknown-key",
                    f"{key!r} is not a CSL-JSON 1.0.2 variable",
                    file,
                    _key_line(text, key, line),
                )
        kind = item.get("type")
        if kind and kind not in types:
            findings.add("error", "check.csl-unknown-type", f"type {kind!r} is not a CSL type", file, line)
        elif kind in ZOTERO_REJECTED_TYPES and target in ("zotero", "csljson"):
            findings.add(
                "error" if target == "zotero" else "info",
                "check.zotero-type",
                f"Zotero's CSL JSON importer rejects type {kind!r}, and with it the whole file",
                file,
                line,
            )
        for error in validator.iter_errors(item):
            if error.validator not in ("additionalProperties", "required") and list(error.path) != ["type"]:
                where = "/".join(map(str, error.absolute_path))
                findings.add(
                    "warning",
                    "check.csl-invalid-value",
                    f"{where}: {error.message[:160]}",
                    file,
                    _key_line(text, str(error.path[0]), line) if error.path else line,
                )
        texts = [(k, v, _key_line(text, k, line) or 0) for k, v in item.items() if isinstance(v, str)]
        entries.append(_Entry(line or 0, str(kind or ""), texts))
    return entries


def _key_line(text: str, key: str, item_line: int | None) -> int | None:
    """The line of ``"key":`` at or after the item's first line (json gives no positions)."""
    if item_line is None:
        return None
    start = sum(len(line) for line in text.splitlines(keepends=True)[: item_line - 1])
    found = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(text, start)
    return text.count("\n", 0, found.start()) + 1 if found else item_line


def _ris_entries(text: str, file: str, target: str, findings: _Findings) -> list[_Entry]:
    """Records as Zotero's RIS importer splits them; structure problems reported on the way.

    A second ``TY`` before ``ER`` ends the record (a missing ``ER``) when the record has a title
    already, else it is a repeated ``TY``.
    """
    entries: list[_Entry] = []
    current: _Entry | None = None
    loose: list[tuple[str, str, int]] = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")), start=1):
        match = _RIS_LINE.match(line)
        tag, value = (match.group(1), match.group(2) or "") if match else ("", line.strip())
        if tag == "TY" and current is not None and not current.names() & _RIS_TITLES:
            findings.add(
                "error",
                "check.ris-repeated-ty",
                f"TY again in the record of line {current.line}",
                file,
                number,
            )
        elif tag == "TY":
            if current is not None:
                findings.add("warning", "check.ris-missing-er", "record has no ER line", file, current.line)
            if loose:
                findings.add(
                    "error",
                    "check.ris-ty-not-first",
                    f"record starts with {loose[0][0]}, not TY (Zotero drops what comes before TY)",
                    file,
                    loose[0][2],
                )
            current, loose = _Entry(number, value, list(loose)), []
            entries.append(current)
        elif tag == "ER" and current is None and loose:
            findings.add("error", "check.ris-ty-not-first", "record has no TY", file, loose[0][2])
            loose = []
        elif tag == "ER":
            current = None
        elif tag:
            (current.fields if current is not None else loose).append((tag, value, number))
        elif value and current is not None and current.fields:
            name, previous, at = current.fields[-1]
            current.fields[-1] = (name, f"{previous} {value}", at)
    if current is not None:
        findings.add("warning", "check.ris-missing-er", "record has no ER line", file, current.line)
    if loose:
        findings.add("error", "check.ris-ty-not-first", "record has no TY", file, loose[0][2])
    if target == "zotero" and (bare := re.search(r"(?<!\r)\n", text)):
        findings.add(
            "warning",
            "check.ris-line-ending",
            "line ends are LF; RIS (and Zotero's exports) use CRLF",
            file,
            text.count("\n", 0, bare.start()) + 1,
        )
    if target in ("ris", "zotero"):
        findings += _ignored_tags(entries, file)
    return entries


def _ignored_tags(entries: Sequence[_Entry], file: str) -> Iterator[Diagnostic]:
    """Tags Zotero's importer ignores, each kind once per file (at its first use, with a count)."""
    found: dict[str, list[int]] = {}
    for entry in entries:
        tags = entry.names()
        for tag, _, line in entry.fields:
            standard = ris.ALIASES.get(tag)
            instead = "DA" if standard == "PY" and "DA" in tags else standard
            if tag == "ID":
                found.setdefault("Zotero ignores ID (citation keys are not imported)", []).append(line)
            elif instead and instead in tags:
                found.setdefault(f"Zotero ignores {tag} when {instead} is present", []).append(line)
    for message, lines in found.items():
        more = f"; {len(lines)} records" if len(lines) > 1 else ""
        yield Diagnostic("info", "check.ris-ignored-tag", message + more, file, lines[0])


# ---------------------------------------------------------------------------------------- identifiers


def _identifiers(entry: _Entry, fmt: str, target: str, file: str) -> Iterator[Diagnostic]:
    arxiv_prefix = next(
        (_bibtex_text(v).strip().lower() for n, v, _ in entry.fields if n in ("archiveprefix", "eprinttype")),
        "arxiv",
    )
    for name, raw, line in entry.fields:
        value = plain_identifier(_bibtex_text(raw)) if fmt in BIB_FORMATS else raw.strip()
        is_doi, is_eprint = name == DOI_FIELDS.get(fmt), fmt in BIB_FORMATS and name == "eprint"
        if is_doi and value and (problem := doi_problem(value)):
            yield Diagnostic("warning", "check.malformed-doi", f"{name}: {problem}", file, line)
        if is_eprint and arxiv_prefix == "arxiv" and (problem := arxiv_problem(value)):
            yield Diagnostic("warning", "check.malformed-arxiv", f"{name}: {problem}", file, line)
        for mention in _ARXIV_MENTION.finditer("" if is_doi or is_eprint else value):
            token = re.sub(r"(?:\.pdf)?\.?$", "", mention.group(1), flags=re.IGNORECASE)
            if problem := arxiv_problem(token):
                yield Diagnostic("warning", "check.malformed-arxiv", f"{name}: {problem}", file, line)
        if name in CONTAINER_FIELDS and _ARXIV_VENUE.match(value):
            advice = EPRINT_ADVICE.get(target if fmt in BIB_FORMATS else fmt, NO_CONTAINER_ADVICE)
            identifier = next((m.group(1) for m in _ARXIV_MENTION.finditer(value)), "<the arXiv id>")
            yield Diagnostic(
                "warning",
                "check.arxiv-as-journal",
                f"{name} = {value!r} names the repository, not a venue: {advice.replace('<id>', identifier)}",
                file,
                line,
            )


def _bibtex_text(raw: str) -> str:
    return evaluate(raw, {})[0]


# ---------------------------------------------------------------------------------------- across records


def duplicates(records: Sequence[Record]) -> Iterator[Diagnostic]:
    """Keys, DOIs and arXiv ids that occur twice, reported where they occur again."""
    rules: tuple[tuple[str, Level, str, Callable[[Record], str]], ...] = (
        ("check.duplicate-key", "error", "key", lambda r: r.key),
        ("check.duplicate-doi", "warning", "DOI", lambda r: "" if is_arxiv_doi(r.doi) else r.doi.casefold()),
        ("check.duplicate-arxiv", "warning", "arXiv id", lambda r: r.arxiv_id),
    )
    for code, level, label, identity in rules:
        first: dict[str, Record] = {}
        for record in records:
            value = identity(record)
            if not value:
                continue
            if value in first:
                message = f"{label} {value} also at {_where(first[value])}"
                yield Diagnostic(level, code, message, *_place(record))
            else:
                first[value] = record


def published_versions(records: Sequence[Record], enricher: Enricher) -> Iterator[Diagnostic]:
    """Preprints whose published version the sources know, validated as :class:`Enricher` does."""
    for record in records:
        if not record.is_preprint:
            continue
        outcome = enricher.enrich(record)
        found = outcome.record
        if outcome.decision.status != "matched" or not found.container_title:
            continue
        doi = f", DOI {found.doi}" if found.doi and not is_arxiv_doi(found.doi) else ""
        year = f" ({found.year})" if found.year else ""
        yield Diagnostic(
            "warning",
            "check.published-version-known",
            f"arXiv:{record.arxiv_id} was published in {found.container_title}{year}{doi}; "
            "cite the published version (citekit enrich writes it)",
            *_place(record),
        )


def _place(record: Record) -> tuple[str, int | None]:
    return (record.origin.file, record.origin.line) if record.origin else ("", None)


def _where(record: Record) -> str:
    file, line = _place(record)
    return f"{file}:{line}" if line else file or "another record"
