"""The exercise track without servers: the file's facts, the judge, the hints, reset, progress and watch."""

import io

import pytest
from rich.console import Console

from lab.course.checker import TestOutcome
from lab.course.track import checking, view
from lab.course.track.checking import Case, Verdict, judge
from lab.course.track.commands import Track
from lab.course.track.exercises import EXERCISES, exercise
from lab.course.track.state import TrackProgress, reset_exercise, state_of
from lab.course.track.static import read_facts
from lab.course.track.watching import watch
from lab.errors import WorkshopError

POSTGRES_FIXTURE, WAITING, REDIS_WINDOW, ISOLATION, REDIS_FAULT, FROZEN, OUTAGE = EXERCISES


def screen() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=80, color_system=None), out


def on_all(item, test: str, *outcomes: TestOutcome, run: str = "") -> list[Case]:
    return [Case(test, variant, outcome, "", run) for variant, outcome in zip(item.variants, outcomes, strict=True)]


# --- what the file does, read with ast ---

def test_an_import_is_not_a_use_only_calls_count():
    facts = read_facts("import time\nfrom time import sleep\n\ndef test_x():\n    assert True\n")

    assert facts.sleeps == ()
    assert read_facts("import time\n\ndef test_x():\n    time.sleep(1)\n").sleeps == (4,)


def test_a_fixture_scope_and_what_it_starts_are_read_from_the_decorator_and_the_body():
    facts = read_facts(POSTGRES_FIXTURE.solution.read_text())
    starter = read_facts(POSTGRES_FIXTURE.starter.read_text())

    assert facts.fixture("postgres_connection").scope == "session"
    assert "PostgresContainer" in facts.fixture("postgres_connection").calls
    assert starter.fixture("postgres_connection").scope == "function"
    assert "PostgresContainer" not in starter.fixture("postgres_connection").calls  # imported, never called


def test_a_file_that_does_not_parse_says_where():
    verdict = judge(WAITING, "def test_x(:\n", [])

    assert verdict.status == "failed" and verdict.reasons[0].startswith("line 1:")


# --- the judge ---

def test_every_bug_caught_and_right_code_green_passes():
    cases = on_all(WAITING, "test_a", "passed", "failed", "passed")
    cases += on_all(WAITING, "test_b", "passed", "passed", "failed")

    assert judge(WAITING, WAITING.solution.read_text(), cases).passed


def test_a_test_red_on_the_right_code_is_wrong_never_caught():
    verdict = judge(WAITING, WAITING.solution.read_text(), on_all(WAITING, "test_a", "failed", "failed", "failed"))

    assert verdict.status == "failed" and "fail against the right code" in verdict.headline
    table = view.verdict_table(WAITING, verdict)
    console, out = screen()
    console.print(table)
    assert "caught" not in out.getvalue() and "n/a" in out.getvalue()


def test_half_the_rule_is_caught_with_the_bug_it_misses():
    verdict = judge(REDIS_WINDOW, REDIS_WINDOW.solution.read_text(),
                    on_all(REDIS_WINDOW, "test_lifts", "passed", "failed", "passed", "passed"))

    assert verdict.missed == {"never_limits", "off_by_one"}
    assert any("lets every attempt through" in reason for reason in verdict.reasons)


def test_a_sleep_fails_the_check_even_when_every_case_is_right():
    source = WAITING.solution.read_text() + "\n\ndef test_more():\n    import time\n    time.sleep(2)\n"
    cases = on_all(WAITING, "test_a", "passed", "failed", "failed")

    verdict = judge(WAITING, source, cases)

    assert verdict.status == "failed" and "sleeps for a guess" in verdict.reasons[0]


def test_an_outcome_that_changes_with_the_order_fails():
    cases = [Case("test_a", "right", "passed", run="5"), Case("test_a", "right", "failed", run="5r"),
             Case("test_a", "no_unique", "failed")]

    verdict = judge(ISOLATION, ISOLATION.solution.read_text(), cases)

    assert verdict.headline == "FAIL: the outcome depends on the order the tests run in."


