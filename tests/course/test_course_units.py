"""The course without Docker: progress, prompts, the lesson list, and the tables lessons build."""

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
from typing import cast

import pytest
from rich.console import Console

from lab.course.checker import CaseResult, Verdict
from lab.course.context import Prompter
from lab.course.lessons import handson
from lab.course.lessons.common import SuiteRun
from lab.course.lessons.isolation import strategies_table
from lab.course.lessons.scopes import fixture_source, scope_table
from lab.course.lessons.side_by_side import FANTASY, REALITY, comparison_table, verdict
from lab.course.registry import LESSONS, lesson
from lab.course.runner import _remaining
from lab.errors import WorkshopError
from lab.testruns.pytest_run import ROOT, TestOutcome


def render(renderable) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(renderable)
    return cast(io.StringIO, console.file).getvalue()


def test_progress_survives_a_restart_and_reset_forgets_it(progress):
    progress.complete(2)
    progress.pass_exercise()

    again = type(progress)(progress.path)

    assert again.completed == {2} and again.exercise_passed
    assert again.next_lesson([1, 2, 3]) == 1
    again.reset()
    assert not progress.path.exists()


def test_an_unreadable_progress_file_starts_over_instead_of_crashing(progress, course, screen):
    progress.path.write_text("{half a file")

    code = course(list_only=True, progress=type(progress)(progress.path))

    assert code == 0
    assert "could not be read, so the course starts over" in screen.flat


def test_the_prompter_takes_the_default_at_end_of_input_and_never_asks_again(screen):
    prompt = Prompter(screen.console, io.StringIO("h\n"))

    assert prompt.ask("first?", default="c") == "h"
    assert prompt.ask("second?", default="c") == "c"
    assert prompt.auto


def test_list_shows_every_lesson_and_what_is_done(course, screen, progress):
    progress.complete(1)

    assert course(list_only=True) == 0

    for item in LESSONS:
        assert item.title in screen.text
    assert "✓" in screen.text


def test_the_list_marks_the_passed_exercise_on_the_lesson_that_holds_it(course, screen, progress):
    progress.pass_exercise()

    course(list_only=True)

    (exercise,) = [item for item in LESSONS if item.exercise]
    row = next(line for line in screen.text.splitlines() if "exercise passed" in line)
    assert exercise.title in row and f" {exercise.number} " in row


def test_the_last_lesson_suggests_a_dry_run_before_cleaning_up(course, screen, progress, monkeypatch):
    for item in LESSONS[:-1]:
        progress.complete(item.number)
    progress.pass_exercise()
    quiet_last = dataclasses.replace(LESSONS[-1], run=lambda ctx: None)  # only the ending is under test here
    monkeypatch.setattr("lab.course.runner.LESSONS", LESSONS[:-1] + [quiet_last])

    assert course(auto=True) == 0

    assert "`python3 cleanup.py --dry-run`, then run `python3 cleanup.py`" in screen.flat


def test_every_lesson_heading_fits_an_80_column_terminal(course, screen):
    for item in LESSONS:
        heading = f"Lesson {item.number} of {len(LESSONS)}: {item.title} (about {item.minutes} min)"
        assert len(heading) <= 76, heading  # the rule around it needs a few columns


def test_reset_clears_progress(course, screen, progress):
    progress.complete(1)

    assert course(reset=True) == 0

    assert "Progress cleared" in screen.text
    assert not progress.path.exists()


@pytest.mark.parametrize("number", [99, 0, -1])
def test_an_unknown_lesson_is_one_sentence_and_exit_2(course, screen, number):
    assert course(number=number) == 2
    assert screen.text.strip() == (f"There is no lesson {number}: pick one from 1 to {len(LESSONS)} "
                                   "(see `python3 workshop.py --list`).")
    with pytest.raises(WorkshopError):
        lesson(number)


def test_when_every_lesson_is_done_the_course_says_so(course, screen, progress):
    for item in LESSONS:
        progress.complete(item.number)
    progress.pass_exercise()

    assert course() == 0
    assert "You have finished every lesson" in screen.text


EXERCISE = next(item for item in LESSONS if item.exercise)


def test_the_hands_on_is_not_done_until_its_exercise_passed(course, screen, progress):
    """A progress file that says lesson 4 ran (an older course marked it done on q or a failed --auto)."""
    for item in LESSONS:
        progress.complete(item.number)

    assert course(list_only=True) == 0
    row = next(line for line in screen.text.splitlines() if EXERCISE.title in line)
    assert "✓" not in row
    assert [item.number for item in _remaining(progress)] == [EXERCISE.number]


def test_leaving_the_hands_on_before_it_passed_keeps_it_on_the_list(course, screen, progress, monkeypatch):
    """What `q` at the exercise menu and a failed `--auto` check do: the lesson returns without a pass."""
    for item in LESSONS:
        if not item.exercise:
            progress.complete(item.number)
    left_early = dataclasses.replace(EXERCISE, run=lambda ctx: None)
    monkeypatch.setattr("lab.course.runner.LESSONS", [left_early if item.exercise else item for item in LESSONS])

    assert course(auto=True) == 0

    flat = screen.flat
    assert "1 lesson to go" in flat
    assert f"Lesson {EXERCISE.number} is not done until your tests pass its check" in flat
    assert f"Next: lesson {EXERCISE.number}, {EXERCISE.title}" in flat
    assert "That was every lesson" not in flat and EXERCISE.number not in progress.completed


