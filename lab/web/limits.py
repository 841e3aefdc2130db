"""What one client may do to the show's Socket.IO server: malformed packets end its connection quietly.

A hostile client can send any bytes as a Socket.IO packet. python-socketio raises
ValueError for a packet it can't decode (bad JSON, JSON nested too deep, an unknown packet
type), and engine.io would print that as a traceback in the presenter's terminal. Here such
a client is simply disconnected.
"""

import logging

import socketio

log = logging.getLogger(__name__)


def refuse_malformed_packets(server: socketio.Server) -> None:
    """Disconnect, without a traceback, a client whose packet can't be decoded."""
    handle = server._handle_eio_message  # the one seam python-socketio gives for its own decoding

    def guarded(eio_sid: str, data) -> None:
        try:
            handle(eio_sid, data)
        except ValueError as error:
            log.info("disconnecting a client that sent a malformed packet: %s", error)
            server.eio.disconnect(eio_sid)

    server.eio.on("message", guarded)