class NoDocker:
    """A course lab on the embedded engine."""

    def has_docker(self) -> bool:
        return False


def test_without_docker_a_container_exercise_is_skipped_never_passed():
    verdict = checking.check(POSTGRES_FIXTURE, NoDocker(), POSTGRES_FIXTURE.starter)

    assert verdict.status == "needs docker" and not verdict.passed
    assert "Needs Docker" in verdict.headline and "start Docker" in verdict.headline


# --- hints follow the file ---

def hint_numbers(item, source: str, verdict: Verdict | None = None) -> list[int]:
    facts = read_facts(source)
    return [n for n, hint in enumerate(item.hints, start=1) if hint.applies(facts, verdict.missed if verdict else None)]


def test_the_waiting_hints_follow_what_the_file_does():
    starter = WAITING.starter.read_text()
    no_sleep = starter.replace("time.sleep(0.5)", "wait_for(job.done, 'done', timeout=10)")

    assert hint_numbers(WAITING, starter)[0] == 1  # it sleeps
    assert 1 not in hint_numbers(WAITING, no_sleep)


def test_the_container_hints_follow_the_fixture():
    starter = POSTGRES_FIXTURE.starter.read_text()
    solution = POSTGRES_FIXTURE.solution.read_text()
    caught_all = Verdict("failed", "", missed=set())

    assert hint_numbers(POSTGRES_FIXTURE, starter)[:2] == [1, 2]
    assert hint_numbers(POSTGRES_FIXTURE, solution, caught_all) == []


def test_a_hint_is_numbered_and_the_next_one_comes_next():
    facts, shown = read_facts(WAITING.starter.read_text()), set()
    failed = Verdict("failed", "", missed=None)

    first = view.next_hint(WAITING, facts, failed, shown).plain
    second = view.next_hint(WAITING, facts, failed, shown).plain

    assert first.startswith("Hint 1 of 3") and second.startswith("Hint 2 of 3")


def test_every_exercise_has_three_hints_a_why_and_its_files():
    for item in EXERCISES:
        assert len(item.hints) == 3 and f"Lesson {item.lesson}" in item.why
        assert item.starter.exists() and item.solution.exists()


# --- progress and reset ---

def test_reset_puts_the_starter_back_and_keeps_the_learners_file(tmp_path):
    folder, backups = tmp_path / "exercises", tmp_path / "backups"
    folder.mkdir()
    mine = WAITING.file_in(folder)
    mine.write_text("# my work\n")

    backup = reset_exercise(WAITING, folder, backups)

    assert mine.read_text() == WAITING.starter.read_text()
    assert backup.parent == backups and backup.read_text() == "# my work\n"
    assert reset_exercise(WAITING, folder, backups) is None  # nothing of the learner's to keep


def test_an_exercise_is_done_only_when_it_passed(tmp_path):
    progress = TrackProgress(tmp_path / "track.json")
    folder = tmp_path / "exercises"
    reset_exercise(WAITING, folder, tmp_path / "b")

    assert state_of(WAITING, progress, folder) == "not started"
    progress.pass_exercise(2)
    assert TrackProgress(tmp_path / "track.json").passed == {2}
    assert state_of(WAITING, TrackProgress(tmp_path / "track.json"), folder) == "passed"


def test_there_is_no_exercise_eight():
    with pytest.raises(WorkshopError, match="pick one from 1 to 7"):
        exercise(8)


# --- watch ---

