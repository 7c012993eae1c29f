"""The command line: a thin click layer over :mod:`citekit.api` (and, for ``convert``, which
streams, :mod:`citekit.io` and the formats).

Exit status: 0 success; 1 when an input record could not be read (or, with ``--strict``, when
anything was warned about, a source that failed included); 2 when the run could not start: a bad
option or environment variable, an input that cannot be read, an index or cache that cannot be
used (click's convention for usage errors). Every :class:`~citekit.errors.CitekitError` becomes
a one-line message and its exit status in one place, :class:`_Command`: never a traceback.
A source that fails (retries exhausted, server unreachable) does not fail the run: the records it
could not check are written as they were read, the end-of-run summary names what failed, and a
rerun with the same cache asks only for that.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from citekit import __version__, api, formats, io, pipeline, venues
from citekit import check as check_module
from citekit import convert as convert_module
from citekit import decisions as decisions_module
from citekit import review as review_module
from citekit.api import EXPORT_FILES
from citekit.diagnostics import Diagnostic
from citekit.enrich import Enricher
from citekit.errors import CitekitError, InputError, UsageError
from citekit.keys import DEFAULT_PATTERN, KeyPlan, check_pattern
from citekit.model import Record
from citekit.progress import Progress
from citekit.report import Report, SourceSummary
from citekit.sources import DEFAULT_SOURCES, SourceError, close_all, open_sources
from citekit.sources import parse_names as parse_source_names
from citekit.sources.local import LocalIndex, is_database_url, migrate_index


class IndexLocation(click.ParamType[str]):
    """``--index``: an index file, or a PostgreSQL database's URL (``postgresql://user@host/db``)."""

    name = "PATH|URL"

    def __init__(self, *, exists: bool = False) -> None:
        self.exists = exists
        self.path = click.Path(dir_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if is_database_url(value):
            return str(value)
        path = str(self.path.convert(value, param, ctx))
        if self.exists and not Path(path).exists():  # a mistyped path would read as an empty index
            self.fail(
                f"no index at {path}: build one with `citekit index add --index {path} FILE…`", param, ctx
            )
        return path


def index_option(text: str, *, exists: bool = False) -> Callable[[Any], Any]:
    return click.option(
        "--index",
        "index_path",
        type=IndexLocation(exists=exists),
        envvar="CITEKIT_INDEX",
        help=f"{text} A file, or a PostgreSQL URL postgresql://user@host/db (or CITEKIT_INDEX).",
    )


FORMAT_NAMES = click.Choice(formats.readable())
WRITER_NAMES = click.Choice(formats.writable())


def run() -> None:
    """The ``citekit`` program: :func:`main`, with SIGTERM (a CI job's timeout, ``kill``) turned
    into a normal exit, so that a write in progress removes its temporary file like on Ctrl-C."""
    signal.signal(signal.SIGTERM, _exit_on_signal)
    main()


def _exit_on_signal(number: int, _frame: object) -> None:
    raise SystemExit(128 + number)


class _Command(click.Command):
    """A command whose errors end it with a message and the documented status, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CitekitError as error:
            raise _click_error(error, ctx) from None
        except OSError as error:  # what no layer below expected: a file that went away while it was read…
            raise _click_error(
                InputError(str(error.filename or ""), error.strerror or str(error)), ctx
            ) from None


def _click_error(error: CitekitError, ctx: click.Context) -> click.ClickException:
    if isinstance(error, UsageError):
        if error.option:
            return click.BadParameter(str(error), ctx, param_hint=error.option)
        return click.UsageError(str(error), ctx)
    return _CannotStart(str(error)) if error.exit_code == 2 else _Failed(str(error))


class _Failed(click.ClickException):
    exit_code = 1


class _CannotStart(click.ClickException):
    exit_code = 2


class _Group(_Command, click.Group):
    """The edge for the group's own options (``--venues``) too."""

    command_class = _Command
    group_class = type  # subgroups are _Group too


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citekit")
@click.option(
    "--venues",
    "venues_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A JSON file of more venue names, shaped like citekit/data/venues.json (or CITEKIT_VENUES).",
)
def main(venues_file: str | None) -> None:
    """Turn messy bibliographic records into clean, complete, verified ones."""
    venues.table.cache_clear()  # read CITEKIT_VENUES afresh: a process may run several commands
    if venues_file:
        venues.load(venues_file)
    venues.table()  # the files CITEKIT_VENUES names: a broken one fails here, not halfway through a run


def _options(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """One decorator applying several click options, for options that commands share."""

    def decorate(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


INPUTS = click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False, exists=True)
)

single_output_options = _options(
    INPUTS,
    click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(allow_dash=True, dir_okay=False),
        help="Output file, or - for standard output.",
    ),
    click.option(
        "-t", "--to", "to_format", type=WRITER_NAMES, help="Output format (default: by the output's suffix)."
    ),
)

