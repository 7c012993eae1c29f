"""Field values: ``{…}``, ``"…"``, numbers and macros joined by ``#``, with ``@string``\\ s and month
macros resolved.

bibtexparser v2 resolves a value only when it is a single macro and does not evaluate ``#``
concatenation (``ieee # " Conf"``, ``jan # "~15"``), so values are evaluated here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from citekit.formats.bibtex.table import MONTHS

MONTH_MACROS = {name[:3]: name.capitalize() for name in MONTHS}
# @strings defined by doubling (s2 = s1 # s1, s3 = s2 # s2 …) make a value of 2**n characters from
# n short lines: a 1 kB file could fill the memory. Expansion may add ten characters per character
# of the values read so far, plus 20,000: far beyond any real file (a journal macro adds tens of
# characters per entry), and reading stays linear in the input. Not more: decoding LaTeX runs at
# about 150,000 characters a second, so with a million a fuzzed 1.6 kB file took 2 s.
EXPANSION_ALLOWANCE = 20_000
EXPANSION_PER_CHAR = 10


def evaluate(raw: str, strings: dict[str, str], limit: int | None = None) -> tuple[str, list[str], list[str]]:
    """A field value: ``{…}``, ``"…"``, numbers and macros joined by ``#``; month macros and
    ``@string``\\ s resolved (case-insensitively). Returns the value, undefined macro names, and
    the names of ``@string``\\ s left as text because the value would have grown past ``limit``."""
    pieces: list[str] = []
    undefined: list[str] = []
    cut: list[str] = []
    length = 0
    for token in _concatenation(raw):
        if len(token) > 1 and (token[0], token[-1]) in DELIMITERS:
            pieces.append(token[1:-1])
        elif not token or token.isdigit():
            pieces.append(token)
        elif token.lower() in strings and limit is not None and length + len(strings[token.lower()]) > limit:
            cut.append(token)
            pieces.append(token)
        elif token.lower() in strings:
            pieces.append(strings[token.lower()])
        elif token.lower() in MONTH_MACROS:
            pieces.append(MONTH_MACROS[token.lower()])
        else:
            undefined.append(token)
            pieces.append(token)
        length += len(pieces[-1])
    return "".join(pieces), undefined, cut


def _concatenation(raw: str) -> Iterable[str]:
    """The pieces joined by ``#``."""
    if "#" not in raw:  # most values: one piece, no need to walk the characters
        return [raw.strip()]
    return [raw[start:end] for start, end in pieces(raw)]


def pieces(raw: str) -> Iterator[tuple[int, int]]:
    """Where each piece of a value joined by ``#`` is, the white space around it left out: ``#``
    counts outside braces and quotes (braces counted as bibtexparser does; a backslash takes the
    next character along). A piece is ``{…}``, ``"…"`` (see :data:`DELIMITERS`), a number or a macro."""
    depth, quoted, start, position = 0, False, 0, 0
    while position < len(raw):
        char = raw[position]
        if char == "\\":
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            yield _stripped(raw, start, position)
            start = position + 1
        position += 1
    yield _stripped(raw, start, len(raw))


def _stripped(raw: str, start: int, end: int) -> tuple[int, int]:
    piece = raw[start:end]
    stripped_end = start + len(piece.rstrip())
    return min(start + len(piece) - len(piece.lstrip()), stripped_end), stripped_end


DELIMITERS = frozenset({("{", "}"), ('"', '"')})
"""The first and last character of a piece of text (else a piece is a number or a macro)."""
