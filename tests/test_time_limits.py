"""No test can hang the suite: pytest-timeout's limit, set in pyproject.toml, fails it and the run goes on."""

import subprocess
import sys

import pytest

from lab.paths import ROOT


def test_every_test_has_a_time_limit_unless_it_names_a_longer_one(pytestconfig):
    assert float(pytestconfig.getini("timeout")) == 60


@pytest.mark.slow
def test_a_test_that_hangs_fails_at_its_limit_and_the_run_ends():
    run = subprocess.run([sys.executable, "-m", "pytest", "tests/hanging_sample.py", "-o", "timeout=2", "-q", "-p", "no:cacheprovider"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)

    assert run.returncode == 1, run.stdout + run.stderr
    assert "Timeout (>2.0s) from pytest-timeout" in run.stdout
    assert "1 failed" in run.stdout
