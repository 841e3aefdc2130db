"""A test file whose run crashes half-way, run by test_pytest_run.py (its name keeps the suite from collecting it)."""

import os
import signal


def test_before_the_crash():
    assert True


def test_the_crash():
    os.kill(os.getpid(), signal.SIGKILL)
