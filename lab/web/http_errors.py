"""Errors as the browser sees them: JSON with one sentence for /api/*, a short page elsewhere.

No stack trace ever reaches a browser; the terminal log keeps the details.
"""

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

SENTENCES = {
    400: "The request was not understood: send JSON like {\"option\": \"<option id>\"}.",
    404: "Nothing here: the vote page is /qr.",
    405: "That method is not allowed here.",
    413: "The request body is larger than 4 KB: a vote is a few bytes.",
    500: "Something went wrong on the server: the presenter's terminal has the details.",
}


STATUS_WORDS = {
    400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large",
    429: "rate_limited", 503: "unavailable",
}


def error_body(status: int, message: str | None = None) -> dict:
    """{"status": <word>, "message": <one sentence>} for HTTP `status`."""
    return {"status": STATUS_WORDS.get(status, "error"), "message": message or SENTENCES.get(status, "The request failed.")}


def error_response(status: int, message: str | None = None):
    """A JSON error body (`error_body`) with HTTP `status`."""
    return jsonify(error_body(status, message)), status


def register_error_handlers(app: Flask) -> None:
    """Answer every HTTP error with one sentence; JSON under /api/."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            return error_response(error.code or 500)
        return SENTENCES.get(error.code or 500, error.name), error.code, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unexpected error answering %s %s", request.method, request.path)
        return http_error(InternalServerError())
