"""Hostile input, generated: random methods, paths, headers and bodies against the show.

Two properties, each over 200 generated requests (hypothesis) against the Flask test
client and the session PostgreSQL: no request ever gets a 5xx, and no presenter action
runs without the secret. With the secret, bodies are random too, and the servers the
actions touch are stand-ins whose chaos only changes a word (a fuzzer must not kill the
session's servers).
"""

import json
import string

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lab.testruns.paired import TestComparison
from lab.web import runtime_of
from lab.web.presenter import TOKEN_HEADER
from lab.web.voters import COOKIE_NAME
from tests.web.helpers import TOKEN

pytestmark = [pytest.mark.realdb, pytest.mark.slow]

ACTIONS = ["reset", "results", "stage", "rate-limit", "bot", "chaos", "tests"]
FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PRINTABLE = st.text(string.printable.strip("\r\n\x0b\x0c"), max_size=40)
KEYS = ["option", "enabled", "action", "target", "visible", "stage", "say"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["mocks", "prayer", "kill-redis", "pause-redis", "recover", "kill-postgres", "real", "naive"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
MEANINGFUL = st.sampled_from([True, False, "mocks", "prayer", "kill-redis", "pause-redis", "recover", "kill-postgres",
                              "real", "naive", 0, 2, 5])
JSON_BODIES = (
    st.dictionaries(st.sampled_from(KEYS), MEANINGFUL, min_size=1, max_size=3)  # near misses and real requests
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), JSON_VALUES, max_size=4)
    | JSON_VALUES
)
NESTINGS = [("[", "]"), ('{"option":', "}"), ('{"":[', "]}")]  # opener, closer
DEEP_BODIES = st.builds(
    lambda depth, nesting, closed: (nesting[0] * depth + ('"mocks"' + nesting[1] * depth if closed else "")).encode(),
    st.integers(33, 1000), st.sampled_from(NESTINGS), st.booleans(),
)  # nested past the show's bound, valid JSON or cut short (past 4 KB: a 413)
RAW_BODIES = (st.binary(max_size=300) | st.text(max_size=300).map(str.encode) | st.just(b"x" * 5000)
              | DEEP_BODIES)
PATHS = (
    st.sampled_from(["/api/vote", "/api/results", "/", "/qr", "/healthz", "/api/presenter/"])
    | st.sampled_from(ACTIONS + ["nope", "", "..", "%00"]).map(lambda a: f"/api/presenter/{a}")
    | st.text(string.ascii_letters + string.digits + "/-._~%", max_size=30).map(lambda p: "/" + p)
)
HEADERS = st.dictionaries(
    st.sampled_from(["Content-Type", TOKEN_HEADER, "X-Forwarded-Proto", "Origin", "Accept", "X-Whatever"]), PRINTABLE,
    max_size=4,
)
CONTENT_TYPES = st.just("application/json") | st.sampled_from(
    ["text/plain", "application/x-www-form-urlencoded", "", "application/json; charset=utf-16"]
)


class PretendService:
    """A server stand-in whose chaos only changes its state word."""

    def __init__(self, settings) -> None:
        self.settings, self.startup_seconds, self.state = settings, 0.0, "running"

    def status(self):
        return self.state

    def kill(self):
        self.state = "exited"

    def pause(self):
        self.state = "paused"

    def recover(self, timeout=None):
        self.state = "running"
        return 0.0


class PretendEngine:
    def __init__(self, settings) -> None:
        self.settings, self.started = settings, 0

    def start_redis(self):
        self.started += 1
        return PretendService(self.settings)


@pytest.fixture
def fuzz_app(show_config, redis_service, redis, postgres_service, build_app):
    show_config.engine = PretendEngine(redis_service.settings)
    show_config.postgres_service = PretendService(postgres_service.settings)
    show_config.comparison = TestComparison(run_file=lambda path, target, extra_env, on_result: [])
    return build_app(show_config)


def tracebacks(caplog) -> list:
    """What the app logged with a traceback (what the presenter's terminal would show)."""
    return [record.getMessage() for record in caplog.records if record.exc_info]


