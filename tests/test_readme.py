"""The README tells the truth: two Quick start commands, and a library example that runs."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_quick_start_has_exactly_two_commands_the_second_running_the_tests() -> None:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "citekit export seeds/" in commands[0] and "--offline" in commands[0]
    assert commands[1] == "bash .ci/run"


def test_the_python_example_runs(
    tmp_path: Path, snapshot_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The "Use from Python" example, run as written, in a folder with its refs.bib and index."""
    example = re.search(r"## Use from Python\n.*?```python\n(.*?)```", README, flags=re.S)
    assert example is not None
    (tmp_path / "refs.bib").write_text(
        "@inproceedings{googlenet, title = {Going deeper with convolutions}, author = {Szegedy, Christian},"
        " year = 2015}\n@misc{broken, title = {never closed\n"
    )
    shutil.copy(snapshot_index, tmp_path / "index.sqlite")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        exec(compile(example.group(1), "README.md", "exec"), {})  # noqa: S102 - our own README
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out.splitlines()
    assert printed[:2] == ["refs.bib 1 matched googlenet", "refs.bib 2 error -"]
    assert printed[2] == "2 input records → 1 output records (1 matched, 1 error)"
    clean = (tmp_path / "clean.bib").read_text()
    assert "doi = {10.1109/CVPR.2015.7298594}" in clean and "1409.4842" in clean
