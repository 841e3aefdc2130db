"""Runs a learner's exercise file against the right code and each buggy version, and judges it.

The tests must pass on the right code and at least one must fail on every buggy version (a
test that cannot fail proves nothing); the file must keep the exercise's rules (no sleeping,
a container started in a fixture of the right scope...). The isolation exercise also runs
in two random orders and fails if any test's outcome changes with the order.
"""

import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast
from xml.etree import ElementTree

from lab.course.checker import TestOutcome
from lab.course.track import plugin
from lab.course.track.model import Exercise
from lab.course.track.static import read_facts
from lab.paths import ROOT
from lab.servers.engines import RunningService

RUN_TIMEOUT = 120.0


@dataclass(frozen=True)
class Case:
    """One learner test on one variant of the code under test, in one run."""

    test: str
    variant: str
    outcome: TestOutcome
    message: str = ""
    run: str = ""


@dataclass
class Verdict:
    """How a check ended: passed, failed or "needs docker", a headline, the reasons and the cases."""

    status: Literal["passed", "failed", "needs docker"]
    headline: str
    reasons: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    missed: set[str] | None = None  # the bugs no test caught; None when the check did not get that far
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True only when the check ran and passed."""
        return self.status == "passed"


def parse_cases(xml_text: str, variants: list[str], run: str = "") -> list[Case]:
    """The cases of a JUnit report, each tagged with the variant in its parameters."""
    cases = []
    for case in ElementTree.fromstring(xml_text).iter("testcase"):
        name = case.get("name", "?")
        if not case.get("classname"):
            name = f"(collecting {name})"
        base, _, params = name.partition("[")
        parts = params.rstrip("]").split("-") if params else []
        variant = next((part for part in parts if part in variants), "")
        rest = [part for part in parts if part != variant]
        ended = next((child for child in case if child.tag in ("failure", "error", "skipped")), None)
        outcome = cast(TestOutcome, {"failure": "failed"}.get(ended.tag, ended.tag) if ended is not None else "passed")
        lines = (ended.get("message") or ended.text or "").strip().splitlines() if ended is not None else []
        cases.append(Case(base + (f"[{'-'.join(rest)}]" if rest else ""), variant, outcome,
                          (lines[0] if lines else "")[:240], run))
    return cases


def run_file(path: Path, variants: list[str], env: dict[str, str], order: str = "",
             timeout: float = RUN_TIMEOUT) -> tuple[list[Case], str]:
    """One pytest run of `path` against `variants`; the cases and pytest's output."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        run_env = {**os.environ, **env, plugin.ENV_VARIANTS: ",".join(variants), plugin.ENV_ORDER: order}
        command = [sys.executable, "-m", "pytest", str(path), "-p", "lab.course.track.plugin",
                   "-p", "no:cacheprovider", "-q", "-rN", f"--junitxml={report}"]
        done = subprocess.run(command, cwd=ROOT, env=run_env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=timeout, check=False)
        cases = parse_cases(report.read_text(), variants, order) if report.exists() else []
        return cases, done.stdout + done.stderr


def run_all(exercise: Exercise, path: Path, env: dict[str, str]) -> tuple[list[Case], str]:
    """Every run the exercise needs: all variants at once, or (two orders) right twice, then each bug alone."""
    if not exercise.two_orders:
        return run_file(path, exercise.variants, env)
    seed = str(random.randrange(1, 10**6))
    runs = [(["right"], seed), (["right"], seed + "r"), *(([bug.name], "") for bug in exercise.bugs)]
    cases, outputs = [], []
    for variants, order in runs:
        more, output = run_file(path, variants, env, order)
        cases += more
        outputs.append(output)
    return cases, "\n".join(outputs)


def order_reasons(cases: list[Case]) -> list[str]:
    """The tests whose outcome on the right code changed with the order they ran in."""
    by_test: dict[str, set[str]] = {}
    for case in cases:
        if case.variant == "right":
            by_test.setdefault(case.test, set()).add(case.outcome)
    return [f"{test} passed in one order and failed in the other: it depends on what an earlier test left behind."
            for test, outcomes in by_test.items() if len(outcomes) > 1]


