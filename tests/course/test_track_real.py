"""Every reference solution of the exercise track passes its checker; every untouched starter fails it.

Exercises 1, 3 and 5 start containers themselves (Docker); 2, 4 and 6 run on the session's
servers, a container or an embedded process alike.
"""

import pytest
from rich.console import Console

from lab.course.context import Lab
from lab.course.track import checking
from lab.course.track.exercises import EXERCISES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

ON_SERVERS = [item for item in EXERCISES if not item.needs_docker]
IN_CONTAINERS = [item for item in EXERCISES if item.needs_docker]


@pytest.fixture
def track_lab(server_engine, postgres_service, redis_service):
    """The session's servers, handed to the checker as the course hands them."""
    lab = Lab(Console(quiet=True), engine_factory=lambda: server_engine, postgres=postgres_service, redis=redis_service)
    yield lab
    lab.close()


def judged(item, lab, path) -> checking.Verdict:
    verdict = checking.check(item, lab, path)
    assert verdict.status != "needs docker", verdict.headline
    return verdict


@pytest.mark.realdb
@pytest.mark.parametrize("item", ON_SERVERS, ids=lambda item: item.stem)
def test_solution_passes_and_starter_fails_on_real_servers(track_lab, item, redis):
    solution, starter = judged(item, track_lab, item.solution), judged(item, track_lab, item.starter)

    assert solution.passed, (solution.headline, solution.reasons)
    assert starter.status == "failed" and starter.reasons, starter.headline
    # the session's Redis is shared with the tests that run next: a check leaves no rate-limit count behind
    assert list(redis.scan_iter(match="tcmagic:ratelimit:*")) == []


@pytest.mark.docker
@pytest.mark.parametrize("item", IN_CONTAINERS, ids=lambda item: item.stem)
def test_solution_passes_and_starter_fails_with_containers_of_its_own(track_lab, item):
    solution, starter = judged(item, track_lab, item.solution), judged(item, track_lab, item.starter)

    assert solution.passed, (solution.headline, solution.reasons)
    assert starter.status == "failed" and starter.reasons, starter.headline


@pytest.mark.realdb
def test_a_solution_that_sleeps_passes_every_run_and_still_fails(track_lab, tmp_path):
    item = EXERCISES[1]
    sleeping = tmp_path / "test_2_waiting.py"
    sleeping.write_text(item.solution.read_text().replace(
        'wait_for(job.done, "the import to finish", timeout=10)', "time.sleep(1.5)").replace(
        "from lab.waiting import wait_for", "import time"))

    verdict = judged(item, track_lab, sleeping)

    assert verdict.status == "failed"
    assert any(reason.startswith("Line ") and "sleeps for a guess" in reason for reason in verdict.reasons)


@pytest.mark.realdb
def test_a_suite_that_shares_rows_is_caught_by_the_order(track_lab, tmp_path):
    item = EXERCISES[3]
    sharing = tmp_path / "test_4_isolation.py"
    sharing.write_text(item.solution.read_text().replace("connection.rollback()  #", "connection.commit()  #"))

    verdict = judged(item, track_lab, sharing)

    assert verdict.headline == "FAIL: the outcome depends on the order the tests run in."


@pytest.mark.realdb
def test_a_timeout_test_without_the_elapsed_time_misses_the_slow_client(track_lab, tmp_path):
    item = EXERCISES[5]
    half = tmp_path / "test_6_frozen_server.py"
    half.write_text(item.solution.read_text().replace("    assert elapsed < TIMEOUT_BOUND\n", ""))

    verdict = judged(item, track_lab, half)

    assert verdict.status == "failed" and verdict.missed == {"slow_timeout"}


@pytest.mark.realdb
def test_watch_passes_an_exercise_when_its_solution_is_saved_and_moves_on(track_lab, tmp_path):
    import io

    from lab.course.track.commands import Track
    from lab.course.track.state import TrackProgress, reset_exercise

    frozen, after = EXERCISES[5], EXERCISES[6]
    for item in (frozen, after):
        reset_exercise(item, tmp_path, tmp_path / "backups")
    out = io.StringIO()
    track = Track(Console(file=out, width=80, color_system=None), progress=TrackProgress(tmp_path / "track.json"),
                  lab=track_lab, folder=tmp_path)

    def save_the_solution(_seconds: float) -> None:
        frozen.file_in(tmp_path).write_text(frozen.solution.read_text())

    assert track.watch(start=6, sleep=save_the_solution, stop=lambda: 6 in track.progress.passed) == 0

    text = " ".join(out.getvalue().split())
    assert track.progress.passed == {6}
    assert text.index("FAIL: a buggy version passed your tests.") < text.index("PASS: every test passes")
    assert f"Exercise 7 of 7: {after.title}" in text
