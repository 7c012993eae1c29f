"""How fast ``citekit index add`` takes in dblp's dump and ACL Anthology's bulk BibTeX.

dblp: a generated dump of N publications in dblp's format (``generate_dblp.py synthetic``, with
author pages and proceedings volumes in the real proportions) is indexed by the real command line,
in a fresh process; the script prints publications/s, peak memory, and the time the real dump
(7.3 million publications, plus its author pages) would take at that rate; the target is 15
minutes. Two peers are measured in the same run: the floor, lxml reading the same file with the
same DTD and doing nothing with the records; and ``citekit index add`` of generated arXiv listings
(``generate_arxiv.py``), whose rate on a quiet machine the README's Performance section gives, so
that a run on a busy machine can still be scaled to a quiet one.

ACL: a generated ``anthology+abstracts.bib.gz`` of M entries in the Anthology's style
(``generate_acl.py``), indexed the same way; its floor is bibtexparser splitting the decompressed
text alone.

    python bench/dblp_ingest.py --publications 1000000 --acl 130000 --arxiv 100000

Generated files are kept in ``bench/.work/`` and reused.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import generate_acl  # noqa: E402
import generate_dblp  # noqa: E402

REAL_DUMP_PUBLICATIONS = 7_300_000
"""Publications in dblp's dump at the end of 2025 (https://dblp.org/statistics/)."""
TARGET_SECONDS = 15 * 60
WORK = BENCH / ".work"


def timed_index_add(path: Path, folder: Path) -> tuple[float, float, str]:
    """(seconds, peak MB of the child process, its last line) of ``citekit index add`` on one file."""
    index = folder / f"{path.name}.sqlite"
    command = [sys.executable, "-m", "citekit", "index", "add", "--index", str(index), str(path)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode not in (0, 1):
        raise SystemExit(result.stderr)
    last = result.stderr.strip().splitlines()[-1]
    return seconds, max(peak, before) / 1024, last


def dblp_floor(path: Path) -> float:
    """lxml's iterparse over the dump with its DTD, clearing each record: reading and nothing else."""
    from citekit.sources.dblp_dump import _Stream, iterparse_dump

    start = time.perf_counter()
    with path.open("rb") as handle:
        for _, element in iterparse_dump(_Stream(handle), path.parent / "dblp.dtd"):
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    return time.perf_counter() - start


def bibtex_floor(path: Path) -> float:
    import bibtexparser

    start = time.perf_counter()
    bibtexparser.parse_string(gzip.decompress(path.read_bytes()).decode("utf-8"))
    return time.perf_counter() - start


def bench_dblp(count: int, folder: Path) -> float:
    dump = WORK / f"dblp-{count}" / "dblp.xml.gz"
    if not dump.exists():
        started = time.perf_counter()
        written = generate_dblp.write_dump(dump, generate_dblp.synthetic(count))
        print(
            f"generated {dump} ({written:,} records with author pages and volumes, "
            f"{dump.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s"
        )
    seconds, peak, last = timed_index_add(dump, folder)  # first: a child forked after the floor's run
    floor = dblp_floor(dump)  # would count the floor's memory as its own
    rate = count / seconds
    real = REAL_DUMP_PUBLICATIONS / rate
    print(
        f"dblp: citekit index add, {count:,} publications: {seconds:.1f} s = {rate:,.0f} publications/s, "
        f"peak {peak:.0f} MB  [{last}]"
    )
    print(f"dblp: lxml alone (the floor): {floor:.1f} s; citekit takes {seconds / floor:.1f}x the floor")
    print(
        f"dblp: the real dump ({REAL_DUMP_PUBLICATIONS:,} publications) at this rate: {real / 60:.1f} min "
        f"(target {TARGET_SECONDS / 60:.0f} min: {'met' if real <= TARGET_SECONDS else 'NOT met'})"
    )
    return rate


def bench_arxiv(count: int, folder: Path) -> float:
    listings = WORK / f"arxiv-{count}.jsonl"
    if not listings.exists():
        import generate_arxiv

        generate_arxiv.write(listings, count)
    seconds, peak, _ = timed_index_add(listings, folder)
    print(
        f"arxiv (peer): citekit index add, {count:,} listings: {seconds:.1f} s = {count / seconds:,.0f} "
        f"listings/s, peak {peak:.0f} MB"
    )
    return count / seconds


def bench_acl(count: int, folder: Path) -> None:
    bib = WORK / f"acl-{count}" / "anthology+abstracts.bib.gz"
    if not bib.exists():
        generate_acl.write(bib, count)
    seconds, peak, last = timed_index_add(bib, folder)
    floor = bibtex_floor(bib)
    print(
        f"acl: citekit index add, {count:,} entries: {seconds:.1f} s = {count / seconds:,.0f} entries/s, "
        f"peak {peak:.0f} MB  [{last}]"
    )
    print(f"acl: bibtexparser's parse alone (the floor): {floor:.1f} s; citekit takes {seconds / floor:.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publications", type=int, default=1_000_000)
    parser.add_argument("--acl", type=int, default=130_000)
    parser.add_argument(
        "--arxiv", type=int, default=100_000, help="arXiv listings for the peer run (0: none)"
    )
    args = parser.parse_args(argv)
    print(
        f"Python {platform.python_version()}, {platform.machine()}, {platform.system()}, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory(dir=WORK) as folder:
        rate = bench_dblp(args.publications, Path(folder)) if args.publications else 0.0
        if args.arxiv:
            peer = bench_arxiv(args.arxiv, Path(folder))
            if rate:
                print(f"dblp publications/s ÷ arXiv listings/s in this run: {rate / peer:.2f}")
        if args.acl:
            bench_acl(args.acl, Path(folder))
    print(f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
