"""A pytest plugin that prints one line per finished test, as it finishes.

    TCMAGIC-RESULT {"name": "test_x", "outcome": "passed", "seconds": 0.012}

lab.testruns.pytest_run reads these lines from a subprocess to stream results to the projector.
"""

import json
import sys

PREFIX = "TCMAGIC-RESULT "


def _emit(name: str, outcome: str, seconds: float) -> None:
    stdout = sys.__stdout__  # past pytest's capture; None only in a process without a stdout at all
    assert stdout is not None
    stdout.write(PREFIX + json.dumps({"name": name, "outcome": outcome, "seconds": round(seconds, 4)}) + "\n")
    stdout.flush()


_durations: dict[str, float] = {}


def pytest_runtest_logreport(report):
    name = report.nodeid.rsplit("::", 1)[-1]
    _durations[name] = _durations.get(name, 0.0) + report.duration
    if report.when == "setup" and not report.passed:
        _emit(name, "skipped" if report.skipped else "error", _durations[name])
    elif report.when == "call":
        _emit(name, "skipped" if report.skipped else report.outcome, _durations[name])
    elif report.when == "teardown" and report.failed:
        _emit(name, "error", _durations[name])
