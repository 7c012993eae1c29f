"""Names are split at ``and`` exactly as bibtexparser's ``split_multiple_persons_names`` splits them:
its own function where escapes could matter, regular expressions elsewhere."""

from __future__ import annotations

from bibtexparser.middlewares.names import split_multiple_persons_names
from hypothesis import example, given, settings
from hypothesis import strategies as st

from citekit.names import _split_persons

PIECES = [
    "A",
    "B",
    "and",
    "AND",
    "aNd",
    "an",
    "nd",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "{",
    "}",
    "\\'e",
    "\\\\",
    "\\{",
    "\\}",
    "\\",
    "x",
    ",",
    "others",
    "~",
    "\u00a0",
    "{\\'e}",
    "Jr.",
    "von",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
@example("J{\\'e}gou, Herv{\\'e} and {Mistral and AI} and others")
@example("A and and and B")
@example("A and }B and {C}")
def test_names_split_as_bibtexparser_splits_them(text: str) -> None:
    assert _split_persons(text) == split_multiple_persons_names(text)
