"""The hands-on exercise's checker: runs the learner's tests on real tables and judges them.

Mutation-style: each test runs against the correct products table and against buggy ones
(lab.course.catalog.MUTANTS). The tests pass verification only if they all pass on the
correct table and at least one of them fails on every buggy one: a test that cannot
fail proves nothing.
"""

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree

from lab.course.catalog import CORRECT, MUTANTS, VARIANTS
from lab.course.exercise_plugin import ENV_POSTGRES, ENV_VARIANTS
from lab.paths import ROOT
from lab.settings import PostgresSettings

EXERCISE = ROOT / "exercises" / "test_sku_uniqueness.py"
SOLUTION = ROOT / "lab" / "course" / "solutions" / "sku_uniqueness.py"
CHECK_TIMEOUT = 120.0
TestOutcome = Literal["passed", "failed", "error", "skipped"]
JUNIT_ENDINGS: dict[str, TestOutcome] = {"failure": "failed", "error": "error", "skipped": "skipped"}  # JUnit XML's tags


@dataclass(frozen=True)
class CaseResult:
    """One learner test on one table variant: how it ended, and why."""

    test: str
    variant: str
    outcome: TestOutcome
    message: str = ""


@dataclass
class Verdict:
    """Pass or fail, a one-line headline, the reasons, and every case behind them."""

    passed: bool
    headline: str
    reasons: list[str] = field(default_factory=list)
    results: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0


def parse_cases(xml_text: str) -> list[CaseResult]:
    """The learner's cases in a JUnit report, each tagged with the table variant it ran on."""
    cases = []
    for case in ElementTree.fromstring(xml_text).iter("testcase"):
        name = case.get("name", "?")
        if not case.get("classname"):  # a file pytest could not even collect
            name = f"(collecting {name})"
        base, _, params = name.partition("[")
        parts = params.rstrip("]").split("-") if params else []
        variant = next((part for part in parts if part in VARIANTS), "")
        rest = [part for part in parts if part != variant]
        test = base + (f"[{'-'.join(rest)}]" if rest else "")
        ended = next((child for child in case if child.tag in ("failure", "error", "skipped")), None)
        outcome = JUNIT_ENDINGS[ended.tag] if ended is not None else "passed"
        message = (ended.get("message") or ended.text or "").strip().splitlines() if ended is not None else []
        cases.append(CaseResult(test, variant, outcome, (message[0] if message else "")[:240]))
    return cases


def run_exercise(path: Path, settings: PostgresSettings, timeout: float = CHECK_TIMEOUT) -> tuple[list[CaseResult], str]:
    """Run the tests in `path` against every table variant; return the cases and pytest's output."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        env = {**os.environ, ENV_POSTGRES: settings.url, ENV_VARIANTS: ",".join(VARIANTS)}
        command = [sys.executable, "-m", "pytest", str(path), "-p", "lab.course.exercise_plugin",
                   "-p", "no:cacheprovider", "-q", "-rN", f"--junitxml={report}"]
        run = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=timeout, check=False)
        cases = parse_cases(report.read_text()) if report.exists() else []
        return cases, run.stdout + run.stderr


def judge(cases: list[CaseResult], output: str = "") -> Verdict:
    """Pass only if every test passes on the correct table and every buggy table fails some test."""
    tests = [case for case in cases if case.test.startswith("test")]
    if not tests or len(tests) < len(cases):
        return _does_not_run(tests, output)
    cases = tests
    on_correct = [case for case in cases if case.variant in (CORRECT.name, "")]
    broken = [case for case in on_correct if case.outcome != "passed"]
    if broken:
        reasons = [f"{case.test} {case.outcome} on the correct table: {case.message or 'no message'}" for case in broken]
        return Verdict(False, "FAIL: your tests fail against a correct table, where the rule holds.", reasons, cases)
    reasons = []
    if not any(case.variant for case in cases):
        reasons.append("None of your tests uses the `catalog` fixture, so none of them ever touches the database.")
    for mutant in missed(cases):
        reasons.append(missed_reason(mutant))
    if reasons:
        return Verdict(False, "FAIL: a broken table passed your tests, so they would miss that bug.", reasons, cases)
    return Verdict(True, "PASS: all pass on the correct table, and every buggy one is caught. Your tests can fail, so they mean something.", [], cases)


def missed_reason(mutant) -> str:
    """The reason a verdict gives for a buggy table that every test passed on: the bug, and how to catch it."""
    return f"Missed {mutant.flaw}. To catch it, {mutant.catch_it}."


def caught(outcome: str) -> bool:
    """True when a test that ended with `outcome` on a buggy table caught its bug (it went red)."""
    return outcome in ("failed", "error")


def wrong_tests(cases: list[CaseResult]) -> set[str]:
    """The tests that do not pass on the correct table: their red on a buggy table catches nothing."""
    return {case.test for case in cases if case.variant in (CORRECT.name, "") and case.outcome != "passed"}


def missed(cases: list[CaseResult]) -> list:
    """The buggy tables (MUTANTS) that no test caught; a test that fails on the correct table catches none."""
    wrong = wrong_tests(cases)
    return [mutant for mutant in MUTANTS
            if not any(case.variant == mutant.name and caught(case.outcome) and case.test not in wrong
                       for case in cases)]


def _does_not_run(tests: list[CaseResult], output: str) -> Verdict:
    errors = [line[1:].strip() for line in output.splitlines() if line.startswith("E ")]
    if errors or tests:
        return Verdict(False, "FAIL: pytest could not load your file; fix this first:", errors[-4:], tests)
    return Verdict(False, "FAIL: no test found: write a function whose name starts with test_ and takes `catalog`.")


def check(path: Path, settings: PostgresSettings, timeout: float = CHECK_TIMEOUT) -> Verdict:
    """Run and judge the tests in `path`; the verdict says how long that took."""
    started = time.perf_counter()
    try:
        cases, output = run_exercise(path, settings, timeout)
    except subprocess.TimeoutExpired:
        return Verdict(False, f"FAIL: your tests did not finish within {timeout:g} s: look for a loop or a wait that never ends.")
    verdict = judge(cases, output)
    verdict.seconds = time.perf_counter() - started
    return verdict


def file_stamp(path: Path) -> tuple[int, int] | None:
    """What changes when the file is saved (modification time and size), or None if it is gone."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_mtime_ns, status.st_size


def watch(path: Path, check_now: Callable[[], Verdict], on_verdict: Callable[[Verdict], None],
          interval: float = 0.5, sleep: Callable[[float], None] = time.sleep) -> Verdict:
    """Re-check every time `path` is saved (polling, so any filesystem works) until a check passes."""
    last_seen = object()
    while True:
        stamp = file_stamp(path)
        if stamp != last_seen:
            last_seen = stamp
            verdict = check_now()
            on_verdict(verdict)
            if verdict.passed:
                return verdict
        sleep(interval)