common_read_options = _options(
    click.option(
        "-f",
        "--from",
        "from_format",
        type=FORMAT_NAMES,
        help="Input format (default: by suffix, then content).",
    ),
    click.option(
        "--report",
        "report_path",
        type=click.Path(dir_okay=False),
        help="Write the JSON report accounting for every input record.",
    ),
    click.option("--strict", is_flag=True, help="Exit 1 on warnings too."),
    click.option(
        "--key-pattern",
        default=DEFAULT_PATTERN,
        show_default=True,
        help="Citation key pattern: {auth} {year} {title} {shorttitle} {firstpage}.",
    ),
    click.option("--rekey", is_flag=True, help="Regenerate every key, even those the input has."),
    click.option(
        "--reference-date",
        type=click.DateTime(["%Y-%m-%d"]),
        help="Date that dates without a year on profile pages are relative to (default: today).",
    ),
)


@main.command()
@single_output_options
@common_read_options
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=pipeline.default_jobs,
    show_default="all cores",
    help="Worker processes reading and writing BibTeX; the output is the same whatever the number.",
)
def convert(
    inputs: tuple[str, ...],
    output: str,
    to_format: str | None,
    from_format: str | None,
    report_path: str | None,
    strict: bool,
    key_pattern: str,
    rekey: bool,
    reference_date: dt.datetime | None,
    jobs: int,
) -> None:
    """Convert INPUT files to one output format, record for record (nothing is merged).

    Formats: bibtex, biblatex, csljson, ris; read-only: profile, abstracts, ids.
    """
    writer = io.format_for_output(output, to_format)
    check_pattern(key_pattern)
    report = Report(itemised=report_path is not None)
    plan = KeyPlan(key_pattern, keep_existing=not rekey)
    date = reference_date.date() if reference_date else None
    convert_module.run(
        inputs,
        from_format,
        writer,
        report,
        plan,
        date,
        jobs,
        lambda: print_diagnostics(report.all_diagnostics()),
        output,
    )
    finish(report, len(plan), report_path, strict)


def finish(report: Report, outputs: int, report_path: str | None, strict: bool) -> None:
    """Write the report, print the summary, and exit with the documented status."""
    if report_path:
        io.write_output(report_path, report.to_json(outputs))
    click.echo(report.summary_line(outputs), err=True)
    warned = any(d.level == "warning" for d in report.all_diagnostics())
    if report.failed or (strict and warned):
        sys.exit(1)


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


