"""The rate limit as the presenter turns it on, and the bot that runs into it."""

import pytest

from lab.web import runtime_of
from tests.web.helpers import Presenter, audience_member

pytestmark = pytest.mark.realdb


def vote(client, option="mocks"):
    return client.post("/api/vote", json={"option": option})


def test_turned_on_it_starts_redis_and_allows_three_attempts_then_429_with_retry_after(limited_app):
    presenter, phone = Presenter(limited_app.test_client()), audience_member(limited_app)
    show = runtime_of(limited_app).show

    turned_on = presenter.act("rate-limit", {"enabled": True})
    codes = [vote(phone).status_code for _ in range(4)]
    limited = vote(phone)

    assert turned_on.status_code == 200
    assert turned_on.json["enabled"] is True and turned_on.json["limit"] == 3
    assert turned_on.json["redis_startup_seconds"] >= 0
    assert codes == [201, 409, 409, 429]
    assert limited.status_code == 429 and limited.json["status"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert f"try again in {limited.headers['Retry-After']} s" in limited.json["message"]
    assert any(line["text"].startswith("Redis ready in") for line in show.feed.lines())
    assert show.services.status()["rate_limit"] == {"enabled": True, "degraded": False, "limit": 3, "window": 60.0}


def test_turned_off_every_attempt_reaches_postgres_again_and_redis_is_kept(limited_app):
    presenter, phone = Presenter(limited_app.test_client()), audience_member(limited_app)
    presenter.act("rate-limit", {"enabled": True})
    for _ in range(4):
        vote(phone)

    turned_off = presenter.act("rate-limit", {"enabled": False})
    again = vote(phone)
    presenter.act("rate-limit", {"enabled": True})

    assert turned_off.json == {"status": "ok", "enabled": False, "limit": 3, "window": 60.0}
    assert again.status_code == 409
    assert runtime_of(limited_app).services.engine.started == 1  # on again: the same Redis


def test_the_bot_sees_three_votes_pass_the_limiter_and_seven_refused(limited_app, connect_dashboard):
    presenter = Presenter(limited_app.test_client())
    screen = connect_dashboard(limited_app)
    presenter.act("rate-limit", {"enabled": True})

    burst = presenter.act("bot").json

    assert burst["attempts"] == 10 and burst["passed_limiter"] == 3 and burst["refused_by_limiter"] == 7
    assert burst["codes"] == [201, 409, 409] + [429] * 7
    assert burst["outcomes"] == {"accepted": 1, "duplicate": 2, "rate_limited": 7} and burst["rate_limit"] == "on"
    screen.wait_for("feed", lambda lines: any("3 passed the rate limiter, 7 refused with 429" in line["text"] for line in lines))
    assert runtime_of(limited_app).show.ballot.real.count() == 1


def test_without_the_limit_all_ten_bot_votes_reach_postgres(limited_app):
    burst = Presenter(limited_app.test_client()).act("bot", {"option": "prayer"}).json

    assert burst["passed_limiter"] == 10 and burst["outcomes"] == {"accepted": 1, "duplicate": 9}
    assert burst["rate_limit"] == "off"


@pytest.mark.parametrize("action, body", [
    ("rate-limit", {}), ("rate-limit", {"enabled": "yes"}), ("bot", {"option": "nope"}),
    ("chaos", {}), ("chaos", {"action": "kill-everything"}), ("tests", {}), ("tests", {"target": "prod"}),
])
def test_a_malformed_request_is_a_400_saying_what_to_send(presenter, action, body):
    answer = presenter.act(action, body)

    assert answer.status_code == 400
    assert answer.json["message"].startswith(("Send", "Unknown option"))


def test_chaos_on_redis_before_the_limit_is_on_is_a_409(presenter):
    answer = presenter.act("chaos", {"action": "kill-redis"})

    assert answer.status_code == 409
    assert "turn the rate limit on first" in answer.json["message"]
