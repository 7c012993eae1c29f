"""Text normalisation shared by readers, sources and the matcher.

The model holds Unicode text with inline math kept as LaTeX (``$κ^\\star$``); these helpers get
text into that form from LaTeX-ish sources (BibTeX fields, arXiv metadata).
"""

from __future__ import annotations

import re
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text

# math_mode="verbatim" keeps $…$ as written: math has no faithful Unicode form.
_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)
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
    text = "".join(p if i % 2 else _text_escapes(p) for i, p in enumerate(pieces))
    try:
        return squash(_LATEX.latex_to_text(text)).translate(_FROM_PLACEHOLDERS)
    except Exception:  # noqa: BLE001 - pylatexenc raises on pathological input; keep the raw text
        return squash(text.replace("{", "").replace("}", ""))


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
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE)).encode("ascii", "ignore").decode("ascii")


# Letters that have no decomposition to an ASCII base letter.
_UNDECOMPOSABLE = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE",
                                 "œ": "oe", "Œ": "OE", "ı": "i", "đ": "d", "Đ": "D", "þ": "th"})
