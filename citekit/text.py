"""Text normalisation shared by readers, sources and the matcher.

The model holds Unicode text with inline math kept as LaTeX (``$κ^\\star$``); these helpers get
text into that form from LaTeX-ish sources (BibTeX fields, arXiv metadata).
"""

from __future__ import annotations

import re
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec
from pylatexenc.latex2text import get_default_latex_context_db as text_context
from pylatexenc.latexwalker import LatexWalker, get_default_latex_context_db

# math_mode="verbatim" keeps $…$ as written: math has no faithful Unicode form.
_TEXT_CONTEXT = text_context()
# Commands pylatexenc reads as nothing, and .bib files use: \mbox{…} and the font commands it lacks
# (\texttt{…}) keep their text, the logos are words.
_KEEP_ARGUMENT = ("mbox", "texttt", "textsf", "textup", "textmd")
_TEXT_CONTEXT.add_context_category(
    "bib",
    macros=[
        *(MacroTextSpec(command, "%s") for command in _KEEP_ARGUMENT),
        *(MacroTextSpec(logo, logo) for logo in ("TeX", "LaTeX", "BibTeX")),
    ],
    prepend=True,
)
_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False, latex_context=_TEXT_CONTEXT)
# LatexWalker builds this context anew for every string unless given it: a third of the time.
_WALKER_CONTEXT = get_default_latex_context_db()
# What pylatexenc reads as more than its characters, outside math, besides commands and braces:
# its "specials" (--, ``, '', ~, &, !`, ?`).
_SPECIAL_TEXT = re.compile(r"--|``|''|!`|\?`|[~&\\]")
_UNSAFE_MATH = re.compile(r"%|\\[^A-Za-z]")
_MACRO = re.compile(r"\\([A-Za-z]+)")
_ARGUMENT_MACROS = {
    spec.macroname: spec.args_parser.argspec
    for spec in _WALKER_CONTEXT.iter_macro_specs()
    if spec.args_parser.argspec
}
_ESCAPED = re.compile(r"\\[%&_#]")
# Accents on an ASCII letter (or a dotless i) and special letters, in the spellings .bib files use;
# pylatexenc composes them (NFC) to the same characters.
_ACCENT_MARKS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_ACCENT = re.compile(
    r"\\(['`^\"~=.])(?:([A-Za-z])|\{([A-Za-z])\}|\\(i)(?![^\W\d_]|\s))"
    r"|\\([uvHckrdb])(?:\{([A-Za-z])\}| +([A-Za-z]))"
)
_LETTERS = {
    "L": "Ł",
    "l": "ł",
    "o": "ø",
    "O": "Ø",
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
}
_SPACE = re.compile(r"\s+")
_LETTER = re.compile(r"\{\\(L|l|o|O|ss|ae|AE|oe|OE|aa|AA)\}|\\(L|l|o|O|ss|ae|AE|oe|OE|aa|AA)\{\}")
_TAG = re.compile(r"</?(?:jats:)?[a-zA-Z][^<>]*>")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_MATH_SPLIT = re.compile(r"((?<!\\)\$(?:[^$\\]|\\.)*\$)")
"""Math between ``$``: an escaped dollar neither opens nor closes it."""


def squash(text: str) -> str:
    """Collapse runs of white space (arXiv's hard-wrapped titles and abstracts) to one space
    (``str.split`` splits where ``\\s+`` matches, five times faster: measured)."""
    return " ".join(text.split())


def latex_to_unicode(text: str) -> str:
    """``J{\\'e}gou`` → ``Jégou``; math between ``$`` kept verbatim; never raises.

    A bare ``%`` is a percent sign here, not a LaTeX comment: metadata and scraped text use it
    so, and reading it as a comment would silently drop the rest of the line.
    """
    if "\\" not in text and "{" not in text and "~" not in text:
        return squash(text)
    pieces = _MATH_SPLIT.split(text)
    plain = _only_braces(text, pieces)
    return plain if plain is not None else _parsed(pieces)


