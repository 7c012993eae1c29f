"""The scanner splits BibTeX exactly as bibtexparser v2's splitter does: the same blocks, kinds, lines,
raw text, entry types, keys, fields with their raw values and lines, and failed blocks with their
reasons. bibtexparser's splitter is the oracle, on every ``.bib`` in the tests (the fuzz corpus and
real-world files from other projects' test suites included), on the benchmark's generated corpus,
and on text hypothesis builds from the pieces that decide how a file splits."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from bibtexparser.splitter import Splitter
from hypothesis import example, given, settings
from hypothesis import strategies as st

from citekit.formats.bibtex.scanner import Block, scan

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
FILES = sorted(
    p for p in DATA.rglob("*") if p.is_file() and (p.suffix == ".bib" or p.parent.name == "bibtex")
)


def _view(block: Block) -> tuple:
    lines = block.field_lines() if block.kind == "entry" else None
    return (
        block.kind,
        block.line,
        block.raw,
        block.type,
        block.key,
        block.value,
        block.fields,
        lines,
        block.error.strip(),
    )


def _oracle(text: str) -> list[tuple]:
    """bibtexparser's blocks, in the scanner's terms."""
    views = []
    for block in Splitter(text).split().blocks:
        if type(block).__name__ in ("DuplicateBlockKeyBlock", "DuplicateFieldKeyBlock"):
            block = block.ignore_error_block
        kind = type(block).__name__
        line, raw = block.start_line, block.raw or ""
        if kind == "Entry":
            fields = [(f.key, f.value) for f in block.fields]
            views.append(
                (
                    "entry",
                    line,
                    raw,
                    block.entry_type,
                    block.key,
                    "",
                    fields,
                    [f.start_line for f in block.fields],
                    "",
                )
            )
        elif kind == "String":
            views.append(("string", line, raw, "", block.key, block.value, [], None, ""))
        elif kind == "Preamble":
            views.append(("preamble", line, raw, "", "", block.value, [], None, ""))
        elif kind == "ExplicitComment":
            views.append(("comment", line, raw, "", "", block.comment, [], None, ""))
        elif kind == "ImplicitComment":
            views.append(("implicit", line, raw, "", "", block.comment, [], None, ""))
        else:
            assert kind == "ParsingFailedBlock", kind
            reason = getattr(block.error, "abort_reason", "") or str(block.error) or "syntax error"
            views.append(("failed", line, raw, "", "", "", [], None, reason.strip()))
    return views


def _assert_agrees(text: str) -> None:
    assert [_view(block) for block in scan(text)] == _oracle(text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_agrees_with_bibtexparser_on_the_test_files(path: Path) -> None:
    _assert_agrees(path.read_bytes().decode("utf-8", errors="replace"))


def test_agrees_with_bibtexparser_on_the_generated_corpus() -> None:
    spec = importlib.util.spec_from_file_location("generate_bibtex", ROOT / "bench" / "generate_bibtex.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _assert_agrees(module.generate(1500, seed=3))


def test_the_corpora_exercise_both_paths() -> None:
    """Files the regular expressions match whole, and blocks only bibtexparser can decide."""
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in FILES]
    kinds = {block.kind for text in texts for block in scan(text)}
    assert kinds == {"entry", "string", "preamble", "comment", "implicit", "failed"}


# The pieces that decide how a file splits: block starts of every kind and both delimiters, at
# and off the start of a line, braces, quotes (and {"}), commas, equals, backslashes before each,
# escaped newlines, concatenation, and ordinary words.
PIECES = [
    "@article{",
    "@misc(",
    "@ARTICLE {",
    "@string{",
    "@STRING(",
    "@comment{",
    "@Comment(",
    "@preamble{",
    "@preamble(",
    "@{",
    "@",
    "\n@book{",
    "\n  @inproceedings{k,",
    "x@y{",
    "key",
    "k1",
    ",",
    ", ",
    "=",
    " = ",
    "{",
    "}",
    "(",
    ")",
    '"',
    '{"}',
    "\\",
    "\\{",
    "\\}",
    '\\"',
    "\\\n",
    "\\\\",
    "\n",
    "\r\n",
    " ",
    "\t",
    "#",
    " # ",
    "title",
    "author = ",
    "and",
    "é",
    "%",
    "\u2028",
    "\x0c",
    "jan",
    "{x}",
    '"y"',
]


@settings(max_examples=int(os.environ.get("CITEKIT_SCANNER_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
@example('@article{a, title = {x}, note = "y"}\n@misc{b,\n  title = "a {"} b",\n}')
@example('@string{s = {a}}\n@preamble{"p"}\n@comment{c}\n@article{k}\ntext\n@misc(k, a = (b))')
@example("@article{a,\n title = {open\n@misc{b, title = {x}}")
@example('@article{a,\n title = "x\\"y", t2 = {\\\\{}}, t3 = \\{}')
def test_agrees_with_bibtexparser_on_any_text(text: str) -> None:
    _assert_agrees(text)


ENTRY = """@article{jegou2011product,
  author = {J{\\'e}gou, Herv{\\'e} and Douze, Matthijs},
  title = "Product {Quantization} for {"}Nearest{"} Neighbor Search",
  journal = tpami # { Special},
  year = 2011,
}
"""


@settings(max_examples=int(os.environ.get("CITEKIT_SCANNER_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(ENTRY)), st.sampled_from(PIECES)), max_size=4))
def test_agrees_with_bibtexparser_on_a_damaged_entry(edits: list[tuple[int, str]]) -> None:
    text = ENTRY * 2
    for position, piece in sorted(edits, reverse=True):
        text = text[:position] + piece + text[position:]
    _assert_agrees(text)
