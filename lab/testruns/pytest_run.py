"""Runs a test file in a subprocess and reports each test's outcome as it finishes.

The proof test uses it to show that reality catches the naive app and fantasy doesn't;
the show's test-comparison stage streams the same results to the projector.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, Iterator

from lab.paths import ROOT
from lab.testruns.stream_plugin import PREFIX



@dataclass(frozen=True)
class TestOutcome:
    """One test's name, how it ended (passed, failed, error, skipped) and its seconds."""

    __test__ = False  # not a pytest test class

    name: str
    outcome: str
    seconds: float


def parse_line(line: str) -> TestOutcome | None:
    """The outcome a plugin line carries, or None for any other output."""
    start = line.find(PREFIX)  # pytest's progress dots may share the line
    if start < 0:
        return None
    fields = json.loads(line[start + len(PREFIX):])
    return TestOutcome(fields["name"], fields["outcome"], float(fields["seconds"]))


def stream_test_file(path: str, target: str = "real", extra_env: dict | None = None) -> Iterator[TestOutcome]:
    """Run one test file with pytest against `target`, yielding each outcome as the test ends."""
    command = [sys.executable, "-m", "pytest", path, f"--target={target}", "-q", "-p", "no:cacheprovider", "-p", "lab.testruns.stream_plugin"]
    env = {**os.environ, **(extra_env or {})}
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        for line in process.stdout:
            outcome = parse_line(line)
            if outcome:
                yield outcome


def run_test_file(path: str, target: str = "real", extra_env: dict | None = None,
                  on_result: Callable[[TestOutcome], None] | None = None) -> list[TestOutcome]:
    """Run one test file against `target` and return every outcome (each also passed to `on_result`)."""
    outcomes = []
    for outcome in stream_test_file(path, target, extra_env):
        outcomes.append(outcome)
        if on_result:
            on_result(outcome)
    return outcomes
