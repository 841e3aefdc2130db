"""Lesson 7's flaky test is flaky by chance, not by this machine's rhythm: measured on a real Redis."""

import functools
import io
import time

import pytest

from lab.course import specimens
from lab.course.context import Lab, LessonContext, Prompter
from lab.course.lessons import flaky
from lab.course.progress import Progress

SLOWER_MACHINES = [0.0, 0.05]  # extra seconds per run: 0.05 made every run meet the sweep at one phase


@pytest.fixture
def lesson_ctx(screen, tmp_path):
    console = screen.console
    return LessonContext(console, Prompter(console, io.StringIO(), auto=True), Lab(console), Progress(tmp_path / "p.json"))


@pytest.fixture
def lesson_client(redis_settings):
    client = flaky.lesson_client(redis_settings)
    yield client
    client.flushdb()
    client.close()


def on_a_slower_machine(test, extra: float):
    """`test` as it runs on a machine that spends `extra` seconds more on every run (before the test's own work)."""

    @functools.wraps(test)
    def slower(client) -> None:
        time.sleep(extra)  # stands for a slower machine, not a wait for a condition
        test(client)

    return slower


@pytest.mark.slow
@pytest.mark.realdb
@pytest.mark.parametrize("extra", SLOWER_MACHINES)
def test_the_sleeping_test_passes_some_but_not_most_or_few_runs_at_any_speed(lesson_ctx, lesson_client, extra):
    results = flaky.repeat(lesson_ctx, lesson_client,
                           on_a_slower_machine(specimens.test_the_counter_is_gone_after_the_window_sleeping, extra))

    assert 4 < sum(results) < 16, results


@pytest.mark.slow
@pytest.mark.realdb
@pytest.mark.parametrize("extra", SLOWER_MACHINES)
def test_the_waiting_test_passes_every_run_at_any_speed(lesson_ctx, lesson_client, extra):
    results = flaky.repeat(lesson_ctx, lesson_client,
                           on_a_slower_machine(specimens.test_the_counter_is_gone_after_the_window_waiting, extra))

    assert sum(results) == flaky.RUNS


def test_the_runs_start_once_in_each_slice_of_the_sweep_cycle_in_random_order():
    import random

    moments = flaky.random_moments(20, random.Random(7))
    slices = sorted(int(moment // (flaky.SWEEP / 20)) for moment in moments)

    assert slices == list(range(20))
    assert moments != sorted(moments)  # the order is chance too
    assert all(0 <= moment < flaky.SWEEP for moment in moments)


def test_a_run_starts_at_its_moment_of_the_cycle_whatever_the_clock_reads_now():
    waits: list[float] = []

    flaky.start_at(0.03, clock=lambda: 12.34, sleep=waits.append)  # 12.34 is 0.04 into its cycle

    assert waits == [pytest.approx(0.09)]  # to 12.43: 0.03 into the next cycle
