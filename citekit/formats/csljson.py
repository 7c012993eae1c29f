"""CSL-JSON 1.0.2 ↔ :class:`~citekit.model.Record`, checked against the vendored official schema.

One table (:data:`FIELDS`) maps record attributes to CSL variables; how a value is converted
(text, names, date) is read from the schema itself, so variables the model lacks go through the
same converters into ``custom`` and come back out as real CSL variables.

What has no CSL variable travels twice: in ``custom`` (exact, what citekit reads back) and as a
line in ``note``, because Zotero's importer ignores ``custom`` but keeps ``note`` (as Extra):
``name: value`` for a model field, ``tex.name: value`` for any other, as Better BibTeX writes
Extra. Read back, a note line sets a field only when it names one (a CSL variable in any case, as
Zotero and citeproc-js's "cheater syntax" read them, a model field, or ``tex.<field>``). The arXiv id is also a note line
``arXiv: <id>``, the form Zotero's BibTeX/BibLaTeX exporters turn into ``eprint``.

``authors_truncated`` is written as ``custom.authors_truncated: true`` (no note line: a client would
show it), not as a final ``{"literal": "others"}``: Zotero would import that as a creator called "others" and every
CSL style would print it as an author. A final ``others``/``et al.`` name is still read as the marker.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from importlib import resources
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import orjson

from citekit.diagnostics import Diagnostic, ReadResult
from citekit.formats.base import Format, Layout
from citekit.ids import arxiv_doi, arxiv_url, is_arxiv_doi, normalize_doi, parse_arxiv_id, same_doi
from citekit.keys import keyed
from citekit.model import CSL_FIELDS, SEASONS, Date, Name, Origin, Record, season_named, season_of
from citekit.names import TRUNCATION_MARKERS

if TYPE_CHECKING:
    import jsonschema

# Record attribute → CSL variable, in the order items are written.
FIELDS: tuple[tuple[str, str], ...] = (
    ("key", "id"),
    ("type", "type"),
    ("title", "title"),
    ("author", "author"),
    ("editor", "editor"),
    ("issued", "issued"),
    *((attr, var) for attr, var in CSL_FIELDS.items() if attr != "title"),
)
NAME_PARTS = {
    "family": "family",
    "given": "given",
    "non_dropping_particle": "non-dropping-particle",
    "dropping_particle": "dropping-particle",
    "suffix": "suffix",
    "literal": "literal",
}
_ATTRIBUTE = {var: attr for attr, var in FIELDS}
_TEXT_VARIABLES = {var: attr for attr, var in CSL_FIELDS.items() if var != "note"}
# Written from the record itself: a custom entry of the same name cannot become a top-level variable.
_DERIVED = {var for _, var in FIELDS} | {"citation-key", "custom"}
# CSL types whose Zotero item type has a DOI field (zotero/zotero-schema, schema.json): for the others
# Zotero's importer drops ``DOI``, so it is also written as a ``DOI: …`` note line, which Zotero keeps
# in Extra (its own convention for such types).
ZOTERO_DOI_TYPES = frozenset({"article", "article-journal", "paper-conference", "dataset", "standard"})

# Model fields with no CSL variable: custom entries (and note lines) under these names.
RESERVED = ("arxiv_id", "arxiv_class", "arxiv_version", "authors_truncated", "type", "provenance")

# CSL types that Zotero's "CSL JSON" importer rejects (its detectImport list lacks them) → the closest
# type it accepts. The real type is kept in custom.type and a ``type:`` note line, which citeproc-js reads.
ZOTERO_FALLBACK_TYPES = {
    "software": "article",
    "document": "article",
    "collection": "book",
    "periodical": "book",
    "event": "speech",
    "performance": "speech",
}
_NOTE_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.:\-]*): (\S.*)$")
_NOTE_ARXIV = re.compile(r"^arxiv:\s*(\S+)(?:\s*\[([^\]]+)\])?\s*$", re.IGNORECASE)
_DATE_TEXT = re.compile(r"^(\d{4})(?:[-/](\d{0,2}))?(?:[-/](\d{0,2}))?(?:/(.*))?$")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


@cache
def schema() -> dict[str, Any]:
    """The vendored CSL-JSON 1.0.2 input schema (an array of items)."""
    loaded: dict[str, Any] = json.loads(
        resources.files("citekit").joinpath("schemas/csl-data.json").read_text("utf-8")
    )
    return loaded


@cache
def _validator(variable: str | None = None) -> jsonschema.Draft7Validator:
    """A validator for one item, or for the value of one variable."""
    full = schema()
    target = full["items"] if variable is None else full["items"]["properties"][variable]
    import jsonschema  # imported when first needed: a tenth of citekit's start-up

    return jsonschema.Draft7Validator({**target, "definitions": full["definitions"]})


@cache
def _kind(variable: str) -> str:
    """``text``, ``names``, ``date`` or ``json``, from the variable's schema."""
    spec = schema()["items"]["properties"].get(variable, {})
    if spec.get("$ref", "").endswith("date-variable"):
        return "date"
    if spec.get("items", {}).get("$ref", "").endswith("name-variable"):
        return "names"
    types = spec.get("type")
    return "text" if types in ("string", ["string", "number"]) else "json"


