"""The show's test-comparison stage: both paired files run side by side, results streamed.

Fantasy and reality run at the same time in two subprocesses; every finished test is
handed to `emit` as it happens, then the totals with the verdict the audience reads:
for the mocks "all green, all wrong" against the naive app and "green but blind" against the
real one (they never touch it); for reality "N bugs caught" or "green means proof".
"""

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from lab.targets import check_target
from lab.testruns.pytest_run import TestOutcome, TestRunBroken, run_test_file

FILES = {"fantasy": "tests/test_fantasy.py", "reality": "tests/test_reality.py"}



@dataclass
class Totals:
    """How one side's run ended."""

    side: str
    target: str
    passed: int = 0
    failed: int = 0
    other: int = 0
    seconds: float = 0.0
    tests: list[dict] = field(default_factory=list)
    broken: str = ""  # the one line that says why pytest did not run the file through

    def broke(self, why: str) -> None:
        """The run broke (a file that does not collect, a crash): counted as one more failure."""
        self.broken = why
        self.other += 1

    def add(self, outcome: TestOutcome) -> None:
        """Count one finished test."""
        self.tests.append(asdict(outcome))
        self.seconds += outcome.seconds
        if outcome.outcome == "passed":
            self.passed += 1
        elif outcome.outcome == "failed":
            self.failed += 1
        else:
            self.other += 1


def verdict(totals: Totals) -> str:
    """The line the projector shows under one side's results."""
    if totals.broken:
        return totals.broken
    if totals.passed + totals.failed + totals.other == 0:
        return "no test ran"
    green = totals.failed == 0 and totals.other == 0
    if totals.side == "fantasy":  # the mocks never touch the app: green says nothing about it
        if not green:
            return "mocks went red"
        return "all green, all wrong" if totals.target == "naive" else "green but blind: it never touched the app"
    if totals.target == "naive":
        bugs = "1 bug" if totals.failed == 1 else f"{totals.failed} bugs"
        return f"{bugs} caught" if totals.failed else "the naive app got through"
    return "green means proof" if green else f"{totals.failed + totals.other} failed"


class TestComparison:
    """Runs the paired files side by side; refuses a second run while one is going."""

    __test__ = False

    def __init__(self, run_file: Callable = run_test_file, extra_env: dict | None = None) -> None:
        self._run_file = run_file
        self._extra_env = extra_env or {}
        self._lock = threading.Lock()
        self.running = False

    def start(self, target: str, emit: Callable[[str, dict], None]) -> bool:
        """Start a run against `target` ("real" or "naive"); False if one is already going."""
        check_target(target)
        with self._lock:
            if self.running:
                return False
            self.running = True
        threading.Thread(target=self._run, args=(target, emit), daemon=True).start()
        return True

    def _run(self, target: str, emit: Callable[[str, dict], None]) -> None:
        emit("tests_started", {"target": target, "sides": list(FILES)})
        results: dict[str, Totals] = {}
        sides = [threading.Thread(target=self._side, args=(side, target, emit, results)) for side in FILES]
        try:
            for thread in sides:
                thread.start()
            for thread in sides:
                thread.join()
        finally:
            with self._lock:
                self.running = False
            emit("tests_finished", {side: {**asdict(t), "verdict": verdict(t)} for side, t in results.items()})

    def _side(self, side: str, target: str, emit, results: dict) -> None:
        totals = results[side] = Totals(side, target)

        def on_result(outcome: TestOutcome) -> None:
            totals.add(outcome)
            emit("test_result", {"side": side, "target": target, **asdict(outcome)})

        try:
            self._run_file(FILES[side], target=target, extra_env=self._extra_env, on_result=on_result)
        except TestRunBroken as error:
            totals.broke(str(error))
