"""Inputs found by fuzzing (``bench/fuzz_readers.py``), kept so the bugs they showed stay fixed;
and the fuzzer's property, for every reader, on bytes as the CLI decodes them.

``tests/data/fuzz/<format>/<name>`` is read as the CLI reads a file (bytes decoded by
:func:`citekit.formats.decode`, then the format's reader). Each input once crashed a reader, lost a
record without a word or hung; now the reader must return, account for every record (the indices
of the records read and of those reported lost are 1..n, each once), and say what was wrong in a
diagnostic that names the file and the line.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citekit import formats
from citekit.diagnostics import ReadResult
from citekit.formats import profile
from citekit.report import Report

DATA = Path(__file__).parent / "data" / "fuzz"
CASES = sorted(p for p in DATA.glob("*/*") if p.is_file())


def read(data: bytes, reader: str, file: str) -> ReadResult:
    text, diagnostics = formats.decode(data, file)
    if reader == profile.NAME:
        result = profile.read_profile(text, file, reference_date=datetime.date(2026, 1, 15))
    else:
        result = formats.get(reader).read(text, file)
    result.diagnostics[:0] = diagnostics
    return result


def assert_accounted(result: ReadResult) -> None:
    """In = out + reported: records read and records reported lost are 1..n, each once."""
    read_indices = [r.origin.index for r in result.records if r.origin]
    assert len(read_indices) == len(result.records) == len(set(read_indices))
    accounted = sorted([*read_indices, *result.failed_indices])
    assert accounted == list(range(1, len(accounted) + 1))
    Report().add_read(result)


def test_there_are_cases() -> None:
    assert CASES


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fuzz_input_is_read_and_every_record_accounted_for(path: Path) -> None:
    result = read(path.read_bytes(), path.parent.name, path.name)
    assert_accounted(result)
    assert result.diagnostics, "bad input must be pointed out"
    assert all(d.file == path.name and d.line for d in result.diagnostics)


@pytest.mark.parametrize("reader", formats.readable())
@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_are_read_and_every_record_accounted_for(reader: str, data: bytes) -> None:
    result = read(data, reader, "fuzz.in")
    assert_accounted(result)
    assert all(d.file == "fuzz.in" and d.line for d in result.diagnostics if d.index is not None)
