"""The command line: a thin click layer over :mod:`citekit.io`, the readers, writers and pipeline.

Exit status: 0 success; 1 when an input record could not be read (or, with ``--strict``, when
anything was warned about); 2 on usage errors (click's convention).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence

import click

from citekit import __version__, formats, io
from citekit.diagnostics import Diagnostic
from citekit.keys import DEFAULT_PATTERN, KeyPatternError, assign_keys, check_pattern
from citekit.model import Record
from citekit.report import Report

FORMAT_NAMES = click.Choice(formats.readable())
WRITER_NAMES = click.Choice(formats.writable())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citekit")
def main() -> None:
    """Turn messy bibliographic records into clean, complete, verified ones."""


def common_read_options(command):  # type: ignore[no-untyped-def]
    """Options every command that reads inputs shares."""
    options = [
        click.option("--from", "from_format", type=FORMAT_NAMES, help="Input format (default: by suffix, then content)."),
        click.option("--report", "report_path", type=click.Path(dir_okay=False),
                     help="Write the JSON report accounting for every input record."),
        click.option("--strict", is_flag=True, help="Exit 1 on warnings too."),
        click.option("--key-pattern", default=DEFAULT_PATTERN, show_default=True,
                     help="Citation key pattern: {auth} {year} {title} {shorttitle} {firstpage}."),
        click.option("--rekey", is_flag=True, help="Regenerate every key, even those the input has."),
        click.option("--reference-date", type=click.DateTime(["%Y-%m-%d"]),
                     help="Date that dates without a year on profile pages are relative to (default: today)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(allow_dash=True, dir_okay=False),
              help="Output file, or - for standard output.")
@click.option("--to", "to_format", type=WRITER_NAMES, help="Output format (default: by the output's suffix).")
@common_read_options
def convert(inputs: tuple[str, ...], output: str, to_format: str | None, from_format: str | None,
            report_path: str | None, strict: bool, key_pattern: str, rekey: bool,
            reference_date: dt.datetime | None) -> None:
    """Convert INPUT files to one output format, record for record (nothing is merged).

    Formats: bibtex, biblatex, csljson, ris; read-only: profile, abstracts, ids.
    """
    writer = _output_format(output, to_format)
    _check_key_pattern(key_pattern)
    records, report = read_all(inputs, from_format, reference_date)
    assign_keys(records, key_pattern, keep_existing=not rekey)
    assert writer.write is not None
    io.write_output(output, writer.write(records))
    finish(report, len(records), report_path, strict)


def read_all(inputs: Sequence[str], from_format: str | None,
             reference_date: dt.datetime | None) -> tuple[list[Record], Report]:
    """Read every input, report its diagnostics on stderr, account for every record."""
    fmt = formats.get(from_format) if from_format else None
    report = Report()
    records: list[Record] = []
    for path, name in zip(inputs, io.input_names(inputs), strict=True):
        try:
            result = io.read_input(path, name, fmt, reference_date.date() if reference_date else None)
        except formats.UnknownFormatError as error:
            raise click.UsageError(str(error)) from None
        report.add_read(result)
        records.extend(result.records)
    print_diagnostics(report.all_diagnostics())
    return records, report


def finish(report: Report, outputs: int, report_path: str | None, strict: bool) -> None:
    """Write the report, print the summary, and exit with the documented status."""
    if report_path:
        io.write_output(report_path, report.to_json(outputs))
    click.echo(report.summary_line(outputs), err=True)
    warned = any(d.level == "warning" for d in report.all_diagnostics())
    if report.failed or (strict and warned):
        sys.exit(1)


def _output_format(output: str, to_format: str | None) -> formats.Format:
    try:
        fmt = io.format_for_output(output, to_format)
    except formats.UnknownFormatError as error:
        raise click.UsageError(str(error)) from None
    if fmt.write is None:
        raise click.UsageError(f"{fmt.name} can be read, not written")
    return fmt


def _check_key_pattern(pattern: str) -> None:
    try:
        check_pattern(pattern)
    except KeyPatternError as error:
        raise click.BadParameter(str(error), param_hint="--key-pattern") from None


def print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
