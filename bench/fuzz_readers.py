"""Coverage-guided fuzzing of citekit's readers with atheris (libFuzzer for Python).

One target per reader, chosen by the first argument; every other argument goes to libFuzzer::

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/fuzz_readers.py bibtex -max_total_time=300
    .venv/bin/python bench/fuzz_readers.py ris -max_total_time=300 -timeout=10
    .venv/bin/python bench/fuzz_readers.py profile crash-1234abcd     # replay one input

Targets: bibtex, biblatex, ris, csljson, profile, abstracts, ids.

Each input is handled as the CLI handles a file (``citekit.io.read_input``): the bytes are decoded
by :func:`citekit.formats.decode` (UTF-8, undecodable bytes replaced and reported), then given to
the format's reader. The properties checked, any failure being a crash libFuzzer saves:

* the reader never raises;
* every input record is accounted for exactly once: the indices of the records returned and of
  the records reported lost (an ``error`` diagnostic with an index) are 1..n with no gap and no
  overlap, and :meth:`citekit.report.Report.add_read` accepts the result;
* every diagnostic about one record names the file and a line;
* a .bib input with a line that starts like an entry (``@…{``) accounts for at least one record
  (unless it has a ``@string``, ``@comment`` or ``@preamble`` block, which may hold such lines);
* where the record count can be told without the reader (a ``TY`` line in RIS, an item of a
  parsable CSL-JSON array, an ``Abstract:`` line, an identifier line), n is that count.

Before the run, the target's dictionary of format words is written to ``bench/.corpus/<target>.dict``
and its seeds are copied into ``bench/.corpus/<target>/`` (gitignored) from ``seeds/`` and
``tests/data/**``, by file kind; libFuzzer adds what it finds there (kept for the next run), and
crashing and slow inputs go to ``bench/.corpus/<target>-crashes/``. Keep a crash as a regression test in
``tests/data/fuzz/<target>/`` (see ``tests/test_fuzz_regressions.py``).

libFuzzer options worth knowing: ``-max_total_time=S`` (stop after S seconds), ``-timeout=S``
(an input slower than S seconds is a finding), ``-max_len=N`` (input size cap; the default is the
largest seed), ``-runs=N``. Run one target at a time on a shared machine: each uses one core.
Instrumented, the readers are slow where LaTeX is decoded (bibtex ~110 inputs/s, profile and
abstracts 20-40/s; ris, csljson and ids thousands/s): ``-max_len=2048`` doubles the bibtex rate.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from citekit import formats
    from citekit.diagnostics import ReadResult
    from citekit.formats import profile
    from citekit.report import Report

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "bench" / ".corpus"
FILE = "fuzz.in"
REFERENCE_DATE = datetime.date(2026, 1, 15)
"""Fixed, so that a profile page reads the same on every replay."""

_RIS_START = re.compile(r"^TY {1,2}-(?: |$)")
_ABSTRACT_LINE = re.compile(r"\s*abstract\s*:", re.IGNORECASE)
_ID_COMMENT = re.compile(r"(?:^|\s)#.*$")
_MEANT_AS_ENTRY = re.compile(r"^[ \t]*@[^\n{(]*[{(]", re.MULTILINE)
_NOT_ENTRIES = re.compile(r"@\s*(?:string|comment|preamble)", re.IGNORECASE)
"""Blocks that may hide an entry-like line; the bibtex check stands aside when there is one."""


def _txt_of_kind(name: str) -> Callable[[Path], bool]:
    """Scraped ``.txt`` pages, told apart as the CLI would (by content)."""

    def wanted(path: Path) -> bool:
        if path.suffix != ".txt":
            return False
        try:
            return formats.detect(None, path.read_text(encoding="utf-8")).name == name
        except (formats.UnknownFormatError, UnicodeDecodeError):
            return False

    return wanted


SEED_KINDS: dict[str, Callable[[Path], bool]] = {
    "bibtex": lambda p: p.suffix == ".bib",
    "biblatex": lambda p: p.suffix == ".bib",
    "ris": lambda p: p.suffix == ".ris",
    "csljson": lambda p: p.suffix == ".json",
    "profile": _txt_of_kind("profile"),
    "abstracts": _txt_of_kind("abstracts"),
    "ids": lambda p: p.suffix == ".ids",
}


_BIB_TOKENS = (
    "@article{",
    "@inproceedings(",
    "@misc{",
    "@string{",
    "@comment{",
    "@preamble{",
    " = ",
    " # ",
    "{",
    "}",
    '"',
    ",",
    "author",
    "editor",
    "title",
    "journal",
    "journaltitle",
    "booktitle",
    "year",
    "date",
    "month",
    "jan",
    "pages",
    "1--10",
    "doi",
    "url",
    "eprint",
    "archivePrefix",
    "arXiv",
    "primaryClass",
    " and ",
    " and others",
    "{\\'e}",
    "$x^2$",
    "\\",
    "%",
    "~",
)
TOKENS: dict[str, tuple[str, ...]] = {
    "bibtex": _BIB_TOKENS,
    "biblatex": _BIB_TOKENS,
    "ris": (
        "TY  - JOUR",
        "TY  - GEN",
        "ER  - ",
        "AU  - ",
        "A1  - ",
        "TI  - ",
        "T2  - ",
        "JO  - ",
        "PY  - ",
        "DA  - ",
        "DO  - ",
        "UR  - ",
        "N1  - ",
        "SP  - ",
        "EP  - ",
        "AN  - ",
        "\r\n",
        "arXiv:",
        "///",
    ),
    "csljson": (
        '"id"',
        '"type"',
        '"article-journal"',
        '"author"',
        '"family"',
        '"given"',
        '"literal"',
        '"issued"',
        '"date-parts"',
        '"title"',
        '"DOI"',
        '"URL"',
        '"page"',
        '"number"',
        '"custom"',
        '"note"',
        "[",
        "]",
        "{",
        "}",
        ":",
        ",",
        "null",
        "true",
        "1e400",
        '"\\u2028"',
    ),
    "profile": (
        "Oct 10, 2023",
        "Mar 26",
        "Code",
        "CL",
        "LG",
        "55.2",
        " et al.",
        " · ",
        "28 Papers",
        "h-index",
        ", ",
        " and ",
        "\n\n",
    ),
    "abstracts": ("Abstract:", "abstract :", "Keywords: ", "$", "$x$", "\\textit{", "\\%", "{", "}", "\r\n"),
    "ids": (
        "doi:",
        "10.1000/",
        "arXiv:",
        "2310.06825",
        "https://arxiv.org/abs/",
        "https://doi.org/",
        "v2",
        " # ",
        "hep-th/9901001",
        "10.48550/arXiv.",
    ),
}
"""libFuzzer dictionaries: the words of each format, so mutations make near-valid input."""


def write_dictionary(target: str) -> Path:
    path = CORPORA / f"{target}.dict"
    lines = ['"' + "".join(map(_dictionary_byte, token.encode("utf-8"))) + '"' for token in TOKENS[target]]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def _dictionary_byte(byte: int) -> str:
    """libFuzzer's dictionary syntax: printable ASCII as is (``\\`` and ``"`` escaped), else ``\\xNN``."""
    char = chr(byte)
    if char in '\\"':
        return "\\" + char
    return char if 32 <= byte < 127 else f"\\x{byte:02x}"