def test_the_hands_on_is_done_once_its_exercise_passed(course, screen, progress, monkeypatch):
    passing = dataclasses.replace(EXERCISE, run=lambda ctx: ctx.progress.pass_exercise())
    monkeypatch.setattr("lab.course.runner.lesson", lambda number: passing)

    assert course(auto=True, number=EXERCISE.number) == 0

    assert EXERCISE.number in progress.completed and "is not done" not in screen.flat


def test_without_a_terminal_the_script_runs_as_auto_and_never_waits():
    """stdin is /dev/null here: the course must not block on a prompt (a lesson that fails fast proves it)."""
    run = subprocess.run([sys.executable, "workshop.py", "--lesson", "99"], cwd=ROOT, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60, check=False)

    assert run.returncode == 2
    assert "Traceback" not in run.stderr


def outcomes(*states: str) -> list[TestOutcome]:
    return [TestOutcome(f"test_{n}", state, 0.01 * (n + 1)) for n, state in enumerate(states)]


def test_the_comparison_table_shows_the_measured_figures():
    runs = {
        (FANTASY, "real"): SuiteRun(FANTASY, "real", outcomes("passed", "passed"), 0.5),
        (FANTASY, "naive"): SuiteRun(FANTASY, "naive", outcomes("passed", "passed"), 0.4),
        (REALITY, "real"): SuiteRun(REALITY, "real", outcomes("passed", "passed"), 3.5),
        (REALITY, "naive"): SuiteRun(REALITY, "naive", outcomes("failed", "failed"), 3.0),
    }

    text = render(comparison_table(runs, postgres_start=1.25))

    assert "bugs caught in the buggy app" in text and "0 of 2" in text and "2 of 2" in text
    assert "3.5 s" in text and "1.25 s" in text
    assert verdict(runs) == "Real containers cost +3.0 s for the whole suite and caught 2 more bugs than the mocks."


def test_the_scope_and_isolation_tables_do_their_sums():
    scopes = render(scope_table(start_seconds=1.5, connect_ms=5.0, tests=100))
    isolation = render(strategies_table({"ROLLBACK": 2.0, "TRUNCATE": 3.0, "schema per test": 9.0, "new container": 1800.0}))

    assert "150 s" in scopes and "2.0 s" in scopes
    assert (isolation.index("new container") < isolation.index("schema per test") < isolation.index("TRUNCATE")
            < isolation.index("ROLLBACK"))
    assert "1,800.0" in isolation and "can't test" in isolation and "server-wide state" in isolation


def test_the_scopes_lesson_shows_this_projects_own_fixtures():
    assert fixture_source("tests/conftest.py", "postgres_service").startswith('@pytest.fixture(scope="session")')


TABLES = ("correct", "no_unique", "case_sensitive", "lower_only", "trim_only")


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("│")[2:7]]


def test_the_verdict_table_says_caught_or_missed_on_each_buggy_table():
    cases = [CaseResult("test_a", variant, outcome)
             for variant, outcome in zip(TABLES, ("passed", "failed", "passed", "failed", "passed"), strict=True)]

    text = render(handson.verdict_table(Verdict(False, "FAIL", [], cases)))

    row = next(line for line in text.splitlines() if "test_a" in line)
    assert cells(row) == ["✓ passed", "✓ caught", "· missed", "✓ caught", "· missed"]
    total = next(line for line in text.splitlines() if "your tests together" in line)
    assert cells(total) == ["✓ passed", "✓ caught", "✗ missed", "✓ caught", "✗ missed"]
    assert handson.mark("correct", "failed") == "[bold red]✗ failed[/]"
    assert handson.mark("no_unique", "failed") == "[green]✓ caught[/]"
    assert handson.mark("case_sensitive", "passed") == "[dim]· missed[/]"


def test_a_test_that_fails_on_the_correct_table_is_wrong_on_every_buggy_one_never_caught():
    cases = [CaseResult("test_a", variant, "failed") for variant in TABLES]

    text = render(handson.verdict_table(Verdict(False, "FAIL", [], cases)))

    row = next(line for line in text.splitlines() if "test_a" in line)
    assert cells(row) == ["✗ failed", "✗ wrong", "✗ wrong", "✗ wrong", "✗ wrong"]
    total = next(line for line in text.splitlines() if "your tests together" in line)
    assert cells(total) == ["✗ failed", "✗ missed", "✗ missed", "✗ missed", "✗ missed"]
    assert "caught" not in text


