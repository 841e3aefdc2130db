"""The show's clocks (lab/web/clock.py): waiting until started, pausable, back to zero on reset."""

import pytest

from lab.show.clock import PAUSED, RUNNING, WAITING, ShowClock


class FakeTime:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def time():
    return FakeTime()


@pytest.fixture
def clock(time):
    return ShowClock(time)


def test_the_clocks_wait_at_zero_until_the_presenter_starts_them(clock, time):
    time.now += 34  # the dashboard was open half a minute before the talk

    assert clock.state == WAITING and clock.show_elapsed() == 0 and clock.stage_elapsed() == 0

    clock.run()
    time.now += 5

    assert clock.state == RUNNING and clock.show_elapsed() == 5


def test_pausing_stops_both_clocks_and_a_new_stage_starts_its_own_from_zero(clock, time):
    clock.run()
    time.now += 10
    clock.new_stage()
    time.now += 3
    clock.pause()
    time.now += 60  # a question from the room

    assert clock.state == PAUSED and (clock.show_elapsed(), clock.stage_elapsed()) == (13, 3)

    clock.run()
    time.now += 2

    assert (clock.show_elapsed(), clock.stage_elapsed()) == (15, 5)


def test_a_reset_puts_both_clocks_back_to_zero_and_waiting(clock, time):
    clock.run()
    time.now += 200
    clock.new_stage()

    clock.reset()
    time.now += 20

    assert clock.state == WAITING and (clock.show_elapsed(), clock.stage_elapsed()) == (0, 0)
