"""The format registry: every format citekit reads or writes, listed explicitly.

Formats are found by name, by file suffix, and failing that by content (sniffers run in
priority order: specific formats first, catch-alls such as abstract lists last).
"""

from __future__ import annotations

from pathlib import Path

from citekit.diagnostics import Diagnostic, ReadResult
from citekit.errors import UsageError
from citekit.formats import abstracts, bibtex, csljson, idlist, profile, ris
from citekit.formats.base import Format

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (bibtex.BIBTEX, bibtex.BIBLATEX, csljson.FORMAT, ris.FORMAT, profile.FORMAT, abstracts.FORMAT,
              idlist.FORMAT)
}


class UnknownFormatError(UsageError):
    """A format name or a file whose format cannot be told."""


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormatError(f"unknown format {name!r}; known: {', '.join(FORMATS)}") from None


def readable() -> list[str]:
    return list(FORMATS)


def writable() -> list[str]:
    return [name for name, fmt in FORMATS.items() if fmt.write is not None]


def by_suffix(path: str | None) -> Format | None:
    """The format a file's suffix (``.bib``, ``.ris``, ``.json``) names, if any."""
    if path:
        suffix = Path(path).suffix.lower()
        for fmt in FORMATS.values():
            if suffix in fmt.suffixes:
                return fmt
    return None


def detect(path: str | None, text: str) -> Format:
    """By suffix (``.bib``, ``.ris``, ``.json``), else by content."""
    if fmt := by_suffix(path):
        return fmt
    for fmt in sorted(FORMATS.values(), key=lambda f: f.priority):
        if fmt.sniff(text):
            return fmt
    raise UnknownFormatError(f"{path or '<stdin>'}: cannot tell the format; name it with --from")


def decode(data: bytes, file: str) -> tuple[str, list[Diagnostic]]:
    """UTF-8 (with or without BOM); bytes that are not UTF-8 are replaced and reported."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"not UTF-8 at byte {error.start}; undecodable bytes replaced"
        return data.decode("utf-8-sig", errors="replace"), [Diagnostic("warning", "input.encoding", message, file, line)]


def read_text(text: str, file: str, fmt: Format | None = None) -> ReadResult:
    fmt = fmt or detect(file, text)
    return fmt.read(text, file)


def read_path(path: str | Path, fmt: Format | None = None) -> ReadResult:
    """Read one file; the records' origins name the file by its base name."""
    path = Path(path)
    text, diagnostics = decode(path.read_bytes(), path.name)
    fmt = fmt or detect(str(path), text)
    result = fmt.read(text, path.name)
    result.diagnostics[:0] = diagnostics
    return result
