"""Shared fixtures: the emulated Crossref and arXiv servers (see ``emulators.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulators import ArxivEmulator, CrossrefEmulator, closed_port_url


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
