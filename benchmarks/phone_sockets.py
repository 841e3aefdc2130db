"""A thousand phones' sockets in one small process: the load benchmark's audience listening for results.

    python benchmarks/phone_sockets.py BASE_URL COUNT [--one-address]

Each socket speaks what the phone page's Socket.IO client speaks over a WebSocket
(Engine.IO 4: open, then a namespace connect with auth {"role": "phone"}, pings answered),
offers per-message compression as every browser does (and inflates what comes compressed
if the server takes the offer), and notes the arrival time and the totals of every
"results" message. The arrival time is the kernel's (SO_TIMESTAMPNS: when the bytes
reached the socket, not when this one thread got round to them), put on
time.perf_counter's clock (CLOCK_MONOTONIC, shared with the parent process). One thread and one selector for all
of them, and the few lines of WebSocket framing a client needs written out here (a
general library spent 50 us a message, five times the JSON), so a thousand listeners
cost the machine little next to the server they measure. Each socket comes from an
address of its own (`phone_address`: 127.1.x.y), as every phone on a venue's Wi-Fi does,
so the show's room counts and shares them as it would a real audience's. A request from
127.0.0.1 with no forwarding header is the presenter's own browser, which the room never
refuses or holds to a share (lab/web/transport/capacity.py), so sockets from it
(`--one-address`, how this was measured before 2026-12-06) measure a show without its room. Prints "connected N" once all
are in; for each line "report" on stdin, one line of JSON (`summary`); ends at "stop"
or end of input.
"""

import base64
import itertools
import json
import os
import selectors
import socket
import statistics
import struct
import sys
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

PATH = "/socket.io/?EIO=4&transport=websocket"
CONTINUATION, TEXT, CLOSE, PING, PONG = 0x0, 0x1, 0x8, 0x9, 0xA  # WebSocket opcodes (RFC 6455)
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux's value; Python doesn't name it
STAMP = struct.Struct("qq")  # struct timespec
BATCH = 50  # sockets opened before waiting for them to be in: a burst, not a flood
BROWSERS_OFFER = "permessage-deflate; client_max_window_bits"  # Chrome's and Firefox's Sec-WebSocket-Extensions
DEFLATE_TAIL = b"\x00\x00\xff\xff"  # RFC 7692: taken off each compressed message, put back to inflate it
PHONES_PER_BLOCK = 250  # phone addresses a /24: 127.<block>.<n // 250>.<n % 250 + 1>


def phone_address(number: int, block: int) -> str:
    """Phone `number`'s own address in loopback block 127.`block`.0.0/16 (Linux answers all of 127/8 on lo).

    Never 127.0.0.1, the presenter's own browser to the show's room (never refused, held to no share).
    """
    if not 1 <= block <= 255 or not 0 <= number < PHONES_PER_BLOCK * 256:
        raise ValueError(f"no address for phone {number} in block {block}")
    return f"127.{block}.{number // PHONES_PER_BLOCK}.{number % PHONES_PER_BLOCK + 1}"


class PhoneSocket:
    """One phone's socket: the WebSocket, its Socket.IO state, and the results it heard."""

    def __init__(self, host: str, port: int, source: str | None = None) -> None:
        self.sock = socket.create_connection((host, port), timeout=10, source_address=(source, 0) if source else None)
        self.stamped = stamp_arrivals(self.sock)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(f"GET {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                          f"Sec-WebSocket-Extensions: {BROWSERS_OFFER}\r\n\r\n".encode())
        self.buffer = bytearray()
        self.upgraded = self.connected = self.closed = False
        self.inflate: Any = None  # a decompressor kept for the whole connection, if the server took the offer
        self.text: list[bytes] = []
        self.compressed = False  # the message being read came compressed
        self.heard: list[tuple[float, int | None, bool]] = []  # (arrival, real total, visible)

    def readable(self, now: float) -> None:
        """Read what arrived and answer what needs an answer."""
        data, ancillary, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(STAMP.size) if self.stamped else 0)
        now = arrival(ancillary, now)
        if not data:
            self.closed = True
            return
        self.buffer += data
        if not self.upgraded:
            head, found, rest = bytes(self.buffer).partition(b"\r\n\r\n")
            if not found:
                return
            self.upgraded, self.closed = head.startswith(b"HTTP/1.1 101"), not head.startswith(b"HTTP/1.1 101")
            if b"permessage-deflate" in head.lower():
                self.inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            self.buffer = bytearray(rest)
        for opcode, final, compressed, payload in frames(self.buffer):
            if opcode in (TEXT, CONTINUATION):
                self.compressed |= opcode == TEXT and compressed
                self.text.append(payload)
                if final:
                    message = b"".join(self.text)
                    if self.compressed:
                        message = self.inflate.decompress(message + DEFLATE_TAIL)
                    self.packet(message.decode(), now)
                    self.text, self.compressed = [], False
            elif opcode == PING:
                self.sock.sendall(frame(PONG, payload))
            elif opcode == CLOSE:
                self.closed = True

    def packet(self, text: str, now: float) -> None:
        """One Engine.IO packet: open, ping, or a Socket.IO connect or event."""
        if text.startswith("0"):  # Engine.IO open: connect to the main namespace as a phone
            self.send("40" + json.dumps({"role": "phone"}))
        elif text == "2":  # Engine.IO ping
            self.send("3")
        elif text.startswith("40"):
            self.connected = True
        elif text.startswith("42"):
            name, *args = json.loads(text[2:])
            if name == "results":
                self.heard.append((now, args[0]["totals"]["real"], args[0]["visible"]))
        elif text.startswith(("41", "44", "1")):  # disconnected, refused, closed
            self.closed = True

    def send(self, text: str) -> None:
        """Send one Engine.IO packet."""
        self.sock.sendall(frame(TEXT, text.encode()))


