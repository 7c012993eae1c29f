"""Shared fixtures: the emulated Crossref and arXiv servers (see ``emulators.py``), a local
index of the bundled metadata snapshot, and a throwaway PostgreSQL server (see ``pgserver.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulators import SEEDS, ArxivEmulator, CrossrefEmulator, closed_port_url
from hypothesis import HealthCheck, settings
from pgserver import PostgresServer, binaries

from citekit.sources.local import LocalIndex

# No property test may fail because the machine is busy: Hypothesis's per-example deadline and its
# "data generation is slow" health check both measure wall-clock time.
settings.register_profile("citekit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("citekit")


@pytest.fixture(autouse=True)
def _no_unstarted_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs ask the sources tests start: Crossref and arXiv by default (``CITEKIT_SOURCES``), and
    the venue services only where a test starts their emulators and names them. Any other request
    to dblp, OpenAlex or Semantic Scholar goes to a closed local port, never to the network."""
    monkeypatch.setenv("CITEKIT_SOURCES", "local,crossref,arxiv")
    for variable in ("CITEKIT_DBLP_URL", "CITEKIT_OPENALEX_URL", "CITEKIT_S2_URL"):
        monkeypatch.setenv(variable, closed_port_url())
    for variable in ("CITEKIT_OPENALEX_KEY", "CITEKIT_S2_KEY"):
        monkeypatch.delenv(variable, raising=False)


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


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster for the session; skips without PostgreSQL's programs, except under CI."""
    found = binaries()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(
                "PostgreSQL (initdb, pg_ctl) is not installed, and CI is set: .ci/run must install it"
            )
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql); under CI this fails")
    server = PostgresServer(found)
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """The URL of a new, empty database on the session's server."""
    return postgres.create_database()


BACKENDS = ["sqlite", "postgresql"]
"""What tests of the local index run over: its embedded store and its shared one."""


@pytest.fixture
def index_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new, empty local index goes, for the test's ``backend`` parameter."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return str(tmp_path / "index.sqlite")
