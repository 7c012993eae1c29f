"""The README tells the truth: two Quick start commands, and a library example that runs."""

from __future__ import annotations

import os
import re
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


def test_the_library_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = re.search(r"## As a library\n.*?```python\n(.*?)```", README, flags=re.S)
    assert example is not None
    (tmp_path / "refs.bib").write_text("@article{k, title = {A {PyTorch} study}, author = {Doe, Jane}, year = 2020}\n")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        exec(compile(example.group(1), "README.md", "exec"), {})  # noqa: S102 - our own README
    finally:
        os.chdir(cwd)
    assert '"id": "k"' in capsys.readouterr().out
