"""The product's whole point, checked rather than claimed: against the naive (buggy) app,
every reality scenario fails while every fantasy scenario still passes."""

import ast
from pathlib import Path

import pytest

from lab.testruns.pytest_run import run_test_file

pytestmark = pytest.mark.slow

TESTS = Path(__file__).parent


def scenario_names(filename: str) -> list[str]:
    """The test functions defined in one of the paired files."""
    tree = ast.parse((TESTS / filename).read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def test_the_paired_files_hold_the_same_six_or_more_scenarios():
    fantasy, reality = scenario_names("test_fantasy.py"), scenario_names("test_reality.py")

    assert fantasy == reality
    assert len(reality) >= 6


@pytest.fixture(scope="module")
def against_the_naive_app(server_engine):
    """Both paired files, run in subprocesses against the naive store and limiter, on this run's engine."""
    same_engine = {
        "TCMAGIC_ENGINE": server_engine.name,
        "TCMAGIC_REQUIRE_DOCKER": "1" if server_engine.name == "docker" else "",
    }
    return {
        "fantasy": run_test_file("tests/test_fantasy.py", target="naive", extra_env=same_engine),
        "reality": run_test_file("tests/test_reality.py", target="naive", extra_env=same_engine),
    }


@pytest.mark.realdb
def test_every_reality_scenario_fails_against_the_naive_app(against_the_naive_app):
    reality = {test.name: test.outcome for test in against_the_naive_app["reality"]}

    assert set(reality) == set(scenario_names("test_reality.py"))
    assert reality == dict.fromkeys(reality, "failed")


@pytest.mark.realdb
def test_every_fantasy_scenario_still_passes_against_the_naive_app(against_the_naive_app):
    fantasy = {test.name: test.outcome for test in against_the_naive_app["fantasy"]}

    assert set(fantasy) == set(scenario_names("test_fantasy.py"))
    assert fantasy == dict.fromkeys(fantasy, "passed")
