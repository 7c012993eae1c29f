"""Shared fixtures: the emulated Crossref and arXiv servers (see ``emulators.py``), and a local
index of the bundled metadata snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulators import SEEDS, ArxivEmulator, CrossrefEmulator, closed_port_url
from hypothesis import HealthCheck, settings

from citekit.sources.local import LocalIndex

# No property test may fail because the machine is busy: Hypothesis's per-example deadline and its
# "data generation is slow" health check both measure wall-clock time.
settings.register_profile("citekit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("citekit")


@pytest.fixture(scope="session")
def snapshot_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``seeds/metadata/`` in a local index; tests only read it."""
    path = tmp_path_factory.mktemp("index") / "index.sqlite"
    with LocalIndex(path) as index:
        for name in ("arxiv.jsonl", "crossref.jsonl", "proceedings.json"):
            index.add_file(SEEDS / name)
    return path


@pytest.fixture
def crossref_server() -> Iterator[CrossrefEmulator]:
    with CrossrefEmulator() as server:
        yield server


@pytest.fixture
def arxiv_server() -> Iterator[ArxivEmulator]:
    with ArxivEmulator() as server:
        yield server


@pytest.fixture
def dead_url() -> str:
    """Where nothing listens: requests there fail with "connection refused"."""
    return closed_port_url()
