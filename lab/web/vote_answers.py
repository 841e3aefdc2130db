"""What a vote is answered: its HTTP status, JSON payload and headers, for the routes and the phones' fast path alike.

`POST /api/vote` (lab.web.routes) answers with `vote_answer`; so does a phone's vote taken
before Flask (lab.web.transport.phone_path), and the presenter's rehearsal counts the
same ANSWER_CODES.
"""

from lab.web.http_errors import error_body
from lab.web.voters import NO_VOTER

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
