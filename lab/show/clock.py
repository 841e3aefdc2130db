"""The show's clocks: the 8 minutes and the time in the current stage, started by the presenter.

Both clocks wait at zero until the presenter starts the show (S, or the first → on the
cold open), run together, pause together and go back to zero and waiting on a reset.
The stage clock is the show clock read since the stage began, so pausing one pauses both.
"""

import threading
import time
from collections.abc import Callable

WAITING, RUNNING, PAUSED = "waiting", "running", "paused"


class ShowClock:
    """A pausable stopwatch for the show, with a mark where the current stage began."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Both clocks at zero, waiting for the presenter."""
        with self._lock:
            self.state = WAITING
            self._banked = 0.0  # seconds run before the latest start
            self._since: float | None = None  # when the clock last started running
            self._stage_mark = 0.0

    def run(self) -> None:
        """Start (or resume) both clocks; running already is fine."""
        with self._lock:
            if self.state != RUNNING:
                self.state, self._since = RUNNING, self.now()

    def pause(self) -> None:
        """Stop both clocks where they are; waiting or paused already is fine."""
        with self._lock:
            if self.state == RUNNING:
                self._banked, self._since = self._read(), None
                self.state = PAUSED

    def new_stage(self) -> None:
        """The stage clock starts again from zero (the show clock goes on)."""
        with self._lock:
            self._stage_mark = self._read()

    def show_elapsed(self) -> float:
        """Seconds the show has run, pauses left out."""
        with self._lock:
            return self._read()

    def stage_elapsed(self) -> float:
        """Seconds the current stage has run, pauses left out."""
        with self._lock:
            return self._read() - self._stage_mark

    def _read(self) -> float:
        running = self.now() - self._since if self.state == RUNNING and self._since is not None else 0.0
        return self._banked + running
