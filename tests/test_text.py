"""The fast path of :func:`citekit.text.latex_to_unicode` must read text exactly as pylatexenc does."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from citekit.formats.bibtex import read
from citekit.formats.latex import _mark_groups, _mark_plain_groups
from citekit.text import _MATH_SPLIT, _only_braces, _parsed, latex_to_unicode

# Characters that mean something to pylatexenc or to the fast path's checks, and some that do not.
PIECES = [
    *"ab Z{}{}$$--``''!?`~&%^_#\\\n\t,.é",
    "\\alpha",
    "\\mathbb{R}",
    "\\{",
    "\\$",
    "\\'e",
    "{BERT}",
    "\\%",
    "\\&",
    "\\_",
    "\\#",
    "\\\\",
    "\\'",
    '\\"',
    "\\c",
    "\\v",
    "\\u",
    "\\i",
    "\\L",
    "\\ss",
    "\\o",
    "\\H",
    "\\~",
    "\\^",
    "\\d",
    "{}",
    "c",
    "e",
    "i",
    "ss",
    "\\hat",
    "\\frac{a}",
    "\\frac{a}{b}",
    "\\sqrt[3]{x}",
    "\\mathcal",
    "\\textbf{x}",
    "\\ensuremath",
    "\\mathrm{d}x",
]
LATEXISH = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=int(os.environ.get("CITEKIT_TEXT_EXAMPLES", "3000")), deadline=None)
@given(LATEXISH)
def test_the_brace_only_fast_path_reads_as_pylatexenc_does(text: str) -> None:
    pieces = _MATH_SPLIT.split(text)
    fast = _only_braces(text, pieces)
    if fast is not None:
        assert fast == _parsed(pieces)


def test_the_fast_path_takes_titles_with_braces_and_math() -> None:
    text = "{BERT}: pre-training {D}eep $O(n^2)$ {Transformers} for $\\alpha$-{NLP}, 90\\% {\\'e}t{\\'e}"
    expected = "BERT: pre-training Deep $O(n^2)$ Transformers for $\\alpha$-NLP, 90% été"
    assert _only_braces(text, _MATH_SPLIT.split(text)) == expected
    assert latex_to_unicode(text) == _parsed(_MATH_SPLIT.split(text))


def test_the_fast_path_leaves_commands_and_specials_to_pylatexenc() -> None:
    for text in [
        "J{\\'e}gou \\textbf{x}",
        "{pages} 1--2",
        "{A} ~ B",
        "{Q}&A",
        "$a$ {b} $c",
        "{a}}",
        "``{x}''",
        "{a}\\\\%",
        "$\\hat$ x",
        "\\'\\i x",
    ]:
        assert _only_braces(text, _MATH_SPLIT.split(text)) is None


def test_every_field_of_a_realistic_file_decodes_as_before() -> None:
    """Every value of the benchmark generator's file, through the fast path where it applies."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "generate_bibtex.py"
    spec = importlib.util.spec_from_file_location("generate_bibtex", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.generate(300, seed=3)
    checked = 0
    for value in set(__import__("re").findall(r"= \{(.*)\},?\n", text)):
        pieces = _MATH_SPLIT.split(value)
        fast = _only_braces(value, pieces)
        if fast is not None:
            checked += 1
            assert fast == _parsed(pieces), value
    assert checked > 100
    assert read(text, "generated.bib").records


TITLEISH = st.lists(
    st.sampled_from([*"ab Z{}{} \t-&", "{BERT}", "{{A}b}", "{ }", "{}", "GPT", "é"]), max_size=25
)


@settings(max_examples=int(os.environ.get("CITEKIT_TEXT_EXAMPLES", "3000")), deadline=None)
@given(TITLEISH.map("".join))
def test_plain_titles_mark_their_groups_as_the_walk_does(title: str) -> None:
    """The translation for titles without commands or math gives what the brace walk gives."""
    marked = _mark_plain_groups(title)
    if marked is not None:
        assert marked == _mark_groups(title)


def test_the_plain_path_takes_ordinary_titles_and_leaves_the_rest() -> None:
    assert _mark_plain_groups("A {ViT} for {{BERT} Models}") is not None
    for title in ("{a} {", "}{a}", "{ } x", r"\'{e} {A}", "$x$ {A}", "{{{{A}}}}"):
        assert _mark_plain_groups(title) is None
