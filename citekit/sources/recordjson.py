"""Records as compact JSON: how the local index stores them, lossless for every field but ``origin``."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from citekit.model import Date, Name, Record

_DEFAULT_RECORD = Record()
_STORED_FIELDS = tuple(f.name for f in dataclasses.fields(Record) if f.name != "origin")
_NAME_FIELDS = tuple(f.name for f in dataclasses.fields(Name))


def record_to_json(record: Record) -> str:
    """Compact JSON of every field but ``origin``; fields at their default are left out.

    ASCII-escaped, so that text carrying lone surrogates (they occur in real dumps) still stores.
    """
    data: dict[str, Any] = {}
    for name in _STORED_FIELDS:
        value = getattr(record, name)
        if value == getattr(_DEFAULT_RECORD, name):
            continue
        if name in ("author", "editor"):
            value = [{k: v for k in _NAME_FIELDS if (v := getattr(person, k))} for person in value]
        elif name == "issued":
            value = {"parts": list(value.parts), "literal": value.literal} | (
                {"season": value.season} if value.season else {}
            )
        data[name] = value
    return json.dumps(data, separators=(",", ":"))


def record_from_json(text: str) -> Record:
    """The record :func:`record_to_json` wrote (fields it does not know are ignored)."""
    data = {k: v for k, v in json.loads(text).items() if k in _STORED_FIELDS}
    for people in ("author", "editor"):
        if people in data:
            data[people] = [Name(**{k: v for k, v in p.items() if k in _NAME_FIELDS}) for p in data[people]]
    if "issued" in data:
        issued = data["issued"]
        data["issued"] = Date(
            tuple(issued.get("parts", ())), issued.get("literal", ""), issued.get("season", 0)
        )
    return Record(**data)
