"""LaTeX in .bib fields: model text → LaTeX for the writers (escaping, Unicode, math, case
protection), and the small reading helpers that go with it.

The model holds Unicode with inline math as ``$…$``. Writing it into a ``.bib`` field must
(1) keep the field well formed for bibtex/biber, which count *every* brace, even ``\\{``;
(2) keep it inert: a backslash in text is a character, never a command, so a title such as
``\\write18{…}`` or ``\\input{…}`` cannot run; math passes through only when every command in it is
a known harmless one (:func:`is_inert`); (3) read back to the same Unicode through
:func:`citekit.text.latex_to_unicode`, which every encoding here is checked against.

The encoding policy, per output (as Better BibTeX chooses it):

- BibLaTeX is UTF-8 throughout: biber reads it, and lualatex (or pdflatex for the scripts it has
  fonts for) typesets it. Only the characters that are syntax (``{ } \\ $ % # & _ ~ ^``) are escaped.
- BibTeX keeps LaTeX commands only for Latin letters with one accent and the few Latin letters
  LaTeX's kernel names (``{\\ss}``, ``{\\o}``, ``{\\l}`` …), in the forms every reader decodes the
  same: Zotero, pandoc, citeproc-py, Citation.js, biber and bibtex. A letter accent has a space, not
  braces (``{\\H o}``: Zotero reads ``{\\H{o}}`` as ``\\Ho``); ``{\\'i}``, not pylatexenc's
  ``{\\'\\i}`` (a dotless ı plus a stray accent in biber, pandoc and Citation.js). Dashes are ``--``
  and ``---`` (pandoc drops ``{\\textendash}`` and citeproc-py fails on it). Every other character,
  Cyrillic, Greek, CJK or a symbol, stays UTF-8: the commands for those need packages (T2A fonts,
  textgreek …) the user did not ask for, and Zotero and pandoc keep them as text.
- No output holds a macro that needs a package: math keeps the kernel's math commands (κ is
  ``\\kappa`` between ``$``), which every engine has.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from pylatexenc.latex2text import get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder
from pylatexenc.latexwalker import get_default_latex_context_db as walker_context

from citekit.names import BALANCED_BRACES
from citekit.text import NOCASE, RICH_TEXT, SMALL_CAPS, SMALL_CAPS_TAG, latex_to_unicode, squash

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
    "^": r"\^{}",
}

# Combining mark → accent command (a symbol command takes its letter without braces).
_ACCENTS: dict[str, str] = {
    "\u0301": "'",
    "\u0300": "`",
    "\u0302": "^",
    "\u0308": '"',
    "\u0303": "~",
    "\u0304": "=",
    "\u0307": ".",
    "\u0306": "u",
    "\u030c": "v",
    "\u030b": "H",
    "\u0327": "c",
    "\u0328": "k",
    "\u030a": "r",
    "\u0323": "d",
    "\u0331": "b",
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
    "emph",
    "textrm",
    "textit",
    "textbf",
    "textsc",
    "textsl",
    "textsf",
    "texttt",
    "textup",
    "textmd",
    "textnormal",
    "text",
    "mbox",
    "url",
    "href",
    "frac",
    "nicefrac",
    "tfrac",
    "dfrac",
    "binom",
    "sqrt",
    "overline",
    "underline",
    "widehat",
    "widetilde",
    "overbrace",
    "underbrace",
    "overset",
    "underset",
    "stackrel",
    "left",
    "right",
    "middle",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "operatorname",
    "boldsymbol",
    "bm",
    "mathds",
    "mathbbm",
    "mathring",
    "star",
    "vphantom",
    "hphantom",
    "phantom",
    "textsuperscript",
    "textsubscript",
    "em",
    "it",
    "bf",
    "sc",
    "sf",
    "tt",
    "rm",
    "sl",
    "itshape",
    "bfseries",
    "scshape",
    "upshape",
    "mdseries",
    "normalfont",
    "LaTeX",
    "TeX",
    "BibTeX",
    "noopsort",
    "lfloor",
    "rfloor",
    "lceil",
    "rceil",
    "top",
    "bot",
    "perp",
    "neg",
    "lnot",
    "land",
    "lor",
    "gets",
    "implies",
    "iff",
    "mapsto",
    "Rightarrow",
    "Leftarrow",
    "Leftrightarrow",
    "bigcup",
    "bigcap",
    "sqcup",
    "uplus",
    "diamond",
    "odot",
    "Re",
    "Im",
    "det",
    "dim",
    "ker",
    "deg",
    "gcd",
    "arg",
    "hom",
    "mod",
    "bmod",
    "pmod",
    "Pr",
    "checkmark",
    "ddagger",
    "lvert",
    "rvert",
}
SAFE_COMMANDS: frozenset[str] = frozenset(
    {spec.macroname for spec in _CONTEXT.iter_macro_specs(["latex-base", "advanced-symbols"])}
    - {"input", "include"}
    | _EXTRA_SAFE
)
_COMMAND = re.compile(r"\\([A-Za-z@]+|.?)", re.DOTALL)
_MATH = re.compile(r"\$(?:[^$\\]|\\.)+\$", re.DOTALL)
_WORD = re.compile(r"[^\W_](?:[\w'’.\-/]*[^\W_])?")
_LIGATURES = frozenset({("'", "'"), ("`", "`"), ("!", "`"), ("?", "`"), ("-", "-")})
"""Character pairs TeX would join (into ” “ ¡ ¿ –): the model's two apostrophes are not a ”."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def to_latex(text: str, *, ascii_only: bool, protect: bool = False, guess_proper_nouns: bool = True) -> str:
    """Model text as the content of a braced field.

    ``ascii_only`` (plain BibTeX) turns non-ASCII into LaTeX commands; BibLaTeX keeps UTF-8.
    ``protect`` (title-like fields) writes CSL rich text as LaTeX (:func:`_rich_to_latex`) and braces
    what must keep its capitals through a bibliography style's case change, as Better BibTeX does:
    each ``<span class="nocase">`` (the braces a .bib file had) as a brace group, every acronym or
    word with an inner capital outside them (:func:`needs_protection`), and, in a title with no
    brace information at all (from CSL, RIS, a service), the proper nouns :func:`proper_nouns` finds.
    ``guess_proper_nouns=False`` says the title's spans are all its author marked (a title read from
    a .bib file): no proper noun is guessed then.
    """
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    if protect and "<" in text and RICH_TEXT.search(text):
        return _rich_to_latex(text, ascii_only)
    return _body(text, ascii_only, protect, guess_proper_nouns)


