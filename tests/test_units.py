"""The pure parts, without Docker: waiting, outcomes, images, the fantasy store, test reports."""

import pytest

from lab.servers.images import IMAGES, POSTGRES
from lab.testruns.pytest_run import parse_line, run_test_file
from lab.votes import Outcome
from lab.votes.fantasy import FantasyVoteStore
from lab.votes.outcomes import from_sqlstate
from lab.waiting import WaitTimeout, wait_for


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_for_returns_the_first_truthy_answer():
    answers = iter([None, 0, "ready"])
    clock = Clock()

    assert wait_for(lambda: next(answers), "an answer", clock=clock, sleep=clock.sleep) == "ready"


def test_wait_for_names_what_it_waited_for_when_time_runs_out():
    clock = Clock()

    with pytest.raises(WaitTimeout, match="Timed out after 2 s waiting for Redis to expire the counter"):
        wait_for(lambda: False, "Redis to expire the counter", timeout=2, clock=clock, sleep=clock.sleep)


def test_wait_for_treats_listed_errors_as_not_yet():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("not yet")
        return True

    clock = Clock()
    assert wait_for(flaky, "a server", clock=clock, sleep=clock.sleep, ignore=(ConnectionError,))
    assert len(calls) == 3


@pytest.mark.parametrize(
    "sqlstate, outcome",
    [("23505", Outcome.DUPLICATE), ("23503", Outcome.INVALID), ("23502", Outcome.INVALID),
     ("23514", Outcome.INVALID), ("22001", Outcome.INVALID), ("57P01", Outcome.UNAVAILABLE), (None, Outcome.UNAVAILABLE)],
)
def test_refusals_are_recognised_by_sqlstate(sqlstate, outcome):
    assert from_sqlstate(sqlstate).outcome is outcome


def test_a_duplicate_names_the_unique_constraint():
    result = from_sqlstate("23505", "one_vote_per_voter")

    assert "UNIQUE constraint (one_vote_per_voter)" in result.message
    assert result.sqlstate == "23505"


def test_images_can_be_overridden_for_a_private_mirror(monkeypatch):
    assert POSTGRES.name == "postgres:15-alpine"
    monkeypatch.setenv("TCMAGIC_POSTGRES_IMAGE", "mirror.example/postgres:15-alpine")

    assert IMAGES["postgres"].name == "mirror.example/postgres:15-alpine"
    assert IMAGES["redis"].name == "redis:7-alpine"


def test_the_fantasy_store_counts_what_the_database_would_refuse():
    store = FantasyVoteStore()
    store.add_option("containers", "Testcontainers")

    results = [store.vote("phone-1", "containers"), store.vote("phone-1", "containers"), store.vote(None, "cobol")]

    assert all(result.accepted for result in results)
    assert store.tally() == {"containers": 2, "cobol": 1}
    assert store.duplicates() == [("phone-1", 2)]


def test_result_lines_are_read_and_other_output_ignored():
    line = 'TCMAGIC-RESULT {"name": "test_a", "outcome": "failed", "seconds": 0.5}'

    assert parse_line(line).outcome == "failed"
    assert parse_line("..." + line).name == "test_a"
    assert parse_line("....   [100%]") is None


def test_a_test_file_streams_one_outcome_per_test_in_order():
    seen = []

    outcomes = run_test_file("tests/test_fantasy.py", on_result=seen.append)

    assert seen == outcomes
    assert len(outcomes) == 8
    assert {o.outcome for o in outcomes} == {"passed"}
    assert outcomes[0].name == "test_a_second_vote_from_the_same_phone_is_refused"
