"""The course and the exercise track point at each other: --list, the last screen, --exercises and --reset."""

import dataclasses
import io

from rich.console import Console

from lab.course.progress import Progress
from lab.course.registry import LESSONS
from lab.course.standing import course_standing, track_standing
from lab.course.track.commands import Track
from lab.course.track.exercises import EXERCISES
from lab.course.track.state import TrackProgress, beside, reset_exercise


def flat(text: str) -> str:
    return " ".join(text.split())


def finish_every_lesson(progress: Progress) -> None:
    for item in LESSONS:
        progress.complete(item.number)
    progress.pass_exercise()


def test_the_track_stands_beside_the_course_whose_progress_it_follows(tmp_path):
    assert beside(tmp_path / "progress.json") == tmp_path / "track.json"


def test_the_tracks_sentence_counts_the_passes_and_names_the_command_that_goes_on(tmp_path):
    track = TrackProgress(tmp_path / "track.json")
    assert "0 of 7 passed" in track_standing(track)
    assert "`python3 workshop.py --watch` starts at exercise 1" in track_standing(track)

    track.pass_exercise(1)
    track.pass_exercise(2)
    assert "2 of 7 passed" in track_standing(track)
    assert "`python3 workshop.py --watch` carries on with exercise 3" in track_standing(track)

    for item in EXERCISES:
        track.pass_exercise(item.number)
    assert track_standing(track).startswith("The exercise track: all 7 exercises passed")


def test_the_courses_sentence_counts_done_lessons_and_the_hands_on_only_once_passed(tmp_path):
    progress = Progress(tmp_path / "progress.json")
    assert "0 of 9 lessons done; `python3 workshop.py` starts at lesson 1" in course_standing(progress)

    for number in (1, 2, 3, 4):
        progress.complete(number)  # lesson 4 ran, but its tests never passed
    assert "3 of 9 lessons done; `python3 workshop.py` carries on with lesson 4" in course_standing(progress)

    finish_every_lesson(progress)
    assert course_standing(progress).startswith("The course: all 9 lessons done")


def test_list_points_to_the_track_and_how_far_it_got(course, screen, tmp_path):
    TrackProgress(tmp_path / "track.json").pass_exercise(1)

    assert course(list_only=True) == 0

    assert "The exercise track, where you write the container code: 1 of 7 passed." in screen.flat
    assert "`python3 workshop.py --exercises` lists them; `python3 workshop.py --watch` carries on with exercise 2." \
        in screen.flat


def test_the_last_screen_of_the_course_points_to_the_track_then_to_cleanup(course, screen, progress, monkeypatch):
    for item in LESSONS[:-1]:
        progress.complete(item.number)
    progress.pass_exercise()
    quiet_last = dataclasses.replace(LESSONS[-1], run=lambda ctx: None)  # only the ending is under test here
    monkeypatch.setattr("lab.course.runner.LESSONS", LESSONS[:-1] + [quiet_last])

    assert course(auto=True) == 0

    assert "That was every lesson. The exercise track, where you write the container code: 0 of 7 passed." \
        in screen.flat
    assert screen.flat.index("python3 workshop.py --watch") < screen.flat.index("python3 cleanup.py --dry-run")


def test_a_finished_course_says_so_and_points_to_the_track(course, screen, progress):
    finish_every_lesson(progress)

    assert course() == 0

    assert "You have finished every lesson: `python3 workshop.py --lesson N` replays one" in screen.flat
    assert "`python3 workshop.py --watch` starts at exercise 1" in screen.flat


def test_reset_forgets_the_tracks_passes_too_and_keeps_the_learners_files(course, screen, progress, tmp_path):
    progress.complete(1)
    track = TrackProgress(tmp_path / "track.json")
    track.pass_exercise(2)
    reset_exercise(EXERCISES[1], tmp_path / "exercises", tmp_path / "backups")
    learners_file = EXERCISES[1].file_in(tmp_path / "exercises")
    learners_file.write_text("# the learner's own work\n")

    assert course(reset=True) == 0

    assert not progress.path.exists() and not track.path.exists()
    assert TrackProgress(track.path).passed == set()
    assert learners_file.read_text() == "# the learner's own work\n"
    assert "Progress cleared, the lessons' and the exercise track's" in screen.flat
    assert "Your files in exercises/ are kept as they are; `python3 workshop.py --reset-exercise N` puts one " \
        "exercise's starter back." in screen.flat


def test_the_track_list_says_where_the_course_stands(tmp_path):
    out = io.StringIO()
    course = Progress(tmp_path / "progress.json")
    course.complete(1)
    course.complete(2)
    track = Track(Console(file=out, width=80, color_system=None), course=course, folder=tmp_path / "exercises")

    assert track.list() == 0

    assert track.progress.path == tmp_path / "track.json"  # the track's file follows the course's
    assert "The course: 2 of 9 lessons done; `python3 workshop.py` carries on with lesson 3." in flat(out.getvalue())
