"""The whole job behind ``enrich`` and ``export``: match, merge, dedupe, key, account.

Kept apart from the CLI so that library users and tests run exactly what the commands run.

Matching is the slow part, and records are matched independently, so :func:`enrich_all` spreads
them over workers:

- **processes** when the caller can reopen the sources in a worker (``reopen``): matching against
  the local index is CPU-bound (FTS5 queries, fuzzy scoring), and only processes use every core.
  Remote sources are never reopened so: each process would pace its requests on its own, and
  together they would break the services' rate limits;
- **threads** otherwise (at least :data:`MIN_THREADS`), sharing the sources: remote requests overlap
  up to the concurrency the services allow, while the session paces them all
  (:mod:`citekit.sources.http`).

The outcomes come back in input order whatever the workers, so the output is the same. Before
any of it, sources that answer many identifiers a request (arXiv) get the run's identifiers at once;
with threads, records are first all matched, then the matched papers' arXiv ids go at once to the
sources that batch lookups of published versions (Semantic Scholar), then the records are completed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from citekit.dedupe import cluster, merge_cluster
from citekit.enrich import Enricher, Outcome
from citekit.keys import DEFAULT_PATTERN, assign_keys
from citekit.match import DEFAULT_POLICY, Policy
from citekit.model import Record
from citekit.report import Report
from citekit.sources.base import Source, SourceError

Progress = Callable[[int], None]
Reopen = Callable[[], Sequence[Source]]
"""Opens the sources anew, in a worker process (so it must pickle: a module-level function or
a :func:`functools.partial` of one)."""
MIN_PER_WORKER = 50
"""Records per worker process at least; with fewer, the calling thread matches them all, as
starting processes would cost more than it saves."""
MIN_THREADS = 4
"""Threads at least, whatever the cores: they mostly wait for the services, whose limits allow
several requests in flight (Crossref's polite pool: 3); the session's pacing and gate keep them
within those limits."""
_CHUNK = 16


def default_jobs() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run(
    records: Sequence[Record],
    report: Report,
    enricher: Enricher,
    *,
    key_pattern: str = DEFAULT_PATTERN,
    progress: Progress = lambda done: None,
    jobs: int = 1,
    reopen: Reopen | None = None,
) -> list[Record]:
    """Enrich every record, merge duplicates, assign keys; settle every input in the report.

    Returns the output records sorted by citation key, so the output does not depend on the
    order of the inputs. Records the report has not seen yet are added to it first.
    """
    report.account(records)
    enricher.prefetch(records)
    outcomes = enrich_all(records, enricher, jobs=jobs, reopen=reopen, progress=progress)
    outputs: list[Record] = []
    members_of: list[list[int]] = []
    for group in cluster([o.record for o in outcomes]):
        outputs.append(merge_cluster([outcomes[i].record for i in group]))
        members_of.append(group)
    assign_keys(outputs, key_pattern, keep_existing=True)
    for output, group in zip(outputs, members_of, strict=True):
        for i in group:
            outcome = outcomes[i]
            report.settle(
                records[i],
                status=outcome.decision.status,
                output=output,
                match=outcome.decision.explain(),
                diagnostics=outcome.diagnostics,
            )
    return sorted(outputs, key=lambda r: r.key)


def enrich_all(
    records: Sequence[Record],
    enricher: Enricher,
    *,
    jobs: int = 1,
    reopen: Reopen | None = None,
    progress: Progress = lambda done: None,
) -> list[Outcome]:
    """Every record's :class:`Outcome`, in input order; see the module docstring for the workers."""
    if reopen is not None:
        processes = min(jobs, len(records) // MIN_PER_WORKER)
        if processes > 1:
            return _in_processes(records, enricher, processes, reopen, progress)
        return _collect(map(enricher.enrich, records), progress)
    threads = min(max(jobs, MIN_THREADS), len(records))
    # Two phases, each half of a record's work for the progress shown: matching (searches, the long
    # part with remote sources) and completing (the matched paper's versions, merged in).
    halves = _Halves(progress, len(records))
    if threads <= 1:
        matches = _collect(map(enricher.match, records), halves.matched)
        enricher.prefetch_versions(matches)
        return _collect(map(enricher.complete, matches), halves.completed)
    with ThreadPoolExecutor(threads, thread_name_prefix="citekit-match") as pool:
        matches = _collect(pool.map(enricher.match, records), halves.matched)
        enricher.prefetch_versions(matches)
        return _collect(pool.map(enricher.complete, matches), halves.completed)


T = TypeVar("T")


def _collect(results: Iterator[T], progress: Progress) -> list[T]:
    collected = []
    for done, result in enumerate(results, 1):
        collected.append(result)
        progress(done)
    return collected


@dataclass(frozen=True)
class _Halves:
    """Records done, counting a matched record as half done and a completed one as done."""

    progress: Progress
    total: int

    def matched(self, done: int) -> None:
        self.progress(done // 2)

    def completed(self, done: int) -> None:
        self.progress((self.total + done) // 2)


def _in_processes(
    records: Sequence[Record], enricher: Enricher, jobs: int, reopen: Reopen, progress: Progress
) -> list[Outcome]:
    """Workers started afresh (spawn: no inherited database handles or threads), each with its own
    sources; a source error in a worker is handed to the caller's ``on_source_error``, and sources
    that fail to open make the run fail (rather than the pool restart its workers for ever)."""
    context = multiprocessing.get_context("spawn")
    settings = (reopen, enricher.policy, enricher.search_limit, enricher.decisions)
    outcomes = []
    with context.Pool(jobs, initializer=_start_worker, initargs=settings) as pool:
        for done, (outcome, errors) in enumerate(pool.imap(_enrich_in_worker, records, _CHUNK), 1):
            for error in errors:
                enricher.on_source_error(error)
            outcomes.append(outcome)
            progress(done)
    return outcomes


_worker: Enricher | Exception | None = None
_worker_errors: list[SourceError] = []


def _start_worker(
    reopen: Reopen,
    policy: Policy = DEFAULT_POLICY,
    search_limit: int = 5,
    decisions: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    global _worker
    try:
        _worker = Enricher(
            reopen(),
            policy=policy,
            search_limit=search_limit,
            on_source_error=_worker_errors.append,
            decisions=decisions or {},
        )
    except Exception as error:  # noqa: BLE001 - raised again with the first record, in the caller
        _worker = error


def _enrich_in_worker(record: Record) -> tuple[Outcome, list[SourceError]]:
    if not isinstance(_worker, Enricher):
        raise _worker or RuntimeError("the pool's initializer did not run")
    outcome = _worker.enrich(record)
    errors = list(_worker_errors)
    _worker_errors.clear()
    return outcome, errors