enrich_options = _options(
    click.option("--offline", is_flag=True, help="Use only the local index and the response cache."),
    click.option(
        "--sources",
        "source_names",
        default=DEFAULT_SOURCES,
        show_default=True,
        envvar="CITEKIT_SOURCES",
        help="Sources to ask, in order (local, crossref, arxiv, semanticscholar, openalex, dblp; "
        "or CITEKIT_SOURCES).",
    ),
    click.option(
        "--openalex-key",
        envvar="CITEKIT_OPENALEX_KEY",
        help="OpenAlex API key (or CITEKIT_OPENALEX_KEY); without one OpenAlex is skipped.",
    ),
    click.option(
        "--s2-key",
        envvar="CITEKIT_S2_KEY",
        help="Semantic Scholar API key (or CITEKIT_S2_KEY); optional, fewer 429s with one.",
    ),
    index_option("Local index (default: a file in the user cache folder)."),
    click.option(
        "--cache",
        "cache_path",
        type=click.Path(dir_okay=False),
        help="Response cache file (default: in the user cache folder).",
    ),
    click.option(
        "--mailto",
        envvar="CITEKIT_MAILTO",
        help="Your e-mail, for Crossref's polite pool (or CITEKIT_MAILTO).",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        metavar="SECONDS",
        help="How long to wait for a server's answer before retrying (default: 10 for Crossref, "
        "15 for arXiv).",
    ),
    click.option(
        "--retries",
        type=click.IntRange(min=0),
        metavar="N",
        help="Retries of a request that timed out, was cut off or got a 429/5xx (default: 3).",
    ),
    click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=pipeline.default_jobs,
        show_default="all cores",
        help="Records matched at once: processes for the local index alone, else threads.",
    ),
    click.option(
        "--decisions",
        "decisions_path",
        type=click.Path(dir_okay=False, exists=True),
        help="decisions.json from the review page: accepted candidates are matched, rejected ones "
        "left unmatched.",
    ),
)


@main.command()
@single_output_options
@common_read_options
@enrich_options
def enrich(inputs: tuple[str, ...], output: str, to_format: str | None, **options: Any) -> None:
    """Match INPUT records against the sources, complete them, merge duplicates, write one file."""
    writer = io.format_for_output(output, to_format)
    records, report = _enrich(inputs, **options)
    api.write(records, output, format=writer.name)
    finish(report, len(records), options["report_path"], options["strict"])


@main.command()
@INPUTS
@click.option(
    "-d",
    "--directory",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for library.bib, library-biblatex.bib, library.json, library.ris, report.json.",
)
@common_read_options
@enrich_options
@click.option(
    "--review", "with_review", is_flag=True, help="Also write review.html, the review page of the report."
)
def export(inputs: tuple[str, ...], directory: str, with_review: bool, **options: Any) -> None:
    """Enrich INPUT records and write the library in every format, with report.json."""
    records, report = _enrich(inputs, **options)
    folder = Path(directory)
    library: dict[str | Path, list[str]] = {
        folder / name: [api.write_string(records, fmt)] for name, fmt in EXPORT_FILES.items()
    }
    if with_review:
        library[folder / "review.html"] = [review_module.page(report.as_dict(len(records)))]
    io.write_outputs(library)
    finish(report, len(records), options["report_path"] or str(folder / "report.json"), options["strict"])


def _enrich(
    inputs: tuple[str, ...],
    *,
    from_format: str | None,
    key_pattern: str,
    rekey: bool,
    reference_date: dt.datetime | None,
    offline: bool,
    source_names: str,
    index_path: str | None,
    cache_path: str | None,
    mailto: str | None,
    timeout: float | None,
    retries: int | None,
    jobs: int,
    openalex_key: str | None,
    s2_key: str | None,
    decisions_path: str | None,
    **_: Any,
) -> tuple[list[Record], Report]:
    check_pattern(key_pattern)  # options first: a bad one ends the run before anything is read
    decisions = decisions_module.load(decisions_path) if decisions_path else {}
    names = parse_source_names(source_names)
    records, report = api.read(
        inputs, format=from_format, reference_date=reference_date.date() if reference_date else None
    )
    print_diagnostics(report.all_diagnostics())
    tell = SaidOnce()
    with _progress("matching", len(records)) as advance:
        outputs, report = api.enrich(
            records,
            report=report,
            sources=names,
            offline=offline,
            index=index_path,
            cache=cache_path,
            mailto=mailto,
            timeout=timeout,
            retries=retries,
            jobs=jobs,
            openalex_key=openalex_key,
            s2_key=s2_key,
            notice=_notice,
            key_pattern=key_pattern,
            rekey=rekey,
            decisions=decisions,
            on_source_error=tell,
            progress=advance,
        )
    print_diagnostics(
        [
            d
            for e in report.entries.values()
            for d in e.diagnostics
            if d.code.startswith(("enrich.", "review."))
        ]
    )
    _summarise_sources(report.sources, tell.said)
    if decisions_path:
        unused = decisions_module.unused(decisions, records, decisions_path)
        print_diagnostics(unused)
        report.diagnostics.extend(unused)
    return outputs, report


