"""LaTeX in .bib fields: model text → LaTeX for the writers (escaping, Unicode, math, case
protection), and the small reading helpers that go with it.

The model holds Unicode with inline math as ``$…$``. Writing it into a ``.bib`` field must
(1) keep the field well formed for bibtex/biber, which count *every* brace, even ``\\{``;
(2) keep it inert: a backslash in text is a character, never a command, so a title such as
``\\write18{…}`` or ``\\input{…}`` cannot run; math passes through only when every command in it is
a known harmless one (:func:`is_inert`); (3) read back to the same Unicode through
:func:`citekit.text.latex_to_unicode`, which every encoding here is checked against.

Unicode → LaTeX uses pylatexenc's table, except for accented letters, which are built from the
Unicode decomposition (``{\\'e}``, ``{\\u{g}}``, and ``{\\'i}`` rather than pylatexenc's ``{\\'\\i}``,
which biber, pandoc and Citation.js read as a dotless ı plus a stray accent).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from pylatexenc.latex2text import get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder

from citekit.text import latex_to_unicode

# Braces are escaped with \vphantom so that the field still has as many { as } for bibtex and
# biber (Better BibTeX's trick); \textbraceleft would be simpler but does not read back.
SPECIALS: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\{\vphantom{\}}",
    "}": r"\vphantom{\{}\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}

# Combining mark → accent command (a symbol command takes its letter without braces).
_ACCENTS: dict[str, str] = {
    "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~", "\u0304": "=",
    "\u0307": ".", "\u0306": "u", "\u030c": "v", "\u030b": "H", "\u0327": "c", "\u0328": "k",
    "\u030a": "r", "\u0323": "d", "\u0331": "b",
}

_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)
_CONTEXT = get_default_latex_context_db()

# Commands harmless in a .bib field: what pylatexenc knows as text or math symbols, accents and
# font switches, plus common math structure. Anything else (\write, \input, \def, \csname…) is not.
_EXTRA_SAFE = {
    "emph", "textrm", "textit", "textbf", "textsc", "textsl", "textsf", "texttt", "textup", "textmd",
    "textnormal", "text", "mbox", "url", "href", "frac", "nicefrac", "tfrac", "dfrac", "binom", "sqrt",
    "overline", "underline", "widehat", "widetilde", "overbrace", "underbrace", "overset", "underset",
    "stackrel", "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "operatorname", "boldsymbol", "bm", "mathds", "mathbbm", "mathring", "star", "vphantom", "hphantom",
    "phantom", "textsuperscript", "textsubscript", "em", "it", "bf", "sc", "sf", "tt", "rm", "sl",
    "itshape", "bfseries", "scshape", "upshape", "mdseries", "normalfont", "LaTeX", "TeX", "BibTeX",
    "noopsort", "lfloor", "rfloor", "lceil", "rceil", "top", "bot", "perp", "neg", "lnot", "land",
    "lor", "gets", "implies", "iff", "mapsto", "Rightarrow", "Leftarrow", "Leftrightarrow", "bigcup",
    "bigcap", "sqcup", "uplus", "diamond", "odot", "Re", "Im", "det", "dim", "ker", "deg", "gcd", "arg",
    "hom", "mod", "bmod", "pmod", "Pr", "checkmark", "ddagger", "lvert", "rvert",
}
SAFE_COMMANDS: frozenset[str] = frozenset(
    {spec.macroname for spec in _CONTEXT.iter_macro_specs(["latex-base", "advanced-symbols"])}
    - {"input", "include"}
    | _EXTRA_SAFE
)
_COMMAND = re.compile(r"\\([A-Za-z@]+|.?)", re.DOTALL)
_MATH = re.compile(r"\$(?:[^$\\]|\\.)+\$", re.DOTALL)
_WORD = re.compile(r"[^\W_](?:[\w'’.\-/]*[^\W_])?")
_LIGATURE = re.compile(r"(?<=')(?=')|(?<=[`!?])(?=`)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def to_latex(text: str, *, ascii_only: bool, protect: bool = False) -> str:
    """Model text as the content of a braced field.

    ``ascii_only`` (plain BibTeX) turns non-ASCII into LaTeX commands; BibLaTeX keeps UTF-8.
    ``protect`` braces words whose capitals must survive a bibliography style's case change.
    """
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    pieces: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        pieces.append(_text(text[position:match.start()], ascii_only, protect))
        pieces.append(_math(match.group(), ascii_only, protect))
        position = match.end()
    pieces.append(_text(text[position:], ascii_only, protect))
    return "".join(pieces)


def needs_protection(word: str) -> bool:
    """An acronym or a word with an inner capital (DeiT, ReLU, GPT-3, NEVIS'22, 3D), but not an
    ordinary capitalised word, nor the parts of a hyphenated compound (Self-Attention)."""
    return any(any(c.isupper() for c in part[1:]) for part in re.split(r"[-/]", word))


def is_inert(latex: str) -> bool:
    """Balanced braces and only harmless commands: safe to write verbatim into a field."""
    odd_trailing_backslash = (len(latex) - len(latex.rstrip("\\"))) % 2 == 1  # would escape the }
    if "^^" in latex or odd_trailing_backslash or not balanced(latex):
        return False
    for match in _COMMAND.finditer(latex):
        name = match.group(1)
        if name and (name[0].isalpha() or name[0] == "@") and name not in SAFE_COMMANDS:
            return False
    return True


def balanced(latex: str) -> bool:
    """Balanced both as bibtex and biber count braces (every one, even ``\\{``) and as
    bibtexparser does (escaped ones skipped): a field must be read the same by all of them."""
    return _balanced(latex) and _balanced(latex.replace("\\\\", "").replace("\\{", "").replace("\\}", ""))


def _balanced(latex: str) -> bool:
    depth = 0
    for char in latex:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _text(text: str, ascii_only: bool, protect: bool) -> str:
    if not protect:
        return _escape(text, ascii_only)
    pieces: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group()
        pieces.append(_escape(text[position:match.start()], ascii_only))
        encoded = _escape(word, ascii_only)
        pieces.append("{" + encoded + "}" if needs_protection(word) else encoded)
        position = match.end()
    pieces.append(_escape(text[position:], ascii_only))
    return "".join(pieces)


# pdflatex's UTF-8 input handles Latin letters with accents, not Greek or symbols: beyond these
# blocks, even BibLaTeX (read by biber, typeset by pdflatex) needs LaTeX commands.
_PDFLATEX_UTF8_LIMIT = 0x24F


def _escape(text: str, ascii_only: bool) -> str:
    escaped = "".join(
        SPECIALS.get(c) or (_text_char(c) if _needs_command(c, ascii_only) else c) for c in text
    )
    # Break TeX's quote ligatures ('' ``  !` ?`): the model's two apostrophes are not a ” .
    return _LIGATURE.sub("{}", escaped)


def _needs_command(char: str, ascii_only: bool) -> bool:
    return not char.isascii() and (ascii_only or ord(char) > _PDFLATEX_UTF8_LIMIT)


def _math(math: str, ascii_only: bool, protect: bool) -> str:
    """Math kept as math when inert, otherwise written as text (so it shows and cannot run).

    pdflatex gives UTF-8 no meaning in math, whichever the dialect: κ becomes \\kappa.
    """
    body = math[1:-1]
    if not is_inert(body) or re.search(r"(?<!\\)[%#&]", body):
        return _text(math, ascii_only, protect)
    pieces: list[str] = []
    for index, char in enumerate(body):
        command = _math_char(char) if not char.isascii() else char
        following = body[index + 1: index + 2]
        pieces.append(command + " " if command != char and following.isalpha() else command)
    encoded = "$" + "".join(pieces) + "$"
    # bibtex lower-cases math outside braces (\Gamma → \gamma, $O(N)$ → $o(n)$).
    return "{" + encoded + "}" if protect and re.search(r"[A-Z]", encoded) else encoded


@cache
def _text_char(char: str) -> str:
    """A non-ASCII character in text mode, as LaTeX when that reads back to the same character."""
    for candidate in (_accented(char), _ENCODER.unicode_to_latex(char)):
        if candidate and candidate != char and latex_to_unicode(candidate) == char:
            return candidate
    return char


def _accented(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[:1], decomposed[1:]
    if len(marks) != 1 or marks not in _ACCENTS or not (base.isascii() and base.isalpha()):
        return ""
    accent = _ACCENTS[marks]
    return f"{{\\{accent}{base}}}" if not accent.isalpha() else f"{{\\{accent}{{{base}}}}}"


@cache
def _math_char(char: str) -> str:
    """A non-ASCII character in math mode as a math command (κ → \\kappa), else as is."""
    return _MATH_COMMANDS.get(char, char)


def _math_commands() -> dict[str, str]:
    """Character → math command, from pylatexenc's math macros (first name wins: \\le for ≤)."""
    table: dict[str, str] = {}
    text_only = {"o", "O", "ss", "ae", "AE", "oe", "OE", "aa", "AA", "l", "L", "i", "j"}
    for spec in _CONTEXT.iter_macro_specs(["latex-base"]):
        replacement = getattr(spec, "simplify_repl", None)
        name = spec.macroname
        if (isinstance(replacement, str) and len(replacement) == 1 and name.isalpha()
                and not name.startswith("text") and name not in text_only):
            table.setdefault(replacement, "\\" + name)
    return table


_MATH_COMMANDS = _math_commands()


_BARE_AMPERSAND = re.compile(r"(?<!\\)&")
_URL_COMMAND = re.compile(r"^\s*\\url\s*\{(.*)\}\s*$", re.DOTALL)
_ESCAPED_CHARACTER = re.compile(r"\\([_%&#~$])")


@lru_cache(maxsize=8192)
def decode(latex: str) -> str:
    """A field's LaTeX as model text (cached: the same names recur across a file). A bare ``&``,
    which LaTeX would reject and pylatexenc drops, is read as the character."""
    return latex_to_unicode(_BARE_AMPERSAND.sub(r"\\&", latex) if "&" in latex else latex)


def plain_identifier(latex: str) -> str:
    """An identifier field (DOI, URL, eprint): no braces, no ``\\url{}``, no backslash escapes."""
    if "\\" not in latex:  # most: nothing to unwrap or unescape
        return latex.replace("{", "").replace("}", "").strip()
    latex = _URL_COMMAND.sub(r"\1", latex.strip())
    return _ESCAPED_CHARACTER.sub(r"\1", latex).replace("{", "").replace("}", "").strip()