def _body(text: str, ascii_only: bool, protect: bool, guess_proper_nouns: bool = False) -> str:
    proper = proper_nouns(text) if protect and guess_proper_nouns else frozenset()
    pieces: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        pieces.append(_text(text[position : match.start()], ascii_only, protect, proper, position))
        pieces.append(_math(match.group(), ascii_only, protect))
        position = match.end()
    pieces.append(_text(text[position:], ascii_only, protect, proper, position))
    return "".join(pieces)


_RICH_TAG = re.compile(r"(<span\b[^<>]*>|</span>|</?(?:i|b|sup|sub)>)")
"""CSL rich text's tags, and any other span's (a span must find its closing tag)."""


def _rich_to_latex(text: str, ascii_only: bool) -> str:
    """CSL rich text as LaTeX: each nocase span a brace group, ``<i>`` ``\\textit{…}``, ``<b>``
    ``\\textbf{…}``, small caps ``\\textsc{…}``, as Better BibTeX writes them; ``<sup>`` and ``<sub>``
    as Zotero's BibTeX export writes them (``$^{\\textrm{…}}$``), the one form of a superscript both
    Zotero's BibTeX import and LaTeX read, else ``\\textsuperscript``/``\\textsubscript``; acronyms
    outside nocase spans braced. A tag without its pair, and the tags of spans of other styles, stay
    text."""
    pieces = _RICH_TAG.split(text)
    pairs = _paired_tags(pieces)
    closers: dict[int, str] = {}
    written: list[str] = []
    nocase = 0
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            encoded = _body(piece, ascii_only, protect=not nocase)
            opened = written[-1:] == ["{"] and encoded.startswith("\\")
            written.append("{}" + encoded if opened else encoded)  # {\&…} would be a special character
        elif index not in pairs:
            written.append(_escape(piece, ascii_only))
        elif index in closers:
            nocase -= pairs[index][0] == "nocase"
            written.append(closers.pop(index))
        else:
            kind, closer = pairs[index]
            nocase += kind == "nocase"
            opening, closers[closer] = _latex_pair(kind, pieces[index + 1 : closer], ascii_only, not nocase)
            written.append(opening)
    return "".join(written)


