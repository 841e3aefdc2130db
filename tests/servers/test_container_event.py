"""Docker's raw events read one way, whatever the API version named their fields."""

from lab.servers.container_event import ContainerEvent, parse_event


def test_a_current_event_gives_action_id_attributes_and_time():
    raw = {"Type": "container", "Action": "exec_start: sh -c true", "Actor": {"ID": "c1", "Attributes": {"name": "pg"}},
           "time": 1_800_000_000, "timeNano": 1_800_000_000_500_000_000}

    assert parse_event(raw) == ContainerEvent("exec_start", "c1", {"name": "pg"}, 1_800_000_000.5)


def test_an_old_event_with_status_id_and_whole_seconds_reads_the_same():
    assert parse_event({"status": "die", "id": "c2", "time": 1_800_000_001}) == ContainerEvent("die", "c2", {}, 1_800_000_001)
