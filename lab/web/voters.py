"""Who is voting: a random voter id in a signed, HttpOnly, SameSite=Lax cookie.

The id is signed with the app's secret, so a cookie someone edited fails the signature
(never a 500): its holder must open the vote page again for a new id before voting.
Identity is per browser, not per person: a private tab or a second browser is a new voter.
"""

import secrets
from functools import lru_cache

from flask import Request, Response, current_app
from flask.sessions import SessionInterface
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE_NAME = "tcmagic_voter"
COOKIE_MAX_AGE = 12 * 3600
NO_VOTER = "This browser has no voter id: open the vote page first (scan the QR code), then vote."


def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.secret_key)


@lru_cache(maxsize=8)
def _serializer_for(secret_key: str) -> URLSafeSerializer:
    """One serializer per app secret (building one costs more than signing with it)."""
    return URLSafeSerializer(secret_key, salt="voter-id")


def new_voter_id() -> str:
    """A fresh random voter id (32 hex characters)."""
    return secrets.token_hex(16)


def voter_from(request: Request) -> str | None:
    """The voter id in the request's cookie, or None when missing or tampered with."""
    cookie = request.cookies.get(COOKIE_NAME)
    return _voter_in(current_app.secret_key, cookie) if cookie else None


@lru_cache(maxsize=4096)
def _voter_in(secret_key: str, cookie: str) -> str | None:
    """The voter id a cookie signed with `secret_key` holds, or None: checked once per cookie while it is recent.

    A phone sends the same cookie with its page, its vote and its second try; the
    signature's check (a key derived, then an HMAC, JSON and base64) is done for the first.
    """
    try:
        voter_id = _serializer_for(secret_key).loads(cookie)
    except BadSignature:
        return None
    return voter_id if isinstance(voter_id, str) and 0 < len(voter_id) <= 64 else None


def remember_voter(response: Response, request: Request, voter_id: str) -> None:
    """Set the voter cookie: HttpOnly (no script reads it), SameSite=Lax, Secure over https."""
    secure = request.is_secure or request.headers.get("X-Forwarded-Proto", "").startswith("https")
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(voter_id),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


class NoSessions(SessionInterface):
    """The show keeps no Flask session (a voter is this module's own cookie): none is opened or saved per request."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response) -> None:
        pass
