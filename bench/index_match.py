"""Index and match at scale: ``citekit index add`` on a million arXiv listings, then 10,000 messy
queries matched against it, with precision and recall printed beside the speed.

What it does, all through the real command line (subprocesses, timed from outside):

1. generates the corpus (:mod:`generate_arxiv`, cached in ``bench/.work/``) and indexes it together
   with the real ``seeds/metadata/`` snapshot; beside it, the *floor*: the same listings parsed
   and put into a bare FTS5 table with the same tokenizer by a minimal script (no conversion, no
   identity columns), which is what any SQLite-based index pays at least;
2. builds the queries from listings, perturbed as references really are: typos in the title,
   authors cut to the first one and "others", abstract only (as on an abstract list), sentence-case
   titles with initials for given names. A fifth of them come from listings that are *not* indexed: matching those to
   anything is a false positive. Written as BibTeX by citekit's own writer;
3. runs ``citekit enrich --sources local`` on one worker and on every core, and scores the report
   against the truth: precision = right ids / ids given, recall = right ids / queries that have a
   paper in the index.

Targets: 1M records indexed in ≤ 4 min; ≥ 500 queries/s on 2 cores; precision stays
at or above Crossref's published SBMV figure (98–99 %).

    .venv/bin/pip install -e '.[test]'
    .venv/bin/python bench/index_match.py                      # 1M listings, 10k queries
    .venv/bin/python bench/index_match.py --records 100000 --queries 2000   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_arxiv

from citekit.formats import bibtex
from citekit.model import Date, Name, Record
from citekit.sources.convert import arxiv_bulk_to_record

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
METADATA = ROOT / "seeds" / "metadata"
CITEKIT = [sys.executable, "-m", "citekit"]
KINDS = ("title-typos", "first-author-only", "abstract-only", "initials-and-braces")


@dataclass(frozen=True)
class Timed:
    seconds: float
    output: str


def run(command: list[str]) -> Timed:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return Timed(elapsed, done.stderr)


# --- corpus and index --------------------------------------------------------------------------


def corpus(records: int) -> Path:
    path = WORK / f"arxiv-{records}.jsonl"
    if not path.exists():
        print(f"generating {records:,} listings into {path} …", flush=True)
        generate_arxiv.write(path, records)
    return path


def index_with_citekit(corpus_path: Path, index: Path) -> Timed:
    for stale in index.parent.glob(index.name + "*"):
        stale.unlink()
    return run(
        [
            *CITEKIT,
            "index",
            "add",
            "--index",
            str(index),
            str(corpus_path),
            *map(str, sorted(METADATA.glob("*.json*"))),
        ]
    )


FLOOR_SCRIPT = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("PRAGMA journal_mode = WAL"); db.execute("PRAGMA synchronous = NORMAL")
db.execute("CREATE VIRTUAL TABLE fts USING fts5 (title, authors, abstract, content = '', "
           "tokenize = 'porter unicode61 remove_diacritics 2')")
db.execute("BEGIN")
with open(sys.argv[1], encoding="utf-8") as lines:
    for number, line in enumerate(lines, 1):
        entry = json.loads(line)
        authors = " ".join(parts[0] for parts in entry["authors_parsed"])
        db.execute("INSERT INTO fts (rowid, title, authors, abstract) VALUES (?, ?, ?, ?)",
                   (number, entry["title"], authors, entry["abstract"]))
        if number % 5000 == 0:
            db.execute("COMMIT"); db.execute("BEGIN")
db.execute("COMMIT")
"""


def index_floor(corpus_path: Path) -> Timed:
    target = WORK / "floor.sqlite"
    for stale in WORK.glob("floor.sqlite*"):
        stale.unlink()
    timed = run([sys.executable, "-c", FLOOR_SCRIPT, str(corpus_path), str(target)])
    for stale in WORK.glob("floor.sqlite*"):
        stale.unlink()
    return timed


# --- queries -----------------------------------------------------------------------------------


def typo(text: str, rng: random.Random, edits: int) -> str:
    """Character slips inside words of four letters or more: dropped, doubled, swapped, replaced."""
    chars = list(text)
    for _ in range(edits):
        spots = [
            i
            for i in range(1, len(chars) - 2)
            if chars[i - 1 : i + 3] and "".join(chars[i - 1 : i + 3]).isalpha()
        ]
        if not spots:
            break
        i = rng.choice(spots)
        action = rng.choice(("drop", "double", "swap", "replace"))
        if action == "drop":
            del chars[i]
        elif action == "double":
            chars.insert(i, chars[i])
        elif action == "swap":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = rng.choice("aeioustnrl")
    return "".join(chars)


def query_from(listing: dict[str, Any], kind: str, rng: random.Random) -> Record:
    """A reference to ``listing`` as a person or a scraper would have written it."""
    paper = arxiv_bulk_to_record(listing)
    query = Record(type="article")
    if kind == "abstract-only":
        query.abstract = paper.abstract
        return query
    query.title = paper.title
    query.author = [Name(family=a.family, given=a.given) for a in paper.author]
    query.issued = Date((paper.year,)) if paper.year else None
    if kind == "title-typos":
        query.title = typo(paper.title, rng, rng.randint(1, 2))
    elif kind == "first-author-only" and len(query.author) > 1:
        query.author, query.authors_truncated = query.author[:1], True
    elif kind == "initials-and-braces":  # sentence case, given names as initials, as styles print them
        query.title = paper.title[:1] + paper.title[1:].lower()
        query.author = [
            Name(family=a.family, given=" ".join(f"{p[0]}." for p in a.given.split() if p))
            for a in query.author
        ]
    return query


