"""Chaos on the show's own servers: Redis killed or frozen, PostgreSQL killed, then recovered.

These tests break servers, so they get their own Redis and PostgreSQL (module-scoped),
never the session ones the other tests share. The bounds are the ones the show
promises: while Redis is down a vote is answered within 1 s (fail open), limiting comes
back by itself within 2 s of Redis answering again; nothing PostgreSQL lost is reported
accepted.
"""

import re
import threading
import time

import pytest

from lab.servers.containers import RUN_ID
from lab.votes.postgres import PostgresVoteStore
from lab.waiting import wait_for
from lab.web import runtime_of
from tests.helpers import own_server
from tests.web.helpers import HandingEngine, Presenter, audience_member

pytestmark = [pytest.mark.docker, pytest.mark.slow]

FAIL_OPEN_BOUND = 1.0  # seconds a vote may take while Redis is dead or frozen
RESUME_BOUND = 2.0  # seconds until limiting resumes once Redis answers again


doomed_redis = own_server("docker_engine", "redis", "A Redis of this module's own: it gets killed and frozen.")
doomed_postgres = own_server("docker_engine", "postgres", "A durable PostgreSQL of this module's own: it gets killed, "
                             "and its votes must survive.", durable=True)


@pytest.fixture
def chaos_app(show_config, doomed_redis, doomed_postgres, docker_engine, build_app):
    """A show on the doomed servers, Docker events in its feed, rate limit on; everything running afterwards."""
    show_config.real_store = PostgresVoteStore(doomed_postgres.settings, pool_size=4, wait_timeout=2)
    show_config.engine = HandingEngine(doomed_redis)
    show_config.postgres_service = doomed_postgres
    show_config.docker_client, show_config.run_id = docker_engine.client, RUN_ID
    app = build_app(show_config)
    assert Presenter(app.test_client()).act("rate-limit", {"enabled": True}).status_code == 200
    yield app
    for service in (doomed_redis, doomed_postgres):
        if service.status() != "running":
            service.recover()


def timed_vote(client, option="mocks"):
    started = time.perf_counter()
    answer = client.post("/api/vote", json={"option": option})
    return answer.status_code, time.perf_counter() - started


def limited_again(app) -> bool:
    """True when a brand-new voter is limited after 3 attempts (so Redis is counting)."""
    phone = audience_member(app)
    return [timed_vote(phone)[0] for _ in range(4)][-1] == 429


@pytest.mark.parametrize("action, words", [("kill-redis", "killed"), ("pause-redis", "paused (frozen)")])
def test_with_redis_down_votes_pass_within_a_second_and_the_banner_comes_and_goes(
    chaos_app, connect_dashboard, doomed_redis, action, words
):
    presenter, screen = Presenter(chaos_app.test_client()), connect_dashboard(chaos_app)
    assert limited_again(chaos_app)

    broken = presenter.act("chaos", {"action": action})
    screen.wait_for("status", lambda status: status["rate_limit"]["degraded"])
    phone = audience_member(chaos_app)
    answers = [timed_vote(phone) for _ in range(6)]

    assert broken.status_code == 200 and broken.json["component"] == "redis"
    assert [code for code, _ in answers] == [201] + [409] * 5  # fail open: no 429, PostgreSQL still refuses repeats
    assert max(seconds for _, seconds in answers) < FAIL_OPEN_BOUND
    screen.wait_for("feed", lambda lines: any(
        line["text"].startswith("Docker: redis container") and f" {words}" in line["text"] for line in lines), timeout=10)

    doomed_redis.recover()  # behind the app's back: it must notice by itself
    back = time.perf_counter()
    screen.wait_for("status", lambda status: status["redis"] == "up" and not status["rate_limit"]["degraded"], timeout=10)
    wait_for(lambda: limited_again(chaos_app), "limiting to resume", timeout=10)
    assert time.perf_counter() - back < RESUME_BOUND
    screen.wait_for("feed", lambda lines: any("Redis is back: rate limit on again" in line["text"] for line in lines))
    texts = screen.feed_texts()
    assert sum("Redis does not answer" in text for text in texts) == 1  # no flapping once it is back


