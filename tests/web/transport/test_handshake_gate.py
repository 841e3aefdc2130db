"""Engine.IO handshakes count for a few seconds against the room and their client's share; the presenter's never refused."""

from lab.votes.fantasy import FantasyVoteStore
from lab.web import runtime_of
from lab.web.config import ShowConfig
from lab.web.presenter import TOKEN_HEADER
from lab.web.presenter_secret import DEVICE_COOKIE
from lab.web.transport.capacity import FULL, fair_share
from lab.web.transport.handshake_gate import HandshakeGate
from lab.web.transport.open_files import connection_room
from tests.web.helpers import AUDIENCE, FORWARDED_AUDIENCE, HOSTILE, TOKEN, WRONG_SECRET

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def handshake(client, address: str):
    return client.get(HANDSHAKE, environ_base={"REMOTE_ADDR": address})


def test_a_flood_of_polling_handshakes_from_one_laptop_cannot_fill_the_room(build_app):
    app = build_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), presenter_token=TOKEN,
                               max_connections=64))
    client = app.test_client()

    flood = [handshake(client, "192.0.2.66").status_code for _ in range(2000)]
    phones = [handshake(client, address).status_code for address in AUDIENCE[:40]]
    projector = handshake(client, "127.0.0.1")
    refused = handshake(client, "192.0.2.66")

    assert flood.count(200) == fair_share(64) and flood.count(503) == 2000 - fair_share(64)
    assert phones == [200] * 40
    assert projector.status_code == 200
    assert refused.status_code == 503 and refused.text == FULL
    assert refused.headers["X-Frame-Options"] == "DENY"  # refusals are answers like any other
    assert client.get("/healthz").status_code == 200


def test_a_full_room_still_lets_the_presenters_screen_in_and_carries_on_open_sessions(build_app):
    app = build_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), presenter_token=TOKEN,
                               max_connections=connection_room(256)))  # a Mac's default limit, never raised
    client = app.test_client()

    opened = [handshake(client, address) for address in AUDIENCE[:connection_room(256)]]
    refused = handshake(client, AUDIENCE[-1])
    sid = opened[0].text.split('"sid":"', 1)[1].split('"', 1)[0]
    carrying_on = client.post(f"{HANDSHAKE}&sid={sid}", data="40", environ_base={"REMOTE_ADDR": AUDIENCE[0]})

    assert {answer.status_code for answer in opened} == {200}
    assert refused.status_code == 503
    assert [handshake(client, "127.0.0.1").status_code for _ in range(20)] == [200] * 20
    assert carrying_on.status_code == 200


def test_a_handshake_stops_counting_after_a_few_seconds():
    now = [0.0]
    gate = HandshakeGate(lambda environ, start_response: [b"ok"], room=64, join_seconds=5.0, clock=lambda: now[0])

    first = [gate.admit("192.0.2.66") for _ in range(fair_share(64) + 1)]
    now[0] += 5.0
    later = gate.admit("192.0.2.66")

    assert first[-1] is False and all(first[:-1])
    assert later is True


def through_tunnel(client, forwarded_for: str, token: str | None = None):
    """A polling handshake through a proxy on this machine that names its client `forwarded_for`."""
    headers = {"X-Forwarded-For": forwarded_for, **({TOKEN_HEADER: token} if token else {})}
    return client.get(HANDSHAKE, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})


def test_behind_a_tunnel_a_flood_of_handshakes_from_one_laptop_is_held_to_its_share_and_the_presenter_connects(
        build_app):
    app = build_app(ShowConfig(real_store=FantasyVoteStore(), fantasy_store=FantasyVoteStore(), presenter_token=TOKEN,
                               max_connections=64))
    client = app.test_client()

    flood = [through_tunnel(client, HOSTILE).status_code for _ in range(100)]
    phones = [through_tunnel(client, address).status_code for address in FORWARDED_AUDIENCE[:48]]  # the room is full
    late_phone = through_tunnel(client, FORWARDED_AUDIENCE[48])
    wrong_secret = through_tunnel(client, "11.9.9.9", WRONG_SECRET)
    projector = through_tunnel(client, "11.9.9.9", TOKEN)
    presenters_laptop = client.get(HANDSHAKE, environ_base={"REMOTE_ADDR": "127.0.0.1"})  # no forwarding header
    proven_browser = app.test_client()  # a browser that proved the secret holds the device proof, sent on every request
    proven_browser.set_cookie(DEVICE_COOKIE, runtime_of(app).secret.device_proof())
    its_socket = through_tunnel(proven_browser, "11.9.9.9")

    assert flood.count(200) == fair_share(64) and flood.count(503) == 100 - fair_share(64)
    assert phones == [200] * 48
    assert late_phone.status_code == 503 and wrong_secret.status_code == 503
    assert projector.status_code == 200 and presenters_laptop.status_code == 200
    assert its_socket.status_code == 200
