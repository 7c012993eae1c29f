"""Reading inputs and writing outputs for the command line and for library users.

Outputs are written atomically (a temporary file in the same folder, then a rename), so an
interrupted run never leaves a half-written library behind. Several files written together (the
library in every format) are all written to temporary files before the first rename, so an
interruption while writing leaves every old file as it was. The temporary files are removed when
writing fails or the program is stopped (Ctrl-C, SIGTERM); only a SIGKILL can leave one behind,
hidden (``.name.*.tmp``), never in the target's place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from citekit import formats
from citekit.diagnostics import ReadResult
from citekit.errors import InputError, OutputError
from citekit.formats import profile
from citekit.formats.base import Format

STDIO = "-"


def input_names(paths: Sequence[str]) -> list[str]:
    """How the report names each input: its base name, or its path where base names clash."""
    bases = Counter(Path(p).name for p in paths)
    return ["<stdin>" if p == STDIO else (Path(p).name if bases[Path(p).name] == 1 else p) for p in paths]


def read_input(
    path: str, name: str, fmt: Format | None = None, reference_date: dt.date | None = None
) -> ReadResult:
    """Read one input (``-`` for standard input); the format from ``fmt``, the suffix or the content."""
    data = read_bytes(path)
    text, diagnostics = formats.decode(data, name)
    fmt = fmt or formats.detect(None if path == STDIO else path, text)
    if fmt.name == profile.FORMAT.name and reference_date is not None:
        fmt = dataclasses.replace(
            fmt, read=functools.partial(profile.read_profile, reference_date=reference_date)
        )
    result = fmt.read(text, name)
    result.diagnostics[:0] = diagnostics
    return result


def read_bytes(path: str) -> bytes:
    """The bytes of an input (``-``: standard input); :class:`~citekit.errors.InputError` if unreadable."""
    try:
        return sys.stdin.buffer.read() if path == STDIO else Path(path).read_bytes()
    except OSError as error:
        raise input_error(path, error) from None


def input_error(path: str, error: OSError) -> InputError:
    """The error for an input that cannot be read."""
    return InputError("<stdin>" if path == STDIO else path, f"cannot read it ({error.strerror or error})")


def write_output(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (``-`` for standard output)."""
    write_output_pieces(path, [text])


def write_output_pieces(path: str | Path, pieces: Iterable[str | bytes]) -> None:
    """Write the pieces (text, or bytes of UTF-8) one after the other to ``path``, atomically (``-``
    for standard output): nothing is at ``path`` until the last piece is written."""
    if str(path) == STDIO:
        # Bytes, not text: RIS needs its CRLF kept exactly, whatever the platform's newline.
        sys.stdout.flush()
        for piece in pieces:
            sys.stdout.buffer.write(_encoded(piece))
        sys.stdout.buffer.flush()
        return
    write_outputs({path: pieces})


def write_outputs(files: Mapping[str | Path, Iterable[str | bytes]]) -> None:
    """Write several files (not standard output), each from its pieces, as one: every temporary
    file first, then the renames."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, pieces in files.items():
            target = Path(path)
            try:
                staged.append((_stage(target, pieces), target))
            except OSError as error:
                raise OutputError(str(target), f"cannot write it ({error.strerror or error})") from None
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise


def _stage(target: Path, pieces: Iterable[str | bytes]) -> Path:
    """The pieces in a temporary file beside ``target``, with the mode ``target`` has or will get."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(_encoded(piece))
        os.chmod(temporary, _file_mode(target))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _encoded(piece: str | bytes) -> bytes:
    return piece if isinstance(piece, bytes) else piece.encode("utf-8")


def _file_mode(target: Path) -> int:
    """The mode the file has, or a new file's usual one: mkstemp's 0600 is not what users expect."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def format_for_output(path: str, name: str | None) -> Format:
    """The writer named by ``--to``, else by the output's suffix."""
    if name:
        fmt = formats.get(name)
        if fmt.write is None:
            raise formats.UnknownFormatError(f"{fmt.name} can be read, not written", option="--to")
        return fmt
    if path != STDIO:
        suffix = Path(path).suffix.lower()
        for fmt in formats.FORMATS.values():
            if fmt.write and suffix in fmt.suffixes:
                return fmt
    raise formats.UnknownFormatError(f"cannot tell the output format of {path!r}; name it with --to")
