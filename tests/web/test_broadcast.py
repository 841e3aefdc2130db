"""Coalesced broadcasts to the dashboards (lab/web/broadcast.py)."""

from lab.web.broadcast import FEED_BURST, Broadcaster


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
