"""Runs a test file in a subprocess and reports each test's outcome and duration.

The proof test uses it to show that reality catches the naive app and fantasy doesn't;
the show's test-comparison stage streams the same results to the projector.
"""

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TestOutcome:
    """One test's name, how it ended (passed, failed, error, skipped) and its seconds."""

    __test__ = False  # not a pytest test class

    name: str
    outcome: str
    seconds: float


def parse_junit(xml_text: str) -> list[TestOutcome]:
    """The outcomes in a JUnit XML report, in the order the tests ran."""
    outcomes = []
    for case in ElementTree.fromstring(xml_text).iter("testcase"):
        ended = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        outcomes.append(TestOutcome(case.get("name", "?"), {"failure": "failed"}.get(ended, ended), float(case.get("time", 0))))
    return outcomes


def run_test_file(path: str, target: str = "real", extra_env: dict | None = None, timeout: float = 300) -> list[TestOutcome]:
    """Run one test file with pytest against `target` and return every test's outcome."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        env = {**os.environ, **(extra_env or {})}
        subprocess.run(
            [sys.executable, "-m", "pytest", path, f"--target={target}", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
        return parse_junit(report.read_text()) if report.exists() else []
