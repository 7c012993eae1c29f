"""The contract every format module fulfils.

Each module in :mod:`citekit.formats` exposes ``FORMAT``, a :class:`Format` with its reader and
(except for the scraped formats) its writer. Readers take the text and the file name used in
diagnostics; writers take records and return text. Formats that can also read a file or write
their output in bounded pieces (so that ``citekit convert`` streams) say so with ``read_chunks``
and ``write_body``: the text of a batch of records, which :class:`Layout` joins. Both are driven by one declarative mapping
table per module, so reading and writing cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from citekit.diagnostics import ReadResult
from citekit.model import Record

Reader = Callable[[str, str], ReadResult]
"""``read(text, file)``: never raises on content."""
Writer = Callable[[Sequence[Record]], str]
Sniffer = Callable[[str], bool]
ChunkReader = Callable[[Path, str], Iterator[ReadResult]]
"""``read_chunks(path, file)``: the file in bounded pieces, together what ``read`` returns."""


@dataclass(frozen=True, slots=True)
class Layout:
    """How a format joins the text of batches of records (``write_body`` of each non-empty batch):
    ``separator`` between them, within ``opening`` … ``closing``; ``empty`` when there are none."""

    opening: str = ""
    separator: str = ""
    closing: str = ""
    empty: str = ""

    def join(self, bodies: Iterable[str]) -> Iterator[str]:
        """The whole text, a batch at a time."""
        opened = False
        for body in bodies:
            if body:
                yield (self.separator if opened else self.opening) + body
                opened = True
        yield self.closing if opened else self.empty


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
    read_chunks: ChunkReader | None = None
    write_body: Writer | None = None
    """The text of a batch of records, as :attr:`layout` joins them (so that ``convert`` streams)."""
    layout: Layout = Layout()

    def write_chunks(self, batches: Iterable[Sequence[Record]]) -> Iterator[str]:
        """The text ``write`` gives for all the batches' records, a batch at a time."""
        assert self.write_body is not None, f"{self.name} writes no batches"
        return self.layout.join(map(self.write_body, batches))