def test_one_test_that_catches_a_bug_is_enough_for_the_row_of_all_tests():
    cases = [CaseResult(name, variant, outcome) for name, outcomes in
             (("test_a", ("passed", "failed", "passed", "failed", "passed")),
              ("test_b", ("passed", "passed", "failed", "passed", "failed")))
             for variant, outcome in zip(TABLES, outcomes, strict=True)]

    text = render(handson.verdict_table(Verdict(True, "PASS", [], cases)))

    total = next(line for line in text.splitlines() if "your tests together" in line)
    assert total.count("✓ caught") == 4 and "✗" not in total


def test_at_80_columns_the_verdict_table_shows_every_test_name_whole():
    names = ["test_the_same_sku_twice_is_refused_by_the_database", "test_the_same_sku_in_other_capitals_is_refused"]
    cases = [CaseResult(name, variant, "passed") for name in names for variant in TABLES]
    console = Console(file=io.StringIO(), width=80, color_system=None)

    console.print(handson.verdict_table(Verdict(False, "FAIL", [], cases)))

    text = cast(io.StringIO, console.file).getvalue()
    assert "…" not in text
    joined = "".join(line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│"))
    assert all(name in joined for name in names)


@pytest.mark.slow
def test_the_exercise_and_its_solution_stay_out_of_the_default_test_run():
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)

    assert "tests/course/test_course_units.py" in run.stdout
    assert "exercises/" not in run.stdout and "solutions" not in run.stdout


def test_progress_json_is_plain_and_readable(progress):
    progress.complete(3)

    assert json.loads(progress.path.read_text()) == {"completed": [3], "exercise_passed": False}


def workshop(*arguments: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "workshop.py", *arguments], cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env}, check=False)


def test_check_runs_the_classroom_doctor_and_fails_when_docker_is_required_and_absent():
    run = workshop("--check", DOCKER_HOST="tcp://127.0.0.1:9", TCMAGIC_REQUIRE_DOCKER="1")

    assert run.returncode != 0
    assert re.search(r"FAIL\s+docker", run.stdout) and "Docker is not reachable" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_check_leaves_out_the_shows_port_because_the_course_serves_none(tmp_path):
    run = workshop("--check", "--engine", "embedded")

    assert "python" in run.stdout and not re.search(r"\bport\b", run.stdout), run.stdout
    assert "--port" not in workshop("--help").stdout


def test_unpack_of_a_missing_file_is_one_sentence(tmp_path):
    run = workshop("unpack", str(tmp_path / "absent.tar"))

    assert run.returncode == 1
    assert run.stdout.startswith("There is no pack at")
    assert "Traceback" not in run.stderr


def test_resuming_runs_only_the_lessons_not_done_yet(progress):
    from lab.course.runner import _remaining

    assert [item.number for item in _remaining(progress)] == [item.number for item in LESSONS]
    for item in LESSONS:
        if item.number != 2:  # lesson 2 was skipped for want of Docker
            progress.complete(item.number)
    progress.pass_exercise()

    assert [item.number for item in _remaining(progress)] == [2]


def test_every_command_the_product_prints_says_python3_as_the_readme_does():
    """`python` is Python 2 or nothing on many machines; the README says python3, so does every sentence."""
    bare = re.compile(r"(?<![\w/.-])python (?:-m |\w+\.py)")
    sources = [*ROOT.glob("*.py"), *(ROOT / "lab").rglob("*.py"), *(ROOT / "exercises").rglob("*.py")]

    offenders = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in sources
                 for match in bare.finditer(path.read_text())]

    assert offenders == []


def test_q_at_a_press_enter_pause_stops_the_course_and_keeps_the_lesson_to_do(course, screen, progress, monkeypatch):
    paused = dataclasses.replace(LESSONS[0], run=lambda ctx: ctx.prompt.pause("run them"))
    monkeypatch.setattr("lab.course.runner.LESSONS", [paused, *LESSONS[1:]])

    assert course("q\n") == 0

    assert "Press Enter to run them." in screen.text
    assert "Stopped. Progress is saved; lesson 1 is not done: `python3 workshop.py --lesson 1` starts it again." in screen.flat
    assert "Lesson 2 of" not in screen.text and progress.completed == set()


def test_help_lists_every_flag_on_one_line_at_80_columns_and_the_guide_lists_them_too():
    from workshop import parse_args

    run = workshop("--help", COLUMNS="80")
    lines = run.stdout.split("\n\n", 1)[1].splitlines()  # after the usage, which wraps as it likes
    flags = [line.split()[0] for line in lines if line.startswith("  -")]
    continued = [line for line in lines if line.startswith(" " * 8) and not line.lstrip().startswith("{")]

    assert run.returncode == 0 and continued == [], run.stdout  # no help text wraps onto a second line
    assert {"--list", "--reset", "--exercises", "--watch", "--reset-exercise", "--engine", "--fix-venv"} <= set(flags)
    assert all(len(line.split(None, 1)) == 2 for line in lines if line.startswith("  -")), run.stdout
    guide = (ROOT / "docs" / "workshop.md").read_text()
    assert [flag for flag in flags if flag != "-h," and flag not in guide] == []
    assert "--reset" in guide and "exercise track's" in guide and parse_args(["--reset"]).reset