def test_a_burst_while_redis_is_frozen_pays_the_timeout_once_not_per_vote(chaos_app, doomed_redis):
    doomed_redis.pause()
    try:
        phones = [audience_member(chaos_app) for _ in range(20)]
        started = time.perf_counter()
        codes = [timed_vote(phone)[0] for phone in phones]
        burst = time.perf_counter() - started
    finally:
        doomed_redis.unpause()

    assert codes == [201] * 20
    assert burst < FAIL_OPEN_BOUND  # 20 votes: one 0.25 s timeout, then Redis skipped (no retry storm)


def test_with_postgres_killed_votes_are_503_nothing_accepted_is_missing_and_recover_needs_no_restart(
    chaos_app, connect_dashboard
):
    presenter, screen = Presenter(chaos_app.test_client()), connect_dashboard(chaos_app)
    show = runtime_of(chaos_app).show
    presenter.act("rate-limit", {"enabled": False})
    answers, stop = [], threading.Event()

    def phones_keep_voting():
        while not stop.is_set():
            answers.append(timed_vote(audience_member(chaos_app))[0])

    voting = threading.Thread(target=phones_keep_voting)
    voting.start()
    try:
        wait_for(lambda: answers.count(201) >= 5, "votes to flow before the kill")
        killed = presenter.act("chaos", {"action": "kill-postgres"})
        down = audience_member(chaos_app).post("/api/vote", json={"option": "prayer"})
        wait_for(lambda: answers.count(503) >= 5, "votes to be refused while PostgreSQL is dead")
        recovered = presenter.act("chaos", {"action": "recover"})
        accepted_before = answers.count(201)
        wait_for(lambda: answers.count(201) >= accepted_before + 5, "votes to flow again after recover")
    finally:
        stop.set()
        voting.join()

    assert killed.status_code == 200 and killed.json["component"] == "postgres"
    assert down.status_code == 503 and "nothing was recorded" in down.json["message"]
    assert set(answers) <= {201, 503}
    assert set(recovered.json["recovered"]) == {"postgres"}
    # every "accepted" is a row. The one vote in flight at the kill may have been committed
    # with its answer lost (then 503, row kept): never the other way round.
    assert answers.count(201) <= show.ballot.real.count() <= answers.count(201) + 1
    assert timed_vote(audience_member(chaos_app))[0] == 201  # the same app, no restart
    screen.wait_for("status", lambda status: status["postgres"] == "up")
    for shown in (lambda t: t.startswith("Docker: postgres container") and "killed" in t,
                  lambda t: "PostgreSQL is down" in t, lambda t: "PostgreSQL is back" in t):
        screen.wait_for("feed", lambda lines, shown=shown: any(shown(line["text"]) for line in lines), timeout=10)
    # the results' running count, reconciled with PostgreSQL's: the vote whose answer was lost at the kill included
    stored = show.ballot.real.count()
    screen.wait_for("results", lambda results: results["totals"]["real"] == stored, timeout=10)


def test_recover_with_nothing_down_says_so_and_a_second_kill_is_a_409(chaos_app):
    presenter = Presenter(chaos_app.test_client())

    nothing = presenter.act("chaos", {"action": "recover"})
    presenter.act("chaos", {"action": "kill-redis"})
    again = presenter.act("chaos", {"action": "kill-redis"})
    healed = presenter.act("chaos", {"action": "recover"})

    assert nothing.json == {"status": "ok", "action": "recover", "recovered": {}, "said": "Nothing was down."}
    assert again.status_code == 409 and "recover it first" in again.json["message"]
    assert set(healed.json["recovered"]) == {"redis"}
    assert re.fullmatch(r"Recovered: Redis in (under 0\.1|\d+\.\d) s", healed.json["said"])
