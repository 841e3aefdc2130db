"""The show's pure parts, without Docker: URLs, QR codes, the script, feed lines, broadcasts, the banner."""

import io
import os

import pytest
from rich.console import Console

from lab.web.audience import allowed_origins, base_url, codespace_visibility_command, qr_matrix, qr_svg, qr_terminal, vote_url
from lab.web.docker_events import event_filters, feed_line
from lab.errors import WorkshopError
from lab.web.script import SHOW_SECONDS, STAGES, clamp_stage, stage_payload
from lab.web.broadcast import FEED_BURST, Broadcaster
from lab.web.config import parse_options
from lab.web.ballot import results_payload
from lab.web.live import voter_tag
from lab.web.server import banner, pid_file, presenter_url

CODESPACE = {"CODESPACE_NAME": "fuzzy-robot-x7", "GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN": "app.github.dev"}


def test_in_a_codespace_the_audience_url_is_the_forwarded_port():
    assert base_url(5001, "https://ignored.example", CODESPACE) == "https://fuzzy-robot-x7-5001.app.github.dev"
    assert codespace_visibility_command(5001, CODESPACE) == "gh codespace ports visibility 5001:public -c fuzzy-robot-x7"


def test_outside_a_codespace_the_public_url_wins_over_the_lan_address():
    assert base_url(5001, "https://show.example.org/", {}, lan="10.0.0.7") == "https://show.example.org"
    assert base_url(5001, None, {}, lan="10.0.0.7") == "http://10.0.0.7:5001"
    assert codespace_visibility_command(5001, {}) is None


def test_the_qr_code_points_at_the_vote_page_and_only_listed_origins_may_open_sockets():
    assert vote_url("http://10.0.0.7:5001") == "http://10.0.0.7:5001/qr"
    assert allowed_origins("https://show.example.org", 5001) == [
        "https://show.example.org", "http://localhost:5001", "http://127.0.0.1:5001"
    ]


def test_a_qr_matrix_is_square_with_a_light_quiet_zone_and_three_finder_patterns():
    matrix = qr_matrix("http://10.0.0.7:5001/qr", border=2)
    size = len(matrix)

    assert all(len(row) == size for row in matrix)
    assert not any(matrix[0]) and not any(row[0] for row in matrix)
    finder = [row[2:9] for row in matrix[2:9]]
    assert finder[0] == [True] * 7 and finder[3] == [True, False, True, True, True, False, True]
    assert matrix[2][size - 3] and matrix[size - 3][2]


def test_the_terminal_qr_packs_two_rows_per_line_and_the_svg_draws_every_dark_module():
    matrix = qr_matrix("https://show.example.org/qr")

    lines = qr_terminal(matrix).splitlines()
    svg = qr_svg(matrix)

    assert len(lines) == (len(matrix) + 1) // 2
    assert all(len(line) == len(matrix) for line in lines)
    assert svg.count("h1v1h-1z") == sum(map(sum, matrix))


def test_the_script_fits_eight_minutes_in_six_stages():
    assert [stage.title for stage in STAGES] == [
        "Cold open", "QR voting", "Magic moment", "Test comparison", "Chaos", "Mic drop"
    ]
    assert SHOW_SECONDS == 8 * 60
    assert all(stage.notes for stage in STAGES)
    assert clamp_stage(-3) == 0 and clamp_stage(99) == len(STAGES) - 1


def test_a_stage_payload_carries_its_timers():
    payload = stage_payload(2, stage_elapsed=12.34, show_elapsed=200.0)

    assert payload["title"] == "Magic moment"
    assert payload["stage_elapsed"] == 12.3 and payload["show_seconds"] == 480
    assert payload["count"] == 6 and len(payload["titles"]) == 6


@pytest.mark.parametrize(
    "action, attributes, expected, level",
    [
        ("kill", {"signal": "9"}, "Docker: postgres container pg-1 killed (signal 9)", "bad"),
        ("die", {"exitCode": "137"}, "Docker: postgres container pg-1 died (exit code 137)", "bad"),
        ("pause", {}, "Docker: postgres container pg-1 paused (frozen)", "bad"),
        ("unpause", {}, "Docker: postgres container pg-1 unpaused", "good"),
        ("start", {}, "Docker: postgres container pg-1 started", "good"),
        ("create", {}, "Docker: postgres container pg-1 created", "info"),
    ],
)
def test_docker_events_become_feed_lines(action, attributes, expected, level):
    event = {
        "Type": "container", "Action": action, "timeNano": 1_700_000_000_500_000_000,
        "Actor": {"Attributes": {"name": "pg-1", "dev.tcmagic.role": "postgres", **attributes}},
    }

    line = feed_line(event)

    assert (line.text, line.level) == (expected, level)
    assert line.at == pytest.approx(1_700_000_000.5)


