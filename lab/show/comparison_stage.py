"""The test-comparison stage: runs the paired test files and streams each result to the dashboards.

Socket.IO events (server -> every dashboard): "tests_started" {target, sides},
"test_result" {side, target, name, outcome, seconds} as each test finishes, and
"tests_finished" {fantasy: {...totals, verdict}, reality: {...}}. The latest run is kept,
so a dashboard that connects (or reconnects) mid-run redraws it from its snapshot.
"""

import threading
from collections.abc import Callable

from lab.testruns.paired import TestComparison


def empty_panel() -> dict:
    """The panel before any run."""
    return {"running": False, "target": None, "results": [], "finished": None}


class ComparisonStage:
    """One test comparison at a time, its events forwarded to `send` and kept for snapshots."""

    def __init__(self, send, comparison: TestComparison | None = None) -> None:
        self.send = send
        self.comparison = comparison or TestComparison()
        self._lock = threading.Lock()
        self.latest: dict = empty_panel()

    @property
    def running(self) -> bool:
        """True while a run is going."""
        return self.comparison.running

    def start(self, target: str, then: Callable[[], None] | None = None) -> bool:
        """Start a run against `target`; False when one is already going.

        `then` is called after the run's start and its totals were sent (the headline follows them).
        """

        def on_event(event: str, data: dict) -> None:
            self._on_event(event, data)
            if then is not None and event in ("tests_started", "tests_finished"):
                then()

        return self.comparison.start(target, on_event)

    def clear(self) -> None:
        """Empty the panel, as before any run (the caller makes sure none is going)."""
        with self._lock:
            self.latest = empty_panel()

    def snapshot(self) -> dict:
        """The latest run as the dashboard draws it."""
        with self._lock:
            return {**self.latest, "results": list(self.latest["results"])}

    def _on_event(self, event: str, data: dict) -> None:
        with self._lock:
            if event == "tests_started":
                self.latest = {"running": True, "target": data["target"], "results": [], "finished": None}
            elif event == "test_result":
                self.latest["results"].append(data)
            elif event == "tests_finished":
                self.latest.update(running=False, finished=data)
        self.send(event, data)