def untouched(show) -> tuple:
    return (show.stage()["index"], show.ballot.visible, show.services.enabled, show.services.redis,
            show.tests.snapshot()["target"], show.services.postgres.state)


@FUZZ
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]), path=PATHS,
       headers=HEADERS, body=RAW_BODIES | JSON_BODIES.map(lambda b: repr(b).encode()), cookie=PRINTABLE)
def test_no_request_gets_a_5xx_and_none_controls_the_show_without_the_secret(fuzz_app, method, path, headers, body, cookie,
                                                                             caplog):
    show = runtime_of(fuzz_app).show
    before = untouched(show)
    client = fuzz_app.test_client()
    client.set_cookie(COOKIE_NAME, cookie)
    if headers.get(TOKEN_HEADER) == TOKEN:  # a lucky guess of the secret is not what this property is about
        del headers[TOKEN_HEADER]

    # a whole URL, so that a path like //. stays a path (the test client would read it as a host name)
    answer = client.open(f"http://localhost{path}", method=method, headers=headers, data=body)

    event(f"{method} {path.split('/')[1][:8]} -> {answer.status_code}")
    assert answer.status_code < 500, (method, path, answer.text)
    assert untouched(show) == before
    if path.startswith("/api/presenter/") and method == "POST":
        assert answer.status_code in (401, 403, 404, 429)  # 404: no action in the path; 429: too many wrong secrets
    assert not tracebacks(caplog)


SHAPED = {  # action -> (its key, values it accepts)
    "rate-limit": ("enabled", [True, False]), "chaos": ("action", ["kill-redis", "pause-redis", "recover", "kill-postgres"]),
    "tests": ("target", ["real", "naive"]), "bot": ("option", ["mocks", "prayer"]), "results": ("visible", [True, False]),
    "stage": ("stage", [0, 2, 5]),
}


def bodies_for(action):
    """Bodies of the right shape with accepted values (so actions really run), near misses, or anything at all."""
    key, accepted = SHAPED.get(action, (None, []))
    shaped = st.fixed_dictionaries({key: st.sampled_from(accepted) | MEANINGFUL}) if key else st.just({})
    return st.tuples(st.just(action), shaped | shaped | JSON_BODIES | RAW_BODIES)


@FUZZ
@given(request=st.sampled_from(ACTIONS + ["nope"]).flatmap(bodies_for), content_type=CONTENT_TYPES)
def test_with_the_secret_random_bodies_get_an_answer_never_a_5xx(fuzz_app, request, content_type, caplog):
    action, body = request
    client = fuzz_app.test_client()
    data = body if isinstance(body, bytes) else None

    if data is None:
        answer = client.post(f"/api/presenter/{action}", json=body, headers={TOKEN_HEADER: TOKEN})
    else:
        answer = client.post(f"/api/presenter/{action}", data=data, content_type=content_type, headers={TOKEN_HEADER: TOKEN})

    event(f"{action} -> {answer.status_code}")  # pytest --hypothesis-show-statistics lists what was reached
    assert answer.status_code < 500, (action, body, answer.text)
    assert answer.json["status"] in ("ok", "invalid", "not_found", "conflict", "too_large")
    assert not tracebacks(caplog)


@FUZZ
@given(body=st.fixed_dictionaries({"option": MEANINGFUL | JSON_VALUES}, optional={"extra": JSON_VALUES})
       | JSON_BODIES | RAW_BODIES,
       content_type=CONTENT_TYPES, cookie=PRINTABLE, headers=HEADERS)
def test_a_vote_of_any_shape_is_answered_in_words_never_a_5xx(fuzz_app, body, content_type, cookie, headers, caplog):
    client = fuzz_app.test_client()
    client.set_cookie(COOKIE_NAME, cookie)
    headers.pop("Content-Type", None)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()

    answer = client.post("/api/vote", data=data, content_type=content_type, headers=headers)

    event(f"vote -> {answer.status_code}")
    assert answer.status_code in (201, 400, 409, 413, 429), answer.text
    assert answer.json["message"]
    assert not tracebacks(caplog)
