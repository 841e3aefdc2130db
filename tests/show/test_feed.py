"""The lifecycle feed (lab/show/feed.py): newest kept, and a restart forgets what came before it."""

from lab.show.feed import Feed, FeedLine


class Sink:
    def __init__(self) -> None:
        self.lines: list[dict] = []

    def post(self, line: dict) -> None:
        self.lines.append(line)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_restart_drops_the_docker_events_of_before_it_that_arrive_late():
    clock = Clock(1000.0)
    feed = Feed(Sink(), clock)
    feed.post(FeedLine("docker-kill", "Docker: postgres container killed", "bad", at=999.5))

    clock.now = 1010.0
    feed.restart(FeedLine("reset", "Reset everything"))
    feed.post(FeedLine("docker-die", "Docker: postgres container died", "bad", at=1009.0))  # read late

    assert [line["text"] for line in feed.lines()] == ["Reset everything"]


def test_a_docker_clock_running_ahead_of_ours_does_not_let_the_rehearsal_greet_the_cold_open():
    clock = Clock(1000.0)
    feed = Feed(Sink(), clock)
    ahead = 5.0  # Docker in a VM whose clock drifted after the laptop slept
    feed.post(FeedLine("docker-kill", "Docker: redis container killed", "bad", at=1000.0 + ahead))

    clock.now = 1010.0
    feed.restart(FeedLine("reset", "Reset everything"))
    feed.post(FeedLine("docker-die", "Docker: redis container died", "bad", at=1008.0 + ahead))  # before the reset
    feed.post(FeedLine("docker-start", "Docker: redis container started", "good", at=1011.0 + ahead))  # after it

    assert [line["text"] for line in feed.lines()] == ["Reset everything", "Docker: redis container started"]


def test_lines_without_their_own_time_are_stamped_now_and_kept():
    clock = Clock(50.0)
    feed = Feed(Sink(), clock, length=2)

    for text in ("one", "two", "three"):
        feed.post(FeedLine("app", text))

    assert [line["text"] for line in feed.lines()] == ["two", "three"]
    assert {line["at"] for line in feed.lines()} == {50.0}
