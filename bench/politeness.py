"""Online politeness: does ``citekit enrich`` use what Crossref and arXiv allow, and no more?

The emulated services of the test suite (``tests/emulators.py``) run here in the mode that
*advertises and enforces* the real limits: Crossref's polite pool (``X-Rate-Limit-Limit`` /
``-Interval`` / ``X-Concurrency-Limit`` / ``X-Api-Pool`` headers; 10 lookups and 3 searches a
second, 3 requests in flight; a 429 with ``Retry-After`` to a client that goes over, in a sliding
window), and arXiv's one request every N seconds over one connection (a 503 otherwise). The real
command line runs against them over sockets, as a user would run it:

1. 1,000 DOI lookups: ``citekit enrich ids.txt --sources crossref`` on 1,000 DOIs the emulator
   serves (the 24 of ``seeds/metadata/crossref.jsonl`` and synthetic works), paced by the
   lookup limit, 10 a second;
2. title searches: a few hundred BibTeX entries with a title only;
3. arXiv title searches (the snapshot's arXiv titles, nothing else), at the interval given
   (alongside run 1: another server). Ids alone would not measure pacing: a run fetches its
   arXiv ids 50 a request;
4. each run again, same command and same cache: no request at all, and the speed-up.

Runs that share a server are a second apart: pacing is per process, and a citekit process that
starts within a second of another one's last request may go over the window at their boundary.

The servers run at a higher scheduling priority than citekit when the bench may raise it (see
:data:`PRIORITY`): the limits are judged on their clocks. For each run it prints the requests, the
time taken, the rate achieved per Crossref pool against the advertised one (target: at least 90 %
on the pool that sets the pace), the 429s (target 0, with the arrival gaps around any), the most
requests in flight against the advertised limit, and the rerun's speed-up (target: at least 50×).
arXiv's real rule is one request every 3 s; the default here is 1 s, to keep the run short (the
pacing code is the same at any interval).

Reproduce (from the repository root, about 8 minutes, mostly waiting for the rate limits)::

    python3 -m venv .venv && .venv/bin/pip install -q -e .    # nothing beyond citekit's own dependencies
    .venv/bin/python bench/politeness.py
    .venv/bin/python bench/politeness.py --dois 300 --titles 60 --arxiv-titles 10   # about 2.5 minutes

Nothing here needs the network: the servers listen on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from emulators import REJECTED, SEEDS, ArxivEmulator, CrossrefEmulator, LoggedRequest, crossref_pool  # noqa: E402

from citekit import pipeline  # noqa: E402

MAILTO = "bench@example.org"
WORDS = """adaptive sparse neural graph learning robust quantum efficient scalable stochastic gradient
attention transformer kernel manifold bayesian inference causal contrastive federated privacy
retrieval embedding diffusion generative latent variational convex optimisation spectral clustering
temporal dynamics reinforcement policy reward agent language vision speech protein molecular
equivariant symmetry lattice boundary estimation sampling markov chain monte carlo compressed
sensing low rank tensor decomposition pruning distillation quantised hardware memory streaming""".split()
FAMILIES = """Abe Bauer Chen Dubois Eriksen Fischer Garcia Haddad Ito Jansen Kowalski Laine Moreau Novak
Okafor Petrov Quinn Rossi Sato Tanaka Ueda Varga Weber Xu Yilmaz Zhang""".split()
JOURNALS = [
    "Journal of Synthetic Results",
    "Transactions on Emulated Systems",
    "Proceedings of Benchmarks",
    "Annals of Reproducible Computing",
    "Letters in Measured Performance",
]


# ------------------------------------------------------------------------------------ the data


def synthetic_works(count: int, seed: int = 5) -> list[dict]:
    """Crossref works as the API returns them, with distinct titles and DOIs ``10.5555/citekit-bench.N``."""
    rng = random.Random(seed)
    works = []
    for number in range(count):
        title = " ".join(rng.sample(WORDS, rng.randint(4, 8))).capitalize() + f" {number}"
        authors = [
            {
                "given": rng.choice("ABCDEFGHJKLMNPRSTW") + ".",
                "family": rng.choice(FAMILIES),
                "sequence": "first" if i == 0 else "additional",
                "affiliation": [],
            }
            for i in range(rng.randint(1, 5))
        ]
        year = rng.randint(2005, 2025)
        first_page = rng.randint(1, 900)
        works.append(
            {
                "DOI": f"10.5555/citekit-bench.{number}",
                "type": "journal-article",
                "title": [title],
                "author": authors,
                "container-title": [rng.choice(JOURNALS)],
                "issued": {"date-parts": [[year]]},
                "published": {"date-parts": [[year]]},
                "volume": str(rng.randint(1, 60)),
                "page": f"{first_page}-{first_page + rng.randint(5, 30)}",
                "publisher": "Citekit Bench Press",
                "source": "Crossref",
                "prefix": "10.5555",
                "URL": f"https://doi.org/10.5555/citekit-bench.{number}",
            }
        )
    return works


def seed_works() -> list[dict]:
    return [json.loads(line) for line in (SEEDS / "crossref.jsonl").read_text().splitlines() if line.strip()]


def seed_arxiv_titles() -> list[str]:
    lines = (SEEDS / "arxiv.jsonl").read_text().splitlines()
    return [" ".join(json.loads(line)["title"].split()) for line in lines if line.strip()]


def title_only_bibtex(titles: Sequence[str]) -> str:
    return "".join(f"@article{{t{i}, title = {{{title}}}}}\n\n" for i, title in enumerate(titles))


# ------------------------------------------------------------------------------------ measuring


@dataclass
class Phase:
    name: str
    records: int
    elapsed: float
    requests: list[LoggedRequest]
    stderr: str


PRIORITY = 5
"""How much higher than citekit's the servers' scheduling priority is (when the bench may raise it):
their arrival times are what the limits are judged on, and on a busy machine a server thread that
waits for a CPU stamps a request late, which can look like a too-early next one."""


def raise_server_priority() -> list[str]:
    """The command prefix that runs citekit at the usual priority once this process has a higher one."""
    try:
        os.nice(-PRIORITY)
    except PermissionError:
        return []
    return ["nice", "-n", str(PRIORITY)]


def run_citekit(
    name: str, records: int, args: Sequence[str], env: dict[str, str], server, prefix: Sequence[str] = ()
) -> Phase:
    """One ``citekit`` command, timed; the server's log entries it caused."""
    first = len(server.log)
    started = time.perf_counter()
    completed = subprocess.run(
        [*prefix, sys.executable, "-m", "citekit", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{name}: citekit exited with {completed.returncode}\n{completed.stderr}")
    return Phase(name, records, elapsed, list(server.log[first:]), completed.stderr)


def achieved_rate(requests: Sequence[LoggedRequest]) -> float | None:
    """Request starts per second, first to last arrival."""
    starts = sorted(r.start for r in requests)
    if len(starts) < 2 or starts[-1] == starts[0]:
        return None
    return (len(starts) - 1) / (starts[-1] - starts[0])


def crossref_lines(phase: Phase, server: CrossrefEmulator) -> list[str]:
    pools: dict[str, list[LoggedRequest]] = {}
    for request in phase.requests:
        pool = crossref_pool(request.path, request.params, request.headers) or "other"
        pools.setdefault(pool, []).append(request)
    lines = [_head(phase)]
    pacing = []
    for pool, requests in sorted(pools.items()):
        limit, interval, concurrency = server.limits(pool)
        allowed = limit / float(interval.rstrip("s"))
        rate = achieved_rate(requests)
        share = f"{100 * rate / allowed:5.1f} %" if rate else "    –"
        pacing.append(len(requests) / allowed)
        lines.append(
            f"    {pool:<14} {len(requests):>5} requests  {rate or 0:6.2f}/s of {allowed:g}/s allowed"
            f" = {share}   in flight ≤ {max(r.concurrent for r in requests)} (limit {concurrency})"
        )
        in_pool = [r for r in server.log if crossref_pool(r.path, r.params, r.headers) == pool]
        lines += [f"      {line}" for line in rejections(requests, in_pool, limit)]
    busiest = max(pacing, default=0.0)
    if busiest:
        lines.append(
            f"    fastest the limits allow: {busiest:.1f} s → {100 * busiest / phase.elapsed:.1f} % of "
            "that pace over the whole run (start-up and writing included)"
        )
    return lines


def rejections(requests: Sequence[LoggedRequest], history: Sequence[LoggedRequest], limit: int) -> list[str]:
    """For each of ``requests`` turned away: the gaps between it and the arrivals before it in its
    window (from the ``history`` of the server, earlier runs included)."""
    starts = sorted(r.start for r in history)
    lines = []
    for request in requests:
        if request.fault in REJECTED:
            earlier = [start for start in starts if start <= request.start][-(limit + 1) :]
            gaps = ", ".join(f"{1000 * (b - a):.0f}" for a, b in itertools.pairwise(earlier))
            lines.append(f"{request.fault}: the last {len(earlier)} arrivals were {gaps} ms apart")
    return lines


def arxiv_lines(phase: Phase, interval: float) -> list[str]:
    rate = achieved_rate(phase.requests)
    allowed = 1 / interval
    share = f"{100 * rate / allowed:5.1f} %" if rate else "–"
    return [
        _head(phase),
        f"    {'query':<14} {len(phase.requests):>5} requests  {rate or 0:6.2f}/s of {allowed:g}/s allowed"
        f" = {share}   in flight ≤ {max((r.concurrent for r in phase.requests), default=0)} (limit 1)",
        *(f"      {line}" for line in rejections(phase.requests, phase.requests, 1)),
    ]


def rerun_line(first: Phase, again: Phase) -> str:
    return (
        f"  rerun of {first.name}: {len(again.requests)} requests, {again.elapsed:.2f} s, "
        f"{first.elapsed / again.elapsed:.0f}× faster"
    )


def _head(phase: Phase) -> str:
    rejected = sum(1 for r in phase.requests if r.status in (429, 503))
    return (
        f"  {phase.name}: {phase.records} records, {len(phase.requests)} requests, "
        f"{phase.elapsed:.1f} s, {rejected} rejected (429/503)"
    )


# ------------------------------------------------------------------------------------ the bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dois", type=int, default=1000, help="DOI lookups (default: 1000)")
    parser.add_argument("--titles", type=int, default=200, help="title-only entries to search (default: 200)")
    parser.add_argument(
        "--arxiv-titles", type=int, default=30, help="arXiv titles to search for (default: 30, at most 91)"
    )
    parser.add_argument(
        "--arxiv-interval",
        type=float,
        default=1.0,
        help="seconds between arXiv requests, enforced and obeyed (default: 1; arXiv asks 3)",
    )
    options = parser.parse_args()

    seeds = seed_works()
    works = seeds + synthetic_works(max(0, options.dois - len(seeds)) + options.titles)
    looked_up, searched = works[: options.dois], works[options.dois : options.dois + options.titles]
    arxiv_titles = seed_arxiv_titles()[: options.arxiv_titles]

    print(
        f"citekit politeness bench — {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(
        "  Crossref emulator: polite pool advertised and enforced (lookups 10/1s, searches 3/1s, "
        f"3 in flight; 429 + Retry-After beyond); {len(works)} works"
    )
    print(
        f"  arXiv emulator: one request every {options.arxiv_interval:g} s, one at a time, enforced "
        "(503 beyond); arXiv's real rule is 3 s"
    )
    threads = max(pipeline.default_jobs(), pipeline.MIN_THREADS)
    print(f"  citekit enrich with its defaults ({threads} matching threads, --mailto given)")
    prefix = raise_server_priority()
    print(
        f"  servers at nice {os.nice(0)}, citekit at nice {os.nice(0) + PRIORITY if prefix else os.nice(0)}"
        + ("" if prefix else " (no permission to raise the servers' priority)")
    )
    with (
        tempfile.TemporaryDirectory(prefix="citekit-politeness-") as folder,
        CrossrefEmulator(works) as crossref,
        ArxivEmulator() as arxiv,
    ):
        work = Path(folder)
        crossref.enforce_limits = True
        arxiv.min_interval = options.arxiv_interval
        env = {
            **os.environ,
            "CITEKIT_CROSSREF_URL": crossref.url,
            "CITEKIT_ARXIV_URL": arxiv.url + "/api/query",
            "CITEKIT_ARXIV_INTERVAL": str(options.arxiv_interval),
            "CITEKIT_MAILTO": MAILTO,
        }
        (work / "dois.txt").write_text("".join(w["DOI"] + "\n" for w in looked_up))
        (work / "titles.bib").write_text(title_only_bibtex([w["title"][0] for w in searched]))
        (work / "arxiv.bib").write_text(title_only_bibtex(arxiv_titles))
        commands = {
            "dois": [
                "enrich",
                str(work / "dois.txt"),
                "-o",
                str(work / "dois.json"),
                "--sources",
                "crossref",
                "--cache",
                str(work / "crossref.sqlite"),
            ],
            "titles": [
                "enrich",
                str(work / "titles.bib"),
                "-o",
                str(work / "titles.json"),
                "--sources",
                "crossref",
                "--cache",
                str(work / "crossref.sqlite"),
            ],
            "arxiv": [
                "enrich",
                str(work / "arxiv.bib"),
                "-o",
                str(work / "arxiv.json"),
                "--sources",
                "arxiv",
                "--cache",
                str(work / "arxiv.sqlite"),
            ],
        }
        phases: dict[str, Phase] = {}

        def run_arxiv() -> None:
            phases["arxiv"] = run_citekit(
                "arXiv title searches", len(arxiv_titles), commands["arxiv"], env, arxiv, prefix
            )

        beside = threading.Thread(target=run_arxiv)
        beside.start()
        phases["dois"] = run_citekit(
            "Crossref DOI lookups", len(looked_up), commands["dois"], env, crossref, prefix
        )
        beside.join()
        time.sleep(1.0)  # pacing is per process: a new one knows nothing of the last one's window
        phases["titles"] = run_citekit(
            "Crossref title searches", len(searched), commands["titles"], env, crossref, prefix
        )
        reruns = {
            name: run_citekit(
                f"{phases[name].name} (rerun)",
                phases[name].records,
                commands[name],
                env,
                arxiv if name == "arxiv" else crossref,
                prefix,
            )
            for name in commands
        }

    print()
    for name in ("dois", "titles"):
        print("\n".join(crossref_lines(phases[name], crossref)))
    print("\n".join(arxiv_lines(phases["arxiv"], options.arxiv_interval)))
    print()
    for name in commands:
        print(rerun_line(phases[name], reruns[name]))
    rejected = sum(1 for server in (crossref, arxiv) for r in server.log if r.status in (429, 503))
    print(
        f"\n  total: {len(crossref.log)} Crossref and {len(arxiv.log)} arXiv requests, {rejected} rejected "
        f"({len(crossref.violations) + len(arxiv.violations)} limit violations)"
    )


if __name__ == "__main__":
    main()
