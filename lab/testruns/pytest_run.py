"""Runs a test file in a subprocess and reports each test's outcome as it finishes.

The proof test uses it to show that reality catches the naive app and fantasy doesn't;
the show's test-comparison stage streams the same results to the projector. A file that
does not collect, or a run that crashes, ends in TestRunBroken: one line with pytest's exit code.
"""

import json
import os
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lab.errors import WorkshopError
from lab.paths import ROOT
from lab.testruns.stream_plugin import PREFIX

TESTS_RAN = (0, 1)  # pytest's exit codes when every test ran: all passed, or some failed
EXIT_MEANINGS = {2: "interrupted, an error while collecting", 3: "pytest's internal error", 4: "usage error",
                 5: "no tests collected"}


class TestRunBroken(WorkshopError):
    """pytest did not run a test file through: it failed to collect, or the run crashed."""

    __test__ = False  # not a pytest test class



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
    said: deque[str] = deque(maxlen=50)  # the end of what pytest said besides results, to tell why a run broke
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None  # stdout=PIPE
        for line in process.stdout:
            outcome = parse_line(line)
            if outcome:
                yield outcome
            elif line.strip():
                said.append(line.strip())
    if process.returncode not in TESTS_RAN:
        raise TestRunBroken(broken_run_line(path, process.returncode, list(said)))


def broken_run_line(path: str, exit_code: int, said: list[str]) -> str:
    """One line for a run that broke: the file, pytest's exit code and what it means, pytest's reason, the fix."""
    if exit_code < 0:
        how = f"killed by signal {-exit_code}"
    else:
        how = f"exit code {exit_code}" + (f", {EXIT_MEANINGS[exit_code]}" if exit_code in EXIT_MEANINGS else "")
    reason = next((line for line in said if line.startswith(("ERROR ", "E "))), said[-1] if said else "no output")
    return f"pytest could not run {path} ({how}): {reason}; run `pytest {path}` to see the whole report."


def run_test_file(path: str, target: str = "real", extra_env: dict | None = None,
                  on_result: Callable[[TestOutcome], None] | None = None) -> list[TestOutcome]:
    """Run one test file against `target` and return every outcome (each also passed to `on_result`)."""
    outcomes = []
    for outcome in stream_test_file(path, target, extra_env):
        outcomes.append(outcome)
        if on_result:
            on_result(outcome)
    return outcomes