def test_docker_events_the_room_need_not_see_are_dropped():
    postgres = {"Attributes": {"dev.tcmagic.role": "postgres"}}
    assert feed_line({"Action": "exec_start: pg_isready", "Actor": postgres}) is None
    assert feed_line({"Action": "health_status: healthy", "Actor": postgres}) is None
    assert feed_line({"Action": "start", "Actor": {"Attributes": {"dev.tcmagic.role": "probe"}}}) is None


def test_the_docker_filter_keeps_to_our_labels_and_this_run():
    assert event_filters("abc123") == {
        "type": "container", "label": ["dev.tcmagic.managed=true", "dev.tcmagic.run-id=abc123"]
    }


def test_options_get_short_ids_and_repeats_or_too_few_are_refused():
    assert parse_options("Mocks, Real containers ,Prayer") == {
        "mocks": "Mocks", "real-containers": "Real containers", "prayer": "Prayer"
    }
    assert list(parse_options(["C++", "C#", "???", "!!!"])) == ["c", "c-2", "option", "option-2"]
    with pytest.raises(WorkshopError, match="listed twice"):
        parse_options("Mocks,mocks")
    with pytest.raises(WorkshopError, match="at least two"):
        parse_options("Only one,")


def test_hidden_results_carry_totals_but_no_per_option_counts():
    options = {"a": "A", "b": "B"}

    hidden = results_payload(options, {"a": 1, "b": 0}, {"a": 3, "b": 0}, visible=False)
    shown = results_payload(options, {"a": 1, "b": 0}, {"a": 3, "b": 0}, visible=True)
    down = results_payload(options, None, {"a": 3}, visible=True)

    assert hidden["options"] == [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]
    assert hidden["totals"] == {"real": 1, "fantasy": 3} and hidden["refused"] == 2
    assert shown["options"][0] == {"id": "a", "label": "A", "real": 1, "fantasy": 3}
    assert down["database"] == "unavailable" and down["refused"] is None


def test_a_voter_tag_is_short_and_does_not_show_the_id():
    assert len(voter_tag("0123456789abcdef")) == 4
    assert voter_tag("0123456789abcdef") not in "0123456789abcdef"


class Recorder:
    """Stands in for Socket.IO: records emits; background tasks are recorded, not run."""

    def __init__(self):
        self.emitted = []
        self.tasks = []

    def emit(self, event, data):
        self.emitted.append((event, data))


def make_broadcaster(recorder, tallies):
    return Broadcaster(recorder.emit, lambda: next(tallies), 0.1, recorder.tasks.append, lambda seconds: None)


def test_a_burst_of_votes_becomes_one_feed_message_and_one_results_message():
    recorder = Recorder()
    broadcaster = make_broadcaster(recorder, iter([{"totals": 100}]))
    for number in range(100):
        broadcaster.post({"kind": "vote-accepted", "text": f"vote {number}", "level": "good", "at": float(number)})
        broadcaster.results_changed()

    broadcaster.flush()

    assert [event for event, _ in recorder.emitted] == ["feed", "results"]
    lines = recorder.emitted[0][1]
    assert len(lines) == FEED_BURST + 1
    assert lines[0]["text"] == f"... and {100 - FEED_BURST} more events"
    assert lines[-1]["text"] == "vote 99"
    assert len(recorder.tasks) == 1


def test_a_burst_never_hides_a_server_dying_among_the_votes():
    recorder = Recorder()
    broadcaster = make_broadcaster(recorder, iter([]))
    for number in range(50):
        broadcaster.post({"kind": "vote-accepted", "text": f"vote {number}", "level": "good", "at": float(number)})
        if number == 10:
            broadcaster.post({"kind": "component-down", "text": "PostgreSQL is down", "level": "bad", "at": 10.5})

    broadcaster.flush()

    texts = [line["text"] for line in recorder.emitted[0][1]]
    assert texts[0] == f"... and {50 - FEED_BURST + 1} more events"
    assert texts[1] == "PostgreSQL is down" and texts[2:] == [f"vote {n}" for n in range(50 - FEED_BURST + 1, 50)]
    assert len(texts) == FEED_BURST + 1


def test_nothing_new_means_nothing_sent():
    recorder = Recorder()
    broadcaster = make_broadcaster(recorder, iter([]))

    broadcaster.flush()

    assert recorder.emitted == []


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
