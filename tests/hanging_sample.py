"""A test that never ends, run by test_time_limits.py (its name keeps the suite from collecting it)."""

import threading


def test_waits_forever():
    threading.Event().wait()
