"""citekit from Python: what the commands do, as functions (re-exported by :mod:`citekit`).

::

    import citekit

    records, report = citekit.read(["refs.bib", "profile.txt"])
    records, report = citekit.enrich(records, report=report, sources="local", offline=True)
    citekit.write(records, "clean.bib")

As with bibtexparser's ``parse_file``, reading never raises on bad content: every input record
is either returned or listed in the report with its diagnostics (``report.failed`` counts them).
Each function returns plain :class:`~citekit.model.Record` objects and the
:class:`~citekit.report.Report` that accounts for every input record; :func:`enrich` builds a
report of its own when given none. As arxiv.py's ``Client`` is reused across searches, sources
opened once with :func:`~citekit.sources.open_sources` may be passed to several :func:`enrich`
calls (the caller then closes them). Errors are :class:`~citekit.errors.CitekitError`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, cast

from citekit import formats, io, pipeline
from citekit.diagnostics import Diagnostic
from citekit.enrich import Enricher
from citekit.errors import SourceError, UsageError
from citekit.keys import DEFAULT_PATTERN, check_pattern
from citekit.model import Origin, Record
from citekit.report import Report, SourceSummary
from citekit.sources import DEFAULT_SOURCES, close_all, open_sources, parse_names
from citekit.sources.base import Source

PathLike = str | Path

EXPORT_FILES = {
    "library.bib": "bibtex",
    "library-biblatex.bib": "biblatex",
    "library.json": "csljson",
    "library.ris": "ris",
}
"""What :func:`export` writes, by file name: the library in every format citekit writes."""

PYTHON_INPUT = "<python>"
"""The file name the report gives records made in Python (they were read from no file)."""


class Result(NamedTuple):
    """Records and the report accounting for every input record: ``records, report = …``."""

    records: list[Record]
    report: Report


def read(
    paths: PathLike | Iterable[PathLike], *, format: str | None = None, reference_date: dt.date | None = None
) -> Result:
    """Read files (``-`` is standard input) into records; the format by name, suffix or content.

    ``reference_date`` is the date that profile pages' year-less dates ("3 months ago") are
    relative to (default: today). Raises :class:`~citekit.errors.InputError` for a file that
    cannot be read at all and :class:`~citekit.errors.UsageError` for an unknown format.
    """
    names = [str(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    fmt = formats.get(format) if format else None
    report = Report()
    records: list[Record] = []
    for path, name in zip(names, io.input_names(names), strict=True):
        result = io.read_input(path, name, fmt, reference_date)
        report.add_read(result)
        records.extend(result.records)
    return Result(records, report)


def read_string(text: str, *, format: str | None = None, name: str = "<string>") -> Result:
    """Records from text; ``name`` is what diagnostics and the report call it."""
    result = formats.read_text(text, name, formats.get(format) if format else None)
    report = Report()
    report.add_read(result)
    return Result(result.records, report)


def enrich(
    records: Iterable[Record],
    *,
    sources: str | Sequence[str] | Sequence[Source] = DEFAULT_SOURCES,
    offline: bool = False,
    index: PathLike | None = None,
    cache: PathLike | None = None,
    mailto: str | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    jobs: int = 1,
    openalex_key: str | None = None,
    s2_key: str | None = None,
    notice: Callable[[str], None] = lambda line: None,
    key_pattern: str = DEFAULT_PATTERN,
    rekey: bool = False,
    report: Report | None = None,
    decisions: Mapping[str, Mapping[str, str]] | None = None,
    on_source_error: Callable[[SourceError], None] = lambda error: None,
    progress: Callable[[int], None] = lambda done: None,
) -> Result:
    """Match records against the sources, complete them, merge duplicates, assign keys.

    ``sources``: names (``"local,crossref,arxiv"``, the default, or a list), opened and closed
    here with ``index`` (the local index: a file or a
    ``postgresql://`` URL), ``cache`` (the response cache), ``offline``,
    ``mailto``, ``timeout``, ``retries``, ``openalex_key`` and ``s2_key`` as the command line's
    options (``notice`` hears of a source left out, such as OpenAlex without a key); or sources already
    open, which stay open. ``report``: the one :func:`read` returned, to continue it (else a
    new one). ``decisions``: a person's, from the review page (:func:`citekit.decisions.load`);
    they overrule the matcher. ``on_source_error`` hears of each request a source gave up on (the run carries on,
    those records kept as read); ``progress`` of each record matched. ``jobs``: records matched
    at once (worker processes when the local index is the only source, else threads).

    Returns the output records sorted by key; in the report, every input record's status and
    match, a ``source.failed`` warning per failure, and :attr:`Report.sources`.
    """
    check_pattern(key_pattern)
    report = report if report is not None else Report()
    inputs = _with_origins(records, report)
    if rekey:
        for record in inputs:
            record.key = ""
    names = _source_names(sources)
    opened = (
        open_sources(
            names,
            index=index,
            offline=offline,
            mailto=mailto,
            cache=cache,
            timeout=timeout,
            retries=retries,
            openalex_key=openalex_key,
            s2_key=s2_key,
            notice=notice,
        )
        if names is not None
        else list(cast("Sequence[Source]", sources))
    )
    try:
        enricher = Enricher(opened, on_source_error=on_source_error, decisions=decisions or {})
        reopen = functools.partial(open_sources, names, index=index) if names == ["local"] else None
        outputs = pipeline.run(
            inputs, report, enricher, key_pattern=key_pattern, progress=progress, jobs=jobs, reopen=reopen
        )
        report.sources = [_summary(source) for source in opened]
        report.diagnostics.extend(_failures(report.sources))
    finally:
        if names is not None:
            close_all(opened)
    return Result(outputs, report)


def write(records: Sequence[Record], path: PathLike, *, format: str | None = None) -> None:
    """Write records to ``path`` (``-``: standard output) atomically; the format by name or suffix."""
    io.write_output(path, write_string(records, io.format_for_output(str(path), format).name))


def write_string(records: Sequence[Record], format: str) -> str:
    """Records as text in a format citekit writes (``bibtex``, ``biblatex``, ``csljson``, ``ris``)."""
    writer = formats.get(format).write
    if writer is None:
        raise UsageError(f"{format} can be read, not written", option="--to")
    return writer(records)


def export(
    paths: PathLike | Iterable[PathLike],
    directory: PathLike,
    *,
    format: str | None = None,
    reference_date: dt.date | None = None,
    **options: object,
) -> Result:
    """:func:`read`, :func:`enrich` (``options`` are its keywords), then the library in every
    format (:data:`EXPORT_FILES`) and ``report.json`` into ``directory``, all files at once."""
    records, report = read(paths, format=format, reference_date=reference_date)
    records, report = enrich(records, report=report, **options)  # type: ignore[arg-type]
    folder = Path(directory)
    library: dict[PathLike, list[str]] = {
        folder / name: [write_string(records, fmt)] for name, fmt in EXPORT_FILES.items()
    }
    library[folder / "report.json"] = [report.to_json(len(records))]
    io.write_outputs(library)
    return Result(records, report)


def _with_origins(records: Iterable[Record], report: Report) -> list[Record]:
    """The records, those made in Python (with no origin) as copies named ``<python>``, so that
    the report can account for each."""
    inputs = list(records)
    for position, record in enumerate(inputs):
        if record.origin is None:
            inputs[position] = dataclasses.replace(record.copy(), origin=Origin(PYTHON_INPUT, position + 1))
    report.account(inputs)
    return inputs


def _source_names(sources: str | Sequence[str] | Sequence[Source]) -> list[str] | None:
    """The names to open, or ``None`` for sources already open."""
    if isinstance(sources, str):
        return parse_names(sources)
    if all(isinstance(source, str) for source in sources):
        return parse_names(",".join(cast("Sequence[str]", sources)))
    return None


def _summary(source: Source) -> SourceSummary:
    stats = getattr(source, "stats", None)
    if stats is None:
        return SourceSummary(source.name)
    return SourceSummary(
        source.name,
        stats.requests,
        stats.cached,
        stats.retries,
        list(stats.failures),
        getattr(source, "offline_misses", 0),
    )


def _failures(sources: Sequence[SourceSummary]) -> list[Diagnostic]:
    """What failed, for the report (and for ``--strict``): the records concerned were kept as read."""
    return [
        Diagnostic("warning", "source.failed", f"{s.name}: {failure}; a rerun with the same cache asks again")
        for s in sources
        for failure in s.failures
    ]
