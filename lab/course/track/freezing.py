"""Freezing a real Redis from inside a test, and always thawing it (exercise 6).

A frozen server accepts connections and never answers: a Docker container paused, or an
embedded process stopped with SIGSTOP. A watchdog thaws it after THAW_AFTER seconds, so a
client with no timeout comes back (late) instead of hanging the learner's run for ever.
"""

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

from lab.settings import RedisSettings

THAW_AFTER = 4.0  # beyond the slow client's 2 s timeout, with room for a loaded machine


class Freezer:
    """A Redis at `settings`, and how to freeze it: "docker:<container id>" or "pid:<process id>"."""

    def __init__(self, settings: RedisSettings, how: str) -> None:
        self.settings = settings
        self.kind, _, self.target = how.partition(":")
        self._frozen = False
        self._lock = threading.Lock()
        self._watchdog: threading.Timer | None = None

    def _signal(self, freeze: bool) -> None:
        if self.kind == "pid":
            os.kill(int(self.target), signal.SIGSTOP if freeze else signal.SIGCONT)
            return
        import docker

        container = docker.from_env().containers.get(self.target)
        container.pause() if freeze else container.unpause()

    def freeze(self) -> None:
        """Freeze the server now; the watchdog thaws it after THAW_AFTER seconds at the latest."""
        with self._lock:
            if not self._frozen:
                self._signal(True)
                self._frozen = True
            self._watchdog = threading.Timer(THAW_AFTER, self.thaw)
            self._watchdog.daemon = True
            self._watchdog.start()

    def thaw(self) -> None:
        """Let the server carry on (nothing happens if it is not frozen)."""
        with self._lock:
            if self._watchdog is not None:
                self._watchdog.cancel()
            if self._frozen:
                self._signal(False)
                self._frozen = False

    @contextlib.contextmanager
    def frozen(self) -> Iterator["Freezer"]:
        """The server frozen inside the block, thawed when it ends, whatever happens."""
        self.freeze()
        try:
            yield self
        finally:
            self.thaw()
