"""The two requests every phone sends, answered as plain WSGI before Flask: the vote page and the vote.

Through Flask, each spent about 250 us of the show's one core around its own work (the
request and app contexts, routing, a Request and a Response object, the JSON helpers);
answered here, about 50 (measured in-process, the store in memory). At a thousand phones
that was a sixth of the show's CPU, and the votes' p99 waited behind it.

What each answer is stays in one place, shared with Flask's routes (lab/web/routes.py):
`vote_answer` for a vote (lab.web.vote_answers), the page Flask rendered for a question
and its options, the voter cookie of lab.web.voters. The responses are Flask's own: the
app's `response_class`, and for the JSON the app's provider's `response` (what jsonify
calls), so debug-mode output and headers are Flask's by construction; the security
headers and the connection cap wrap this path as they wrap Flask.

Only requests as phones send them are taken here: GET /qr once Flask has rendered its page
for the current question and options, and POST /api/vote with a JSON body of a given
length within the app's limit. Anything else (HEAD, chunked, too large, another content
type, another method) goes on to Flask's routes, which answer it as before.
"""

import logging
from collections.abc import Callable

from werkzeug.http import parse_cookie

from lab.web.http_errors import error_body
from lab.web.vote_answers import vote_answer
from lab.web.voters import COOKIE_NAME, VoterCookies, new_voter_id, over_https

log = logging.getLogger(__name__)

PAGE = "/qr"
VOTE = "/api/vote"
HTML = "text/html; charset=utf-8"


def json_mimetype(environ: dict) -> bool:
    """Whether the request says its body is JSON (application/json, with or without a charset)."""
    return environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower() == "application/json"


def body_length(environ: dict, limit: int) -> int | None:
    """The body's Content-Length if it is given, plain and within `limit`; None otherwise."""
    length = environ.get("CONTENT_LENGTH", "")
    if not length.isdigit() or "HTTP_TRANSFER_ENCODING" in environ:
        return None
    return int(length) if int(length) <= limit else None


class PhonePath:
    """WSGI middleware: a phone's GET /qr and POST /api/vote are answered here; the rest goes on to `wsgi_app`.

    `rendered_page(script_root)` is the vote page Flask last rendered for the show's
    question and options under that script root, or None (then Flask renders it).
    """

    def __init__(self, wsgi_app: Callable, app, show, limit: int, rendered_page: Callable[[str], str | None],
                 voters: VoterCookies) -> None:
        self.wsgi_app = wsgi_app
        self.app = app  # its JSON provider reads the bodies
        self.show = show
        self.limit = limit
        self.rendered_page = rendered_page
        self.voters = voters

    def __call__(self, environ: dict, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == VOTE and method == "POST":
            length = body_length(environ, self.limit)
            if length is not None and json_mimetype(environ):
                return self.vote(environ, length, start_response)
        elif path == PAGE and method == "GET":
            page = self.rendered_page(environ.get("SCRIPT_NAME", "").rstrip("/"))
            if page is not None:
                return self.page(environ, page, start_response)
        return self.wsgi_app(environ, start_response)

    def page(self, environ: dict, page: str, start_response):
        """The vote page, with a voter cookie for a phone that has none (or a forged one)."""
        response = self.app.response_class(page, content_type=HTML)
        if self.voter(environ) is None:
            response.headers.add("Set-Cookie", self.voters.cookie_for(new_voter_id(), over_https(environ)))
        return response(environ, start_response)

    def vote(self, environ: dict, length: int, start_response):
        """The vote's answer, made by the app's JSON provider as Flask's jsonify makes it (debug output included)."""
        try:
            body = self.read_json(environ["wsgi.input"].read(length))
            status, payload, headers = vote_answer(self.show, self.voter(environ), body)
        except Exception:  # as Flask's handler does: the details in the terminal, one sentence to the phone
            log.exception("unexpected error answering POST %s", VOTE)
            status, payload, headers = 500, error_body(500), []
        response = self.app.json.response(payload)
        response.status_code = status
        response.headers.extend(headers)
        return response(environ, start_response)

    def voter(self, environ: dict) -> str | None:
        """The voter id in the request's cookie, or None."""
        return self.voters.voter_in(parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE_NAME))

    def read_json(self, data: bytes) -> object:
        """The body as the app's JSON provider reads it (nesting bounded); None if it isn't JSON, as get_json(silent=True)."""
        try:
            return self.app.json.loads(data)
        except ValueError:
            return None
