"""The shared index against the embedded one: the same listings loaded into PostgreSQL and into
SQLite, then searched by 1, 2 and 4 concurrent clients, in one run, on one machine.

1. generates the corpus (:mod:`generate_arxiv`, cached in ``bench/.work/``);
2. ``citekit index add`` into a new SQLite file and into a new PostgreSQL database (subprocesses,
   timed from outside), then the size of each on disk: the file and its log; the tables with
   their indexes;
3. builds messy queries from listings as :mod:`index_match` does (typos in the title, first
   author only, abstract only, sentence case with initials) and has N client processes (each its
   own connection pool, or its own SQLite connection) run them all at once against each index:
   queries per second over the wall time from a common start to the last client's end.

Wall time on a machine shared with other work depends on what else runs, so beside it the bench
prints CPU time, a steadier measure: the loader's (the ``citekit`` process) and the server's (its
processes' user and system time, read from ``/proc``) for a load; the clients' and the server's
for a search run, and the server's as cores kept busy (CPU seconds over wall seconds). The load
average is printed at each step.

The PostgreSQL server is a throwaway cluster (``tests/pgserver.py``) on this machine with durable
settings (fsync on, synchronous commit), unless ``--url`` names one. Targets: ingest within 1.5× of
SQLite's time; queries per second growing with clients until the server's cores are busy (the
clients share the machine with the server here, so on 2 cores the curve flattens at 2).

    .venv/bin/pip install -e '.[test]'
    .venv/bin/python bench/pg_index.py                                  # 1M listings
    .venv/bin/python bench/pg_index.py --records 100000 --queries 1000  # a quick look
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.queues
import multiprocessing.synchronize
import os
import platform
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
import generate_arxiv  # noqa: E402
from index_match import KINDS, query_from  # noqa: E402
from pgserver import PostgresServer, binaries  # type: ignore[import-not-found]  # noqa: E402

from citekit.enrich import query_for  # noqa: E402
from citekit.sources.base import Query  # noqa: E402
from citekit.sources.local import LocalIndex  # noqa: E402

WORK = ROOT / "bench" / ".work"
CITEKIT = [sys.executable, "-m", "citekit"]
SERVER = {
    "fsync": "on",
    "synchronous_commit": "on",
    "shared_buffers": "512MB",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "work_mem": "16MB",
}


def corpus(records: int) -> Path:
    """The first ``records`` listings (generated ones are the same whatever the count, so a larger
    cached corpus gives a smaller one by its first lines)."""
    path = WORK / f"arxiv-{records}.jsonl"
    if path.exists():
        return path
    larger = sorted(
        (p for p in WORK.glob("arxiv-*.jsonl") if int(p.stem.split("-")[1]) > records),
        key=lambda p: int(p.stem.split("-")[1]),
    )
    if larger:
        with larger[0].open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
            for _, line in zip(range(records), source, strict=False):
                out.write(line)
        return path
    print(f"generating {records:,} listings into {path} …", flush=True)
    return generate_arxiv.write(path, records)


@dataclass
class Cost:
    """What a step took: wall seconds, the CPU seconds of citekit's processes and of the server's."""

    wall: float
    ours: float
    server: float | None  # None: a server this bench cannot see (``--url``), or none (SQLite)
    load_average: float


def load(location: str, corpus_path: Path, server: PostgresServer | None) -> Cost:
    """``citekit index add`` into ``location``: its wall time, its CPU time and the server's."""
    start, ours, server_start = time.perf_counter(), _children_cpu(), server.cpu_seconds() if server else 0.0
    done = subprocess.run(
        [*CITEKIT, "index", "add", "--index", location, str(corpus_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"index add {location} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    server_cpu = server.cpu_seconds() - server_start if server else None
    return Cost(wall, _children_cpu() - ours, server_cpu, os.getloadavg()[0])


def _children_cpu() -> float:
    """CPU time of this process's children that have ended (and been waited for)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def queries(corpus_size: int, count: int, seed: int = 11) -> list[Query]:
    rng = random.Random(seed)
    numbers = rng.sample(range(corpus_size), count)
    return [
        query_for(query_from(generate_arxiv.listing(n), KINDS[i % len(KINDS)], rng))
        for i, n in enumerate(numbers)
    ]


def _client(
    location: str,
    work: list[Query],
    ready: multiprocessing.synchronize.Barrier,
    results: multiprocessing.queues.Queue[tuple[float, int, float]],
) -> None:
    with LocalIndex(location) as index:
        for query in work[:20]:  # warm: connections, caches, common words
            index.search(query, 5)
        ready.wait()
        cpu = time.process_time()
        found = sum(bool(index.search(query, 5)) for query in work)
        results.put((time.perf_counter(), found, time.process_time() - cpu))


@dataclass
class Run:
    """``clients`` processes each running the same queries against one index at once."""

    clients: int
    rate: float
    """Queries per second over the wall time from the common start to the last client's end."""
    answered: float
    cost: Cost
    """The clients' CPU time is their own from the start to their end (not their start-up or warm-up)."""


def throughput(location: str, work: list[Query], clients: int, server: PostgresServer | None) -> Run:
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(clients + 1), context.Queue()
    processes = [
        context.Process(target=_client, args=(location, work, ready, results)) for _ in range(clients)
    ]
    for process in processes:
        process.start()
    ready.wait()
    start, server_start = time.perf_counter(), server.cpu_seconds() if server else 0.0
    ends = [results.get() for _ in processes]
    for process in processes:
        process.join()
    server_cpu = server.cpu_seconds() - server_start if server else None  # closing connections: a little
    wall = max(end for end, _, _ in ends) - start
    cost = Cost(wall, sum(cpu for _, _, cpu in ends), server_cpu, os.getloadavg()[0])
    answered = sum(found for _, found, _ in ends) / (clients * len(work))
    return Run(clients, clients * len(work) / wall, answered, cost)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000, help="queries each client runs")
    parser.add_argument("--clients", default="1,2,4")
    parser.add_argument("--url", help="an existing, empty PostgreSQL database (default: a throwaway cluster)")
    args = parser.parse_args()
    clients = [int(n) for n in args.clients.split(",")]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
        f"{platform.python_implementation()} {platform.python_version()}",
        flush=True,
    )
    corpus_path = corpus(args.records)
    server = None
    if args.url:
        url = args.url
    else:
        found = binaries()
        if found is None:
            sys.exit(
                "PostgreSQL is not installed (Debian: apt-get install postgresql), and no --url was given"
            )
        server = PostgresServer(found, SERVER)
        url = server.create_database()
    sqlite_path = WORK / f"bench-{args.records}.sqlite"
    for stale in WORK.glob(sqlite_path.name + "*"):
        stale.unlink()
    locations = {"sqlite": str(sqlite_path), "postgresql": url}
    try:
        loads: dict[str, Cost] = {}
        for name, location in locations.items():
            loads[name] = load(location, corpus_path, server if name == "postgresql" else None)
            print(f"{name}: {args.records:,} listings loaded; {_cost(loads[name])}", flush=True)
        sizes = {}
        for name, location in locations.items():
            with LocalIndex(location) as index:
                sizes[name] = index.info().size_bytes
        work = queries(args.records, args.queries)
        runs: dict[str, dict[int, Run]] = {name: {} for name in locations}
        for count in clients:
            for name, location in locations.items():
                run = runs[name][count] = throughput(
                    location, work, count, server if name == "postgresql" else None
                )
                print(f"{name}, {count} client(s): {run.rate:,.0f} queries/s; {_cost(run.cost)}", flush=True)
        report(args.records, len(work), loads, sizes, runs, clients)
    finally:
        if server is not None:
            server.remove()
        for stale in WORK.glob(sqlite_path.name + "*"):
            stale.unlink()
    return 0


def _cost(cost: Cost) -> str:
    server = (
        f", server {cost.server:.1f} s ({cost.server / cost.wall:.2f} cores)"
        if cost.server is not None
        else ""
    )
    return f"wall {cost.wall:.1f} s; CPU: citekit {cost.ours:.1f} s{server}; load average {cost.load_average:.1f}"


def report(
    records: int,
    queries_each: int,
    loads: dict[str, Cost],
    sizes: dict[str, int],
    runs: dict[str, dict[int, Run]],
    clients: list[int],
) -> None:
    lite, pg = loads["sqlite"], loads["postgresql"]
    print(
        f"\n{records:,} listings; {queries_each:,} queries per client; load average now {os.getloadavg()[0]:.1f}"
    )
    print("| | SQLite | PostgreSQL | PostgreSQL / SQLite |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| `index add`, wall time | {lite.wall:.0f} s ({records / lite.wall:,.0f}/s) | {pg.wall:.0f} s "
        f"({records / pg.wall:,.0f}/s) | {pg.wall / lite.wall:.2f}× (target ≤ 1.5×) |"
    )
    if pg.server is not None:
        pg_cpu = pg.ours + pg.server
        print(
            f"| `index add`, CPU time | {lite.ours:.0f} s | {pg_cpu:.0f} s (citekit {pg.ours:.0f} s, server "
            f"{pg.server:.0f} s) | {pg_cpu / lite.ours:.2f}× |"
        )
    print(
        f"| size on disk | {sizes['sqlite'] / 1e9:.2f} GB | {sizes['postgresql'] / 1e9:.2f} GB | "
        f"{sizes['postgresql'] / sizes['sqlite']:.2f}× |"
    )
    for count in clients:
        one, other = runs["sqlite"][count], runs["postgresql"][count]
        busy = (
            f"; server {other.cost.server / other.cost.wall:.2f} cores busy"
            if other.cost.server is not None
            else ""
        )
        print(
            f"| {count} client(s) | {one.rate:,.0f} q/s (×{one.rate / runs['sqlite'][clients[0]].rate:.2f}) | "
            f"{other.rate:,.0f} q/s (×{other.rate / runs['postgresql'][clients[0]].rate:.2f}{busy}) | "
            f"{other.rate / one.rate:.2f}× |"
        )
    answered = {name: min(run.answered for run in by_clients.values()) for name, by_clients in runs.items()}
    print(f"queries answered: SQLite {answered['sqlite']:.0%}, PostgreSQL {answered['postgresql']:.0%}")


if __name__ == "__main__":
    sys.exit(main())
