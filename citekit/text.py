"""Text normalisation shared by readers, sources and the matcher.

The model holds Unicode text with inline math kept as LaTeX (``$κ^\\star$``); these helpers get
text into that form from LaTeX-ish sources (BibTeX fields, arXiv metadata).
"""

from __future__ import annotations

import re
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import LatexWalker, get_default_latex_context_db

# math_mode="verbatim" keeps $…$ as written: math has no faithful Unicode form.
_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)
# LatexWalker builds this context anew for every string unless given it: a third of the time.
_WALKER_CONTEXT = get_default_latex_context_db()
# What pylatexenc reads as more than its characters, outside math, besides commands and braces:
# its "specials" (--, ``, '', ~, &, !`, ?`).
_SPECIAL_TEXT = re.compile(r"--|``|''|!`|\?`|[~&\\]")
# In math, kept verbatim, only a comment or an escaped character (\$, \}) changes how it is split.
_UNSAFE_MATH = re.compile(r"%|\\[^A-Za-z]")
_ESCAPED = re.compile(r"\\[%&_#]")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"</?(?:jats:)?[a-zA-Z][^<>]*>")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_MATH_SPLIT = re.compile(r"(\$[^$]*\$)")


def squash(text: str) -> str:
    """Collapse runs of white space (arXiv's hard-wrapped titles and abstracts) to one space."""
    return _SPACE.sub(" ", text).strip()


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
    """Text and math pieces (as :data:`_MATH_SPLIT` splits them) read by pylatexenc."""
    text = "".join(p if i % 2 else _text_escapes(p) for i, p in enumerate(pieces))
    try:
        nodes = LatexWalker(text, latex_context=_WALKER_CONTEXT).get_latex_nodes()[0]
        return squash(_LATEX.nodelist_to_text(nodes)).translate(_FROM_PLACEHOLDERS)
    except Exception:  # noqa: BLE001 - pylatexenc raises on pathological input; keep the raw text
        return squash(text.replace("{", "").replace("}", ""))


def _only_braces(text: str, pieces: list[str]) -> str | None:
    """The text without its grouping braces and with ``\\%``, ``\\&``, ``\\_``, ``\\#`` unescaped, when
    that is all pylatexenc would do (most titles and abstracts: ``{BERT} for $O(n^2)$, 90\\%``);
    None when it would do more. Parsing is a hundred times slower."""
    if text.count("$") != 2 * (len(pieces) // 2) or "$$" in text or not all(map(_balanced, pieces)):
        return None
    texts = pieces[::2]
    if any(_SPECIAL_TEXT.search(_ESCAPED.sub("", p)) for p in texts) or any(map(_UNSAFE_MATH.search, pieces[1::2])):
        return None
    return squash("".join(p if i % 2 else _ESCAPED.sub(_unescape, p).replace("{", "").replace("}", "")
                          for i, p in enumerate(pieces)))


def _unescape(match: re.Match[str]) -> str:
    return match.group()[1]


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


# ASCII specials that pylatexenc reads as look-alikes (\textasciicircum → U+02C6 ˆ) or drops
# (\^{}): parked on private-use characters while decoding, then put back.
_SPECIAL_COMMANDS = {r"\textasciicircum{}": "\ue000", r"\textasciicircum": "\ue000", r"\^{}": "\ue000",
                     r"\textasciitilde{}": "\ue001", r"\textasciitilde": "\ue001", r"\~{}": "\ue001"}
_FROM_PLACEHOLDERS = str.maketrans({"\ue000": "^", "\ue001": "~"})


def _text_escapes(text: str) -> str:
    for command, placeholder in _SPECIAL_COMMANDS.items():
        text = text.replace(command, placeholder)
    return _BARE_PERCENT.sub(r"\\%", text)


def strip_markup(text: str) -> str:
    """Drop JATS/HTML tags (Crossref titles may carry ``<i>``, ``<jats:sub>``, ``<span class=nocase>``)."""
    return squash(_TAG.sub("", text))


def fold(text: str) -> str:
    """ASCII-fold: ``Jégou`` → ``Jegou``, ``Oğuz`` → ``Oguz`` (keys, matching)."""
    special = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe",
               "Œ": "OE", "ı": "i", "đ": "d", "Đ": "D", "þ": "th"}
    text = "".join(special.get(c, c) for c in text)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
