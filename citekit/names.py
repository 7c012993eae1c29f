"""Personal and corporate names: BibTeX's name grammar ↔ :class:`~citekit.model.Name`.

bibtexparser v2 implements BibTeX's First/von/Last/Jr grammar (brace-aware, as bibtex's own
``format.name$``); this module adapts it to CSL's name parts and back, for every format that
writes names as text (BibTeX, RIS ``AU``, profile pages).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from citekit.model import Name

TRUNCATION_MARKERS = ("others", "et al", "et al.", "etal", "…", "...")


def split_names(text: str) -> tuple[list[str], bool]:
    """Split ``A and B and others`` at top-level ``and``; say whether the list was truncated."""
    parts = [p.strip() for p in _split_persons(text) if p.strip()]
    truncated = bool(parts) and parts[-1].lower() in TRUNCATION_MARKERS
    return (parts[:-1] if truncated else parts), truncated


_AND = re.compile(r"[ \t\r\n]+[aA][nN][dD][ \t\r\n]+(?=[^ \t\r\n}])")
_BRACE = re.compile(r"[{}]")
_TRICKY_ESCAPE = re.compile(r"\\[{}\\]|\\$")


def _split_persons(names: str) -> list[str]:
    """bibtexparser's ``split_multiple_persons_names``, by regular expressions where that is simple:
    when no backslash escapes a brace or a backslash, escapes change nothing but inside braces,
    where ``and`` does not count. Measured: a tenth of reading a ``.bib`` file went to that function."""
    names = names.strip(" \r\n\t")
    if not names:
        return []
    if "\\" in names and (_TRICKY_ESCAPE.search(names) or _escape_outside_braces(names)):
        return split_multiple_persons_names(names)
    pieces, start = [], 0
    for separator in _AND.finditer(names):
        if _depth(names, separator.start()) == 0:
            pieces.append(names[start : separator.start()])
            start = separator.end()
    return [*pieces, names[start:]]


def _depth(text: str, position: int) -> int:
    """Brace depth at ``position``, a closing brace at depth 0 ignored (as bibtexparser does)."""
    depth = 0
    for brace in _BRACE.finditer(text, 0, position):
        depth = depth + 1 if brace.group() == "{" else max(depth - 1, 0)
    return depth


def _escape_outside_braces(text: str) -> bool:
    position = text.find("\\")
    while position >= 0:
        if _depth(text, position) == 0:
            return True
        position = text.find("\\", position + 1)
    return False


def parse_name(text: str, decode: Callable[[str], str] | None = None) -> Name:
    """One name in any BibTeX form (``First von Last``, ``von Last, First``, ``Last, Jr, First``).

    A name wholly in braces (``{Mistral AI}``) is an organisation: a CSL ``literal``. ``decode``
    turns LaTeX into Unicode part by part, after the braces have told us how to split.
    """
    decode = decode or _strip_braces
    text = text.strip()
    if _wholly_braced(text):
        return Name(literal=decode(text[1:-1]).strip())
    try:
        parts = parse_single_name_into_parts(text, strict=False)
    except Exception:  # noqa: BLE001 - bibtexparser raises bare errors on odd names
        return Name(literal=decode(text))

    def join(words: list[str]) -> str:
        return decode(" ".join(words)).strip()

    family = join(parts.last)
    given = join(parts.first)
    if not family and given:
        family, given = given, ""
    return Name(family=family, given=given, non_dropping_particle=join(parts.von), suffix=join(parts.jr))


def format_name(name: Name, encode: Callable[[str], str] = lambda s: s) -> str:
    """``von Last, Jr, First`` (the unambiguous BibTeX form); organisations in braces."""
    if name.literal:
        return "{" + encode(name.literal) + "}"
    family = " ".join(p for p in (name.dropping_particle, name.non_dropping_particle, name.family) if p)
    # A family name with spaces but no particle ("De Gregorio" is "De" + "Gregorio" to bibtex)
    # is braced so bibtex keeps it whole.
    fam = encode(family)
    if " " in name.family and not name.non_dropping_particle and not name.dropping_particle:
        fam = "{" + encode(name.family) + "}"
    pieces = [fam]
    if name.suffix:
        pieces.append(encode(name.suffix))
    if name.given:
        pieces.append(encode(name.given))
    return ", ".join(pieces)


def parse_display_name(text: str) -> Name:
    """A name as people write it on a web page or in RIS ``Family, Given`` form."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return Name()
    return parse_name(text)


def _wholly_braced(text: str) -> bool:
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for position, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and position < len(text) - 1:
            return False
    return depth == 0


def _strip_braces(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def has_parts(name: Name) -> bool:
    """Any part set (``dataclasses.astuple`` deep-copies every part: a tenth of the reading time)."""
    return any(getattr(name, part.name) for part in _NAME_PARTS)


_NAME_PARTS = dataclasses.fields(Name)
