"""wait_for: waiting on a condition, never sleeping for a guess (lab/waiting.py)."""

import pytest

from lab.waiting import WaitTimeout, wait_for


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_for_returns_the_first_truthy_answer():
    answers = iter([None, 0, "ready"])
    clock = Clock()

    assert wait_for(lambda: next(answers), "an answer", clock=clock, sleep=clock.sleep) == "ready"


def test_wait_for_names_what_it_waited_for_when_time_runs_out():
    clock = Clock()

    with pytest.raises(WaitTimeout, match="Timed out after 2 s waiting for Redis to expire the counter"):
        wait_for(lambda: False, "Redis to expire the counter", timeout=2, clock=clock, sleep=clock.sleep)


def test_wait_for_treats_listed_errors_as_not_yet():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("not yet")
        return True

    clock = Clock()
    assert wait_for(flaky, "a server", clock=clock, sleep=clock.sleep, ignore=(ConnectionError,))
    assert len(calls) == 3
