"""Personal and corporate names: BibTeX's name grammar ↔ :class:`~citekit.model.Name`.

bibtexparser v2 implements BibTeX's First/von/Last/Jr grammar (brace-aware, as bibtex's own
``format.name$``); this module adapts it to CSL's name parts and back, for every format that
writes names as text (BibTeX, RIS ``AU``, profile pages). Splitting a list at ``and`` and a
name into its parts is done here by regular expressions where that gives bibtexparser's answer
(its functions walk every character: a third of reading a ``.bib`` file), and by bibtexparser
elsewhere; tests/test_names_split.py and tests/test_names_parse.py hold the two to the same
answers.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Callable

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from citekit.model import Name

TRUNCATION_MARKERS = ("others", "et al", "et al.", "etal", "…", "...")


def split_names(text: str) -> tuple[list[str], bool]:
    """Split ``A and B and others`` at top-level ``and``; say whether the list was truncated."""
    parts = [part for piece in _split_persons(text) if (part := piece.strip())]
    truncated = bool(parts) and parts[-1].lower() in TRUNCATION_MARKERS
    return (parts[:-1] if truncated else parts), truncated


_AND = re.compile(r"[ \t\r\n]+[aA][nN][dD][ \t\r\n]+(?=[^ \t\r\n}])")
_BRACE = re.compile(r"[{}]")
_BACKSLASH = re.compile(r"\\")
_TRICKY_ESCAPE = re.compile(r"\\[{}\\]|\\$")


def _split_persons(names: str) -> list[str]:
    """bibtexparser's ``split_multiple_persons_names``, by regular expressions where that is simple
    (measured: a tenth of reading a ``.bib`` file went to that function): braces balanced (where
    ``and`` does not count), no backslash escaping a brace, a backslash, white space or the end, and
    none where bibtexparser could be inside `` and `` (it skips escapes without a look)."""
    names = names.strip(" \r\n\t")
    if not names:
        return []
    if "\\" in names and (_TRICKY_ESCAPE.search(names) or _SHIFTING_ESCAPE.search(names)):
        return split_multiple_persons_names(names)
    if "{" not in names and "}" not in names:
        return _AND.split(names)
    if not BALANCED_BRACES.fullmatch(names):
        if "\\" in names and _escape_outside_braces(names):
            return split_multiple_persons_names(names)
        return _split_by_depth(names)
    pieces = _AND.split(names)
    if _each_balanced(pieces):
        return pieces  # no "and" within braces (most lists): each separator splits
    pieces, start, depth, counted = [], 0, 0, 0
    for separator in _AND.finditer(names):
        before = separator.start()
        depth += names.count("{", counted, before) - names.count("}", counted, before)  # balanced
        counted = before
        if depth == 0:
            pieces.append(names[start:before])
            start = separator.end()
    return [*pieces, names[start:]]


def _each_balanced(pieces: list[str]) -> bool:
    """Whether each piece has as many ``{`` as ``}`` (a loop: ``all`` over a generator cost 0.4 % of a
    convert, measured)."""
    for piece in pieces:  # noqa: SIM110 - faster than all() over a generator
        if piece.count("{") != piece.count("}"):
            return False
    return True


BRACE_GROUP = r"\{(?:[^{}]++|\{(?:[^{}]++|\{[^{}]*+\})*+\})*+\}"
"""A brace group, nested up to three deep."""
BALANCED_BRACES = re.compile(rf"(?:[^{{}}]++|{BRACE_GROUP})*+")
"""Text whose braces are balanced, nested up to three deep (``fullmatch``)."""
_SHIFTING_ESCAPE = re.compile(
    r"\\(?:[ \t\r\n]|(?<=[ \t\r\n].)|(?<=[ \t\r\n][aA].)|(?<=[ \t\r\n][aA][nN].)|(?<=[ \t\r\n][aA][nN][dD].))",
    re.DOTALL,
)
"""An escape of white space, or one where bibtexparser may be reading `` and ``."""


def _split_by_depth(names: str) -> list[str]:
    separators = list(_AND.finditer(names))
    depths = _depths(names, [separator.start() for separator in separators])
    pieces, start = [], 0
    for separator, depth in zip(separators, depths, strict=True):
        if depth == 0:
            pieces.append(names[start : separator.start()])
            start = separator.end()
    return [*pieces, names[start:]]


def _depths(text: str, positions: list[int]) -> list[int]:
    """Brace depth at each of the ``positions`` (ascending), a closing brace at depth 0 ignored (as
    bibtexparser does); one walk over the braces for them all."""
    depths: list[int] = []
    braces = _BRACE.finditer(text)
    brace = next(braces, None)
    depth = 0
    for position in positions:
        while brace is not None and brace.start() < position:
            depth = depth + 1 if brace.group() == "{" else max(depth - 1, 0)
            brace = next(braces, None)
        depths.append(depth)
    return depths


def _escape_outside_braces(text: str) -> bool:
    escapes = [match.start() for match in _BACKSLASH.finditer(text)]
    return 0 in _depths(text, escapes)


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
        first, von, last, jr = name_parts(text)
    except Exception:  # noqa: BLE001 - bibtexparser raises bare errors on odd names
        return Name(literal=decode(text))

    family = _joined(last, decode)
    given = _joined(first, decode)
    if not family and given:
        family, given = given, ""
    return Name(
        family=family, given=given, non_dropping_particle=_joined(von, decode), suffix=_joined(jr, decode)
    )


def _joined(words: list[str], decode: Callable[[str], str]) -> str:
    """The words as one decoded part (a function, not a closure made for every name: measured)."""
    return decode(" ".join(words)).strip() if words else ""


Parts = tuple[list[str], list[str], list[str], list[str]]


def name_parts(text: str) -> Parts:
    """The words of First, von, Last and Jr, as bibtexparser's ``parse_single_name_into_parts``
    (not strict) gives them. bibtexparser walks the name character by character (measured: a
    sixth of reading a ``.bib`` file); here one regular expression cuts words and brace groups,
    and only a word with braces or escapes is walked, for its case. Unbalanced braces and escapes
    that change the splitting (``\\{``, ``\\,``, ``\\~``…) go to bibtexparser.
    tests/test_names_parse.py holds the two to the same answers."""
    if ("{" in text or "}" in text or "\\" in text) and (
        _SPLITTING_ESCAPE.search(text) or not BALANCED_BRACES.fullmatch(text)
    ):
        parts = parse_single_name_into_parts(text, strict=False)
        return parts.first, parts.von, parts.last, parts.jr
    tokens = _NAME_TOKEN.findall(text)
    if "," not in text:  # First von Last (most names): one section (the walk cost 0.5 % of a convert)
        return _first_von_last(tokens) if tokens else ([], [], [], [])
    sections: list[list[str]] = [[]]
    for token in tokens:
        if token != ",":
            sections[-1].append(token)
        elif len(sections) < 3:  # a comma past the second one is no section: it ends a word
            sections.append([])
    if not sections[-1]:
        sections.pop()
    if not any(sections):
        return [], [], [], []
    if len(sections) == 1:
        return _first_von_last(sections[0])
    first = sections[-1]
    jr = sections[1] if len(sections) == 3 else []
    von, last = _von_last(sections[0])
    return first, von, last, jr


_SPLITTING_ESCAPE = re.compile(r"\\(?:[{}\\ ~\r\n\t,]|$)")
_NAME_TOKEN = re.compile(rf",|(?:[^ ~\r\n\t,{{}}]++|{BRACE_GROUP})++")
"""A comma, or a word as bibtexparser ends them (its letters matched by the run, not one by one:
a third faster, measured)."""


def _first_von_last(words: list[str]) -> Parts:
    """``First von Last``: von runs from the first lowercase word to the last one (not the last
    word); First is before it, Last after it."""
    if len(words) < 3:
        return words[:-1], [], words[-1:], []
    cases = [_case(word) for word in words]
    if 0 not in cases:
        return words[:-1], [], words[-1:], []
    first_lower = cases.index(0) - len(cases)
    last_lower = -cases[::-1].index(0) - 1
    if last_lower == -1:
        last_lower -= 1
    return words[:first_lower], words[first_lower : last_lower + 1], words[last_lower + 1 :], []


def _von_last(words: list[str]) -> tuple[list[str], list[str]]:
    """``von Last`` before a comma: von ends at the last lowercase word before the last word."""
    if len(words) == 1:
        return [], words
    cases = [_case(word) for word in words[:-1]]
    if 0 not in cases:
        return [], words
    split = len(cases) - cases[::-1].index(0)
    return words[:split], words[split:]


def _case(word: str) -> int:
    """1 when the word's first letter is uppercase, 0 when lowercase, -1 when it has none."""
    if "{" in word or "\\" in word:
        return _braced_case(word)
    for char in word:
        if char.isalpha():
            return 1 if char.isupper() else 0
    return -1


def _braced_case(word: str) -> int:
    """The case bibtexparser gives a word with braces or escapes (balanced, no escape of a brace or
    a backslash): the first letter outside braces or escaped, or right after a command that opens
    a brace group (``{\\'E}``); nothing else within braces counts."""
    level, position = 0, 0
    brace_start = command = special = False
    while position < len(word):
        char = word[position]
        if char == "\\":
            escaped = word[position + 1]
            if brace_start:
                brace_start, command, special = False, escaped.isalpha(), True
            elif escaped.isalpha():
                return 1 if escaped.isupper() else 0
            position += 2
            continue
        position += 1
        if char == "{":
            level, brace_start, command, special = level + 1, True, False, False
            continue
        brace_start = False
        if char == "}":
            level, command, special = level - 1, False, False
        elif level and command:
            command = char.isalpha()
        elif (special or not level) and char.isalpha():
            return 1 if char.isupper() else 0
    return -1


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
    """Any part set, read by one ``attrgetter`` (``dataclasses.astuple`` deep-copies every part: a
    tenth of the reading time; a generator over the parts cost 1 % of a convert, measured)."""
    return any(_NAME_PARTS(name))


_NAME_PARTS = operator.attrgetter(*(part.name for part in dataclasses.fields(Name)))
