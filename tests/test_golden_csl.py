"""Every reader's golden inputs as CSL-JSON: the pivot each format's golden triple goes through.

``<case>.<ext>`` → ``<case>.csl.json`` (what citekit makes of it, in the vocabulary Zotero and
citeproc read) is pinned here for every format; the format's own tests pin the writer outputs.
The seeds' profile and abstract readers are pinned on the seed files themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from citekit import formats
from citekit.formats import csljson
from citekit.io import read_input

DATA = Path(__file__).resolve().parent / "data"
SCHEMA = json.loads((Path(csljson.__file__).parent.parent / "schemas" / "csl-data.json").read_text())
CASES = sorted(
    p
    for folder in ("bibtex", "ris", "profile", "abstracts", "ids")
    for p in (DATA / folder).iterdir()
    if p.suffix in {".bib", ".ris", ".txt", ".ids"} and ".out" not in p.name
)


@pytest.mark.parametrize("source", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reader_golden_as_csl_json(source: Path) -> None:
    # Profile pages date year-less entries from a reference date: fixed, so the golden stays true.
    result = read_input(str(source), source.name, formats.get(source.parent.name), dt.date(2026, 11, 23))
    written = csljson.FORMAT.write(result.records)
    jsonschema.validate(json.loads(written), SCHEMA)
    expected = source.with_name(source.stem + ".csl.json")
    assert written == expected.read_text(encoding="utf-8")
