"""A broken venv gets a fix, not a traceback: the entry scripts' guard and the stdlib-only repair.

Each test makes its venvs under tmp_path, never touching the checkout's .venv; the repair
installs a tiny requirements file (one small package, from this machine's pip configuration).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.classroom.fix_venv import FLAG, interpreter_works, missing_packages, venv_python
from lab.paths import ROOT

ENTRY_SCRIPTS = ["reality_engine.py", "workshop.py", "cleanup.py", "watch_containers.py"]
TINY_PACKAGE = "iniconfig"  # small, pure Python, in every pip mirror


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    """A Python without the workshop's packages: a venv made without pip or site-packages."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    return venv_python(venv)


def run(python: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(python), *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, env=environment, check=False)


@pytest.mark.parametrize("script", ENTRY_SCRIPTS)
def test_without_the_packages_each_entry_script_names_the_fix_in_one_sentence(bare_python, script):
    result = run(bare_python, script)

    assert result.returncode == 1
    assert result.stderr == ""
    [line] = result.stdout.splitlines()
    assert "lacks the workshop's packages" in line and f"`python3 {script} --fix-venv`" in line
    assert "Traceback" not in line


def test_missing_packages_are_named_from_the_requirements(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# pins\nFlask_SocketIO==5.7.0\nrich==15.0.0 ; python_version >= '3.11'\nunpinned\n")
    site = tmp_path / "site"
    (site / "rich-15.0.0.dist-info").mkdir(parents=True)

    assert missing_packages(requirements, [str(site)]) == ["flask-socketio"]
    (site / "flask_socketio-5.7.0.dist-info").mkdir()
    assert missing_packages(requirements, [str(site)]) == []


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_venv_whose_interpreter_is_gone_is_rebuilt_by_one_command(bare_python, tmp_path):
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    for link in (venv / "bin").glob("python*"):  # the Codespaces symptom: the Python it pointed at moved
        link.unlink()
        link.symlink_to(tmp_path / "moved-away" / "python3")
    assert not interpreter_works(venv)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"{TINY_PACKAGE}\n")

    # through an entry script, run by a Python without the packages: the repair needs none of them
    result = run(bare_python, "workshop.py", "--fix-venv", "--venv", str(venv), "--requirements", str(requirements))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "its interpreter is gone" in result.stdout and f"{venv} repaired" in result.stdout
    assert interpreter_works(venv)
    assert run(venv_python(venv), "-c", f"import {TINY_PACKAGE}").returncode == 0


def test_a_folder_that_is_not_a_venv_is_never_deleted(tmp_path):
    keep = tmp_path / "not-a-venv"
    (keep / "bin").mkdir(parents=True)
    (keep / "notes.txt").write_text("mine")

    result = run(Path(sys.executable), "-m", "lab.classroom.fix_venv", "--venv", str(keep), "--requirements",
                 str(tmp_path / "unused.txt"))

    assert result.returncode == 1
    assert result.stdout.strip() == (f"The venv was not repaired: {keep} is not a venv (it has no pyvenv.cfg): "
                                     "move it away, then run the repair again.")
    assert (keep / "notes.txt").read_text() == "mine"


def test_a_python_too_old_is_told_so_in_one_sentence_before_anything_else(monkeypatch, capsys):
    from lab.classroom import fix_venv
    from lab.classroom.checks import check_python

    monkeypatch.setattr(fix_venv, "check_python", lambda: check_python((3, 10, 13)))

    with pytest.raises(SystemExit) as exit:
        fix_venv.guard(["workshop.py", FLAG])

    assert exit.value.code == 1
    assert capsys.readouterr().out == ("Python 3.10.13 is too old (supported: 3.11-3.13): install Python 3.11-3.13 and make "
                                       "the venv with it (`python3.13 -m venv .venv`), or use the Codespace.\n")


@pytest.mark.slow
@pytest.mark.parametrize("script", ["reality_engine.py", "workshop.py", "watch_containers.py", "cleanup.py"])
def test_every_entry_scripts_help_lists_the_repair_the_readme_promises(script):
    shown = subprocess.run([sys.executable, script, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL, check=False)

    assert shown.returncode == 0, shown.stderr
    assert FLAG in shown.stdout and "rebuild a .venv" in " ".join(shown.stdout.split())
    assert "any entry script takes `--fix-venv`" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("where", [[], ["tests/course/test_keyboard.py"]])
def test_pytest_with_a_package_missing_says_the_fix_in_one_sentence(tmp_path, where):
    """A shim earlier on the path makes `import testcontainers` fail, as if pip had never installed it."""
    shim = tmp_path / "testcontainers"
    shim.mkdir()
    (shim / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'testcontainers'\", name='testcontainers')\n")
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}

    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *where], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, env=environment,
                            check=False)

    assert result.returncode != 0
    [line] = (result.stdout + result.stderr).splitlines()
    assert "lacks the workshop's packages (testcontainers)" in line
    assert "`python3 workshop.py --fix-venv`" in line and line.endswith("and run `pytest` again.")


def test_on_an_80_column_terminal_the_sentence_wraps_at_words(monkeypatch):
    from lab.classroom import fix_venv

    sentence = fix_venv.lacks_packages("rich, flask and 3 more", "workshop.py", "python3 workshop.py")
    monkeypatch.setattr(fix_venv.sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(fix_venv.shutil, "get_terminal_size", lambda: os.terminal_size((80, 24)))

    lines = fix_venv.for_terminal(sentence).splitlines()

    assert len(lines) > 1 and max(map(len, lines)) <= 80
    assert " ".join(lines) == sentence  # every break is at a space: `workshop.py --fix-venv` stays whole
    assert any("`python3 workshop.py --fix-venv`" in line for line in lines)