def stamp_arrivals(sock: socket.socket) -> bool:
    """Ask the kernel to stamp what `sock` receives (Linux); False where it can't."""
    if sys.platform != "linux":
        return False
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
        return False
    return True


def arrival(ancillary: list, otherwise: float) -> float:
    """When the kernel got the bytes, on time.perf_counter's clock; `otherwise` if it didn't say."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= STAMP.size:
            seconds, nanoseconds = STAMP.unpack_from(data)
            return seconds + nanoseconds / 1e9 - (time.time() - time.perf_counter())
    return otherwise


def frames(buffer: bytearray):
    """(opcode, final, compressed, payload) of the complete frames at the start of `buffer` (a server's: never
    masked), removed from it as read; `compressed` is the RSV1 bit of per-message compression."""
    while len(buffer) >= 2:
        size, start = buffer[1] & 0x7F, 2
        if size >= 126:
            start = 4 if size == 126 else 10
            if len(buffer) < start:
                return
            size = int.from_bytes(buffer[2:start], "big")
        if len(buffer) < start + size:
            return
        opcode, final, compressed = buffer[0] & 0x0F, bool(buffer[0] & 0x80), bool(buffer[0] & 0x40)
        payload = bytes(buffer[start:start + size])
        del buffer[:start + size]
        yield opcode, final, compressed, payload


def frame(opcode: int, payload: bytes) -> bytes:
    """One final client frame: masked, as RFC 6455 requires of clients."""
    mask = os.urandom(4)
    size = len(payload)
    length = bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + size.to_bytes(2, "big")
    return bytes([0x80 | opcode]) + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def summary(phones: list[PhoneSocket]) -> dict:
    """What the parent needs: per real total, when every socket had heard it; pace and losses."""
    totals = sorted({total for phone in phones for _, total, visible in phone.heard if visible and total is not None})
    everyone_by, spreads = {}, []
    sent = {seen for _, seen, visible in phones[0].heard[1:] if visible} if phones else set()  # broadcast, not caught up
    for total in totals:
        firsts = [next((at for at, seen, visible in phone.heard if visible and seen is not None and seen >= total), None)
                  for phone in phones]
        heard_by = [at for at in firsts if at is not None]
        everyone = len(heard_by) == len(firsts)
        everyone_by[total] = max(heard_by) if everyone else None
        if everyone and total in sent:
            spreads.append(max(heard_by) - min(heard_by))  # how long one broadcast took from the first socket to the last
    gaps = [b[0] - a[0] for phone in phones for a, b in itertools.pairwise(phone.heard[1:])]  # after the catch-up
    return {
        "sockets": len(phones),
        "connected": sum(phone.connected and not phone.closed for phone in phones),
        "closed": sum(phone.closed for phone in phones),
        "compressed": sum(phone.inflate is not None for phone in phones),
        "everyone_by": [[total, at] for total, at in everyone_by.items()],
        "messages_per_socket": [min(len(p.heard) for p in phones), max(len(p.heard) for p in phones)] if phones else [0, 0],
        "closest_two_ms": min(gaps) * 1000 if gaps else None,
        "spread_ms": [statistics.median(spreads) * 1000, max(spreads) * 1000] if spreads else None,
        "final_totals": sorted({p.heard[-1][1] for p in phones if p.heard}, key=lambda t: (t is None, t)),
    }


def run(base_url: str, count: int, out=sys.stdout, commands=sys.stdin, one_address: bool = False) -> None:
    """Open `count` phone sockets (each from its own address unless `one_address`), say "connected N", then listen
    and answer `commands` until "stop"."""
    where = urlsplit(base_url)
    selector = selectors.DefaultSelector()
    selector.register(commands, selectors.EVENT_READ, None)
    phones: list[PhoneSocket] = []

    def pump(timeout: float) -> bool:
        """Serve every socket that has data, and the parent's command; False once told to stop.

        What a socket holds when select returns had arrived by then: that is its arrival
        time, not when this one thread got round to it after parsing the others.
        """
        ready = selector.select(timeout)
        now = time.perf_counter()
        for key, _ in ready:
            if key.data is None:
                command = commands.readline().strip()
                if command != "report":
                    return False
                print(json.dumps(summary(phones)), file=out, flush=True)
                continue
            phone = key.data
            phone.readable(now)
            if phone.closed:
                selector.unregister(phone.sock)
        return True

    assert where.hostname and where.port, base_url
    for _ in range(count):
        source = None if one_address else phone_address(len(phones), block=1)
        phones.append(PhoneSocket(where.hostname, where.port, source))
        phones[-1].sock.setblocking(False)
        selector.register(phones[-1].sock, selectors.EVENT_READ, phones[-1])
        if len(phones) % BATCH == 0 or len(phones) == count:
            deadline = time.monotonic() + 30
            while not all(p.connected or p.closed for p in phones) and time.monotonic() < deadline:
                pump(0.1)
    print(f"connected {sum(p.connected for p in phones)}", file=out, flush=True)
    while pump(1.0):
        pass


if __name__ == "__main__":
    run(sys.argv[1], int(sys.argv[2]), one_address="--one-address" in sys.argv[3:])
