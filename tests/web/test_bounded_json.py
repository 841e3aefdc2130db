"""JSON nested 1,000 levels deep is a 400 (HTTP) or a quiet disconnect (Socket.IO), never a 500 or a traceback."""

import logging

import pytest

from lab.web import runtime_of
from lab.web.bounded_json import MAX_DEPTH, TooDeep, bounded_loads, may_nest_deeper, nesting_depth
from lab.web.presenter import TOKEN_HEADER
from tests.web.helpers import TOKEN

DEEP_LIST = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"":' * 700 + '"mocks"' + "}" * 700  # as deep as fits in the 4 KB a body may have


def test_depth_counts_brackets_but_not_those_inside_strings():
    assert nesting_depth('{"a": [1, {"b": []}]}') == 4
    assert nesting_depth('{"a": "[[[[{{{{\\"[["}') == 1
    assert nesting_depth(b"[]") == 1


@pytest.mark.parametrize("text", ['{"option": "mocks"}', "[[[]]]", b'{"a": [{}]}', '"[[[[" ' * 20, "[" * 40, b"{" * 40])
def test_the_quick_count_never_passes_a_text_the_full_scan_would_refuse(text):
    for depth in (0, 1, 2, 3, MAX_DEPTH):
        assert may_nest_deeper(text, depth) or nesting_depth(text) <= depth


def test_a_text_nested_deeper_than_the_bound_is_refused_as_malformed_json():
    assert bounded_loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(TooDeep):
        bounded_loads(DEEP_LIST)
    assert issubclass(TooDeep, ValueError)


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT])
def test_a_deep_vote_is_a_400_in_words(offline_app, body, caplog):
    client = offline_app.test_client()
    client.get("/qr")

    answer = client.post("/api/vote", data=body, content_type="application/json")

    assert answer.status_code == 400
    assert answer.json["message"]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize("action", ["reset", "stage", "chaos", "nope"])
@pytest.mark.parametrize("token", [TOKEN, None])
def test_a_deep_presenter_request_is_a_4xx_never_a_500(offline_app, action, token, caplog):
    headers = {TOKEN_HEADER: token} if token else {}

    answer = offline_app.test_client().post(f"/api/presenter/{action}", data=DEEP_OBJECT,
                                            content_type="application/json", headers=headers)

    assert 400 <= answer.status_code < 500
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


class EngineSession:
    """What the gate reads of an Engine.IO socket: whether it is closed, and its close."""

    def __init__(self) -> None:
        self.closed = False
        self.closes: list[dict[str, bool]] = []

    def close(self, **how) -> None:
        self.closes.append(how)
        self.closed = True


@pytest.mark.parametrize("packet", ['2["snapshot",' + DEEP_LIST + "]", "2" + DEEP_OBJECT, "9garbage", '2["x"'])
def test_a_malformed_socket_packet_ends_that_connection_quietly(offline_app, connect_dashboard, packet, caplog,
                                                               monkeypatch):
    sid = connect_dashboard(offline_app).connection.eio_sid
    server = runtime_of(offline_app).socketio.server
    session = EngineSession()
    monkeypatch.setattr(server.eio, "sockets", {sid: session})  # the test client has no Engine.IO socket of its own

    server.eio.handlers["message"](sid, packet)  # what engine.io calls with each packet a client sends

    assert session.closes == [{"wait": False, "abort": True}]  # ended now, without waiting for the client
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
