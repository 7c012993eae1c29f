"""Names are parsed into First, von, Last and Jr exactly as bibtexparser's
``parse_single_name_into_parts`` (not strict) parses them, and name lists split at ``and`` as its
``split_multiple_persons_names`` splits them: citekit's own splitting is held to them on every
name of the benchmark's generated corpus and of every ``.bib`` in the tests (real-world files
included), and on names hypothesis builds (tests/test_names_split.py for the lists)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from hypothesis import example, given, settings
from hypothesis import strategies as st

from citekit.formats.bibtex.scanner import scan
from citekit.formats.bibtex.values import evaluate
from citekit.names import _split_persons, name_parts

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
NAME_FIELDS = {"author", "editor", "translator", "bookauthor", "editora", "editorb"}


def _oracle(text: str) -> tuple[list[str], list[str], list[str], list[str]]:
    parts = parse_single_name_into_parts(text, strict=False)
    return parts.first, parts.von, parts.last, parts.jr


def _name_lists(text: str) -> list[str]:
    """The values of the name fields of a ``.bib`` text."""
    return [
        evaluate(raw, {})[0]
        for block in scan(text)
        for key, raw in (block.fields if block.kind == "entry" else [])
        if key.lower() in NAME_FIELDS
    ]


def _names(text: str) -> list[str]:
    """Every single name in the name fields of a ``.bib`` text, as the reader gives them to
    :func:`~citekit.names.parse_name` (split at ``and``, stripped); the splitting held to
    bibtexparser's on the way."""
    names = []
    for value in _name_lists(text):
        split = _split_persons(value)
        assert split == split_multiple_persons_names(value), value
        names += [part.strip() for part in split if part.strip()]
    return names


def _assert_agrees(names: list[str]) -> None:
    disagreements = [name for name in names if name_parts(name) != _oracle(name)]
    assert not disagreements, disagreements[:10]


def test_every_name_in_the_test_files() -> None:
    files = [p for p in DATA.rglob("*.bib") if p.is_file()]
    names = [name for path in files for name in _names(path.read_text(encoding="utf-8", errors="replace"))]
    assert len(names) > 1000  # the real-world files are there
    _assert_agrees(names)


def test_every_name_in_the_generated_corpus() -> None:
    spec = importlib.util.spec_from_file_location("generate_bibtex", ROOT / "bench" / "generate_bibtex.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    names = _names(generator.generate(3000, seed=5))
    assert len(names) > 5000
    _assert_agrees(names)


PIECES = [
    "A",
    "b",
    "Jr.",
    "von",
    "de",
    "La",
    "É",
    "é",
    "ǅ",
    "1",
    "-",
    ".",
    "'",
    " ",
    "  ",
    "~",
    "\t",
    "\n",
    ",",
    ", ",
    "\u00a0",
    "{",
    "}",
    "\\",
    "\\'e",
    "\\'E",
    "\\L",
    "\\ss",
    "{\\L}",
    "{\\'{e}}",
    '{\\"O}',
    "\\{",
    "\\,",
    "\\~",
    "{BERT}",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
@example("Ludwig van Beethoven")
@example("van der Berg, Jr, Jan")
@example("a, b, c, d, e")
@example(", A")
@example("A,,")
@example("de la Fuente")
def test_names_parse_as_bibtexparser_parses_them(text: str) -> None:
    assert name_parts(text) == _oracle(text)
