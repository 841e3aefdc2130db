"""What the terminal shows when the show runs, and its pid file (lab/web/server.py)."""

import io
import os

from rich.console import Console

from lab.web.join_link import codespace_visibility_command
from lab.web.server import banner, pid_file, presenter_url

CODESPACE = {"CODESPACE_NAME": "fuzzy-robot-x7", "GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN": "app.github.dev"}


def test_the_banner_shows_both_urls_the_start_up_time_and_the_codespaces_command():
    console = Console(file=io.StringIO(), width=100, color_system=None)
    vote = "https://fuzzy-robot-x7-5001.app.github.dev/qr"
    presenter = presenter_url("https://fuzzy-robot-x7-5001.app.github.dev", 5001, CODESPACE, "s3cret")

    console.print(banner(vote, presenter, {"PostgreSQL": 1.234}, 3.5, codespace_visibility_command(5001, CODESPACE)))
    text = console.file.getvalue()

    assert presenter == "https://fuzzy-robot-x7-5001.app.github.dev/#token=s3cret"
    assert vote in text and presenter in text
    assert "PostgreSQL ready in 1.23 s (container)" in text and "ready 3.50 s after start" in text
    assert "gh codespace ports visibility 5001:public -c fuzzy-robot-x7" in text
    assert "▀" in text or "▄" in text


def test_outside_a_codespace_the_presenter_url_is_localhost_with_the_secret_in_the_fragment():
    assert presenter_url("https://show.example.org", 5001, {}, "s3cret") == "http://localhost:5001/#token=s3cret"


def test_the_pid_file_names_this_process_while_the_show_runs(tmp_path):
    path = tmp_path / ".tcmagic" / "reality_engine.pid"

    with pid_file(path):
        assert path.read_text() == str(os.getpid())

    assert not path.exists()


def test_the_pid_file_of_another_live_show_is_left_alone(tmp_path):
    path = tmp_path / "reality_engine.pid"
    path.write_text(str(os.getppid()))

    with pid_file(path):
        assert path.read_text() == str(os.getppid())

    assert path.read_text() == str(os.getppid())


def test_while_the_show_serves_start_up_is_frozen_out_of_collections_and_young_ones_are_rarer():
    import gc

    from lab.web.server import GC_THRESHOLDS, settle_collector

    before = gc.get_threshold()
    try:
        settle_collector()

        assert gc.get_freeze_count() > 10_000  # the modules and everything built before serving
        assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] > before[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_every_page_template_is_compiled_before_the_show_serves():
    from flask import Flask

    from lab.paths import ROOT
    from lab.web.server import compile_templates

    app = Flask(__name__, template_folder=str(ROOT / "templates"))
    compile_templates(app)

    compiled = {template.name for template in app.jinja_env.cache.values()}
    assert {"vote.html", "dashboard.html"} <= compiled
