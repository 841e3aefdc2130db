"""The course end to end with an injected console and input, on the session's real containers."""

import json
import re
import shutil
import uuid

import docker
import pytest

from lab.servers.containers import DockerEngine, our_labels
from lab.course import checker
from lab.course.context import Lab
from lab.course.registry import LESSONS
from lab.testruns.pytest_run import TestOutcome

pytestmark = pytest.mark.docker


def fake_suite_runs(calls):
    """Stands in for the pytest subprocess in lessons 1 and 3: fantasy always green, reality red on the buggy app."""

    def run_tests(path, target="real", extra_env=None):
        calls.append((path, target))
        failing = "reality" in path and target == "naive"
        return [TestOutcome(f"test_{n}", "failed" if failing else "passed", 0.01) for n in range(8)]

    return run_tests


def test_auto_runs_every_lesson_saves_progress_and_removes_what_it_started(course, screen, lab, progress):
    calls = []

    code = course(auto=True, lab=lab, run_tests=fake_suite_runs(calls))

    assert code == 0, screen.text
    for item in LESSONS:
        assert f"Lesson {item.number} of {len(LESSONS)}: {item.title}" in screen.text
    assert json.loads(progress.path.read_text())["completed"] == [item.number for item in LESSONS]
    assert sorted(calls) == sorted({(p, t) for p in ("tests/test_fantasy.py", "tests/test_reality.py") for t in ("real", "naive")})
    flat = screen.flat
    assert "PostgreSQL is up in" in flat and "SQLSTATE 23505" in flat          # lesson 2, a fresh container
    assert "FAIL: a broken table passed your tests" in flat       # lesson 4, the starter file
    assert "Rows left behind: ROLLBACK 0, TRUNCATE 0." in flat                # lesson 6
    assert re.search(r"wait_for\(condition\)\s+│\s+10 of 10", screen.text)     # lesson 7
    assert "allowed, degraded (failed open)" in flat and "refused (limit)" in flat  # lesson 8
    assert lab._started == []
    assert "Traceback" not in screen.text


def test_a_learner_checks_asks_for_a_hint_is_refused_the_solution_then_watches_until_it_passes(
        course, screen, lab, progress, tmp_path):
    exercise = tmp_path / "test_sku_uniqueness.py"
    shutil.copy(checker.EXERCISE, exercise)
    saved = []

    def learner_saves_the_solution(_interval):
        if not saved:
            shutil.copy(checker.SOLUTION, exercise)
            saved.append(True)

    code = course("c\nh\ns\nw\ns\nq\n", number=4, lab=lab, exercise=exercise, sleep=learner_saves_the_solution)

    flat = screen.flat
    assert code == 0
    assert flat.index("FAIL: a broken table passed your tests") < flat.index("Hint 1 of 3")
    assert "The solution opens once your own tests pass." in flat
    assert flat.index("Watching") < flat.index("PASS: green on the correct table")
    assert "def test_the_same_sku_twice_is_refused_by_the_database(catalog):" in screen.text
    assert progress.exercise_passed and 4 in progress.completed


def test_the_problem_lesson_runs_the_real_fantasy_tests_and_shows_the_duplicates(course, screen, lab):
    code = course(auto=True, number=1, lab=lab)

    assert code == 0, screen.text
    assert "8 passed, 0 failed" in screen.flat
    assert re.search(r"phone-2\s+│\s+20\s+│\s+1", screen.text)


def test_closing_the_course_also_removes_a_container_whose_start_was_interrupted(screen):
    """Ctrl-C during a start leaves a container the course never got hold of; its labels still find it."""
    engine = DockerEngine(purpose="workshop", run_id=f"course-{uuid.uuid4().hex[:8]}")
    lab = Lab(screen.console, engine_factory=lambda: engine, owns_engine=True)
    started = lab.start("redis")
    orphan = docker.from_env().containers.run("redis:7-alpine", detach=True, labels=our_labels("redis", "workshop", engine.run_id))

    lab.close()

    assert started.status() == "removed"
    with pytest.raises(docker.errors.NotFound):
        orphan.reload()
