"""The format registry: every format citekit reads or writes, listed explicitly.

Formats are found by name, by file suffix, and failing that by content (sniffers run in
priority order: specific formats first, catch-alls such as abstract lists last).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from citekit.diagnostics import Diagnostic, ReadResult
from citekit.errors import UsageError
from citekit.formats import abstracts, bibtex, csljson, idlist, profile, ris
from citekit.formats.base import Format

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        bibtex.BIBTEX,
        bibtex.BIBLATEX,
        csljson.FORMAT,
        ris.FORMAT,
        profile.FORMAT,
        abstracts.FORMAT,
        idlist.FORMAT,
    )
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


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"^%\s*Encoding:\s*([A-Za-z0-9_.:\-]+)\s*$", re.MULTILINE)
"""JabRef's header line (``% Encoding: windows-1252``), in its first lines."""


def declared_encoding(head: bytes) -> str | None:
    """The encoding a file's first bytes say it has, when it is not plain UTF-8: a BOM (UTF-16,
    UTF-32), UTF-16 without one (every other byte NUL), or JabRef's ``% Encoding:`` header."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return None if codec == "utf-8-sig" else codec
    sample = head[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and not sample[0::2].count(0):
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4 and not sample[1::2].count(0):
        return "utf-16-be"
    declared = _DECLARED.search(sample)
    if declared:
        try:
            codec = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            return None
        return None if codec == "utf-8" else codec
    return None


def decode(data: bytes, file: str) -> tuple[str, list[Diagnostic]]:
    """UTF-8 (with or without BOM), or what the file declares (UTF-16/32 BOM, JabRef's
    ``% Encoding:`` header); bytes that do not decode are replaced and reported."""
    codec = declared_encoding(data) or "utf-8-sig"
    diagnostics = (
        []
        if codec == "utf-8-sig"
        else [Diagnostic("info", "input.encoding", f"read as {codec}, as the file declares", file, 1)]
    )
    try:
        return data.decode(codec), diagnostics
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        name = "UTF-8" if codec == "utf-8-sig" else codec
        message = f"not {name} at byte {error.start}; undecodable bytes replaced"
        diagnostics.append(Diagnostic("warning", "input.encoding", message, file, line))
        return data.decode(codec, errors="replace"), diagnostics


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
