"""The parts of lessons 7 and 9 that need no server: strips, verdicts in words, bounded calls."""

import io
import threading
from typing import cast

import pytest
from rich.console import Console

from lab.course.lessons.common import runs_strip
from lab.course.lessons.flaky import retried, verdict_on_sleeping, verdict_on_waiting
from lab.course.lessons.slow import hang_line, proof_table
from lab.course.specimens import BackgroundCall, returns_within
from lab.waiting import wait_for


def plain(renderable) -> str:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(renderable)
    return cast(io.StringIO, console.file).getvalue().rstrip()


def test_the_strip_shows_each_run_and_the_count_so_far():
    assert plain(runs_strip("sleeping", [True, False, True], 5)) == "sleeping ✓✗✓··  2 of 3 passed so far"
    assert plain(runs_strip("waiting", [True] * 4, 4)) == "waiting ✓✓✓✓  4 of 4 passed"


def test_the_lessons_words_agree_with_the_measured_pass_rate():
    assert "That is a flaky test" in verdict_on_sleeping(9, 20) and "9 of 20" in verdict_on_sleeping(9, 20)
    assert "failed all 20 runs" in verdict_on_sleeping(0, 20) and "flaky test." not in verdict_on_sleeping(0, 20)
    assert "passed all 20 runs" in verdict_on_sleeping(20, 20)
    assert "20 of 20" in verdict_on_waiting(20, 20, 0.3) and "struggling" in verdict_on_waiting(19, 20, 0.3)


def test_a_single_retry_counts_a_pair_green_when_either_run_passed():
    assert retried([True, False, False, False, False, True, True, True]) == 3


def test_returns_within_hands_back_the_value_or_fails_for_a_call_that_hangs():
    release = threading.Event()

    assert returns_within(5, lambda: 42) == 42
    with pytest.raises(AssertionError, match="still waiting after 0.05 s"):
        returns_within(0.05, release.wait)
    release.set()


def test_a_background_call_raises_again_what_the_call_raised():
    call = BackgroundCall(lambda: 1 / 0)
    returns_within(5, call.returned)

    with pytest.raises(ZeroDivisionError):
        call.value()


def test_the_hang_counter_and_the_proof_table_say_what_happened():
    release = threading.Event()
    hung = BackgroundCall(release.wait)

    assert "no answer" in plain(hang_line(hung, 4.0))
    release.set()
    wait_for(hung.returned, "the released call to return", timeout=5)
    assert plain(hang_line(hung, 4.0)).startswith("GET without a timeout: answered after")
    table = plain(proof_table([("the app's", "passed", "degraded"), ("none", "failed", "still waiting")]))
    assert "passed" in table and "still waiting" in table
