"""The phones' side of the show: live results, phone-sized, in a room of their own.

A phone's socket says who it is in its connect auth ({"role": "phone"}), joins PHONES and
hears one thing: "results" in `phone_results`' shape, at most twice a second (the
Broadcaster's phone `ResultsRoom`). On (re)connect it gets the last payload its room was
sent, at once and without a database query: a thousand phones coming back after a Wi-Fi
blip cost a thousand small sends, not a thousand tallies. Phones never hear the feed, the
stage, the notes or anything presenter-only, and asking for a dashboard snapshot gets
them nothing.
"""

from flask import request
from flask_socketio import join_room

from lab.show.broadcast import Broadcaster, ResultsRoom
from lab.show.rooms import PHONES

PHONE_EVERY = 0.5  # seconds between two results messages to the phones, at least


def is_phone(auth: object) -> bool:
    """Whether a socket's connect auth says it is a phone."""
    return isinstance(auth, dict) and auth.get("role") == "phone"


def phone_results(results: dict) -> dict:
    """The phone's share of the dashboard's results: the round of votes, and the truth and the lie per option once revealed.

    While the results are hidden the share doesn't move with the votes, so the phones hear
    nothing during the voting stage itself: a room voting costs no broadcasts to its phones.
    A reset starts a new round, which every phone hears (or gets when it reconnects): one
    that voted in an older round forgets that vote.
    """
    if not results["visible"]:
        return {"visible": False, "round": results["round"]}
    counts = {row["id"]: {"real": row["real"], "fantasy": row["fantasy"]} for row in results["options"]}
    return {"visible": True, "round": results["round"], "totals": results["totals"], "counts": counts,
            "words": results["words"]["phone"]}


PHONE_ROOM = ResultsRoom(PHONES, PHONE_EVERY, phone_results)


def welcome_phone(broadcaster: Broadcaster) -> None:
    """A phone connected (or came back): into the phones' room, and the latest results to it alone."""
    join_room(PHONES)
    broadcaster.catch_up(PHONES, request.sid)  # type: ignore[attr-defined]  # set by Flask-SocketIO in an event
