"""Voting over HTTP as a phone does it: the real PostgreSQL decides, the mock counts anyway."""

import pytest

from lab.ratelimit.limiters import FantasyRateLimiter
from lab.servers.containers import free_port
from lab.settings import PostgresSettings
from lab.votes.pool import ConnectionPool
from lab.waiting import wait_for
from lab.web import runtime_of
from lab.web.voters import COOKIE_NAME
from tests.web.helpers import audience_member

pytestmark = pytest.mark.realdb


def vote(client, option="mocks"):
    return client.post("/api/vote", json={"option": option})


def test_the_vote_page_gives_a_phone_a_signed_httponly_lax_voter_cookie(app):
    page = app.test_client().get("/qr")

    assert page.status_code == 200
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for label in ("Mocks", "Real containers", "Prayer"):
        assert f">{label}</button>" in page.text


def test_the_vote_page_is_rendered_once_but_follows_the_question_and_options(app, show):
    phone = app.test_client()
    first, again = phone.get("/qr").text, phone.get("/qr").text
    show.question = "Tabs or <spaces>?"
    show.ballot.options["bash"] = "Bash & friends"

    changed = phone.get("/qr").text

    assert first == again
    assert "Tabs or &lt;spaces&gt;?" in changed and ">Bash &amp; friends</button>" in changed
    assert app.test_client().get("/qr", base_url="http://localhost/show").text.count('src="/show/static/') == 3


def test_a_vote_is_stored_in_postgres_and_in_the_mock(client, show):
    answer = vote(client, "real-containers")

    assert answer.status_code == 201
    assert answer.json["status"] == "accepted"
    assert show.ballot.real.tally()["real-containers"] == 1
    assert show.ballot.fantasy.tally()["real-containers"] == 1


def test_a_second_vote_is_refused_by_the_unique_constraint_but_the_mock_counts_it(client, show):
    vote(client, "mocks")

    again = vote(client, "prayer")

    assert again.status_code == 409
    assert again.json["status"] == "duplicate"
    assert again.json["message"].startswith("You already voted!")
    assert "UNIQUE" in again.json["message"] and "23505" in again.json["message"]
    assert show.ballot.real.count() == 1
    assert show.ballot.fantasy.count() == 2
    assert client.get("/api/results").json["refused"] == 1


def test_two_phones_each_get_their_vote(app, client, show):
    assert vote(client).status_code == 201
    assert vote(audience_member(app)).status_code == 201
    assert show.ballot.real.count() == 2


def test_a_vote_without_the_page_first_is_a_400_and_nothing_is_recorded(app, show):
    answers = [vote(app.test_client()) for _ in range(3)]  # a phone that drops its cookie every time

    assert [answer.status_code for answer in answers] == [400, 400, 400]
    assert "open the vote page first" in answers[0].json["message"]
    assert show.ballot.real.count() == 0 and show.ballot.fantasy.count() == 0


def test_a_cookie_is_checked_once_while_recent_and_a_forged_one_never_passes():
    from itsdangerous import URLSafeSerializer

    from lab.web.voters import VoterCookies

    recent, signer = VoterCookies("secret-1", size=2), URLSafeSerializer("secret-1", salt="voter-id")
    genuine = signer.dumps("phone-1")
    forged = URLSafeSerializer("another-secret", salt="voter-id").dumps("phone-1")

    assert recent.voter_in(genuine) == "phone-1"
    assert recent.voter_in(forged) is None
    assert VoterCookies("secret-2").voter_in(genuine) is None  # the same text under another show's key
    assert recent.voter_in(forged) is None  # remembered as forged, still refused
    assert len(recent._known) == 2  # bounded: the oldest went
    signed_here = recent.cookie_for("phone-2", secure=False).split(";")[0].split("=", 1)[1]
    assert recent.voter_in(signed_here) == "phone-2"


def test_a_tampered_voter_cookie_is_a_400_not_a_new_voter(client, show):
    vote(client)
    client.set_cookie(COOKIE_NAME, "forged-voter-id.bad-signature")

    answer = vote(client)

    assert answer.status_code == 400
    assert "open the vote page first" in answer.json["message"]
    assert show.ballot.real.count() == 1


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('{"option": "mocks"', "application/json"),
        ("option=mocks", "application/x-www-form-urlencoded"),
        ("", "application/json"),
        ('["mocks"]', "application/json"),
        ('{"choice": "mocks"}', "application/json"),
        ('{"option": 3}', "application/json"),
        ('{"option": null}', "application/json"),
    ],
)
def test_missing_or_garbled_json_is_a_400_and_nothing_is_stored(client, show, body, content_type):
    answer = client.post("/api/vote", data=body, content_type=content_type)

    assert answer.status_code == 400
    assert answer.json["status"] == "invalid"
    assert show.ballot.real.count() == show.ballot.fantasy.count() == 0