def csl_types() -> list[str]:
    return list(schema()["items"]["properties"]["type"]["enum"])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _text_from_csl(value: Any) -> tuple[str | None, bool]:
    """Text and whether it is exact (numbers are allowed; a list of strings is Crossref's habit)."""
    if isinstance(value, str):
        return value, True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _json(value), True
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value[0], len(value) == 1
    return None, False


def _names_from_csl(value: Any) -> tuple[list[Name] | None, bool]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return None, False
    names = [
        Name(
            **{
                attr: v.get(key) if isinstance(v.get(key), str) else _json(v[key]) if key in v else ""
                for attr, key in NAME_PARTS.items()
            }
        )
        for v in value
    ]
    return names, all(set(v) <= set(NAME_PARTS.values()) for v in value)


def _name_to_csl(name: Name) -> dict[str, str]:
    """The parts set, in :data:`NAME_PARTS` order (spelled out: the loop was a tenth of writing)."""
    if name.literal:
        return {"literal": name.literal}
    item = {}
    if name.family:
        item["family"] = name.family
    if name.given:
        item["given"] = name.given
    if name.non_dropping_particle:
        item["non-dropping-particle"] = name.non_dropping_particle
    if name.dropping_particle:
        item["dropping-particle"] = name.dropping_particle
    if name.suffix:
        item["suffix"] = name.suffix
    return item


def date_from_text(text: str) -> Date:
    """``2023``, ``2023-10-10``, RIS ``2023/10/10/`` (zero or empty parts dropped); else a literal.

    A month 13–16 or 21–24 (``2019-21``, RIS ``2019/21//``) is a season, as is RIS's "other info"
    ``2019///Spring``."""
    match = _DATE_TEXT.match(text.strip())
    if not match:
        return Date(literal=text.strip())
    parts: list[int] = []
    for group in match.groups()[:3]:
        if not group or not int(group):
            break
        if len(parts) == 1 and season_of(int(group)):
            return Date(tuple(parts), season=season_of(int(group)))
        if not _in_range(parts, int(group)):
            break
        parts.append(int(group))
    other = season_named(match.group(4) or "") if len(parts) == 1 else 0
    return Date(tuple(parts), season=other)


def _in_range(parts: Sequence[int], value: int) -> bool:
    """Whether ``value`` can follow ``parts`` in a date: a month 1–12, a day 1–31 (a month -1 or
    20 is no month: the date stops at the year, and the reader keeps the original)."""
    return len(parts) == 0 or (1 <= value <= (12 if len(parts) == 1 else 31))


def _date_from_csl(value: Any) -> tuple[Date | None, bool]:
    if not isinstance(value, dict):
        return None, False
    season = _csl_season(value.get("season"))
    exact = set(value) <= {"date-parts", "raw", "literal", "season"} and len(value) == 1 + ("season" in value)
    exact = exact and season > 0 if "season" in value else exact
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        numbers: list[int] = []
        from_month = 0
        for part in parts[0][:3]:
            if (
                isinstance(part, bool)
                or not str(part).strip().lstrip("-").isdigit()
                or (numbers and not int(part))
            ):
                break
            if len(numbers) == 1 and season_of(int(part)):
                from_month = season_of(int(part))
                break
            if not _in_range(numbers, int(part)):
                break
            numbers.append(int(part))
        read = len(numbers) + bool(from_month)
        exact = exact and len(parts) == 1 and read == len(parts[0]) and not (from_month and season)
        exact = exact and not (season and len(numbers) > 1)
        season = season or from_month
        if numbers:
            return Date(tuple(numbers), season=season if len(numbers) == 1 else 0), exact
    for key in ("raw", "literal"):
        text = value.get(key)
        if isinstance(text, str) and text.strip():
            date = date_from_text(text) if key == "raw" else Date(literal=text)
            return date, exact and (key == "literal" or date.iso() == text.strip())
    return None, False


