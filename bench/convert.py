"""Convert benchmark: ``citekit convert`` BibTeX → CSL-JSON and → RIS against pandoc, bibutils and
citation-js, all measured in the same run on the same generated files.

Reproduce (from the repository root, in a venv with citekit installed: ``pip install -e .``; the
script needs nothing else from PyPI)::

    python bench/convert.py --sizes 5000,50000 --repeat 3

citekit runs once per ``--jobs`` value (``--jobs 1,2``: ``citekit -j1`` and ``citekit -j2``).

The script generates the inputs with ``bench/generate_bibtex.py`` (seeded, so every run converts
the same bytes) into ``bench/.work/``, installs missing peers itself (``apt-get install pandoc
bibutils`` when run as root; ``npm install --prefix bench/.peers`` for citation-js) and skips a
peer it cannot install, saying why. Each tool runs as a subprocess (start-up included),
``--repeat`` times, the tools taking turns; the table shows the best wall-clock time, entries/s,
the child's peak RSS (``ru_maxrss`` from ``wait4``; for the bibutils pipeline, the sum of both
processes' peaks); then the ratios peer time / citekit time for each number of jobs (above 1:
citekit is faster), and whether each target is met: faster than citation-js with one job on the
largest file and on the smallest, at least 1.5× citation-js with two jobs (aim: 2×), and a peak
memory that does not grow with the file (citekit at the largest size against the smallest).
``--only citekit,pandoc`` limits the tools; ``--targets json`` the formats. citekit's modules are
byte-compiled first, as an installed copy's are.

The peers: pandoc (``pandoc -f bibtex -t csljson``; it writes no RIS), bibutils (``bib2xml |
xml2ris``; it writes no CSL-JSON), citation-js (``@citation-js/core`` with the BibTeX, RIS and
CSL plugins, driven by ``bench/citation_js_convert.js``). Timings on a shared machine vary: look
at the machine facts printed with the table (load average included).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate_bibtex import write_file  # noqa: E402

WORK = BENCH / ".work"
PEERS = BENCH / ".peers"
NPM_PACKAGES = [
    "@citation-js/core",
    "@citation-js/plugin-bibtex",
    "@citation-js/plugin-ris",
    "@citation-js/plugin-csl",
]
TOOLS = ("citekit", "pandoc", "bibutils", "citation-js")
PEERS_NAMES = ("citation-js", "pandoc", "bibutils")
TARGETS = ("json", "ris")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    records: int


@dataclass(frozen=True)
class Row:
    tool: str
    target: str
    entries: int
    run: Run | None
    note: str = ""


# ------------------------------------------------------------------------------------------ peers


def citekit_command() -> list[str]:
    """The installed console script, next to this Python (else on PATH)."""
    script = Path(sys.executable).with_name("citekit")
    return [str(script)] if script.exists() else [shutil.which("citekit") or "citekit"]


def compile_citekit() -> None:
    """Byte-compile citekit's modules, as ``pip install`` does: an editable install run with
    ``PYTHONDONTWRITEBYTECODE`` set would compile them again at every start, which no installed
    copy does (a run still reads existing ``.pyc`` files with that variable set)."""
    import citekit

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(citekit.__file__).parent)], check=True)


def ensure_peers(tools: Sequence[str]) -> dict[str, str]:
    """Install what is missing; return the tools that cannot run, with the reason."""
    missing: dict[str, str] = {}
    debian = {"pandoc": ["pandoc"], "bibutils": ["bib2xml", "xml2ris"]}
    for tool, programs in debian.items():
        if tool in tools and not all(shutil.which(p) for p in programs):
            reason = _apt_install(tool)
            if reason:
                missing[tool] = reason
    if "citation-js" in tools:
        reason = _npm_install()
        if reason:
            missing["citation-js"] = reason
    return missing


def _apt_install(package: str) -> str:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"not installed, and installing needs root and apt-get (apt-get install {package})"
    print(f"installing {package} with apt-get …", file=sys.stderr)
    done = subprocess.run(["apt-get", "install", "-y", "-q", package], capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True)
        done = subprocess.run(["apt-get", "install", "-y", "-q", package], capture_output=True, text=True)
    return "" if done.returncode == 0 else f"apt-get install {package} failed: {done.stderr.strip()[-300:]}"


def _npm_install() -> str:
    if all((PEERS / "node_modules" / name / "package.json").exists() for name in NPM_PACKAGES):
        return ""
    if not (shutil.which("node") and shutil.which("npm")):
        return "node and npm are needed for citation-js"
    print("installing citation-js with npm into bench/.peers …", file=sys.stderr)
    done = subprocess.run(
        ["npm", "install", "--prefix", str(PEERS), "--no-audit", "--no-fund", *NPM_PACKAGES],
        capture_output=True,
        text=True,
    )
    return "" if done.returncode == 0 else f"npm install failed: {done.stderr.strip()[-300:]}"


def commands(tool: str, target: str, source: Path, output: Path) -> list[list[str]] | None:
    """The command line(s) for one conversion (a pipeline has several), None if the tool lacks it.
    ``citekit -jN`` is citekit with ``--jobs N``."""
    if tool.startswith("citekit"):
        jobs = tool.partition(" -j")[2] or "1"
        return [[*citekit_command(), "convert", str(source), "-o", str(output), "--jobs", jobs]]
    if tool == "pandoc" and target == "json":
        return [["pandoc", "-f", "bibtex", "-t", "csljson", str(source), "-o", str(output)]]
    if tool == "bibutils" and target == "ris":
        return [["bib2xml", str(source)], ["xml2ris"]]
    if tool == "citation-js":
        return [
            [
                "node",
                str(BENCH / "citation_js_convert.js"),
                str(source),
                str(output),
                "csl" if target == "json" else "ris",
            ]
        ]
    return None


# ------------------------------------------------------------------------------------- measuring


def measure(pipeline: list[list[str]], output: Path, timeout: float) -> Run:
    """Run the pipeline once: wall-clock seconds, peak RSS (summed over a pipeline's processes)."""
    environment = {**os.environ, "NODE_PATH": str(PEERS / "node_modules")}
    output.unlink(missing_ok=True)
    with tempfile.TemporaryFile() as errors, open(os.devnull, "wb") as null:
        start = time.perf_counter()
        processes: list[subprocess.Popen[bytes]] = []
        upstream = None
        for position, command in enumerate(pipeline):
            last = position == len(pipeline) - 1
            sink = (output.open("wb") if len(pipeline) > 1 else null) if last else subprocess.PIPE
            process = subprocess.Popen(command, stdin=upstream, stdout=sink, stderr=errors, env=environment)
            if upstream is not None:
                upstream.close()
            if last and sink is not null:
                sink.close()
            upstream = process.stdout
            processes.append(process)
        peak_kb, failed = 0, []
        deadline = start + timeout
        for process in processes:
            status, usage = _wait(process, deadline)
            peak_kb += usage.ru_maxrss
            if status != 0:
                failed.append(f"{Path(process.args[0]).name} exited {status}")
        seconds = time.perf_counter() - start
        if failed:
            errors.seek(0)
            raise RuntimeError("; ".join(failed) + ": " + errors.read().decode(errors="replace")[-400:])
    return Run(seconds, peak_kb / 1024, count_records(output))


def _wait(process: subprocess.Popen[bytes], deadline: float) -> tuple[int, os.struct_rusage]:
    """wait4 (for the child's own peak RSS), killing the child at the deadline."""
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage
        if time.perf_counter() > deadline:
            process.kill()
        time.sleep(0.005)


COUNT_SCRIPT = """
import json, sys
path = sys.argv[1]
if path.endswith(".json"):
    with open(path, encoding="utf-8") as stream:
        print(len(json.load(stream)))
else:
    with open(path, "rb") as stream:
        print(sum(1 for line in stream if line.startswith(b"ER  -")))
"""


def count_records(output: Path) -> int:
    """Records in an output: items of a CSL-JSON array, ``ER`` lines of RIS.

    Counted in a child process: loading a large JSON here would leave this process large, and
    a child forked from it starts with its resident pages, which its peak RSS would then count.
    """
    if not output.exists():
        return 0
    done = subprocess.run(
        [sys.executable, "-c", COUNT_SCRIPT, str(output)], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def best_rows(rounds: Sequence[Sequence[Row]]) -> list[Row]:
    """Per tool, target and size, the fastest of the rounds (a row with no run where none ran)."""
    best: dict[tuple[str, str, int], Row] = {}
    for row in (row for rows in rounds for row in rows):
        kept = best.get((row.tool, row.target, row.entries))
        if kept is None or (row.run and (kept.run is None or row.run.seconds < kept.run.seconds)):
            best[(row.tool, row.target, row.entries)] = row
    return list(best.values())


# ---------------------------------------------------------------------------------------- report


def machine_facts(tools: Sequence[str], unavailable: dict[str, str]) -> list[str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    memory = next((line.split()[1] for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), "0")
    facts = [
        f"machine: {cpu}, {os.cpu_count()} cores, {int(memory) / 1024 / 1024:.1f} GB RAM, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"system: {platform.platform()}; Python {platform.python_version()}",
    ]
    versions = {
        "citekit": [*citekit_command(), "--version"],
        **{tool: [*citekit_command(), "--version"] for tool in tools if tool.startswith("citekit")},
        "pandoc": ["pandoc", "--version"],
        "bibutils": ["bib2xml", "--version"],
        "citation-js": [
            "node",
            "-e",
            "console.log('citation-js ' + require('@citation-js/core/package.json')"
            ".version + ', node ' + process.version)",
        ],
    }
    for tool in tools:
        if tool in unavailable:
            facts.append(f"{tool}: unavailable ({unavailable[tool]})")
            continue
        done = subprocess.run(
            versions[tool],
            capture_output=True,
            text=True,
            env={**os.environ, "NODE_PATH": str(PEERS / "node_modules")},
        )
        text = (done.stdout or done.stderr).strip().splitlines()
        facts.append(f"{tool}: {text[0] if text else 'version unknown'}")
    return facts


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def table(rows: Sequence[Row]) -> list[str]:
    lines = [
        f"{'tool':<12} {'target':<8} {'entries':>8} {'seconds':>9} {'entries/s':>10} {'peak MB':>8} "
        f"{'records out':>11}"
    ]
    for row in rows:
        if row.run is None:
            lines.append(f"{row.tool:<12} {row.target:<8} {row.entries:>8}  skipped: {row.note}")
            continue
        run = row.run
        lines.append(
            f"{row.tool:<12} {row.target:<8} {row.entries:>8} {run.seconds:>9.2f} "
            f"{row.entries / run.seconds:>10.0f} {run.peak_mb:>8.1f} {run.records:>11}"
        )
    return lines


def ratios(rows: Sequence[Row]) -> list[str]:
    """Peer time / citekit time, for each citekit run (above 1: citekit is faster)."""
    runs = {(r.tool, r.target, r.entries): r.run for r in rows if r.run}
    lines = [f"{'ratio peer/citekit':<26} " + " ".join(f"{peer:>12}" for peer in PEERS_NAMES)]
    for (tool, target, entries), run in sorted(runs.items()):
        if tool.startswith("citekit"):
            cells = [
                f"{peer_run.seconds / run.seconds:>12.2f}"
                if (peer_run := runs.get((peer, target, entries)))
                else f"{'-':>12}"
                for peer in PEERS_NAMES
            ]
            lines.append(f"{tool + ' ' + target + ' ' + str(entries):<26} " + " ".join(cells))
    return lines


def verdicts(rows: Sequence[Row]) -> list[str]:
    """Each target, met or not, per target format."""
    runs = {(r.tool, r.target, r.entries): r.run for r in rows if r.run}
    lines = []
    for target in TARGETS:
        sizes = sorted({entries for tool, t, entries in runs if t == target})
        goals = [
            ("citekit -j1", sizes[-1:], 1.0, "faster than citation-js with one job"),
            ("citekit -j1", sizes[:1], 1.0, "faster than citation-js with one job"),
            ("citekit -j2", sizes[-1:], 1.5, "at least 1.5x citation-js with two jobs"),
            ("citekit -j2", sizes[-1:], 2.0, "aim: 2x citation-js with two jobs"),
        ]
        for tool, chosen, wanted, goal in goals:
            for entries in chosen:
                mine, peer = runs.get((tool, target, entries)), runs.get(("citation-js", target, entries))
                if mine and peer:
                    ratio = peer.seconds / mine.seconds
                    lines.append(
                        f"{'MET ' if ratio > wanted or (wanted > 1 and ratio >= wanted) else 'MISSED'} "
                        f"{target} {entries}: {goal}: {ratio:.2f}"
                    )
        sizes = sorted(entries for tool, t, entries in runs if tool == "citekit -j1" and t == target)
        if len(sizes) > 1:
            small, large = runs[("citekit -j1", target, sizes[0])], runs[("citekit -j1", target, sizes[-1])]
            growth = large.peak_mb / small.peak_mb
            met = growth <= 1.5
            lines.append(
                f"{'MET ' if met else 'MISSED'} {target}: citekit peak memory does not grow with the file "
                f"(×{sizes[-1] // sizes[0]} entries → ×{growth:.2f} peak RSS, "
                f"{small.peak_mb:.0f} → {large.peak_mb:.0f} MB)"
            )
    return lines


# ------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="citekit convert against pandoc, bibutils and citation-js")
    parser.add_argument("--sizes", default="5000,50000", help="entries per generated file (comma-separated)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is shown")
    parser.add_argument("--only", default=",".join(TOOLS), help=f"tools to run, from {','.join(TOOLS)}")
    parser.add_argument("--jobs", default="1,2", help="citekit's --jobs values to run (comma-separated)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="output formats: json, ris")
    parser.add_argument("--seed", type=int, default=5, help="generator seed")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a run is killed")
    args = parser.parse_args(argv)
    tools = [t for t in args.only.split(",") if t]
    if unknown := set(tools) - set(TOOLS):
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    if "citekit" in tools:
        position = tools.index("citekit")
        tools[position : position + 1] = [f"citekit -j{jobs}" for jobs in args.jobs.split(",") if jobs]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    targets = [t for t in args.targets.split(",") if t]

    unavailable = ensure_peers([t for t in tools if not t.startswith("citekit")])
    if any(t.startswith("citekit") for t in tools):
        compile_citekit()
    for tool, reason in unavailable.items():
        print(f"skipping {tool}: {reason}", file=sys.stderr)
    WORK.mkdir(parents=True, exist_ok=True)
    rounds: list[list[Row]] = []
    for _ in range(args.repeat):  # the tools take turns, so that a busy spell on the machine hits them all
        rows: list[Row] = []
        for entries in sizes:
            source = WORK / f"generated-{entries}-seed{args.seed}.bib"
            if not source.exists():
                write_file(source, entries, args.seed)
            for target in targets:
                for tool in tools:
                    rows.append(_row(tool, target, entries, source, args, unavailable))
                    print(f"done: {tool} → {target}, {entries} entries", file=sys.stderr)
        rounds.append(rows)
    rows = best_rows(rounds)
    print("\n".join(machine_facts(tools, unavailable)))
    print(
        f"command: python bench/convert.py --sizes {args.sizes} --repeat {args.repeat} --only {args.only} "
        f"--jobs {args.jobs} --targets {args.targets} --seed {args.seed}"
    )
    print("\n".join(table(rows)))
    print("\n".join(ratios(rows)))
    print("\n".join(verdicts(rows)))
    return 0


def _row(
    tool: str, target: str, entries: int, source: Path, args: argparse.Namespace, unavailable: dict[str, str]
) -> Row:
    output = WORK / f"out-{tool.replace(' ', '')}-{entries}.{target}"
    pipeline = commands(tool, target, source, output)
    if pipeline is None:
        return Row(tool, target, entries, None, f"{tool} does not write {target}")
    if tool in unavailable:
        return Row(tool, target, entries, None, unavailable[tool])
    try:
        return Row(tool, target, entries, measure(pipeline, output, args.timeout))
    except RuntimeError as error:
        return Row(tool, target, entries, None, f"failed: {error}")


if __name__ == "__main__":
    sys.exit(main())