def queries(corpus_size: int, count: int, seed: int = 7) -> tuple[Path, list[str | None], list[str]]:
    """The query file, each query's true arXiv id (``None``: its paper is not indexed), its kind."""
    rng = random.Random(seed)
    positives = rng.sample(range(corpus_size), count - count // 5)
    negatives = list(range(corpus_size, corpus_size + count // 5))  # generated, never indexed
    numbers = positives + negatives
    rng.shuffle(numbers)
    records: list[Record] = []
    truth: list[str | None] = []
    kinds: list[str] = []
    for position, number in enumerate(numbers):
        listing = generate_arxiv.listing(number)
        kind = KINDS[position % len(KINDS)]
        record = query_from(listing, kind, rng)
        record.key = f"q{position:05d}"
        records.append(record)
        truth.append(str(listing["id"]) if number < corpus_size else None)
        kinds.append(kind)
    path = WORK / f"queries-{corpus_size}-{count}.bib"
    path.write_text(bibtex.write(records), encoding="utf-8")
    return path, truth, kinds


# --- matching and scoring ----------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    given: int
    right: int
    wrong: int
    findable: int
    recall_by_kind: dict[str, float]

    @property
    def precision(self) -> float:
        return self.right / self.given if self.given else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.findable if self.findable else 1.0


def match(query_path: Path, index: Path, jobs: int) -> tuple[Timed, list[dict[str, Any]]]:
    out, report = WORK / f"matched-{jobs}.json", WORK / f"report-{jobs}.json"
    timed = run(
        [
            *CITEKIT,
            "enrich",
            str(query_path),
            "-o",
            str(out),
            "--sources",
            "local",
            "--index",
            str(index),
            "--report",
            str(report),
            "--jobs",
            str(jobs),
        ]
    )
    entries = json.loads(report.read_text(encoding="utf-8"))["records"]
    return timed, sorted(entries, key=lambda e: e["input"]["index"])


def score(entries: list[dict[str, Any]], truth: list[str | None], kinds: list[str]) -> Score:
    assert len(entries) == len(truth), "the report accounts for every query"
    given = right = 0
    found: Counter[str] = Counter()
    for entry, expected, kind in zip(entries, truth, kinds, strict=True):
        got = entry["ids"]["arxiv"] if entry["status"] == "matched" else None
        given += got is not None
        if got is not None and got == expected:
            right += 1
            found[kind] += 1
    findable = Counter(k for k, t in zip(kinds, truth, strict=True) if t is not None)
    return Score(
        given,
        right,
        given - right,
        sum(findable.values()),
        {k: found[k] / findable[k] for k in KINDS if findable[k]},
    )


# --- report ------------------------------------------------------------------------------------


def machine() -> str:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    sqlite = sqlite3.sqlite_version
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite}"


def report_indexing(records: int, corpus_path: Path, index: Path, *, floor: bool) -> None:
    indexed = index_with_citekit(corpus_path, index)
    rate = records / indexed.seconds
    size = sum(p.stat().st_size for p in WORK.glob(index.name + "*")) / 1e9
    print(
        f"\nindex add: {records:,} listings in {indexed.seconds:.1f} s = {rate:,.0f} records/s; "
        f"1M would take {1e6 / rate / 60:.1f} min (target ≤ 4 min); index {size:.2f} GB"
    )
    if floor:
        bare = index_floor(corpus_path)
        print(
            f"  bare FTS5 floor: {bare.seconds:.1f} s = {records / bare.seconds:,.0f} records/s; "
            f"citekit takes {indexed.seconds / bare.seconds:.2f}× the floor"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--skip-floor", action="store_true", help="do not time the bare FTS5 floor")
    parser.add_argument("--keep-index", action="store_true", help="match against the index of an earlier run")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    corpus_path = corpus(args.records)
    index = WORK / f"index-{args.records}.sqlite"

    if not (args.keep_index and index.exists()):
        report_indexing(args.records, corpus_path, index, floor=not args.skip_floor)

    query_path, truth, kinds = queries(args.records, args.queries)
    print(
        f"\nqueries: {len(truth):,} ({', '.join(KINDS)} in turn; {truth.count(None):,} of papers not indexed)"
    )
    print(
        f"{'workers':>8} {'seconds':>8} {'queries/s':>10} {'precision':>10} {'recall':>7} {'wrong ids':>10}"
    )
    results = {}
    for jobs in sorted({1, args.jobs}):
        timed, entries = match(query_path, index, jobs)
        result = score(entries, truth, kinds)
        results[jobs] = (timed, result)
        print(
            f"{jobs:>8} {timed.seconds:>8.1f} {len(truth) / timed.seconds:>10.0f} {result.precision:>10.2%} "
            f"{result.recall:>7.2%} {result.wrong:>10}"
        )
    timed, result = results[args.jobs]
    print("recall by kind: " + ", ".join(f"{k} {v:.1%}" for k, v in result.recall_by_kind.items()))
    if args.jobs > 1:
        print(
            f"{args.jobs} workers are {results[1][0].seconds / timed.seconds:.2f}× one worker "
            f"(target ≥ 500 queries/s on 2 cores: {len(truth) / timed.seconds:.0f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
