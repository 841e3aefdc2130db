"""The resume state a show leaves for a crash: private to its user, one sentence when there is none."""

import stat

import pytest

from lab.errors import WorkshopError
from lab.show.resume import ResumeState, forget, load, resume_file, save

STATE = ResumeState("abc123", "Q?", {"a": "A", "b": "B"}, "cookie-key", {"engine": "docker", "location": "vol"})


def test_saved_state_is_readable_by_its_user_only_and_loads_as_saved(tmp_path):
    path = tmp_path / "deeper" / "show-resume.json"
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)  # an older file, too open

    save(STATE, path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load(path) == STATE


@pytest.mark.parametrize("content, says", [(None, "There is no show to resume"), ("{not json", "is damaged")])
def test_nothing_or_garbage_to_resume_is_one_sentence(tmp_path, content, says):
    path = tmp_path / "show-resume.json"
    if content is not None:
        path.write_text(content)

    with pytest.raises(WorkshopError, match=says) as refused:
        load(path)

    assert "--resume" in str(refused.value)


def test_forgetting_twice_is_fine_and_the_file_can_be_moved_by_the_environment(tmp_path):
    path = tmp_path / "elsewhere.json"
    save(STATE, path)

    forget(path)
    forget(path)

    assert not path.exists()
    assert resume_file({"TCMAGIC_RESUME_FILE": str(path)}) == path
    assert resume_file({}).name == "show-resume.json"


def test_the_resume_hint_is_typed_as_the_readme_says_and_the_presenter_guide_repeats_it():
    from lab.paths import ROOT
    from lab.show.resume import RESUME_COMMAND, resume_line

    readme = (ROOT / "README.md").read_text()
    run_command = next(line.strip() for line in readme.splitlines() if line.strip().endswith(" reality_engine.py"))

    assert RESUME_COMMAND == f"{run_command} --resume"
    assert f"`{RESUME_COMMAND}`" in resume_line("abc123")
    assert f"`{RESUME_COMMAND}`" in (ROOT / "docs" / "presenter.md").read_text()
