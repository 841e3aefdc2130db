"""The resume state each run leaves for a crash: private to its user, never another run's, one sentence when there is none."""

import stat
from dataclasses import replace

import pytest

from lab.errors import WorkshopError
from lab.show.resume import ResumeState, choose, forget, load, resume_dir, save, saved_shows, state_path

STATE = ResumeState("abc123", "Q?", {"a": "A", "b": "B"}, "cookie-key", {"engine": "docker", "location": "vol"})
LIVE, DEAD = 4242, 4343


def alive(pid: int) -> bool:
    return pid == LIVE


def test_saved_state_is_readable_by_its_user_only_and_loads_as_saved(tmp_path):
    path = state_path(tmp_path / "deeper", STATE.run_id)
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)  # an older file, too open

    assert save(STATE, tmp_path / "deeper") == path

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load(path) == STATE


@pytest.mark.parametrize("content, says", [(None, "There is no show to resume"), ("{not json", "is damaged")])
def test_nothing_or_garbage_to_resume_is_one_sentence(tmp_path, content, says):
    if content is not None:
        state_path(tmp_path, "abc123").write_text(content)

    with pytest.raises(WorkshopError, match=says) as refused:
        choose(tmp_path, alive)

    assert "--resume" in str(refused.value)


def test_forgetting_twice_is_fine_and_the_folder_can_be_moved_by_the_environment(tmp_path):
    path = save(STATE, tmp_path)

    forget(path)
    forget(path)

    assert not path.exists()
    assert resume_dir({"TCMAGIC_RESUME_DIR": str(tmp_path)}) == tmp_path
    assert resume_dir({}).name == "show-resume"


def test_each_run_has_its_own_file_and_one_runs_exit_leaves_the_others(tmp_path):
    first = save(replace(STATE, run_id="first", pid=DEAD, saved_at=100.0), tmp_path)
    second = save(replace(STATE, run_id="second", pid=LIVE, saved_at=200.0), tmp_path)

    forget(second)  # the second show ended normally

    assert first != second and first.exists()
    assert choose(tmp_path, alive)[0].state.run_id == "first"  # the first one's crash is still resumable


def test_resume_refuses_a_show_that_still_runs_naming_its_pid(tmp_path):
    save(replace(STATE, pid=LIVE, saved_at=100.0), tmp_path)

    with pytest.raises(WorkshopError) as refused:
        choose(tmp_path, alive)

    assert f"still running (pid {LIVE}, run abc123)" in str(refused.value)
    assert str(refused.value).count(". ") == 0 and "nothing was touched" in str(refused.value)


def test_resume_takes_the_latest_crashed_run_and_lists_the_others(tmp_path):
    for run_id, pid, saved_at in (("older", DEAD, 100.0), ("latest", DEAD, 300.0), ("running", LIVE, 400.0)):
        save(replace(STATE, run_id=run_id, pid=pid, saved_at=saved_at), tmp_path)

    chosen, lines = choose(tmp_path, alive)

    assert chosen.state.run_id == "latest" and chosen.path == state_path(tmp_path, "latest")
    assert lines[0].startswith("Resuming the latest crashed show, run latest (crashed, saved ")
    assert "run running (running, pid 4242)" in lines[1] and "run older (crashed, saved " in lines[1]
    assert "`python3 cleanup.py --run-id ID`" in lines[1]
    assert [show.state.run_id for show in saved_shows(tmp_path, alive)] == ["running", "latest", "older"]


def test_the_resume_hint_is_typed_as_the_readme_says_and_the_presenter_guide_repeats_it():
    from lab.paths import ROOT
    from lab.show.resume import RESUME_COMMAND, resume_line

    readme = (ROOT / "README.md").read_text()
    run_command = next(line.strip() for line in readme.splitlines() if line.strip().endswith(" reality_engine.py"))

    assert RESUME_COMMAND == f"{run_command} --resume"
    assert f"`{RESUME_COMMAND}`" in resume_line("abc123")
    assert f"`{RESUME_COMMAND}`" in (ROOT / "docs" / "presenter.md").read_text()