def _parsed(pieces: list[str]) -> str:
    """Text and math pieces (as :data:`_MATH_SPLIT` splits them) read by pylatexenc.

    Each math piece is parked on a placeholder character while the text is parsed, then put back
    as written: a math command that takes an argument (``$\\not$``) would otherwise take the
    closing ``$`` and the text after it (``So{$\\not$}rensen`` read as ``So$\\not$}rensen``).
    """
    maths = {_MATH_PLACEHOLDER + i // 2: _SPACE.sub(" ", p) for i, p in enumerate(pieces) if i % 2}
    text = "".join(
        chr(_MATH_PLACEHOLDER + i // 2) if i % 2 else _text_escapes(p) for i, p in enumerate(pieces)
    )
    try:
        nodes = LatexWalker(text, latex_context=_WALKER_CONTEXT).get_latex_nodes()[0]
        plain = squash(_LATEX.nodelist_to_text(nodes))
    except Exception:  # noqa: BLE001 - pylatexenc raises on pathological input; keep the raw text
        plain = squash(text.replace("{", "").replace("}", ""))
    return plain.translate(_FROM_PLACEHOLDERS | maths) if maths else plain.translate(_FROM_PLACEHOLDERS)


_MATH_PLACEHOLDER = 0xF0000
"""Math pieces are parked on characters from here on (Unicode's plane-15 private use area)."""


def _only_braces(text: str, pieces: list[str]) -> str | None:
    """The text with accents composed (``{\\'e}``, ``\\c{c}``, ``{\\L}``), ``\\%``, ``\\&``, ``\\_``,
    ``\\#`` unescaped and grouping braces dropped, when that is all pylatexenc would do (most
    titles, names and abstracts); None when it would do more. Parsing is a hundred times slower."""
    if text.count("$") != 2 * (len(pieces) // 2) or "$$" in text or not all(map(_balanced, pieces)):
        return None
    if not all(map(_verbatim_math, pieces[1::2])):
        return None
    texts = [_LETTER.sub(_letter, _ACCENT.sub(_accent, p)) if "\\" in p else p for p in pieces[::2]]
    if any(_SPECIAL_TEXT.search(_ESCAPED.sub("", p)) for p in texts):
        return None
    texts = [_ESCAPED.sub(_unescape, p).replace("{", "").replace("}", "") for p in texts]
    pieces = [texts[i // 2] if i % 2 == 0 else math for i, math in enumerate(pieces)]
    return squash("".join(pieces))


def _verbatim_math(math: str) -> bool:
    """Whether pylatexenc keeps this math as written: no comment, no escaped character (``\\$``,
    ``\\}``), no command that takes arguments unless they are there (else they would reach past the
    ``$``)."""
    if _UNSAFE_MATH.search(math):
        return False
    for macro in _MACRO.finditer(math):
        argspec = _ARGUMENT_MACROS.get(macro.group(1))
        if argspec is not None and (
            argspec.strip("{") or not _groups_follow(math, macro.end(), len(argspec))
        ):
            return False
    return True


def _groups_follow(math: str, position: int, count: int) -> bool:
    """Whether ``count`` brace groups follow ``position`` at once: the arguments of a command that
    takes only mandatory ones (``\\mathbb{R}``), which then end before the closing ``$``."""
    for _ in range(count):
        end = _group_end(math, position)
        if end is None:
            return False
        position = end
    return True


def _group_end(text: str, start: int) -> int | None:
    """Where the brace group starting at ``start`` ends; None when none starts there or it is open."""
    if not text.startswith("{", start):
        return None
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _accent(match: re.Match[str]) -> str:
    symbol, letter_accent = match.group(1), match.group(5)
    base = next(g for g in match.groups()[1:4] + match.groups()[5:] if g)
    return unicodedata.normalize("NFC", base + _ACCENT_MARKS[symbol or letter_accent])


def _letter(match: re.Match[str]) -> str:
    return _LETTERS[match.group(1) or match.group(2)]


def _unescape(match: re.Match[str]) -> str:
    return match.group()[1]


def _balanced(text: str) -> bool:
    """Every brace (escaped or not) closed, and none closed before it opens. Only the braces are
    walked: an author list of 90 characters took 1.9 µs character by character, 0.9 µs brace by
    brace (measured)."""
    if "}" not in text:
        return "{" not in text
    depth = 0
    for brace in _BRACES.findall(text):
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    return depth == 0


_BRACES = re.compile("[{}]")


# ASCII specials that pylatexenc reads as look-alikes (\textasciicircum → U+02C6 ˆ) or drops
# (\^{}): parked on private-use characters while decoding, then put back.
_SPECIAL_COMMANDS = {
    r"\textasciicircum{}": "\ue000",
    r"\textasciicircum": "\ue000",
    r"\^{}": "\ue000",
    r"\textasciitilde{}": "\ue001",
    r"\textasciitilde": "\ue001",
    r"\~{}": "\ue001",
}
_FROM_PLACEHOLDERS = str.maketrans({"\ue000": "^", "\ue001": "~"})


def _text_escapes(text: str) -> str:
    for command, placeholder in _SPECIAL_COMMANDS.items():
        text = text.replace(command, placeholder)
    return _BARE_PERCENT.sub(r"\\%", text)


NOCASE = '<span class="nocase">'
"""CSL rich text's case protection: what a BibTeX ``{…}`` is in CSL-JSON (citeproc-js, pandoc,
Zotero, Better BibTeX and citation-js map one to the other). Model titles may hold it."""
SMALL_CAPS = '<span style="font-variant:small-caps;">'
SMALL_CAPS_TAG = re.compile(r'<span style="font-variant:\s*small-caps;?">')
"""Small caps' opening tag, however spaced (:data:`SMALL_CAPS` is how citekit writes it)."""
RICH_TEXT = re.compile(rf"</?(?:i|b|sup|sub)>|{re.escape(NOCASE)}|{SMALL_CAPS_TAG.pattern}|</span>")
"""The markup of CSL rich text (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""


def plain_text(text: str) -> str:
    """A model text without its CSL rich-text markup (``<span class="nocase">BERT</span>`` →
    ``BERT``): what keys, matching, deduplication, the index and plain-text outputs see."""
    return RICH_TEXT.sub("", text) if "<" in text else text


def strip_markup(text: str) -> str:
    """Drop JATS/HTML tags (Crossref titles may carry ``<i>``, ``<jats:sub>``, ``<span class=nocase>``)."""
    return squash(_TAG.sub("", text))


def fold(text: str) -> str:
    """ASCII-fold: ``Jégou`` → ``Jegou``, ``Oğuz`` → ``Oguz`` (keys, matching)."""
    if text.isascii():
        return text
    return (
        unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
        .encode("ascii", "ignore")
        .decode("ascii")
    )


# Letters that have no decomposition to an ASCII base letter.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
    }
)
