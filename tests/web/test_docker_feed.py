"""Docker events as feed lines (lab/web/docker_events.py)."""

import pytest

from lab.web.docker_feed import event_filters, feed_line


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