def _latex_pair(kind: str, inner: list[str], ascii_only: bool, protect: bool) -> tuple[str, str]:
    """What opens and closes a tag of this kind around ``inner`` (the pieces between the two tags).
    A superscript or subscript of plain text is written as Zotero writes it, when the text needs
    no brace: Zotero's import reads it only so, and :data:`_ZOTERO_SCRIPT` reads it back."""
    if kind in ("sup", "sub") and len(inner) == 1:
        encoded = _body(inner[0], ascii_only, protect)
        if encoded.strip() and not any(char in encoded for char in "{}$"):
            return ("$^{\\textrm{" if kind == "sup" else "$_{\\textrm{"), "}}$"
    return _RICH[kind][2], "}"


def _paired_tags(pieces: list[str]) -> dict[int, tuple[str, int]]:
    """Each tag (at the odd positions of ``pieces``) that has its pair: its rich-text kind and where
    the other tag of the pair is."""
    pairs: dict[int, tuple[str, int]] = {}
    open_tags: list[tuple[int, str | None]] = []
    """Each tag open: its position and kind (None: a span of another style)."""
    for index in range(1, len(pieces), 2):
        tag = pieces[index]
        kind = _TAG_KINDS.get(tag) or ("sc" if SMALL_CAPS_TAG.fullmatch(tag) else None)
        if not tag.startswith("</"):
            open_tags.append((index, kind))
        elif open_tags and tag == _closing(open_tags[-1][1]):
            opened, kind = open_tags.pop()
            if kind is not None:
                pairs[opened], pairs[index] = (kind, index), (kind, opened)
    return pairs


def _closing(kind: str | None) -> str:
    """The tag that closes an open tag of this kind (any span's: ``</span>``)."""
    return _RICH[kind][1] if kind else "</span>"


@lru_cache(maxsize=4096)
def decode_protected(latex: str) -> str:
    """A title-like field's LaTeX as model text, its case-protecting braces as nocase spans:
    ``{Delaunay} triangulation of {N}etworks`` → ``<span class="nocase">Delaunay</span>
    triangulation of <span class="nocase">N</span>etworks`` (the CSL form of the same thing).

    A brace group protects case unless it is a command's argument (``\\mbox{…}``, ``\\'{e}``), a
    special character (``{\\'E}``, ``{\\ss}``: it starts with a backslash), empty, or inside math.
    Groups in a protected group are kept too (``{{BERT}: pre-training}``), so that writing gives back
    the same braces. Font commands are CSL's other rich text (see :data:`_RICH`): ``\\textit{x}``,
    ``\\emph{x}`` and ``{\\em x}`` are ``<i>x</i>``, and so on.
    """
    if "{" not in latex:
        return decode(latex)
    marked = _mark_plain_groups(latex) or _mark_groups(latex)
    if not _MARKER.search(marked):
        return decode(latex)
    text = decode(marked)
    while _EMPTY_GROUP.search(text):  # a group of what decodes to nothing ({\\relax})
        text = squash(_EMPTY_GROUP.sub("", text))
    tagged = _with_tags(text)
    if tagged is None:  # a group the decoder took apart: keep the text, lose the markup
        return _MARKER.sub("", text)
    return tagged


