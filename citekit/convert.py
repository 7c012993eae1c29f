"""``citekit convert``: inputs to one output format, record for record, in bounded memory and, for
BibTeX, in worker processes.

A BibTeX file is read in chunks of blocks (:mod:`citekit.formats.bibtex.streaming`), after a first
pass for its ``@string``\\ s; each chunk is read and written in a worker (``--jobs``), and the
chunks come back in file order, so the output does not depend on the number of jobs. Other
formats are read whole and written in the same way, in this process.

Keys are decided once, by :class:`~citekit.keys.KeyPlan`, when every record has been read: a
chunk is written with a marker key per record and cut at the markers, so the text between the
keys goes to a spool file and the keys go in when the output is written (atomically, at the
end). What is kept per record is the plan's small table and the place of its key: measured,
5,000 → 50,000 entries changes the peak RSS by a few MB.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import multiprocessing
import re
import secrets
import tempfile
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, TypeVar

from citekit import formats, io
from citekit.diagnostics import ReadResult
from citekit.formats.base import Format
from citekit.formats.bibtex import streaming
from citekit.keys import KeyPlan
from citekit.model import Origin, Record
from citekit.report import Report

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Job:
    """What every chunk of one input needs."""

    file: str
    dialect: str
    strings: streaming.Strings
    writer: Format
    plan: KeyPlan


@dataclass(slots=True)
class Written:
    """Records read and written with marker keys: the text, encoded, cut at the markers (``texts``
    has one more item than ``owners``: the position, among ``records``, of the record whose key
    goes between two texts), and what the key plan keeps of each record. Encoded by the worker, so
    that the process that writes the output does not (a tenth of its work, measured)."""

    read: streaming.ChunkRead
    texts: list[bytes]
    owners: list[int]
    bases: list[str]
    fingerprints: list[bytes]

    def __getstate__(self) -> tuple[object, ...]:
        """What a worker sends back: its records (kept for the report: identifiers and origin) as
        tuples, since pickling records attribute by attribute cost a tenth of ``--jobs 2``'s CPU
        (measured, 50,000 entries)."""
        records = self.read.result.records
        identities = [(r.doi, r.arxiv_id, r.origin and _ORIGIN_FIELDS(r.origin)) for r in records]
        read = dataclasses.replace(self.read, result=ReadResult(diagnostics=self.read.result.diagnostics))
        return read, identities, self.texts, self.owners, self.bases, self.fingerprints

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.read, identities, self.texts, self.owners, self.bases, self.fingerprints = state
        self.read.result.records = [
            Record(doi=doi, arxiv_id=arxiv_id, origin=origin and Origin(*origin))
            for doi, arxiv_id, origin in identities
        ]


_ORIGIN_FIELDS = attrgetter(*(f.name for f in dataclasses.fields(Origin)))


class Spool:
    """The output without its keys, on disk, and where each key goes."""

    def __init__(self, stream: IO[bytes], writer: Format) -> None:
        self.stream, self.layout = stream, writer.layout
        self.lengths = array("q")
        """Bytes before each key (from the previous one)."""
        self.owners = array("q")
        """The key plan's position of each key's record."""
        self.pending = 0
        self.opened = False

    def add(self, texts: Sequence[bytes], owners: Sequence[int], first: int, has_records: bool) -> None:
        """A chunk's text (``owners`` counted from the plan's position ``first``)."""
        if not has_records:
            return
        separator = self.layout.separator if self.opened else self.layout.opening
        self.opened = True
        self._text(separator.encode("utf-8") + texts[0])
        for owner, text in zip(owners, texts[1:], strict=True):
            self.lengths.append(self.pending)
            self.owners.append(first + owner)
            self.pending = 0
            self._text(text)

    def close(self) -> None:
        self._text((self.layout.closing if self.opened else self.layout.empty).encode("utf-8"))

    def _text(self, text: bytes) -> None:
        self.stream.write(text)
        self.pending += len(text)

    def output(self, keys: Sequence[str]) -> Iterator[bytes]:
        """The output: the spool read back, each key in its place."""
        self.stream.seek(0)
        read = self.stream.read
        for length, owner in zip(self.lengths, self.owners, strict=True):
            yield read(length)
            yield keys[owner].encode("utf-8")
        yield read()


def run(
    inputs: Sequence[str],
    from_format: str | None,
    writer: Format,
    report: Report,
    plan: KeyPlan,
    reference_date: object,
    jobs: int,
    finish: Callable[[], None],
    output: str,
) -> None:
    """Convert the inputs into ``output``; ``finish`` runs once every key is decided (the report
    is then complete) and before the output is written."""
    fmt = formats.get(from_format) if from_format else None
    with _fewer_collections(), tempfile.TemporaryFile("w+b") as stream:
        spool = Spool(stream, writer)
        for path, name in zip(inputs, io.input_names(inputs), strict=True):
            for written in _written(path, name, fmt, writer, plan, reference_date, jobs):
                _account(written, spool, report, plan)
        spool.close()
        plan.resolve()
        report.rename_keys(lambda position: plan.keys[int(position)])
        finish()
        io.write_output_pieces(output, spool.output(plan.keys))


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector run less often: reading makes many small objects and few
    cycles, and its passes over them cost a tenth of ``convert``. It runs once a chunk instead
    (:func:`_convert_chunk`), when the chunk's objects are dropped: the cycles pylatexenc leaves
    (closures, and exceptions whose frames reach back to the chunk being read) would otherwise keep
    a chunk alive until a later pass. Measured, 50,000 entries: 5 % less CPU than a first generation
    of 10,000 objects, and the same peak memory."""
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _account(written: Written, spool: Spool, report: Report, plan: KeyPlan) -> None:
    """A chunk's records into the report and the plan, its text into the spool."""
    first = len(plan)
    plan.extend(written.bases, written.fingerprints)
    result = written.read.result
    for position, record in enumerate(result.records):
        record.key = str(first + position)  # the plan's position, until the keys are decided
    report.add_read(result)
    report.release(result.records)
    spool.add(written.texts, written.owners, first, bool(result.records))
    result.records = []  # accounted for: not kept while the next chunk is read


