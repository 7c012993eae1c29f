"""``citekit review``: one self-contained HTML page to settle what the matcher would not.

The page (``templates/review.html``, ``.css``, ``.js``, inlined) lists every record of a report,
unmatched and ambiguous ones first, each with its input and its candidates side by side and the
per-field verdicts of :mod:`citekit.match`. A person accepts or rejects candidates and downloads
``decisions.json`` (:mod:`citekit.decisions`), which ``--decisions`` applies.

The report is embedded as JSON in a ``<script type="application/json">``; every ``<`` in it is
written ``\\u003c``, so no title can close the script. The page fetches nothing: its Content
Security Policy allows no source at all, only its own inline style and script. It shows 50 rows at
a time, so 10,000 records cost no more to draw than 50.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from citekit import report as report_module
from citekit.decisions import choice_for
from citekit.errors import UsageError

ORDER = {"ambiguous": 0, "unmatched": 1, "error": 2, "matched": 3, "converted": 4}
"""Rows by status: what needs a person first."""


class ReportError(UsageError):
    """A report the page cannot be built from; the message names the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message, option="REPORT")


def load_report(path: str | Path) -> dict[str, Any]:
    """A report written by this citekit's report format, or :class:`ReportError` saying why not."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ReportError(f"{path}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportError(f"{path}: not a JSON file ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise ReportError(f"{path}: not a citekit report (no list of records)")
    if data.get("version") != report_module.VERSION:
        written = (
            f"format version {data['version']} ({data.get('generator', 'unknown')})"
            if "version" in data
            else "an older format, without a version"
        )
        raise ReportError(
            f"{path}: a report in {written}; this citekit reads format version "
            f"{report_module.VERSION}: run enrich or export again to write the report anew"
        )
    return data


def page(report: Mapping[str, Any]) -> str:
    """The review page of a report (as :meth:`citekit.report.Report.as_dict` makes it)."""
    data = {
        "generator": report.get("generator", ""),
        "summary": report.get("summary", {}),
        "diagnostics": report.get("diagnostics", []),
        "records": rows(report["records"]),
    }
    embedded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    html = _template("review.html")
    for name, value in (
        ("{{css}}", _template("review.css")),
        ("{{js}}", _template("review.js")),
        ("{{data}}", embedded),
    ):
        html = html.replace(name, value, 1)
    return html


def rows(records: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the page needs of each record, what needs a person first, each candidate with the
    choice that names it in a decisions file."""
    ordered = sorted(
        records, key=lambda r: (ORDER.get(r["status"], len(ORDER)), r["input"]["file"], r["input"]["index"])
    )
    return [_row(record) for record in ordered]


def _row(record: Mapping[str, Any]) -> dict[str, Any]:
    match = record.get("match") or {}
    candidates = [{**c, "choice": choice_for(c)} for c in match.get("candidates", [])]
    best = next((c for c in candidates if c["accepted"]), candidates[0] if candidates else None)
    matched = record["status"] == "matched" and best
    sources = [best["source"]] if matched and best is not None else sorted({c["source"] for c in candidates})
    return {
        "input": record["input"],
        "status": record["status"],
        "key": record.get("key"),
        "ids": record.get("ids", {}),
        "rule": match.get("rule", ""),
        "fingerprint": record.get("fingerprint"),
        "record": record.get("record"),
        "diagnostics": [
            {k: d[k] for k in ("level", "code", "message")} for d in record.get("diagnostics", [])
        ],
        "candidates": candidates,
        "sources": sources,
    }


def _template(name: str) -> str:
    return resources.files("citekit").joinpath("templates", name).read_text("utf-8")
