"""POST /api/vote answered as plain WSGI: the request every phone sends, twice.

Through Flask, a vote spent about 250 us of the show's one core around its own work (the
request and app contexts, routing, a Request and a Response object, the JSON helpers);
answered here it spends about 50 (measured in-process, the store in memory). At a
thousand phones that was a sixth of the show's CPU. What a vote is stays in one place,
`vote_answer`: the voter cookie (lab.web.voters), the show's attempt (rate limit, both
stores, feed), the answer's words (lab.web.http_errors). The JSON is read by the app's
own provider (lab.web.bounded_json), and the security headers and the connection cap
wrap this path as they wrap Flask.

Only a vote as phones send it is taken here: a JSON body with its Content-Length, within
the app's limit. Anything else (chunked, too large, another content type, another method)
goes on to Flask's route, which answers it as before, with `vote_answer` too.
"""

import json
import logging
from typing import Callable

from werkzeug.http import HTTP_STATUS_CODES, parse_cookie

from lab.web.http_errors import error_body
from lab.web.voters import COOKIE_NAME, NO_VOTER, voter_in

log = logging.getLogger(__name__)

PATH = "/api/vote"
ANSWER_CODES = {"accepted": 201, "duplicate": 409, "invalid": 400, "unavailable": 503, "rate_limited": 429}
NOT_JSON = 'Send JSON like {"option": "<option id>"}.'
UNKNOWN_OPTION = "Unknown option: tap one of the buttons on the page."


def vote_answer(show, voter_id: str | None, body: object) -> tuple[int, dict, list[tuple[str, str]]]:
    """(HTTP status, JSON payload, extra headers) for a vote by `voter_id` with the parsed JSON `body`.

    No valid voter cookie, no vote: a browser that dropped its cookie would otherwise be a
    new voter at every request.
    """
    if voter_id is None:
        return 400, error_body(400, NO_VOTER), []
    option = body.get("option") if isinstance(body, dict) else None
    if not isinstance(option, str):
        return 400, error_body(400, NOT_JSON), []
    if option not in show.options:
        return 400, error_body(400, UNKNOWN_OPTION), []
    attempt = show.attempt(voter_id, option)
    headers = [] if attempt.retry_after is None else [("Retry-After", str(attempt.retry_after))]
    return ANSWER_CODES[attempt.status], {"status": attempt.status, "message": attempt.message}, headers


def json_mimetype(environ: dict) -> bool:
    """Whether the request says its body is JSON (application/json, with or without a charset)."""
    return environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower() == "application/json"


def body_length(environ: dict, limit: int) -> int | None:
    """The body's Content-Length if it is given, plain and within `limit`; None otherwise."""
    length = environ.get("CONTENT_LENGTH", "")
    if not length.isdigit() or "HTTP_TRANSFER_ENCODING" in environ:
        return None
    return int(length) if int(length) <= limit else None


class VotePath:
    """WSGI middleware: a phone's POST /api/vote is answered here; every other request goes on to `wsgi_app`."""

    def __init__(self, wsgi_app: Callable, app, show, limit: int) -> None:
        self.wsgi_app = wsgi_app
        self.app = app  # its secret key signs the voter cookies, its JSON provider reads the bodies
        self.show = show
        self.limit = limit

    def __call__(self, environ: dict, start_response):
        length = body_length(environ, self.limit)
        if (environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST" or length is None
                or not json_mimetype(environ)):
            return self.wsgi_app(environ, start_response)
        try:
            body = self.read_json(environ["wsgi.input"].read(length))
            cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE_NAME)
            status, payload, headers = vote_answer(self.show, voter_in(self.app.secret_key, cookie), body)
        except Exception:  # as Flask's handler does: the details in the terminal, one sentence to the phone
            log.exception("unexpected error answering POST %s", PATH)
            status, payload, headers = 500, error_body(500), []
        text = (json.dumps(payload, ensure_ascii=True, separators=(",", ":"), sort_keys=True) + "\n").encode()
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(text))), *headers])
        return [text]

    def read_json(self, data: bytes) -> object:
        """The body as the app's JSON provider reads it (nesting bounded); None if it isn't JSON, as get_json(silent=True)."""
        try:
            return self.app.json.loads(data)
        except ValueError:
            return None
