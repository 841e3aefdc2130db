"""The course end to end with an injected console and input, on the session's real containers."""

import json
import re
import shutil
import uuid

import docker
import pytest

from lab.course import checker
from lab.course.context import Lab
from lab.course.registry import LESSONS
from lab.course.runner import run_workshop
from lab.servers.containers import DockerEngine, our_labels
from lab.testruns.pytest_run import TestOutcome

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(180)]


def fake_suite_runs(calls):
    """Stands in for the pytest subprocess in lessons 1 and 3: fantasy always green, reality red on the buggy app."""

    def run_tests(path, target="real", extra_env=None):
        calls.append((path, target))
        failing = "reality" in path and target == "naive"
        return [TestOutcome(f"test_{n}", "failed" if failing else "passed", 0.01) for n in range(8)]

    return run_tests


class Learner:
    """Input as a person at an 80x24 terminal gives it: Enter at every question, q at the hands-on menu."""

    def __init__(self, screen) -> None:
        self.screen = screen

    def readline(self) -> str:
        return "q\n" if self.screen.text.rstrip().endswith("uit lesson >") else "\n"

    def isatty(self) -> bool:
        return False


PROMPTS = ("Press Enter", "Enter for lesson", "uit lesson >")
ROWS = 24


def longest_page(text: str) -> int:
    """The most lines printed between two questions: what scrolls by before the learner can read it."""
    pages, lines = [], 0
    for line in text.splitlines():
        lines += 1
        if any(prompt in line for prompt in PROMPTS):
            pages.append(lines)
            lines = 0
    return max(pages + [lines])


def test_the_whole_course_at_80_columns_pauses_between_parts_and_cuts_no_name(screen, lab, progress):
    calls, figures = [], {}

    code = run_workshop(screen.console, Learner(screen), interactive=True, progress=progress, lab=lab,
                        run_tests=fake_suite_runs(calls), measurements=figures)

    assert code == 0, screen.text
    for item in LESSONS:
        assert f"Lesson {item.number} of {len(LESSONS)}: {item.title}" in screen.text
    exercise = next(item.number for item in LESSONS if item.exercise)  # quit at its menu before a pass
    assert json.loads(progress.path.read_text())["completed"] == [item.number for item in LESSONS if item.number != exercise]
    assert f"Next: lesson {exercise}, " in screen.flat and "That was every lesson" not in screen.flat
    assert sorted(calls) == sorted({(p, t) for p in ("tests/test_fantasy.py", "tests/test_reality.py") for t in ("real", "naive")})
    flat = screen.flat
    assert "created" in flat and "dev.tcmagic.*" in flat and "ready │ answered SELECT 1" in flat  # lesson 2's view
    assert "PostgreSQL is up in" in flat and "SQLSTATE 23505" in flat
    (ready,) = re.findall(r"│\s+(\d+\.\d\d) │ ready", screen.text)  # lesson 2's table and sentence agree
    assert f"PostgreSQL is up in {ready} s" in flat and f"{figures['postgres_start']:.2f}" == ready
    skipped = {name: after for name, (_, after) in figures["mishaps"].items()}                    # lesson 6
    assert skipped["TRUNCATE"].next_test_finds == 10 and skipped["schema per test"].schemas_left == 1
    assert re.search(r"TRUNCATE\s+│\s+0 │\s+0 │\s+10 │\s+10 │", screen.text)
    assert 0 < figures["flaky_passed"] < 20 and figures["fixed_passed"] == 20                  # lesson 7
    assert f"passed {figures['flaky_passed']} of 20" in flat and "That is a flaky test" in flat
    assert "allowed, degraded (failed open)" in flat and "refused (limit)" in flat              # lesson 8
    assert "Still waiting after 4 s" in flat and "still waiting after 2 s" in flat               # lesson 9
    assert "let the vote through, marked degraded" in flat
    assert f"Lesson {exercise} is not done until your tests pass its check" in flat
    assert "…" not in screen.text
    assert longest_page(screen.text) < ROWS, screen.text
    assert lab._started == []
    assert "Traceback" not in screen.text


def test_auto_runs_the_hands_on_check_once_and_never_waits(course, screen, lab, progress):
    code = course(auto=True, number=4, lab=lab)

    assert code == 0
    assert "FAIL: a broken table passed your tests" in screen.flat
    assert "✗ missed" in screen.text and "Enter" not in screen.text
    assert "Lesson 4 is not done until your tests pass its check" in screen.flat
    assert 4 not in progress.completed and not progress.exercise_passed
    course(list_only=True)
    assert "✓" not in next(line for line in screen.text.splitlines()[::-1] if "Hands-on" in line)


def test_quitting_the_hands_on_menu_before_a_pass_leaves_the_lesson_to_do(course, screen, lab, progress):
    code = course("q\n", number=4, lab=lab)

    assert code == 0
    assert "Lesson 4 is not done until your tests pass its check" in screen.flat
    assert 4 not in progress.completed


def test_a_replay_after_a_pass_says_done_only_after_a_check_that_passes(course, screen, lab, progress, tmp_path):
    progress.pass_exercise()
    exercise = tmp_path / "test_sku_uniqueness.py"
    shutil.copy(checker.EXERCISE, exercise)

    code = course("c\nq\n", number=4, lab=lab, exercise=exercise)

    assert code == 0
    assert "FAIL: a broken table passed your tests" in screen.flat
    assert "Done. Press s" not in screen.flat


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
    assert flat.index("FAIL: a broken table passed your tests") < flat.index("Hint 1 of 5")
    assert "The solution opens once your own tests pass." in flat
    assert flat.index("Watching") < flat.index("PASS: all pass on the correct table")
    assert "def test_the_same_sku_twice_is_refused_by_the_database(catalog):" in screen.text
    assert flat.index("PASS: all pass on the correct table") < flat.index("Done. Press s")
    assert flat.count("Done. Press s") == 1  # after the watch's pass, not after the first check's FAIL
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


def test_input_that_ends_at_the_hands_on_menu_checks_once_and_moves_on(course, screen, lab, progress):
    code = course("h\n", number=4, lab=lab)

    assert code == 0
    assert screen.flat.index("Hint 1 of 5") < screen.flat.index("FAIL: a broken table passed your tests")
    assert screen.flat.count("FAIL: a broken table passed your tests") == 1
    assert 4 not in progress.completed  # it failed: the lesson waits for a run that passes


def test_the_starters_check_fits_one_80x24_screen_between_two_questions(course, screen, lab):
    code = course("c\nq\n", number=4, lab=lab)

    assert code == 0 and "FAIL: a broken table passed your tests" in screen.flat
    assert screen.flat.count("Missed ") == 4  # every buggy table is named, with how to catch it
    assert longest_page(screen.text) < ROWS, screen.text