_RICH = {
    "nocase": (NOCASE, "</span>", "{"),
    "i": ("<i>", "</i>", "\\textit{"),
    "b": ("<b>", "</b>", "\\textbf{"),
    "sup": ("<sup>", "</sup>", "\\textsuperscript{"),
    "sub": ("<sub>", "</sub>", "\\textsubscript{"),
    "sc": (SMALL_CAPS, "</span>", "\\textsc{"),
}
"""CSL rich text (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html) and LaTeX: each
kind's opening tag, closing tag, and what opens it in a .bib field."""
_TAG_KINDS = {tags[0]: kind for kind, tags in _RICH.items()}
_RICH_COMMANDS = {
    "textit": "i",
    "emph": "i",
    "textbf": "b",
    "textsuperscript": "sup",
    "textsubscript": "sub",
    "textsc": "sc",
}
_ZOTERO_SCRIPT = re.compile(r"\$([\^_])\{\\textrm\{([^{}$]*)\}\}\$")
"""How Zotero's BibTeX export writes ``<sup>`` and ``<sub>`` (``x$^{\\textrm{2}}$``), its import reads
them, and the .bib writers write those of plain text (:func:`_latex_pair`)."""
_RICH_COMMAND_FIRST = re.compile(r"\\(?:" + "|".join(_RICH_COMMANDS) + r")(?![A-Za-z])")
_DECLARATIONS = {
    "em": "i",
    "it": "i",
    "itshape": "i",
    "bf": "b",
    "bfseries": "b",
    "sc": "sc",
    "scshape": "sc",
}
_DECLARATION = re.compile(r"\\(" + "|".join(_DECLARATIONS) + r")(?![A-Za-z])\s*")
"""A group that starts with a font declaration: ``{\\em …}``, ``{\\bf …}``, ``{\\sc …}``."""
_GROUP_OPEN, _GROUP_CLOSE = "\ue010", "\ue011"
_OPENERS = dict(zip(_RICH, [_GROUP_OPEN, "\ue012", "\ue013", "\ue014", "\ue015", "\ue016"], strict=True))
_MARKER_KINDS = {marker: kind for kind, marker in _OPENERS.items()}
"""Where a protecting group (:data:`_GROUP_OPEN`) or a markup command opens, and where either closes
(:data:`_GROUP_CLOSE`), while the rest of the field is decoded: characters of Unicode's private use
area."""
_MARKER = re.compile("([" + "".join(_MARKER_KINDS) + _GROUP_CLOSE + "])")
_EMPTY_GROUP = re.compile("[" + "".join(_MARKER_KINDS) + "]\\s*" + _GROUP_CLOSE)
_COMMAND_AT = re.compile(r"\\(?:(?P<word>[A-Za-z@]+)\s*|(?P<accent>['`^\"~=.]))|\\.", re.DOTALL)
"""A command that may take brace arguments (a control word, a text accent), or an escaped character."""
_ARGUMENTS = {
    spec.macroname: spec.args_parser.argspec.count("{") for spec in walker_context().iter_macro_specs()
}
"""How many brace arguments each command pylatexenc knows takes (one that it does not know takes
the groups that follow it: ``\\href{…}{…}``)."""


def _mark_plain_groups(latex: str) -> str | None:
    """:func:`_mark_groups` for most titles, by one translation: with no command, no math, braces
    balanced (three deep at most) and no blank group, every group protects case. None otherwise."""
    if "\\" in latex or "$" in latex or _BLANK_GROUP.search(latex) or not BALANCED_BRACES.fullmatch(latex):
        return None
    return latex.translate(_TO_MARKERS)


_TO_MARKERS = str.maketrans({"{": _GROUP_OPEN, "}": _GROUP_CLOSE})
_BLANK_GROUP = re.compile(r"\{\s*\}")