ENDED_IN_WORDS = {"error": "ended in an error", "skipped": "was skipped"}  # "failed" reads as it is


def judge(exercise: Exercise, source: str, cases: list[Case], output: str = "") -> Verdict:
    """Pass only if the file keeps the rules, every test passes on the right code and every bug is caught."""
    facts = read_facts(source)
    if facts.syntax_error:
        return Verdict("failed", "FAIL: Python cannot read your file; fix this first:", [facts.syntax_error])
    rules = [reason for rule in exercise.rules for reason in rule(facts)]
    tests = [case for case in cases if case.test.startswith("test")]
    if not tests or len(tests) < len(cases):
        errors = [line[1:].strip() for line in output.splitlines() if line.startswith("E ")]
        if errors or tests:
            return Verdict("failed", "FAIL: pytest could not load your file; fix this first:", errors[-4:] + rules,
                           tests)
        return Verdict("failed", "FAIL: no test found: write a function whose name starts with test_.", rules)
    if exercise.two_orders and (changed := order_reasons(tests)):
        return Verdict("failed", "FAIL: the outcome depends on the order the tests run in.", changed + rules, tests)
    broken = [case for case in tests if case.variant in ("right", "") and case.outcome != "passed"]
    if broken:
        reasons = [f"{case.test} {ENDED_IN_WORDS.get(case.outcome, case.outcome)} on the right code: "
                   f"{case.message or 'no message'}" for case in broken]
        return Verdict("failed", "FAIL: your tests fail against the right code, where the rule holds.",
                       list(dict.fromkeys(reasons)) + rules, tests)
    missed = {bug.name for bug in exercise.bugs
              if not any(case.variant == bug.name and case.outcome in ("failed", "error") for case in tests)}
    reasons = rules + [f"Your tests all passed against {bug.flaw}; to catch it, {bug.catch_it}."
                       for bug in exercise.bugs if bug.name in missed]
    if len({case.test for case in tests}) < exercise.min_tests:
        reasons.append(f"Keep {exercise.min_tests} tests or more.")
    if reasons:
        headline = ("FAIL: a buggy version passed your tests." if missed
                    else "FAIL: your file breaks a rule of the exercise.")
        return Verdict("failed", headline, reasons, tests, missed)
    return Verdict("passed", "PASS: every test passes on the right code and every buggy version is caught.",
                   [], tests, set())


def server_env(roles: dict[str, RunningService]) -> dict[str, str]:
    """What the plugin needs to know of the checker's servers (their URLs; how to freeze Redis)."""
    env = {}
    if "postgres" in roles:
        env[plugin.ENV_POSTGRES] = roles["postgres"].settings.url
    if "redis" in roles:
        redis = roles["redis"]
        env[plugin.ENV_REDIS] = redis.settings.url
        pid = getattr(redis, "pid", None)
        env[plugin.ENV_FREEZE] = f"pid:{pid}" if getattr(redis, "engine", "") == "embedded" and pid \
            else f"docker:{redis.container_id}"
    return env


def check(exercise: Exercise, lab, path: Path | None = None) -> Verdict:
    """Check the learner's file (or `path`) with the servers of `lab` (a lab.course.context.Lab)."""
    path = path or exercise.file
    started = time.perf_counter()
    if not path.exists():
        return Verdict("failed", f"FAIL: {path.name} is missing: `python3 workshop.py --reset-exercise "
                                 f"{exercise.number}` puts the starter back.")
    if exercise.needs_docker and not lab.has_docker():
        return Verdict("needs docker", f"Needs Docker: exercise {exercise.number} starts containers itself and this "
                                       "run has none; start Docker (Docker Desktop, or `sudo systemctl start docker`) "
                                       f"and run `python3 workshop.py --exercise {exercise.number}` again.")
    roles = {role: getattr(lab, role)() for role in exercise.servers}
    try:
        cases, output = run_all(exercise, path, server_env(roles))
    except subprocess.TimeoutExpired:
        return Verdict("failed", f"FAIL: your tests did not finish within {RUN_TIMEOUT:g} s: look for a loop or "
                                 "a wait that never ends.")
    verdict = judge(exercise, path.read_text(), cases, output)
    verdict.seconds = time.perf_counter() - started
    return verdict