def _written(
    path: str, name: str, fmt: Format | None, writer: Format, plan: KeyPlan, reference_date: object, jobs: int
) -> Iterator[Written]:
    chunked = (fmt or formats.by_suffix(path)) if path != io.STDIO else None
    if chunked is None or chunked.read_chunks is None or streaming.declares_encoding(Path(path)):
        result = io.read_input(path, name, fmt, reference_date)  # type: ignore[arg-type]
        count = len(result.records)
        yield write_records(streaming.ChunkRead(name, result, count, [], {}), writer, plan)
        return
    file = Path(path)
    try:
        strings = streaming.file_strings(file, name, chunked.name)  # type: ignore[arg-type]
        yield Written(
            streaming.ChunkRead(name, ReadResult(diagnostics=strings.diagnostics), 0, [], {}),
            [b""],
            [],
            [],
            [],
        )
        merger = streaming.Merger()
        job = Job(name, chunked.name, strings, writer, plan)
        for written in ordered_map(
            _convert_chunk, job, streaming.chunks(file, name, streaming.CHUNK_BLOCKS), jobs
        ):
            written.read.result = merger.merge(written.read)
            yield written
    except OSError as error:
        raise io.input_error(path, error) from None


def _convert_chunk(job: Job, chunk: streaming.Chunk) -> Written:
    read = streaming.read_chunk(chunk, job.file, job.dialect, job.strings)  # type: ignore[arg-type]
    written = write_records(read, job.writer, job.plan)
    gc.collect(1)  # see _fewer_collections
    return written


def write_records(read: streaming.ChunkRead, writer: Format, plan: KeyPlan) -> Written:
    """The chunk's records written with marker keys and cut at them. The records stay as they are:
    a worker sends back only what the report needs of them (:meth:`Written.__getstate__`), and
    :func:`_account` drops them (a copy of each with only that was 1 % of a worker's work)."""
    records = read.result.records
    bases, fingerprints = plan.entries(records)
    marker = "citekitkey" + secrets.token_hex(8)
    for position, record in enumerate(records):
        record.key = f"{marker}n{position}x"
    assert writer.write_body is not None
    body = writer.write_body(records).encode("utf-8") if records else b""
    pieces = re.split(re.escape(marker.encode("ascii")) + rb"n(\d+)x", body)
    return Written(read, pieces[0::2], [int(owner) for owner in pieces[1::2]], bases, fingerprints)


_JOB: Job | None = None


def ordered_map(function: Callable[[Job, T], R], job: Job, items: Iterable[T], jobs: int) -> Iterator[R]:
    """``function(job, item)`` for each item, in order, in ``jobs`` worker processes when there is
    more than one item (else here); at most two items per worker are in flight, so memory does not
    grow with the input."""
    items = iter(items)
    head = [item for item in (next(items, None), next(items, None)) if item is not None]
    if jobs <= 1 or len(head) < 2:
        yield from (function(job, item) for item in itertools.chain(head, items))
        return
    global _JOB
    _JOB = job  # inherited by the forked workers: the @string table is not sent with every chunk
    gc.freeze()  # what exists now is shared with the workers, not copied into each by the collector
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            window: deque[Future[R]] = deque()
            for item in itertools.chain(head, items):  # not a list: the chunks are read as they go
                window.append(pool.submit(_in_worker, function, item))
                if len(window) >= 2 * jobs:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
    finally:
        gc.unfreeze()


def _in_worker(function: Callable[[Job, T], R], item: T) -> R:
    assert _JOB is not None
    return function(_JOB, item)
