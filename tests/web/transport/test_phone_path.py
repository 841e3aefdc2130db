"""A phone's page and vote are answered before Flask (lab/web/phone_path.py), exactly as Flask's routes answer them."""

import json

import pytest

from lab.web import runtime_of
from lab.web.routes import vote as flask_route
from lab.web.routes import vote_page as flask_page
from lab.web.transport.phone_path import body_length, json_mimetype
from tests.web.helpers import audience_member


@pytest.fixture
def flask_requests(offline_app):
    """The requests Flask's own machinery saw (a before_request hook counts them)."""
    seen = []
    offline_app.before_request(lambda: seen.append(True) and None)
    return seen


def test_a_phones_vote_never_enters_flask_and_gets_its_answer_and_the_security_headers(offline_app, flask_requests):
    phone = audience_member(offline_app)  # the first GET /qr: through Flask, which renders the page
    answer = phone.post("/api/vote", json={"option": "mocks"})
    again = phone.post("/api/vote", data='{"option": "mocks"}', content_type="application/json; charset=utf-8")

    assert len(flask_requests) == 1
    assert (answer.status_code, answer.json["status"]) == (201, "accepted")
    assert again.status_code == 201  # the mock store in this app takes duplicates: it is the wiring under test
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("body, content_type", [
    ('{"option": "mocks"}', "application/json"),
    ('{"option": "nonsense"}', "application/json"),
    ('{"option": ' * 40 + "1" + "}" * 40, "application/json"),  # deeper than the provider allows
    ("not json", "application/json"),
    ("", "application/json"),
])
def test_the_phone_path_and_flasks_route_give_a_vote_the_same_answer(offline_app, flask_requests, body, content_type):
    fast = audience_member(offline_app).post("/api/vote", data=body, content_type=content_type)
    cookie = audience_member(offline_app).get_cookie("tcmagic_voter")
    with offline_app.test_request_context("/api/vote", method="POST", data=body, content_type=content_type,
                                          headers={"Cookie": f"tcmagic_voter={cookie.value}"}):
        slow = offline_app.make_response(flask_route())

    assert (fast.status_code, fast.json) == (slow.status_code, json.loads(slow.get_data()))
    assert fast.get_data() == slow.get_data()  # to the byte: same keys, order and spacing


def test_what_a_phone_does_not_send_goes_on_to_flask(offline_app, flask_requests):
    phone = audience_member(offline_app)
    answers = [
        phone.post("/api/vote", data="x" * 5000, content_type="application/json"),  # over the limit: Flask's 413
        phone.post("/api/vote", data="option=mocks", content_type="application/x-www-form-urlencoded"),
        phone.get("/api/vote"),
    ]

    assert [answer.status_code for answer in answers] == [413, 400, 405]
    assert all(answer.json["status"] for answer in answers)  # JSON sentences, as every /api/ error
    assert len(flask_requests) == 1 + 3


def test_only_a_plain_json_body_with_its_length_within_the_limit_is_taken():
    assert body_length({"CONTENT_LENGTH": "20"}, 4096) == 20
    assert body_length({"CONTENT_LENGTH": "5000"}, 4096) is None
    assert body_length({}, 4096) is None and body_length({"CONTENT_LENGTH": "-1"}, 4096) is None
    assert body_length({"CONTENT_LENGTH": "20", "HTTP_TRANSFER_ENCODING": "chunked"}, 4096) is None
    assert json_mimetype({"CONTENT_TYPE": "Application/JSON; charset=utf-8"})
    assert not json_mimetype({"CONTENT_TYPE": "application/vnd.api+json"}) and not json_mimetype({})


def test_once_rendered_the_page_is_served_before_flask_with_a_cookie_as_flask_sets_it(offline_app, flask_requests):
    first = offline_app.test_client().get("/qr")  # Flask renders the page
    later = offline_app.test_client().get("/qr")
    kept = audience_member(offline_app)
    again = kept.get("/qr")
    with offline_app.test_request_context("/qr"):
        slow = offline_app.make_response(flask_page())

    assert len(flask_requests) == 1  # the first page only: every later GET found it rendered
    assert later.status_code == 200 and later.get_data() == first.get_data() == slow.get_data()
    assert later.headers["Content-Type"] == slow.headers["Content-Type"] == "text/html; charset=utf-8"
    assert attributes(later.headers["Set-Cookie"]) == attributes(slow.headers["Set-Cookie"])
    assert "Set-Cookie" not in again.headers  # a phone that has its cookie keeps it
    assert later.headers["X-Frame-Options"] == "DENY"
    assert kept.post("/api/vote", json={"option": "mocks"}).status_code == 201  # the fast path's cookie is a voter's


def test_a_new_question_s_page_is_rendered_by_flask_first(offline_app, flask_requests):
    offline_app.test_client().get("/qr")
    runtime_of(offline_app).show.question = "Tabs or spaces?"
    page = offline_app.test_client().get("/qr")

    assert "Tabs or spaces?" in page.text and len(flask_requests) == 2


def attributes(set_cookie: str) -> list[str]:
    """A Set-Cookie header without its value and expiry (each cookie is new, and signed at its own second)."""
    return sorted(part.strip() for part in set_cookie.split(";")[1:] if not part.strip().startswith("Expires="))