def _csl_season(value: Any) -> int:
    """CSL's ``season``: 1–4 (or 13–16, 21–24) or a season's name; 0 for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 4 else season_of(value)
    return season_named(value) if isinstance(value, str) else 0


def _date_to_csl(date: Date) -> dict[str, Any] | None:
    if date.parts:
        item: dict[str, Any] = {"date-parts": [list(date.parts)]}
        if date.season and len(date.parts) == 1:
            item["season"] = SEASONS[date.season - 1]
        return item
    return {"literal": date.literal} if date.literal else None


def _from_csl(kind: str, value: Any) -> tuple[Any, bool]:
    """A CSL value as the model holds it, and whether nothing was lost."""
    if kind == "names":
        return _names_from_csl(value)
    if kind == "date":
        return _date_from_csl(value)
    return _text_from_csl(value)


def _custom_text(variable: str, value: Any) -> str:
    """A CSL value the model lacks, as a ``custom`` string: plain text, an ISO date, else JSON."""
    kind = _kind(variable)
    if kind == "date":
        date, exact = _date_from_csl(value)
        if date and exact and date.parts:
            return date.iso()
    text, exact = _text_from_csl(value)
    return text if kind == "text" and exact and text is not None else _json(value)


def _custom_value(variable: str, text: str) -> Any:
    """The CSL value of a custom entry named after a CSL variable, or None if it is not valid there."""
    candidates: list[Any] = []
    if text[:1] in "[{":
        with contextlib.suppress(ValueError):
            candidates.append(json.loads(text))
    kind = _kind(variable)
    candidates.append(_date_to_csl(date_from_text(text)) if kind == "date" else text)
    return next((c for c in candidates if c is not None and _validator(variable).is_valid(c)), None)


_RANGE_DASH = re.compile(r"--|[\u2010-\u2015]")


def _page_range(page: str) -> str:
    """``12 -- 15``, ``12–15`` → ``12-15``: dashes become a hyphen, the spaces around them go.

    By splitting: one ``\\s*dash\\s*`` pattern is quadratic in a long run of spaces.
    """
    parts = _RANGE_DASH.split(page)
    if len(parts) == 1:
        return page
    inner = [part.strip() for part in parts[1:-1]]
    return "-".join([parts[0].rstrip(), *inner, parts[-1].lstrip()])


def fold_lines(text: str) -> str:
    """Line breaks (and the space around them) → one space: a value that must stay on one line."""
    # Split, not one \s*[breaks]+\s* pattern: that is quadratic in a long run of spaces without a break.
    if not _LINE_BREAKS.search(text):
        return text.strip()  # what the split gives when there is nothing to split (most values)
    return " ".join(part.strip() for part in _LINE_BREAKS.split(text) if part.strip())


def extra_fields(record: Record) -> dict[str, str]:
    """Model fields that no format has a slot for, as custom-style ``name → value`` entries."""
    fields = {}
    if record.arxiv_class:
        fields["arxiv_class"] = record.arxiv_class
    if record.arxiv_version:
        fields["arxiv_version"] = str(record.arxiv_version)
    return fields


def note_lines(record: Record, fields: dict[str, str]) -> list[str]:
    """``arXiv: <id>`` then a line for each field, sorted: the readable copy in a note (Zotero's
    Extra). A CSL variable or model field, named as such, is ``name: value``; any other field (a
    BibTeX field the model lacks, ``eDiTiOn``) is ``tex.name: value``, Better BibTeX's form, which
    it writes back as that field."""
    lines = [f"arXiv: {record.arxiv_id}"] if record.arxiv_id else []
    if fields:  # most records have none: their sort and comprehension were 5 % of record_to_csl
        lines += [
            f"{name if note_field(name) == name else TEX_PREFIX + name}: {fold_lines(value)}"
            for name, value in sorted(fields.items())
            if value
        ]
    return lines


TEX_PREFIX = "tex."
"""Better BibTeX keeps a BibTeX field Zotero has no place for as a ``tex.<field>: value`` line in
Extra (https://retorque.re/zotero-better-bibtex/exporting/extra-fields/)."""
MODEL_NOTE_FIELDS = frozenset({"arxiv_id", "arxiv_class", "arxiv_version", "authors_truncated"})


def note_field(name: str) -> str:
    """The field a ``name: value`` note line sets: a CSL variable (named in any case, as Zotero and
    citeproc-js read Extra), a model field, or a RIS tag citekit keeps (``ris:<TAG>``); empty for
    any other name, whose line is note text."""
    if name in MODEL_NOTE_FIELDS or name.startswith("ris:"):
        return name
    return _csl_variables_by_folded_name().get(name.lower(), "")


@cache
def _csl_variables_by_folded_name() -> dict[str, str]:
    return {variable.lower(): variable for variable in schema()["items"]["properties"]}


def lift_note(record: Record, lines: Sequence[str]) -> list[str]:
    """Take ``arXiv: <id> [class]``, ``tex.<field>: value`` and ``name: value`` lines naming a field
    (:func:`note_field`) out of a note into the record; a line naming nothing known ("Comment: …")
    is the note's own text, as in Zotero.

    Returns the lines that stay in the note. Custom values already known (from CSL ``custom``) win
    over their one-line copies.
    """
    kept: list[str] = []
    for line in lines:
        arxiv = _NOTE_ARXIV.match(line.strip())
        parsed = parse_arxiv_id(arxiv.group(1)) if arxiv else None
        field = _NOTE_FIELD.match(line.strip())
        name = _lifted_name(field.group(1)) if field and not parsed else ""
        if arxiv and parsed and _take_arxiv(record, arxiv.group(1)):
            record.arxiv_class = record.arxiv_class or (arxiv.group(2) or "").strip()
        elif field and name and name.lower() != "arxiv":
            apply_fields(record, {name: field.group(2).strip()})
        else:
            kept.append(line)
    return kept


def _lifted_name(name: str) -> str:
    """The field a note line names (see :func:`note_field`); ``tex.<field>`` names that field."""
    return name.removeprefix(TEX_PREFIX) if name.startswith(TEX_PREFIX) else note_field(name)


def apply_fields(record: Record, fields: dict[str, Any]) -> None:
    """Custom-style entries → model fields where the model has them, else ``custom`` (first value wins)."""
    for name, value in fields.items():
        text = value if isinstance(value, str) else _json(value)
        if _apply_model_field(record, name, text, value):
            continue
        attr = _TEXT_VARIABLES.get(name)
        if attr == "doi" and normalize_doi(text) != text:
            attr = None
        if attr and not getattr(record, attr):
            setattr(record, attr, text)
        elif text and not (attr and getattr(record, attr) == text):
            record.custom.setdefault(name, text)


def _apply_model_field(record: Record, name: str, text: str, value: Any) -> bool:
    """Set a model-only field from its custom entry; False if the value does not fit (kept in custom)."""
    if name == "arxiv_id":
        return _take_arxiv(record, text)
    if name == "arxiv_class" and text and record.arxiv_class in ("", text):
        record.arxiv_class = text
    elif name == "arxiv_version" and text.isdigit() and record.arxiv_version in (None, int(text)):
        record.arxiv_version = int(text)
    elif name == "authors_truncated" and text.lower() in ("true", "false"):
        record.authors_truncated = record.authors_truncated or text.lower() == "true"
    elif name == "type" and text in csl_types():
        record.type = text
    elif name == "provenance" and isinstance(value, dict):
        record.provenance.update({str(k): str(v) for k, v in value.items()})
    else:
        return False
    return True


def _take_arxiv(record: Record, text: str) -> bool:
    """Set the arXiv id (and version) from ``text`` unless the record has another id."""
    parsed = parse_arxiv_id(text)
    if not parsed or record.arxiv_id not in ("", parsed.id):
        return False
    record.arxiv_id, record.arxiv_version = parsed.id, record.arxiv_version or parsed.version
    return True


def adopt_arxiv(record: Record, identifiers: Sequence[str], urls: Sequence[str]) -> None:
    """Find the arXiv id in ``arXiv:<id>`` identifiers, an arXiv DOI or an arxiv.org URL.

    A preprint then gets the shape :func:`~citekit.sources.convert.arxiv_bulk_to_record` gives it
    (``number`` ``arXiv:<id>``, ``publisher`` arXiv, the abs URL). Its arXiv DOI is derived, so it is
    not kept in ``doi``; writers add it. A published paper keeps an arXiv DOI it was given: it is the
    only DOI the input had.
    """
    candidates = [i for i in identifiers if i.strip().lower().startswith("arxiv:")]
    candidates += [record.doi] if is_arxiv_doi(record.doi) else []
    candidates += [u for u in urls if "arxiv.org/" in u.lower()]
    for candidate in candidates:
        _take_arxiv(record, candidate)
    if record.is_preprint and same_doi(record.doi, arxiv_doi(record.arxiv_id)):
        record.doi = ""
    if record.is_preprint:
        for attr, value in _preprint_variables(record).items():
            if attr != "DOI" and not getattr(record, _TEXT_VARIABLES[attr]):
                setattr(record, _TEXT_VARIABLES[attr], value)


def csl_to_record(item: dict[str, Any]) -> Record:
    """One CSL-JSON item (valid or not) as a record; what the model cannot hold goes to ``custom``."""
    record = Record()
    for variable, value in item.items():
        if variable in ("custom", "citation-key", "note"):
            continue
        attr = _ATTRIBUTE.get(variable)
        converted, exact = _from_csl(_kind(variable), value) if attr else (None, False)
        if attr and converted is not None:
            setattr(record, attr, converted)
        if not exact:
            record.custom[variable] = _custom_text(variable, value)
    key = item.get("citation-key")
    if isinstance(key, str) and key:
        if record.key and record.key != key:
            record.custom["id"] = record.key
        record.key = key
    if record.type not in csl_types():
        record.custom.setdefault("type", record.type)
        record.type = "article"
    _truncation(record)
    record.page = _page_range(record.page)
    record.doi = _normalised_doi(record)
    custom = item.get("custom")
    if isinstance(custom, dict):
        apply_fields(record, custom)
    elif custom is not None:
        record.custom["custom"] = _json(custom)
    note, _ = _text_from_csl(item.get("note"))
    if note is not None:
        record.note = "\n".join(lift_note(record, note.split("\n")))
    elif "note" in item:
        record.custom["note"] = _json(item["note"])
    adopt_arxiv(record, [record.number], [record.url])
    return record


def _truncation(record: Record) -> None:
    if record.author:
        last = record.author[-1]
        marker = last.literal or (last.family if not last.given else "")
        if marker.strip().lower() in TRUNCATION_MARKERS:
            record.author.pop()
            record.authors_truncated = True


def _normalised_doi(record: Record) -> str:
    doi = normalize_doi(record.doi) if record.doi else ""
    if record.doi and not doi:
        record.custom.setdefault("DOI", record.doi)
    return doi


def read(text: str, file: str) -> ReadResult:
    """A CSL-JSON array or single item; each item checked against the schema and read anyway."""
    result = ReadResult()
    text = text.removeprefix("\ufeff")
    if not text.strip():
        result.diagnostics.append(Diagnostic("warning", "csljson.empty", "the input is empty", file))
        return result
    for index, item, line in items(text, file, result.diagnostics):
        if not isinstance(item, dict):
            message = f"item {index} is {_json(item)[:60]}, not an object; not read"
            result.diagnostics.append(
                Diagnostic("error", "csljson.not-an-item", message, file, line, index, _json(item))
            )
            continue
        problems = [
            _problem(e) for e in sorted(_validator().iter_errors(item), key=lambda e: list(map(str, e.path)))
        ]
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            message = f"item {index} is not valid CSL-JSON 1.0.2: " + "; ".join(problems[:5]) + more
            result.diagnostics.append(Diagnostic("warning", "csljson.schema", message, file, line, index))
        record = csl_to_record(item)
        record.origin = Origin(file, index, line, "csljson")
        result.records.append(record)
        result.diagnostics += _date_notes(item, record, file, line, index)
    return result


def items(
    text: str, file: str = "", diagnostics: list[Diagnostic] | None = None
) -> list[tuple[int, Any, int]]:
    """The items of a CSL-JSON text (an array of items, or one item), each with its index (from 1)
    and line; none, and an error in ``diagnostics``, when the text is not JSON or its top level
    is neither. The reader's and ``citekit check``'s one parsing of CSL-JSON."""
    diagnostics = [] if diagnostics is None else diagnostics
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raw = text.split("\n")[error.lineno - 1] if error.lineno else ""
        message = f"invalid JSON: {error.msg} (column {error.colno}); nothing read"
        diagnostics.append(Diagnostic("error", "csljson.syntax", message, file, error.lineno, raw=raw))
        return []
    except RecursionError:
        diagnostics.append(
            Diagnostic("error", "csljson.syntax", "JSON nested too deeply; nothing read", file)
        )
        return []
    if not isinstance(data, (list, dict)):
        message = f"the top level is a {type(data).__name__}, not an array of items or one item"
        diagnostics.append(Diagnostic("error", "csljson.not-items", message, file, 1, raw=text[:200]))
        return []
    found = data if isinstance(data, list) else [data]
    lines = _item_lines(text, data)
    return [(index, item, line) for index, (item, line) in enumerate(zip(found, lines, strict=True), start=1)]


def item_validator() -> jsonschema.Draft7Validator:
    """The validator of one item against the vendored schema."""
    return _validator()


def _date_notes(
    item: dict[str, Any], record: Record, file: str, line: int | None, index: int
) -> list[Diagnostic]:
    """A month or day out of range (the date is read up to it, the original kept in ``custom``), or
    a month read as a season."""
    parts = item.get("issued", {}).get("date-parts") if isinstance(item.get("issued"), dict) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    numbers = [int(p) for p in first[1:3] if isinstance(p, int) and not isinstance(p, bool)]
    if not numbers or record.issued is None:
        return []
    if record.issued.season and season_of(numbers[0]):
        message = (
            f"item {index}: issued month {numbers[0]} read as the season {SEASONS[record.issued.season - 1]}"
        )
        return [Diagnostic("info", "csljson.season", message, file, line, index)]
    if not 1 <= numbers[0] <= 12 or not all(1 <= day <= 31 for day in numbers[1:]):
        message = f"item {index}: issued {first} is out of range; read as {record.issued.iso()!r}, the original kept"
        return [Diagnostic("warning", "csljson.bad-date", message, file, line, index)]
    return []


def _problem(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "item"
    message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"{where}: {message}"


def _item_lines(text: str, data: list[Any] | dict[str, Any]) -> Iterator[int]:
    """The 1-based line where each item starts (json gives no positions, so walk the array)."""
    decoder = json.JSONDecoder()
    position = _after_space(text, 0)
    if isinstance(data, dict):
        yield text.count("\n", 0, position) + 1
        return
    position, line, counted = position + 1, 1, 0
    for _ in data:
        position = _after_space(text, position)
        line += text.count("\n", counted, position)
        counted = position
        yield line
        _, position = decoder.raw_decode(text, position)
        position = _after_space(text, position)
        position += text.startswith(",", position)


def _after_space(text: str, position: int) -> int:
    """Where the JSON whitespace at ``position`` ends."""
    space = _JSON_SPACE.match(text, position)
    assert space is not None  # a starred pattern matches, if only the empty string
    return space.end()


def note_lifted(record: Record) -> Record:
    """The record as a reader of the written file would see it (so that writing is a fixpoint):
    custom entries and the note's ``name: value`` lines taken into the fields they name when those
    are empty; the record itself when nothing moves."""
    if not record.custom and not record.note:  # most records; the pass below was 3 % of record_to_csl
        return record
    lines = record.note.split("\n") if record.note else []
    if not record.custom and not any(_NOTE_FIELD.match(line.strip()) for line in lines):
        return record
    lifted = record.copy()
    custom, lifted.custom = lifted.custom, {}
    apply_fields(lifted, custom)
    lifted.note = "\n".join(lift_note(lifted, lines))
    return lifted


def record_to_csl(record: Record) -> dict[str, Any]:
    """One record as a schema-valid CSL-JSON item that Zotero imports (see the module docstring)."""
    record = note_lifted(record)
    item: dict[str, Any] = {"id": record.key}
    if record.key:
        item["citation-key"] = record.key
    defaults = _preprint_variables(record) if record.is_preprint else {}
    written, values = _written_fields()
    for (variable, kind), value in zip(written, values(record), strict=True):
        if value:  # most are empty: nothing to convert, and no default unless a preprint's
            if kind == "names":
                value = [_name_to_csl(name) for name in value]
            elif kind == "date":
                value = _date_to_csl(value)
            if value:
                item[variable] = value
                continue
        if defaults and (default := defaults.get(variable)) is not None:
            item[variable] = default
    fields = extra_fields(record)
    real_type = _write_type(record, item)
    if real_type:
        fields["type"] = real_type
    if record.custom:
        _promote_custom(record, item, fields)
    doi = f"DOI: {item['DOI']}" if item.get("DOI") and item["type"] not in ZOTERO_DOI_TYPES else ""
    note = "\n".join(filter(None, [record.note, doi, *note_lines(record, fields)]))
    if note:
        item["note"] = note
    custom = _custom(record, fields)
    if custom:
        item["custom"] = custom
    return item


def _promote_custom(record: Record, item: dict[str, Any], fields: dict[str, str]) -> None:
    """Custom entries valid as CSL variables into the item, the others into ``fields``."""
    for name, text in sorted(record.custom.items()):
        promotable = name in schema()["items"]["properties"] and name not in _DERIVED
        value = _custom_value(name, text) if promotable else None
        if value is not None:
            item[name] = value
        elif name not in fields and name != "arxiv_id" and text:
            fields[name] = text


def _custom(record: Record, fields: dict[str, str]) -> dict[str, Any]:
    """The item's ``custom``: ``fields`` and the model-only fields (these win), sorted, the empty
    ones left out. The model's own come in sorted order, so that most records need no sort (which,
    with a dict made to be sorted, was a tenth of :func:`record_to_csl`)."""
    own: dict[str, Any] = {
        "arxiv_id": record.arxiv_id,
        "arxiv_version": record.arxiv_version,
        "authors_truncated": record.authors_truncated,
        "provenance": dict(sorted(record.provenance.items())) if record.provenance else None,
    }
    entries = sorted({**fields, **own}.items()) if fields else own.items()
    return {name: value for name, value in entries if value}


@cache
def _written_fields() -> tuple[tuple[tuple[str, str], ...], Callable[[Record], tuple[Any, ...]]]:
    """(variable, kind) of each variable written from a record's own field, in order, and what reads
    those fields of a record in one call (kinds looked up once: a fifth of :func:`record_to_csl` went
    to that; the fields read one by one, another tenth)."""
    written = [(attr, variable) for attr, variable in FIELDS[1:] if variable != "note"]
    return tuple((variable, _kind(variable)) for _, variable in written), attrgetter(*(a for a, _ in written))


@cache
def _csl_type_set() -> frozenset[str]:
    return frozenset(csl_types())


def _write_type(record: Record, item: dict[str, Any]) -> str:
    """Set the item's type; return the real type when Zotero needs a stand-in for it (else "")."""
    written = "article" if record.is_preprint or record.type not in _csl_type_set() else record.type
    item["type"] = ZOTERO_FALLBACK_TYPES.get(written, written)
    return record.type if item["type"] != record.type else ""


def _preprint_variables(record: Record) -> dict[str, str]:
    """A preprint as Zotero's arXiv translator models it: archive ID, repository, arXiv DOI, abs URL."""
    return {
        "number": f"arXiv:{record.arxiv_id}",
        "publisher": "arXiv",
        "DOI": arxiv_doi(record.arxiv_id),
        "URL": arxiv_url(record.arxiv_id),
    }


def write(records: Sequence[Record]) -> str:
    """A CSL-JSON array: ids are citation keys (assigned on copies where missing), stable key order."""
    return "".join(FORMAT.write_chunks([records]))


def write_body(records: Sequence[Record]) -> str:
    """The items of the array :func:`write` gives, without ``[`` and ``]`` (see :data:`LAYOUT`).
    Missing keys are decided within the batch (:func:`~citekit.keys.keyed`; a key used again is
    kept, as read): give every record its key first."""
    return _array([record_to_csl(r) for r in keyed(records, unique=False)])[2:-2] if records else ""


def _array(items: list[dict[str, Any]]) -> str:
    """``json.dumps(items, ensure_ascii=False, indent=2)``, by orjson (measured: ten times faster);
    json for what orjson refuses (a lone surrogate, an integer past 64 bits)."""
    try:
        return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(items, ensure_ascii=False, indent=2)


LAYOUT = Layout(opening="[\n", separator=",\n", closing="\n]\n", empty="[]\n")


def sniff(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    return head[:1] in ("[", "{") and ('"type"' in head or '"id"' in head)


FORMAT = Format(
    name="csljson",
    description="CSL-JSON 1.0.2 (Zotero, pandoc, citeproc)",
    suffixes=(".json", ".csl.json", ".csljson"),
    sniff=sniff,
    read=read,
    write=write,
    priority=20,
    write_body=write_body,
    layout=LAYOUT,
)
