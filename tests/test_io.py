"""Outputs are written atomically: an interrupted write leaves the old file whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citekit.io import input_names, write_output


def test_a_failed_write_leaves_the_previous_file_and_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "library.bib"
    target.write_text("@misc{old, title = {Old}}\n")
    with pytest.raises(UnicodeEncodeError):
        write_output(target, "@misc{new, title = {half written " + "\ud800" + "}}\n")  # fails mid-way
    assert target.read_text() == "@misc{old, title = {Old}}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["library.bib"]


def test_writes_create_folders_and_keep_line_endings(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "library.ris"
    write_output(target, "TY  - GEN\r\nER  - \r\n\r\n")
    assert target.read_bytes() == b"TY  - GEN\r\nER  - \r\n\r\n"


def test_new_files_get_the_usual_mode_and_old_files_keep_theirs(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "new.bib"
        write_output(fresh, "x")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.bib"
        kept.write_text("old")
        kept.chmod(0o600)
        write_output(kept, "new")
        assert kept.stat().st_mode & 0o777 == 0o600 and kept.read_text() == "new"
    finally:
        os.umask(umask)


def test_inputs_are_named_by_base_name_unless_that_is_ambiguous() -> None:
    assert input_names(["a/refs.bib", "b/other.bib", "-"]) == ["refs.bib", "other.bib", "<stdin>"]
    assert input_names(["a/refs.bib", "b/refs.bib"]) == ["a/refs.bib", "b/refs.bib"]
