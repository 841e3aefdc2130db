"""Every frame a client sends is judged before it is parsed; the first over the allowance cuts the connection."""

import socket

import pytest
from websocket import ABNF

from lab.web.transport.gated_socket import FrameStarts, GatedSocket


def client_frame(payload: bytes | str, opcode: int = ABNF.OPCODE_TEXT, fin: int = 1) -> bytes:
    """One masked frame, as a client sends it (websocket-client's framing, not ours)."""
    return ABNF(fin, 0, 0, 0, opcode, 1, payload).format()


FRAMES = [client_frame("3"), client_frame(b"", ABNF.OPCODE_PING), client_frame("42" + "x" * 200),
          client_frame("y" * 70_000), client_frame(b"", ABNF.OPCODE_PONG), client_frame('42["snapshot"]'),
          client_frame("a" * 125), client_frame("b" * 126), client_frame("c" * 65_535), client_frame("d" * 65_536)]


def frame_offsets(frames: list[bytes]) -> list[int]:
    offsets, at = [], 0
    for frame in frames:
        offsets.append(at)
        at += len(frame)
    return offsets


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 13, 512, 4096, 1 << 20])
def test_every_frame_start_is_found_however_the_stream_is_cut_into_pieces(piece):
    stream = b"".join(FRAMES)
    starts, counter = [], FrameStarts()

    for at in range(0, len(stream), piece):
        starts += [at + offset for offset in counter.feed(stream[at:at + piece])]

    assert starts == frame_offsets(FRAMES)


class FakeWebSocket:
    connected = True


class Budget:
    """An allowance of `frames` frames, then none."""

    def __init__(self, frames: int) -> None:
        self.left, self.asked = frames, 0

    def __call__(self) -> bool:
        self.asked += 1
        self.left -= 1
        return self.left >= 0


@pytest.fixture
def pair():
    server, client = socket.socketpair()
    server.settimeout(10)
    yield server, client
    server.close()
    client.close()


def gated(sock: socket.socket, take, closed=lambda: None) -> GatedSocket:
    return GatedSocket(sock, FakeWebSocket(), take=take, wait_turn=lambda: None, spawn=lambda *args: None,
                       closed=closed)


@pytest.mark.parametrize("flood", [client_frame("3"), client_frame(b"", ABNF.OPCODE_PING), client_frame("6"),
                                   client_frame(b"", ABNF.OPCODE_PONG), client_frame('42["snapshot"]')],
                         ids=["engine.io pong", "websocket ping", "engine.io noop", "websocket pong", "socket.io message"])
def test_a_flood_of_any_frame_is_cut_at_the_allowance_and_the_rest_is_never_handed_on(pair, flood):
    server, client = pair
    budget = Budget(5)
    sock = gated(server, budget)
    client.sendall(flood * 1000)

    handed_on = b""
    while data := sock.recv(4096):
        handed_on += data

    assert handed_on == flood * 5  # the five allowed, whole; the sixth and all after never parsed
    assert sock.cut and budget.asked == 6  # judged one past the allowance, and no further


def test_frames_within_the_allowance_pass_untouched_whatever_their_size(pair):
    server, client = pair
    sock = gated(server, Budget(len(FRAMES)))
    client.sendall(b"".join(FRAMES))

    handed_on = b""
    while len(handed_on) < len(b"".join(FRAMES)):
        handed_on += sock.recv(4096)

    assert handed_on == b"".join(FRAMES) and not sock.cut


def test_a_stopped_socket_reads_nothing_more_and_closing_says_so(pair):
    server, client = pair
    ended = []
    sock = gated(server, Budget(100), closed=lambda: ended.append(True))
    client.sendall(client_frame("3"))
    sock.stop()

    assert sock.recv(4096) == b""
    sock.close()
    assert ended == [True]
