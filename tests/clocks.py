"""A clock that tests move themselves, so that pacing, backoff and enforced limits are checked on
exact times, not on how busy the machine running the tests is."""

from __future__ import annotations

import threading


class VirtualClock:
    """Stands in for :mod:`time` (``monotonic``, ``sleep``) and for an emulator's ``clock``.

    ``sleep`` returns at once, having moved the time on, and is recorded in :attr:`sleeps`.
    """

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float, /) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds
