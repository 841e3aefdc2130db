"""The hostile benchmark's command line: a wrong scene name or --help is answered before any show starts."""

import subprocess
import sys

import pytest

from benchmarks.hostile import chosen_scenes
from lab.paths import ROOT

NAMES = ["results_flood", "pong_flood"]


def test_no_names_means_every_scene_and_names_keep_their_order():
    assert chosen_scenes([], NAMES) == NAMES
    assert chosen_scenes(["pong_flood", "results_flood"], NAMES) == ["pong_flood", "results_flood"]


def test_an_unknown_name_is_one_sentence_naming_the_scenes():
    with pytest.raises(SystemExit) as stopped:
        chosen_scenes(["--help-me", "results_flood"], NAMES)

    assert str(stopped.value) == "No scene named --help-me: usage: hostile.py [scene ...]; the scenes: results_flood, pong_flood"


def test_help_prints_the_scenes_and_runs_none(capsys):
    with pytest.raises(SystemExit) as stopped:
        chosen_scenes(["--help"], NAMES)

    assert stopped.value.code == 0 and "results_flood, pong_flood" in capsys.readouterr().out


@pytest.mark.slow
def test_slow_clients_answers_help_instead_of_running():
    run = subprocess.run([sys.executable, "benchmarks/slow_clients.py", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=30, check=False)

    assert run.returncode == 0 and run.stdout.startswith("usage: slow_clients.py [scene ...]; the scenes: trickling_headers"), \
        run.stdout + run.stderr
