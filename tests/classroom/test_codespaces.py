"""In a codespace: the show's port must be public; gh is asked, and its answers are faked here."""

import json
import subprocess

from lab.classroom.codespaces import check_port_visibility, make_port_public

ENV = {"CODESPACE_NAME": "fuzzy-waffle-123"}


def gh_answering(ports=None, returncode=0, stderr=""):
    """A stand-in for subprocess.run that answers like gh, and records the commands."""
    calls = []

    def run(command, **options):
        calls.append(command)
        return subprocess.CompletedProcess(command, returncode, json.dumps(ports or []), stderr)

    run.calls = calls
    return run


def has_gh(name):
    return f"/usr/bin/{name}"


def test_a_public_port_passes_and_gh_is_asked_about_this_codespace():
    run = gh_answering([{"sourcePort": 5001, "visibility": "public"}])

    result = check_port_visibility(5001, ENV, run, has_gh)

    assert result.ok and result.detail == "5001 is public"
    assert run.calls == [["gh", "codespace", "ports", "-c", "fuzzy-waffle-123", "--json", "sourcePort,visibility"]]


def test_a_private_port_blocks_the_show_with_the_command_that_fixes_it():
    result = check_port_visibility(5001, ENV, gh_answering([{"sourcePort": 5001, "visibility": "private"}]), has_gh)

    assert (result.ok, result.blocking) == (False, True)
    assert result.detail == "5001 is private: phones cannot reach it"
    assert result.fix.startswith("Run `gh codespace ports visibility 5001:public -c $CODESPACE_NAME`, or in the Ports tab")


def test_a_port_not_forwarded_yet_or_no_gh_is_a_warning_saying_how_to_check():
    not_yet = check_port_visibility(5001, ENV, gh_answering([{"sourcePort": 8000, "visibility": "public"}]), has_gh)
    no_gh = check_port_visibility(5001, ENV, gh_answering(), lambda name: None)
    gh_fails = check_port_visibility(5001, ENV, gh_answering(returncode=1), has_gh)

    for result in (not_yet, no_gh, gh_fails):
        assert (result.ok, result.blocking) == (False, False)
        assert "Port Visibility > Public" in result.fix
    assert no_gh.detail == "cannot tell: the gh command is not installed"


def test_making_the_port_public_runs_gh_or_says_what_to_click():
    run = gh_answering()
    refused = gh_answering(returncode=1, stderr="error getting tunnel port: 404 Not Found\n")

    assert make_port_public(5001, ENV, run, has_gh) == "port 5001 is public: phones can reach the show"
    assert run.calls == [["gh", "codespace", "ports", "visibility", "5001:public", "-c", "fuzzy-waffle-123"]]
    assert make_port_public(5001, ENV, refused, has_gh) == (
        "port 5001 is still private (error getting tunnel port: 404 Not Found): "
        "in the Ports tab, right-click it > Port Visibility > Public"
    )
    assert make_port_public(5001, {}, run, has_gh) == "port 5001: not in a codespace with gh, nothing to do"
