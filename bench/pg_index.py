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
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
import generate_arxiv  # noqa: E402
from index_match import KINDS, query_from  # noqa: E402
from pgserver import PostgresServer, binaries  # noqa: E402

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


def load(location: str, corpus_path: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [*CITEKIT, "index", "add", "--index", location, str(corpus_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"index add {location} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed


def queries(corpus_size: int, count: int, seed: int = 11) -> list[Query]:
    rng = random.Random(seed)
    numbers = rng.sample(range(corpus_size), count)
    return [
        query_for(query_from(generate_arxiv.listing(n), KINDS[i % len(KINDS)], rng))
        for i, n in enumerate(numbers)
    ]


def _client(
    location: str, work: list[Query], ready: multiprocessing.Barrier, results: multiprocessing.Queue
) -> None:
    with LocalIndex(location) as index:
        for query in work[:20]:  # warm: connections, caches, common words
            index.search(query, 5)
        ready.wait()
        found = sum(bool(index.search(query, 5)) for query in work)
        results.put((time.perf_counter(), found))


def throughput(location: str, work: list[Query], clients: int) -> tuple[float, float]:
    """Queries per second of ``clients`` processes each running ``work``, and the share answered."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(clients + 1), context.Queue()
    processes = [
        context.Process(target=_client, args=(location, work, ready, results)) for _ in range(clients)
    ]
    for process in processes:
        process.start()
    ready.wait()
    start = time.perf_counter()
    ends = [results.get() for _ in processes]
    for process in processes:
        process.join()
    wall = max(end for end, _ in ends) - start
    return clients * len(work) / wall, sum(found for _, found in ends) / (clients * len(work))


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
    try:
        seconds = {"sqlite": load(str(sqlite_path), corpus_path)}
        print(f"sqlite: {args.records:,} listings in {seconds['sqlite']:.1f} s", flush=True)
        seconds["postgresql"] = load(url, corpus_path)
        print(f"postgresql: {args.records:,} listings in {seconds['postgresql']:.1f} s", flush=True)
        locations = {"sqlite": str(sqlite_path), "postgresql": url}
        sizes = {}
        for name, location in locations.items():
            with LocalIndex(location) as index:
                sizes[name] = index.info().size_bytes
        work = queries(args.records, args.queries)
        rates: dict[str, dict[int, tuple[float, float]]] = {name: {} for name in locations}
        for count in clients:
            for name, location in locations.items():
                rates[name][count] = throughput(location, work, count)
                print(f"{name}, {count} client(s): {rates[name][count][0]:,.0f} queries/s", flush=True)
        report(args.records, len(work), seconds, sizes, rates, clients)
    finally:
        if server is not None:
            server.remove()
        for stale in WORK.glob(sqlite_path.name + "*"):
            stale.unlink()
    return 0


def report(
    records: int,
    queries_each: int,
    seconds: dict[str, float],
    sizes: dict[str, int],
    rates: dict[str, dict[int, tuple[float, float]]],
    clients: list[int],
) -> None:
    print(
        f"\n{records:,} listings; {queries_each:,} queries per client; load average now {os.getloadavg()[0]:.1f}"
    )
    print("| | SQLite | PostgreSQL | PostgreSQL / SQLite |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| ingest | {seconds['sqlite']:.1f} s ({records / seconds['sqlite']:,.0f}/s) | {seconds['postgresql']:.1f} s "
        f"({records / seconds['postgresql']:,.0f}/s) | {seconds['postgresql'] / seconds['sqlite']:.2f}× time "
        f"(target ≤ 1.5×) |"
    )
    print(
        f"| size on disk | {sizes['sqlite'] / 1e9:.2f} GB | {sizes['postgresql'] / 1e9:.2f} GB | "
        f"{sizes['postgresql'] / sizes['sqlite']:.2f}× |"
    )
    for count in clients:
        lite, pg = rates["sqlite"][count], rates["postgresql"][count]
        print(
            f"| {count} client(s) | {lite[0]:,.0f} q/s ({lite[1]:.0%} answered, ×{lite[0] / rates['sqlite'][clients[0]][0]:.2f}) | "
            f"{pg[0]:,.0f} q/s ({pg[1]:.0%} answered, ×{pg[0] / rates['postgresql'][clients[0]][0]:.2f}) | "
            f"{pg[0] / lite[0]:.2f}× |"
        )


if __name__ == "__main__":
    sys.exit(main())
