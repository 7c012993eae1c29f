"""Progress of a long batch on a terminal: done/total, records per second, time left.

Drawn on one line of standard error that rewrites itself, a few times a second at most, and only
when that stream is a terminal: in a pipe, a file or a CI log, nothing is written, so the output
there stays exactly the diagnostics and the summary.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

REDRAW_EVERY = 0.2
"""Seconds between redraws: often enough to look alive, rarely enough to cost nothing."""


class Progress:
    """``label  done/total  percent  rate records/s  ETA h:mm:ss`` (without a total: done and rate).

    Call :meth:`update` with the number done so far and :meth:`close` at the end, which leaves
    the final figures (and the time taken) on the screen.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        unit: str = "records",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self._clock = clock
        self._started = clock()
        self._drawn_at: float | None = None
        self._done = 0

    def update(self, done: int) -> None:
        self._done = done
        now = self._clock()
        if self.enabled and (self._drawn_at is None or now - self._drawn_at >= REDRAW_EVERY):
            self._draw(now, final=False)

    def close(self) -> None:
        if self.enabled and self._drawn_at is not None:
            self._draw(self._clock(), final=True)
            self.stream.write("\n")
            self.stream.flush()

    def line(self, now: float, *, final: bool = False) -> str:
        """The text drawn at ``now`` (seconds on the clock given)."""
        elapsed = max(now - self._started, 1e-9)
        rate = self._done / elapsed
        parts = [self.label]
        if self.total:
            parts += [f"{self._done}/{self.total}", f"{100 * self._done // self.total}%"]
        else:
            parts.append(f"{self._done} {self.unit}")
        parts.append(f"{rate:,.1f} {self.unit}/s")
        if final:
            parts.append(f"in {_clock_time(elapsed)}")
        elif self.total:
            left = (self.total - self._done) / rate if rate else None
            parts.append(f"ETA {_clock_time(left) if left is not None else '--:--'}")
        return "  ".join(parts)

    def _draw(self, now: float, *, final: bool) -> None:
        self._drawn_at = now
        self.stream.write("\r" + self.line(now, final=final) + "\x1b[K")  # \x1b[K: clear the line's rest
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


def _clock_time(seconds: float) -> str:
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
