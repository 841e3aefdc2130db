"""Coalesced broadcasts to the dashboards (lab/show/broadcast.py)."""

from lab.show.broadcast import FEED_BURST, Broadcaster, ResultsRoom
from lab.show.rooms import DASHBOARDS, PHONES, SCREENS


class Recorder:
    """Stands in for Socket.IO: records emits (event, data, room); background tasks are recorded, not run."""

    def __init__(self):
        self.emitted = []
        self.tasks = []

    def emit(self, event, data, to):
        self.emitted.append((event, data, to))


def make_broadcaster(recorder, tallies, rooms=None, clock=lambda: 0.0):
    rooms = (ResultsRoom(DASHBOARDS),) if rooms is None else rooms  # a room of its own for each broadcaster
    return Broadcaster(recorder.emit, lambda: next(tallies), 0.1, recorder.tasks.append, lambda seconds: None,
                       rooms, clock)


def test_a_burst_of_votes_becomes_one_feed_message_and_one_results_message():
    recorder = Recorder()
    broadcaster = make_broadcaster(recorder, iter([{"totals": 100}]))
    for number in range(100):
        broadcaster.post({"kind": "vote-accepted", "text": f"vote {number}", "level": "good", "at": float(number)})
        broadcaster.results_changed()

    broadcaster.flush()

    assert [(event, room) for event, _, room in recorder.emitted] == [("feed", SCREENS), ("results", DASHBOARDS)]
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


def test_each_audience_gets_the_results_in_its_shape_and_at_its_pace_from_one_tally():
    recorder, now = Recorder(), [0.0]
    tallies = iter([{"n": 1}, {"n": 2}, {"n": 3}])
    phones = ResultsRoom(PHONES, every=0.5, shape=lambda results: {"phone": results["n"]})
    broadcaster = make_broadcaster(recorder, tallies, (ResultsRoom(DASHBOARDS), phones), clock=lambda: now[0])

    for moment in (0.0, 0.1, 0.5):
        now[0] = moment
        broadcaster.results_changed()
        broadcaster.flush()

    assert [(data, room) for _, data, room in recorder.emitted] == [
        ({"n": 1}, DASHBOARDS), ({"phone": 1}, PHONES),
        ({"n": 2}, DASHBOARDS),
        ({"n": 3}, DASHBOARDS), ({"phone": 3}, PHONES),
    ]


def test_a_change_the_phones_could_not_hear_yet_reaches_them_at_their_next_turn():
    recorder, now = Recorder(), [0.0]
    phones = ResultsRoom(PHONES, every=0.5)
    broadcaster = make_broadcaster(recorder, iter([{"n": 1}, {"n": 2}]), (phones,), clock=lambda: now[0])
    broadcaster.results_changed()
    broadcaster.flush()
    broadcaster.results_changed()

    for moment in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        now[0] = moment
        broadcaster.flush()

    assert recorder.emitted == [("results", {"n": 1}, PHONES), ("results", {"n": 2}, PHONES)]


def test_a_socket_that_connects_catches_up_from_what_its_room_was_last_sent_without_a_tally():
    recorder = Recorder()
    phones = ResultsRoom(PHONES, every=0.5, shape=lambda results: {"phone": results["n"]})
    broadcaster = make_broadcaster(recorder, iter([{"n": 1}]), (phones,))
    broadcaster.catch_up(PHONES, "first-sid")  # nothing sent yet: one tally

    broadcaster.catch_up(PHONES, "second-sid")  # the tallies iterator is spent: a second tally would raise

    assert recorder.emitted == [("results", {"phone": 1}, "first-sid"), ("results", {"phone": 1}, "second-sid")]


def test_after_a_reset_a_socket_that_connects_catches_up_with_the_tallies_as_they_are_now():
    recorder = Recorder()
    phones = ResultsRoom(PHONES, every=0.5, shape=lambda results: {"round": results["round"]})
    broadcaster = make_broadcaster(recorder, iter([{"round": "before"}, {"round": "after"}]), (phones,))
    broadcaster.catch_up(PHONES, "before-the-reset")

    broadcaster.start_over()  # Reset Everything, before the phones' next turn
    broadcaster.catch_up(PHONES, "right-after-the-reset")

    assert recorder.emitted[-1] == ("results", {"round": "after"}, "right-after-the-reset")


def test_the_loop_wakes_when_the_phones_turn_comes_not_at_the_next_tick():
    recorder, now, naps = Recorder(), [0.0], []

    def sleep(seconds):
        naps.append(round(seconds, 3))
        now[0] += seconds
        if len(naps) == 3:
            broadcaster.stop()

    tallies = iter([{"n": 1}, {"n": 2}])
    broadcaster = Broadcaster(lambda event, data, to: recorder.emit(event, round(now[0], 3), to), lambda: next(tallies),
                              0.3, recorder.tasks.append, sleep, (ResultsRoom(PHONES, every=0.5),), lambda: now[0])
    broadcaster.results_changed()
    broadcaster.flush()
    broadcaster.results_changed()

    broadcaster._loop()

    assert naps == [0.3, 0.2, 0.3]
    assert recorder.emitted == [("results", 0.0, PHONES), ("results", 0.5, PHONES)]


def test_feed_lines_wait_for_the_interval_even_when_the_phones_turn_comes_sooner():
    recorder, now = Recorder(), [0.0]
    broadcaster = make_broadcaster(recorder, iter([{"n": 1}, {"n": 2}]), (ResultsRoom(PHONES, every=0.5),), clock=lambda: now[0])
    broadcaster.post({"kind": "vote-accepted", "text": "first", "level": "good", "at": 0.0})
    broadcaster.flush()
    broadcaster.post({"kind": "vote-accepted", "text": "second", "level": "good", "at": 0.05})

    now[0] = 0.05
    broadcaster.flush()
    too_soon = len(recorder.emitted)
    now[0] = 0.1
    broadcaster.flush()

    assert too_soon == 1
    assert [(event, [line["text"] for line in data]) for event, data, _ in recorder.emitted] == [
        ("feed", ["first"]), ("feed", ["second"])]


def test_an_audience_whose_share_did_not_move_hears_nothing():
    recorder = Recorder()
    phones = ResultsRoom(PHONES, every=0.0, shape=lambda results: {"visible": results["visible"]})
    broadcaster = make_broadcaster(recorder, iter([{"visible": False, "n": 1}, {"visible": False, "n": 2}]), (phones,),
                                   clock=iter([0.0, 1.0]).__next__)
    for _ in range(2):
        broadcaster.results_changed()
        broadcaster.flush()

    assert recorder.emitted == [("results", {"visible": False}, PHONES)]
