"""Who is voting: a random voter id in a signed, HttpOnly, SameSite=Lax cookie.

The id is signed with the app's secret, so a cookie someone edited fails the signature
(never a 500): its holder must open the vote page again for a new id before voting.
Identity is per browser, not per person: a private tab or a second browser is a new voter.
"""

import secrets
from collections import OrderedDict
from functools import lru_cache

from flask import Request, Response, current_app
from flask.sessions import SessionInterface
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.http import dump_cookie

COOKIE_NAME = "tcmagic_voter"
COOKIE_MAX_AGE = 12 * 3600
NO_VOTER = "This browser has no voter id: open the vote page first (scan the QR code), then vote."


@lru_cache(maxsize=8)
def _serializer_for(secret_key: str) -> URLSafeSerializer:
    """One serializer per app secret (building one costs more than signing with it)."""
    return URLSafeSerializer(secret_key, salt="voter-id")


def new_voter_id() -> str:
    """A fresh random voter id (32 hex characters)."""
    return secrets.token_hex(16)


class RecentCookies:
    """The voter ids of the last `size` cookies this show signed or checked, so each is checked once.

    A phone sends back, with its vote and its second try, the cookie its vote page was
    given: the signature's check (a key derived, then an HMAC, JSON and base64) is done
    when the cookie is signed, or on its first arrival, and not again. Only checked
    cookies (and the ones found forged, as None) are kept, by their exact text.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._known: OrderedDict[tuple[str, str], str | None] = OrderedDict()

    def voter_in(self, secret_key: str, cookie: str) -> str | None:
        try:
            return self._known[(secret_key, cookie)]
        except KeyError:
            voter_id = _checked_voter(secret_key, cookie)
            self.remember(secret_key, cookie, voter_id)
            return voter_id

    def remember(self, secret_key: str, cookie: str, voter_id: str | None) -> None:
        self._known[(secret_key, cookie)] = voter_id
        while len(self._known) > self.size:
            try:
                self._known.popitem(last=False)
            except KeyError:  # another thread took the last one
                break


RECENT = RecentCookies()


def voter_from(request: Request) -> str | None:
    """The voter id in the request's cookie, or None when missing or tampered with."""
    return voter_in(current_app.secret_key, request.cookies.get(COOKIE_NAME))


def voter_in(secret_key: str, cookie: str | None) -> str | None:
    """The voter id in the voter cookie's text, or None when missing or tampered with."""
    return RECENT.voter_in(secret_key, cookie) if cookie else None


def _checked_voter(secret_key: str, cookie: str) -> str | None:
    """The voter id a cookie signed with `secret_key` holds, or None when its signature or content is wrong."""
    try:
        voter_id = _serializer_for(secret_key).loads(cookie)
    except BadSignature:
        return None
    return voter_id if isinstance(voter_id, str) and 0 < len(voter_id) <= 64 else None


def remember_voter(response: Response, request: Request, voter_id: str) -> None:
    """Set the voter cookie for `voter_id` on `response` (see `voter_cookie`)."""
    response.headers.add("Set-Cookie", voter_cookie(current_app.secret_key, voter_id, over_https(request.environ)))


def voter_cookie(secret_key: str, voter_id: str, secure: bool) -> str:
    """The Set-Cookie value for `voter_id`: signed, HttpOnly (no script reads it), SameSite=Lax, Secure over https."""
    cookie = _serializer_for(secret_key).dumps(voter_id)
    RECENT.remember(secret_key, cookie, voter_id)
    return dump_cookie(COOKIE_NAME, cookie, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=secure)


def over_https(environ: dict) -> bool:
    """Whether the phone reached us over https (directly, or through a proxy that says so)."""
    return environ.get("wsgi.url_scheme") == "https" or environ.get("HTTP_X_FORWARDED_PROTO", "").startswith("https")


class NoSessions(SessionInterface):
    """The show keeps no Flask session (a voter is this module's own cookie): none is opened or saved per request."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response) -> None:
        pass