def _notice(line: str) -> None:
    """Where :func:`open_sources` says it left a source out, or opened an index that was not there."""
    click.echo(f"note: {line}", err=True)


@main.command()
@click.argument("report_path", metavar="REPORT", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(allow_dash=True, dir_okay=False),
    help="The page to write (review.html), or - for standard output.",
)
def review(report_path: str, output: str) -> None:
    """Write one self-contained HTML page to review REPORT's matches and decide the uncertain ones.

    Its "Download decisions" button saves decisions.json, for enrich and export --decisions.
    """
    io.write_output(output, review_module.page(review_module.load_report(report_path)))


class SaidOnce:
    """Reports each source error once: a dead network would otherwise repeat for every record."""

    def __init__(self) -> None:
        self.said: set[str] = set()
        self._lock = threading.Lock()  # records are matched by several threads

    def __call__(self, error: SourceError) -> None:
        with self._lock:
            if str(error) in self.said:
                return
            self.said.add(str(error))
        click.echo(f"warning: {error}", err=True)


def _summarise_sources(sources: Sequence[SourceSummary], told: set[str]) -> None:
    """What each remote source did, and what failed (unless said already): a rerun resumes from the cache."""
    for source in sources:
        if not source.active:
            continue
        click.echo(source.line(), err=True)
        for failure in source.failures:
            if not any(failure in said for said in told):
                click.echo(f"  {source.name}: {failure}", err=True)


