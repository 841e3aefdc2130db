"""A pace for polled public reads: a burst at once, then so many a second per address, the rest wait (lab/web/transport/read_pace.py)."""

from lab.web import runtime_of
from lab.web.transport.read_pace import ReadPace


class Clock:
    """A clock the pace reads and its sleep moves on, so waiting takes no time here."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_burst_is_answered_at_once_and_the_reads_after_it_wait_their_turn():
    clock = Clock()
    pace = ReadPace(clock.sleep, per_second=10, burst=20, clock=clock)

    burst = [pace.wait_turn("10.0.0.7") for _ in range(20)]
    after = [pace.wait_turn("10.0.0.7") for _ in range(5)]

    assert burst == [0.0] * 20
    assert [round(wait, 6) for wait in after] == [0.1] * 5  # ten a second, as a client asking back to back gets them
    assert pace.wait_turn("10.0.0.8") == 0.0  # another address has its own allowance


def test_an_address_that_reads_within_its_pace_never_waits_and_an_idle_one_gets_its_burst_back():
    clock = Clock()
    pace = ReadPace(clock.sleep, per_second=10, burst=20, clock=clock)

    steady = []
    for _ in range(100):
        steady.append(pace.wait_turn("10.0.0.7"))
        clock.now += 0.1
    for _ in range(20):
        pace.wait_turn("10.0.0.9")
    clock.now += 2.0

    assert steady == [0.0] * 100 and clock.slept == []
    assert [pace.wait_turn("10.0.0.9") for _ in range(20)] == [0.0] * 20


def test_the_results_route_paces_an_address_polling_back_to_back_and_still_answers_every_read(offline_app):
    clock, pace = Clock(), runtime_of(offline_app).results_pace
    pace.clock, pace.sleep = clock, clock.sleep
    poller = offline_app.test_client()

    answers = [poller.get("/api/results") for _ in range(pace.burst + 5)]

    assert {answer.status_code for answer in answers} == {200}
    assert len(clock.slept) == 5 and clock.now > 100.0