def expected_count(target: str, text: str) -> int | None:
    """How many records the input holds, told without the reader, where that is easy."""
    lines = text.split("\n")
    if target == "ris":
        ris_lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
        return sum(1 for line in ris_lines if _RIS_START.match(line))
    if target == "abstracts":
        return sum(1 for line in lines if _ABSTRACT_LINE.match(line.rstrip("\r")))
    if target == "ids":
        return sum(1 for line in lines if _ID_COMMENT.sub("", line).strip())
    if target == "csljson":
        try:
            data = json.loads(text.removeprefix("\ufeff"))
        except (ValueError, RecursionError):
            return None
        return len(data) if isinstance(data, list) else 1 if isinstance(data, dict) else 0
    return None


def read(target: str, data: bytes) -> tuple[str, ReadResult]:
    """Decode and read as ``citekit.io.read_input`` does."""
    text, diagnostics = formats.decode(data, FILE)
    if target == "profile":
        result = profile.read_profile(text, FILE, reference_date=REFERENCE_DATE)
    else:
        result = formats.get(target).read(text, FILE)
    result.diagnostics[:0] = diagnostics
    return text, result


def check(target: str, text: str, result: ReadResult) -> None:
    """The properties in the module docstring; an AssertionError is a finding."""
    read_indices = [r.origin.index for r in result.records if r.origin is not None]
    assert len(read_indices) == len(result.records), "a record without an origin"
    failed = result.failed_indices
    assert len(set(read_indices)) == len(read_indices), f"an index read twice: {sorted(read_indices)}"
    assert not failed & set(read_indices), f"records both read and lost: {sorted(failed & set(read_indices))}"
    accounted = sorted([*read_indices, *failed])
    assert accounted == list(range(1, len(accounted) + 1)), f"indices with gaps: {accounted}"
    Report().add_read(result)
    for diagnostic in result.diagnostics:
        if diagnostic.index is not None:
            assert diagnostic.file == FILE and diagnostic.line, f"no place: {diagnostic}"
    if target in ("bibtex", "biblatex") and _MEANT_AS_ENTRY.search(text) and not _NOT_ENTRIES.search(text):
        assert accounted or any(d.level == "error" for d in result.diagnostics), "entry lost silently"
    expected = expected_count(target, text)
    assert expected is None or len(accounted) == expected, f"{len(accounted)} accounted for, {expected} in"


def build_corpus(target: str) -> Path:
    """The seeds, copied in again; what earlier runs added stays, so a new run starts from it."""
    corpus = CORPORA / target
    corpus.mkdir(parents=True, exist_ok=True)
    wanted = SEED_KINDS[target]
    sources = [*sorted((ROOT / "seeds").glob("*")), *sorted((ROOT / "tests" / "data").rglob("*"))]
    for number, path in enumerate(p for p in sources if p.is_file() and wanted(p)):
        shutil.copyfile(path, corpus / f"{number:03d}-{path.name}")
    return corpus


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in SEED_KINDS:
        sys.exit(f"usage: {argv[0]} {{{','.join(SEED_KINDS)}}} [libFuzzer options] [corpus dirs or inputs]")
    target, options = argv[1], argv[2:]
    if not any(not option.startswith("-") for option in options):
        options.append(str(build_corpus(target)))
    if not any(option.startswith("-dict=") for option in options):
        options.insert(0, f"-dict={write_dictionary(target)}")
    if not any(option.startswith("-artifact_prefix=") for option in options):
        crashes = CORPORA / f"{target}-crashes"
        crashes.mkdir(parents=True, exist_ok=True)
        options.insert(0, f"-artifact_prefix={crashes}/")

    def one_input(data: bytes) -> None:
        text, result = read(target, data)
        check(target, text, result)

    atheris.Setup([argv[0], *options], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
