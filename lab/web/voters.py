"""Who is voting: a random voter id in a signed, HttpOnly, SameSite=Lax cookie.

The id is signed with the app's secret, so a cookie someone edited fails the signature
(never a 500): its holder must open the vote page again for a new id before voting.
Identity is per browser, not per person: a private tab or a second browser is a new voter.
"""

import secrets
from collections import OrderedDict
from functools import lru_cache

from flask import Request, Response
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


class VoterCookies:
    """One show's voter cookies: signed with its secret key, each cookie's text checked once while recent.

    A phone sends back, with its vote and its second try, the cookie its vote page was
    given: the signature's check (a key derived, then an HMAC, JSON and base64) is done
    when the cookie is signed, or on its first arrival, and not again. Only checked
    cookies (and the ones found forged, as None) are kept, by their exact text, the last
    `size` of them. create_app builds one per show (lab.web.runtime.ShowRuntime.voters).
    """

    def __init__(self, secret_key: str, size: int = 4096) -> None:
        self.secret_key = secret_key
        self.size = size
        self._known: OrderedDict[str, str | None] = OrderedDict()

    def voter_in(self, cookie: str | None) -> str | None:
        """The voter id in the voter cookie's text, or None when missing or tampered with."""
        if not cookie:
            return None
        try:
            return self._known[cookie]
        except KeyError:
            voter_id = _checked_voter(self.secret_key, cookie)
            self._remember(cookie, voter_id)
            return voter_id

    def voter_from(self, request: Request) -> str | None:
        """The voter id in the request's cookie, or None when missing or tampered with."""
        return self.voter_in(request.cookies.get(COOKIE_NAME))

    def cookie_for(self, voter_id: str, secure: bool) -> str:
        """The Set-Cookie value for `voter_id`: signed, HttpOnly (no script reads it), SameSite=Lax, Secure over https."""
        cookie = _serializer_for(self.secret_key).dumps(voter_id)
        self._remember(cookie, voter_id)
        return dump_cookie(COOKIE_NAME, cookie, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax", secure=secure)

    def remember_voter(self, response: Response, request: Request, voter_id: str) -> None:
        """Set the voter cookie for `voter_id` on `response`."""
        response.headers.add("Set-Cookie", self.cookie_for(voter_id, over_https(request.environ)))

    def _remember(self, cookie: str, voter_id: str | None) -> None:
        self._known[cookie] = voter_id
        while len(self._known) > self.size:
            try:
                self._known.popitem(last=False)
            except KeyError:  # another thread took the last one
                break


def _checked_voter(secret_key: str, cookie: str) -> str | None:
    """The voter id a cookie signed with `secret_key` holds, or None when its signature or content is wrong."""
    try:
        voter_id = _serializer_for(secret_key).loads(cookie)
    except BadSignature:
        return None
    return voter_id if isinstance(voter_id, str) and 0 < len(voter_id) <= 64 else None


def over_https(environ: dict) -> bool:
    """Whether the phone reached us over https (directly, or through a proxy that says so)."""
    return environ.get("wsgi.url_scheme") == "https" or environ.get("HTTP_X_FORWARDED_PROTO", "").startswith("https")


class NoSessions(SessionInterface):
    """The show keeps no Flask session (a voter is this module's own cookie): none is opened or saved per request."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response) -> None:
        pass
