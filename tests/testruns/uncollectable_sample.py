"""A test file that fails to collect, run by test_pytest_run.py (its name keeps the suite from collecting it)."""

raise RuntimeError("this file fails to collect on purpose")