def test_an_unknown_option_is_a_400_and_nothing_is_stored(client, show):
    answer = vote(client, "'; DROP TABLE votes; --")

    assert answer.status_code == 400
    assert "Unknown option" in answer.json["message"]
    assert show.ballot.real.count() == show.ballot.fantasy.count() == 0


def test_a_body_over_4_kb_is_a_413(client, show):
    answer = client.post("/api/vote", data='{"option": "mocks", "pad": "' + "x" * 5000 + '"}', content_type="application/json")

    assert answer.status_code == 413
    assert answer.json["status"] == "too_large"
    assert show.ballot.real.count() == 0


def test_a_database_that_does_not_answer_is_a_503_with_nothing_recorded(client, show):
    working_pool = show.ballot.real.pool
    show.ballot.real.pool = ConnectionPool(PostgresSettings("127.0.0.1", free_port()), size=1, wait_timeout=0.5)
    try:
        answer = vote(client)
        # the failed vote starts a health probe in the background: only its failure says "down";
        # the results' count is reconciled in the background too, which finds no answer either
        wait_for(lambda: any("PostgreSQL is down" in line["text"] for line in show.feed.lines()),
                 "the health probe to find PostgreSQL down")
        wait_for(lambda: client.get("/api/results").json["database"] == "unavailable",
                 "the results' reconciliation to find PostgreSQL not answering")
        results = client.get("/api/results").json
    finally:
        show.ballot.real.pool.close()
        show.ballot.real.pool = working_pool

    assert answer.status_code == 503
    assert answer.json["status"] == "unavailable"
    assert "nothing was recorded" in answer.json["message"]
    assert results["database"] == "unavailable"
    assert show.ballot.real.count() == 0
    assert vote(client).status_code == 201
    assert any("PostgreSQL is back" in line["text"] for line in show.feed.lines())


def test_a_plugged_in_rate_limiter_answers_429_with_retry_after(show_config, postgres_settings):
    from lab.web import create_app, shutdown

    show_config.rate_limiter = FantasyRateLimiter(limit=1, window=60, clock=lambda: 0.0)
    app = create_app(show_config)
    try:
        client = audience_member(app)
        assert vote(client).status_code == 201
        limited = vote(client)
    finally:
        shutdown(app)

    assert limited.status_code == 429
    assert limited.json["status"] == "rate_limited"
    assert limited.headers["Retry-After"] == "60"
    assert runtime_of(app).show.feed.lines()[-1]["kind"] == "rate-limited"


def test_results_are_totals_only_until_the_presenter_shows_them(client):
    vote(client, "prayer")

    results = client.get("/api/results").json

    assert results["visible"] is False
    assert results["totals"] == {"real": 1, "fantasy": 1}
    assert all(set(row) == {"id", "label"} for row in results["options"])


def test_an_unexpected_failure_is_a_json_500_without_a_stack_trace(client, show, monkeypatch):
    def broken(voter_id, option_id):
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(show.ballot.fantasy, "vote", broken)

    answer = vote(client)

    assert answer.status_code == 500
    assert answer.json["status"] == "error"
    assert "internal detail" not in answer.text and "Traceback" not in answer.text


def test_unknown_api_paths_answer_json(client):
    answer = client.get("/api/nothing-here")

    assert answer.status_code == 404
    assert answer.json["status"] == "not_found"


def test_question_and_options_are_shown_as_text_not_markup(show_config, postgres_settings):
    from lab.web import create_app, shutdown
    from lab.web.config import parse_options

    show_config.question = "<script>alert('q')</script>?"
    show_config.options = parse_options(["<script>alert('o')</script>", "<b>bold</b>"])
    app = create_app(show_config)
    try:
        pages = [app.test_client().get(path).text for path in ("/", "/qr")]
    finally:
        shutdown(app)

    for page in pages:
        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in pages[1]


def test_no_audience_page_or_answer_contains_the_presenter_secret(client, show_config):
    answers = [client.get("/"), client.get("/qr"), vote(client), vote(client), client.get("/api/results")]

    assert all(show_config.presenter_token not in answer.text for answer in answers)