@contextlib.contextmanager
def _progress(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Progress on a terminal (records/s, ETA); nothing in a pipe or a CI log (see :mod:`citekit.progress`)."""
    progress = Progress(label, total)
    try:
        yield progress.update
    finally:
        progress.close()


@main.group()
def index() -> None:
    """Build and inspect the local metadata index (an SQLite file, or a shared PostgreSQL database)."""


@index.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@index_option("Index (default: a file in the user cache folder).")
@click.option(
    "--dtd",
    type=click.Path(exists=True, dir_okay=False),
    help="dblp.dtd for a dblp dump (default: the dblp.dtd beside the dump).",
)
def index_add(files: tuple[str, ...], index_path: str | None, dtd: str | None) -> None:
    """Stream FILES into the index: arXiv bulk JSONL, Crossref works (JSONL or {"items": …}), dblp's
    XML dump (dblp.xml with its dblp.dtd), .gz or not, or any file citekit reads (CSL-JSON, BibTeX,
    RIS; ACL Anthology's anthology+abstracts.bib.gz) as reference data.

    Records are stored a batch a transaction: a load that stops (a server that went away) keeps what it
    stored, and the same command run again goes on from there."""
    failed = False
    with LocalIndex(index_path) as local:
        for path in files:
            try:
                with _progress(f"indexing {Path(path).name}") as advance:
                    result = local.add_file(path, progress=advance, dtd=dtd)
            except SourceError as error:  # the server went away: what was committed stays
                raise SourceError(
                    error.source,
                    f"{error.message}; the batches of {path} stored so far stay: run "
                    "the same command again to add the rest",
                ) from error
            print_diagnostics(result.diagnostics)
            failed = failed or any(d.level == "error" for d in result.diagnostics)
            resumed = f", {result.resumed} stored by a load that stopped" if result.resumed else ""
            click.echo(
                f"{path}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
                f"{result.skipped} skipped{resumed}",
                err=True,
            )
    if failed:
        sys.exit(1)


@index.command("info")
@index_option("Index (default: a file in the user cache folder).", exists=True)
def index_info(index_path: str | None) -> None:
    """Say what the index holds."""
    with LocalIndex(index_path) as local:
        info = local.info()
    click.echo(f"index: {info.location} ({info.size_bytes / 1e6:.1f} MB)")
    for kind, count in sorted(info.records.items()):
        click.echo(f"{kind}: {count} records")
    click.echo(f"total: {info.total} records")


@index.command("migrate")
@index_option("Index (default: a file in the user cache folder).", exists=True)
def index_migrate(index_path: str | None) -> None:
    """Bring an index made by an older citekit to this one's schema (a PostgreSQL index, in place)."""
    before, after = migrate_index(index_path)
    click.echo(
        f"index schema {before} → {after}" if before != after else f"index schema {after}: nothing to do"
    )


@main.command()
@INPUTS
@click.option(
    "--target",
    type=click.Choice(check_module.TARGETS),
    help="Where the file is going (default: the input's own format); selects the rules.",
)
@click.option(
    "-f", "--from", "from_format", type=FORMAT_NAMES, help="Input format (default: by suffix, then content)."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the findings as a JSON array on standard output."
)
@index_option("Local index to look published versions of preprints up in.", exists=True)
@click.option(
    "--online", is_flag=True, help="Look published versions up in the local index and the online sources."
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False),
    help="Response cache file for --online (default: in the user cache folder).",
)
@click.option(
    "--mailto", envvar="CITEKIT_MAILTO", help="Your e-mail, for Crossref's polite pool (or CITEKIT_MAILTO)."
)
@click.option(
    "--sources",
    "source_names",
    default=DEFAULT_SOURCES,
    show_default=True,
    envvar="CITEKIT_SOURCES",
    help="Sources --online asks, in order (or CITEKIT_SOURCES).",
)
@click.option(
    "--openalex-key", envvar="CITEKIT_OPENALEX_KEY", help="OpenAlex API key (or CITEKIT_OPENALEX_KEY)."
)
@click.option("--s2-key", envvar="CITEKIT_S2_KEY", help="Semantic Scholar API key (or CITEKIT_S2_KEY).")
def check(
    inputs: tuple[str, ...],
    target: str | None,
    from_format: str | None,
    as_json: bool,
    index_path: str | None,
    online: bool,
    cache_path: str | None,
    mailto: str | None,
    source_names: str,
    openalex_key: str | None,
    s2_key: str | None,
) -> None:
    """Lint INPUT files before they go to TARGET: exit 0 clean, 1 on warnings or errors, 2 on usage.

    Findings are `file:line: level code: message` lines on standard error (codes are stable; see
    citekit.check); published versions of preprints are looked up only with --index or --online.
    """
    names = parse_source_names(source_names) if online else ["local"] if index_path else []
    sources = open_sources(
        names,
        index=index_path,
        mailto=mailto,
        cache=cache_path,
        openalex_key=openalex_key,
        s2_key=s2_key,
        notice=_notice,
    )
    tell = SaidOnce()

    try:
        enricher = Enricher(sources, on_source_error=tell) if sources else None
        findings = check_module.check_paths(inputs, target, from_format, enricher)
    finally:
        close_all(sources)
    if as_json:
        io.write_output(io.STDIO, check_module.as_json(findings))
    else:
        print_diagnostics(findings)
        click.echo(f"{len(findings)} finding(s) in {len(inputs)} file(s)", err=True)
    sys.exit(1 if check_module.fails(findings) else 0)
