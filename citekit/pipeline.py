"""The whole job behind ``enrich`` and ``export``: match, merge, dedupe, key, account.

Kept apart from the CLI so that library users and tests run exactly what the commands run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from citekit.dedupe import cluster, merge_cluster
from citekit.enrich import Enricher, Outcome
from citekit.keys import DEFAULT_PATTERN, assign_keys
from citekit.model import Record
from citekit.report import Report


def run(records: Sequence[Record], report: Report, enricher: Enricher, *, key_pattern: str = DEFAULT_PATTERN,
        progress: Callable[[int], None] = lambda done: None) -> list[Record]:
    """Enrich every record, merge duplicates, assign keys; settle every input in the report.

    Returns the output records sorted by citation key, so the output does not depend on the
    order of the inputs.
    """
    outcomes: list[Outcome] = []
    for done, record in enumerate(records, 1):
        outcomes.append(enricher.enrich(record))
        progress(done)
    outputs: list[Record] = []
    members_of: list[list[int]] = []
    for group in cluster([o.record for o in outcomes]):
        outputs.append(merge_cluster([outcomes[i].record for i in group]))
        members_of.append(group)
    assign_keys(outputs, key_pattern, keep_existing=True)
    for output, group in zip(outputs, members_of, strict=True):
        for i in group:
            outcome = outcomes[i]
            report.settle(records[i], status=outcome.decision.status, output=output,
                          match=outcome.decision.explain(), diagnostics=outcome.diagnostics)
    return sorted(outputs, key=lambda r: r.key)