def _mark_groups(latex: str) -> str:
    """``latex`` with each case-protecting group's braces (see :func:`decode_protected`) replaced
    by :data:`_GROUP_OPEN` and :data:`_GROUP_CLOSE`, and each font command or declaration by its
    kind's marker (:data:`_OPENERS`) and :data:`_GROUP_CLOSE`."""
    pieces: list[str] = []
    position = 0
    while position < len(latex):
        if ordinary := _ORDINARY.match(latex, position):  # a run of what is copied as it is
            pieces.append(ordinary.group())
            position = ordinary.end()
            continue
        char = latex[position]
        end = position + 1
        if char == "\\":
            command = _COMMAND_AT.match(latex, position)
            kind = _RICH_COMMANDS.get(command["word"] or "") if command else None
            if kind and command and (group := _group(latex, command.end())) is not None:
                inner = _mark_groups(latex[command.end() + 1 : group - 1])
                pieces.append(_OPENERS[kind] + inner + _GROUP_CLOSE)
                position = group
                continue
            end = command.end() if command else end
            end = _after_arguments(latex, command) if command else end
        elif char == "$" and (script := _ZOTERO_SCRIPT.match(latex, position)):
            kind = "sup" if script[1] == "^" else "sub"
            pieces.append(_OPENERS[kind] + _mark_groups(script[2]) + _GROUP_CLOSE)
            position = script.end()
            continue
        elif char == "$":
            closing = _MATH.match(latex, position)
            end = closing.end() if closing else end
        elif char == "{" and (group := _group(latex, position)) is not None:
            end = group
            inner = latex[position + 1 : end - 1]
            if declaration := _DECLARATION.match(inner):
                kind = _DECLARATIONS[declaration[1]]
                pieces.append(_OPENERS[kind] + _mark_groups(inner[declaration.end() :]) + _GROUP_CLOSE)
                position = end
                continue
            if _RICH_COMMAND_FIRST.match(inner):  # {\textit{…}}: a special character, its markup kept
                pieces.append("{" + _mark_groups(inner) + "}")
                position = end
                continue
            if inner.strip() and not inner.startswith("\\"):
                pieces.append(_GROUP_OPEN + _mark_groups(inner) + _GROUP_CLOSE)
                position = end
                continue
        pieces.append(latex[position:end])
        position = end
    return "".join(pieces)


def _after_arguments(latex: str, command: re.Match[str]) -> int:
    """Where a command and its brace arguments end (an empty group after a command that pylatexenc
    does not know ends it: ``\\textasciitilde{}``)."""
    end = command.end()
    if not (command["word"] or command["accent"]):
        return end  # an escaped character: \&, \{
    arguments = 1 if command["accent"] else _ARGUMENTS.get(command["word"], -1)
    while arguments and (group := _group(latex, end)) is not None:
        empty = group == end + 2
        end, arguments = group, arguments - 1
        if empty and arguments < 0:
            break
    return end


def _group(latex: str, start: int) -> int | None:
    """The end of the brace group that starts at ``start`` (escaped braces skipped), else None."""
    if not latex.startswith("{", start):
        return None
    depth = 0
    for token in _BRACE_OR_ESCAPE.finditer(latex, start):
        if token.group() == "{":
            depth += 1
        elif token.group() == "}":
            depth -= 1
            if depth == 0:
                return token.end()
    return None


_ORDINARY = re.compile(r"[^\\${]+")
"""Characters :func:`_mark_groups` copies as they are (all but a command, math and a group), taken a
run at a time: a title with math took 5–8 µs character by character, 1–3 µs so (measured)."""
_BRACE_OR_ESCAPE = re.compile(r"[{}]|\\[\s\S]?")
"""What :func:`_group` counts: braces, and escapes (a backslash and the character after it, which
does not count)."""


def _with_tags(text: str) -> str | None:
    """The markers as CSL rich-text tags; None when they do not nest."""
    pieces = _MARKER.split(text)  # the markers only: a title has a few, and many characters
    open_kinds: list[str] = []
    for index in range(1, len(pieces), 2):
        marker = pieces[index]
        if marker != _GROUP_CLOSE:
            open_kinds.append(_MARKER_KINDS[marker])
            pieces[index] = _RICH[open_kinds[-1]][0]
        elif not open_kinds:
            return None
        else:
            pieces[index] = _RICH[open_kinds.pop()][1]
    return None if open_kinds else "".join(pieces)