def test_watch_rechecks_on_save_and_moves_on_when_it_passes(tmp_path):
    progress = TrackProgress(tmp_path / "track.json")
    files = {item.number: tmp_path / f"{item.stem}.py" for item in EXERCISES}
    for file in files.values():
        file.write_text("# starter\n")
    checked: list[int] = []
    polls: list[float] = []

    def check(item):
        checked.append(item.number)
        passed = files[item.number].read_text() == "# solved\n" or item.number > 2
        return Verdict("passed" if passed else "failed", "")

    def save_a_solution(seconds):
        polls.append(seconds)
        files[1].write_text("# solved\n")  # the learner saves while the loop sleeps

    skipped = watch(EXERCISES, progress, start=1, file_of=lambda item: files[item.number], check=check,
                    introduce=lambda item: None, report=lambda item, verdict: None, sleep=save_a_solution,
                    stop=lambda: len(polls) >= 5)

    assert checked == [1, 1, 2] and skipped == []  # exercise 2's file never changed: checked once
    assert 1 in progress.passed and 2 not in progress.passed


def test_watch_skips_what_needs_docker_and_says_so(tmp_path):
    console, out = screen()
    track = Track(console, progress=TrackProgress(tmp_path / "track.json"), lab=NoDocker(), folder=tmp_path)
    for item in EXERCISES:
        reset_exercise(item, tmp_path, tmp_path / "b")
    track.check_one = lambda item: (Verdict("needs docker", "Needs Docker.") if item.needs_docker
                                    else Verdict("passed", "PASS."))

    assert track.watch() == 0

    text = " ".join(out.getvalue().split())
    assert "Exercises 1, 3, 5, 7 need Docker and were skipped, not passed" in text
    assert track.progress.passed == {2, 4, 6}


def test_the_list_shows_each_exercise_and_its_state(tmp_path):
    console, out = screen()
    progress = TrackProgress(tmp_path / "track.json")
    progress.pass_exercise(4)
    Track(console, progress=progress, lab=NoDocker(), folder=tmp_path).list()

    rows = {line.split("│")[1].strip(): line for line in out.getvalue().splitlines() if line[:3].strip("│ ").isdigit()}
    assert "file missing" in rows["1"] and "Docker" in rows["1"]
    assert "passed" in rows["4"] and "Docker" not in rows["4"]
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80


def test_the_committed_exercise_files_are_the_starters_reset_restores():
    """exercises/ in the repository holds the same text as lab/course/track/starters/ (a learner's edits aside)."""
    import shutil
    import subprocess

    from lab.paths import ROOT

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the committed files cannot be read")
    for item in EXERCISES:
        committed = subprocess.run(["git", "show", f"HEAD:exercises/{item.stem}.py"], cwd=ROOT, capture_output=True,
                                   text=True, check=True).stdout
        assert committed == item.starter.read_text(), item.stem


def test_workshop_takes_the_track_flags():
    from workshop import parse_args

    args = parse_args(["--watch", "--exercise", "4"])
    assert args.watch and args.exercise == 4
    assert parse_args(["--reset-exercise", "2"]).reset_exercise == 2 and parse_args(["--exercises"]).exercises


@pytest.mark.parametrize("item", EXERCISES, ids=lambda item: item.stem)
def test_no_hint_applies_to_the_solution_and_the_first_applies_to_the_starter(item):
    solution, starter = read_facts(item.solution.read_text()), read_facts(item.starter.read_text())

    assert [hint for hint in item.hints if hint.applies(solution, set())] == []
    assert item.hints[0].applies(starter, None) or item.hints[1].applies(starter, None)


def test_a_test_that_errors_on_the_right_code_is_said_in_words():
    cases = [Case("test_a", "right", "error", 'failed on setup with "Failed: TODO"')]
    cases += [Case("test_b", "right", "skipped", "")]

    reasons = judge(WAITING, WAITING.solution.read_text(), cases).reasons

    assert 'test_a ended in an error on the right code: failed on setup with "Failed: TODO"' in reasons
    assert "test_b was skipped on the right code: no message" in reasons


def test_without_docker_the_tracks_one_line_speaks_of_exercises_not_lessons():
    from types import SimpleNamespace

    from lab.servers.engines import fallback_announcement

    engine = SimpleNamespace(purpose="exercise", describe=lambda: "embedded PostgreSQL and Redis processes")

    line = fallback_announcement(engine)

    assert "lessons" not in line and "exercises that start containers themselves need Docker" in line
