"""A pace for the public reads a script may poll (`GET /api/results`): so many a second per address, the rest wait their turn.

A read answers from the show's kept state, but an answer still costs the show's one core
its HTTP work (a few hundred microseconds). Fifty keep-alive clients polling back to back
kept it busy with nothing else: every phone's page load and vote queued behind a round
of fifty reads (benchmarks/hostile.py, the results flood). Nothing the show serves polls
this route (screens and phones hear the results on their sockets); a script that asks
ten times a second never waits. Past that, each address has `burst` reads at once and
then `per_second`; a read over its allowance waits (the server's own cooperative sleep,
so the wait costs the show nothing) instead of being answered at once, which is what
a client that asks again the moment it has its answer needs to slow down.
"""

import threading
import time
from collections.abc import Callable

READS_PER_SECOND = 10.0
READ_BURST = 20
REMEMBERED = 4096  # addresses kept; idle ones (a full allowance) are forgotten first


class ReadPace:
    """Per-address allowance of reads: a token bucket of `burst` refilled at `per_second`."""

    def __init__(self, sleep: Callable[[float], None], per_second: float = READS_PER_SECOND, burst: int = READ_BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sleep, self.per_second, self.burst, self.clock = sleep, per_second, burst, clock
        self._due: dict[str, float] = {}  # address -> when its allowance is full again
        self._lock = threading.Lock()

    def wait_turn(self, address: str) -> float:
        """Wait until `address` may have its next read; return the seconds waited (0.0 within its allowance)."""
        now = self.clock()
        with self._lock:
            full_at = max(now, self._due.get(address, now)) + 1 / self.per_second
            self._due[address] = full_at
            if len(self._due) > REMEMBERED:
                self._forget_idle(now)
        wait = full_at - now - self.burst / self.per_second
        if wait <= 0:
            return 0.0
        self.sleep(wait)
        return wait

    def _forget_idle(self, now: float) -> None:
        """Forget the addresses whose allowance is full; if all are busy, the longest known."""
        for address in [address for address, full_at in self._due.items() if full_at <= now]:
            del self._due[address]
        while len(self._due) > REMEMBERED:
            del self._due[next(iter(self._due))]