def proper_nouns(title: str) -> frozenset[int]:
    """Where the proper nouns of a sentence-case title start: its capitalised words past a sentence
    start (``Fast {Delaunay} triangulation in {Paris}``), as Better BibTeX protects them.

    For titles with no brace information (from CSL-JSON without nocase spans, RIS and the
    services): one read from a .bib file keeps its own braces as spans (:func:`decode_protected`).
    A title is in sentence case when some word of four letters or more that Title Case would
    capitalise is in lower case, and capitalised words are at most twice as many; in a Title Case
    title capitals say nothing, and only acronyms and mixed case are protected
    (:func:`needs_protection`). Never most of a title.
    """
    plain = _MATH.sub(lambda m: " " * len(m.group()), title)
    capitalised: list[int] = []
    lower = 0
    for match in _WORD.finditer(plain):
        word = match.group()
        if needs_protection(word) or not word[0].isalpha() or _starts_sentence(plain, match.start()):
            continue
        if word[0].isupper():
            capitalised.append(match.start())
        elif len(word) >= 4 and word.lower() not in _MINOR_WORDS:
            lower += 1
    return frozenset(capitalised) if lower and len(capitalised) <= 2 * lower else frozenset()


_MINOR_WORDS = frozenset(
    "about above after along among from into onto over than that their them then there these they this "
    "those through under upon versus when where which while with within without your".split()
)
"""Words of four letters or more that some Title Case styles leave in lower case."""


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \"'“‘([{«¿¡")
    return not before or before[-1] in ":.?!;"


def needs_protection(word: str) -> bool:
    """An acronym or a word with an inner capital (DeiT, ReLU, GPT-3, NEVIS'22, 3D), but not an
    ordinary capitalised word, nor the parts of a hyphenated compound (Self-Attention)."""
    if word[1:].islower():
        return False  # no capital after the first letter (most words)
    return any(any(c.isupper() for c in part[1:]) for part in _COMPOUND_PARTS.split(word))


_COMPOUND_PARTS = re.compile(r"[-/]")


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


def _text(
    text: str, ascii_only: bool, protect: bool, proper: frozenset[int] = frozenset(), offset: int = 0
) -> str:
    if not protect:
        return _escape(text, ascii_only)
    pieces: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group()
        pieces.append(_escape(text[position : match.start()], ascii_only))
        encoded = _escape(word, ascii_only)
        braced = needs_protection(word) or offset + match.start() in proper
        pieces.append("{" + encoded + "}" if braced else encoded)
        position = match.end()
    pieces.append(_escape(text[position:], ascii_only))
    return "".join(pieces)


# The Latin letters LaTeX's kernel names in every font encoding (OT1 too), and the dashes.
_LATIN_LETTERS: dict[str, str] = {
    "ß": r"{\ss}",
    "æ": r"{\ae}",
    "Æ": r"{\AE}",
    "œ": r"{\oe}",
    "Œ": r"{\OE}",
    "ø": r"{\o}",
    "Ø": r"{\O}",
    "ł": r"{\l}",
    "Ł": r"{\L}",
    "ı": r"{\i}",
    "–": "--",
    "—": "---",
}


def _escape(text: str, ascii_only: bool) -> str:
    if not (_NEEDS_ESCAPE_ASCII if ascii_only else _NEEDS_ESCAPE).search(text):
        return text  # most words: walking their characters was two fifths of writing a .bib file
    pieces: list[str] = []
    for char in text:
        piece = SPECIALS.get(char) or (_text_char(char) if ascii_only and not char.isascii() else char)
        if pieces and (pieces[-1][-1:], piece[:1]) in _LIGATURES:
            pieces.append("{}")  # also between a hyphen and the -- of an en dash
        pieces.append(piece)
    return "".join(pieces)


def _math(math: str, ascii_only: bool, protect: bool) -> str:
    """Math kept as math when inert, otherwise written as text (so it shows and cannot run).

    pdflatex gives UTF-8 no meaning in math, whichever the dialect: κ becomes \\kappa.
    """
    body = math[1:-1]
    if not is_inert(body) or _MATH_SPECIAL.search(body):
        return _text(math, ascii_only, protect)
    pieces: list[str] = []
    for index, char in enumerate(body):
        command = _math_char(char) if not char.isascii() else char
        following = body[index + 1 : index + 2]
        pieces.append(command + " " if command != char and following.isalpha() else command)
    encoded = "$" + "".join(pieces) + "$"
    # bibtex lower-cases math outside braces (\Gamma → \gamma, $O(N)$ → $o(n)$).
    return "{" + encoded + "}" if protect and _CAPITAL.search(encoded) else encoded


_CAPITAL = re.compile("[A-Z]")
_MATH_SPECIAL = re.compile(r"(?<!\\)[%#&]")
_NEEDS_ESCAPE = re.compile(
    "|".join([f"[{re.escape(''.join(SPECIALS))}]", *sorted(re.escape(a + b) for a, b in _LIGATURES)])
)
"""What :func:`_escape` changes in UTF-8 text: a special character, or a pair TeX would join."""
_NEEDS_ESCAPE_ASCII = re.compile(_NEEDS_ESCAPE.pattern + r"|[^\x00-\x7f]")
"""The same in ASCII text, where any other character is written as a command too."""


@cache
def _text_char(char: str) -> str:
    """A non-ASCII character in BibTeX text: a Latin accent or letter as LaTeX (when that reads back
    to the same character), anything else as itself."""
    candidate = _accented(char) or _LATIN_LETTERS.get(char, "")
    return candidate if candidate and decode(candidate) == char else char


def _accented(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[:1], decomposed[1:]
    if len(marks) != 1 or marks not in _ACCENTS or not (base.isascii() and base.isalpha()):
        return ""
    accent = _ACCENTS[marks]
    return f"{{\\{accent}{base}}}" if not accent.isalpha() else f"{{\\{accent} {base}}}"


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
        if (
            isinstance(replacement, str)
            and len(replacement) == 1
            and name.isalpha()
            and not name.startswith("text")
            and name not in text_only
        ):
            table.setdefault(replacement, "\\" + name)
    return table


_MATH_COMMANDS = _math_commands()


_BARE_AMPERSAND = re.compile(r"(?<!\\)&")
_URL_COMMAND = re.compile(r"^\s*\\url\s*\{(.*)\}\s*$", re.DOTALL)
_ESCAPED_CHARACTER = re.compile(r"\\([_%&#~$])")


@lru_cache(maxsize=8192)
def decode(latex: str) -> str:
    """A field's LaTeX as model text (cached: the same names recur across a file). A bare ``&``,
    which LaTeX would reject and pylatexenc drops, is read as the character; ``--`` and ``---``
    outside math are the dashes LaTeX makes of them (as Zotero and pandoc read them), in every field."""
    if "&" in latex:
        latex = _BARE_AMPERSAND.sub(r"\\&", latex)
    if "--" in latex:
        pieces = _DOLLAR.split(latex)
        latex = "".join(p if i % 2 else _DASHES.sub(_dash, p) for i, p in enumerate(pieces))
    return latex_to_unicode(latex)


_DOLLAR = re.compile(r"((?<!\\)\$(?:[^$\\]|\\.)*(?<!\\)\$)")
_DASHES = re.compile(r"-{2,3}")


def _dash(match: re.Match[str]) -> str:
    return "—" if len(match.group()) == 3 else "–"


def plain_identifier(latex: str) -> str:
    """An identifier field (DOI, URL, eprint): no braces, no ``\\url{}``, no backslash escapes."""
    if "\\" not in latex:  # most: nothing to unwrap or unescape
        return latex.replace("{", "").replace("}", "").strip()
    latex = _URL_COMMAND.sub(r"\1", latex.strip())
    return _ESCAPED_CHARACTER.sub(r"\1", latex).replace("{", "").replace("}", "").strip()
