"""The contract every format module fulfils.

Each module in :mod:`citekit.formats` exposes ``FORMAT``, a :class:`Format` with its reader and
(except for the scraped formats) its writer. Readers take the text and the file name used in
diagnostics; writers take records and return text. Both are driven by one declarative mapping
table per module, so reading and writing cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from citekit.diagnostics import ReadResult
from citekit.model import Record

Reader = Callable[[str, str], ReadResult]
"""``read(text, file)``: never raises on content."""
Writer = Callable[[Sequence[Record]], str]
Sniffer = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    suffixes: tuple[str, ...]
    sniff: Sniffer
    read: Reader
    write: Writer | None = None
    priority: int = 50
    """Content sniffers run in ascending priority: specific formats before catch-alls."""
