"""The presenter API: POST /api/presenter/<action>, every request carrying the presenter secret.

Actions live in a registry: another module adds one with `@presenter_action("name")`
and it is served under the same path, behind the same check (missing secret 401, wrong
secret 403, compared in constant time; after more than 10 wrong ones a minute from one
address, 429 without a check: lab.web.secret).
"""

from typing import Callable

from flask import Blueprint, jsonify, request

from lab.errors import WorkshopError
from lab.web.http_errors import error_response
from lab.web.script import STAGES
from lab.web.runtime import ShowRuntime, runtime_of
from lab.web.services import ServiceProblem

TOKEN_HEADER = "X-Presenter-Token"

bp = Blueprint("presenter", __name__, url_prefix="/api/presenter")

ACTIONS: dict[str, Callable[[ShowRuntime, dict], dict]] = {}


class ActionError(Exception):
    """A presenter request that can't be carried out; the message says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def carry_out(work):
    """Run a show action; what can't be done now is a 409, a server that won't start a 503."""
    try:
        return work()
    except ServiceProblem as problem:
        raise ActionError(str(problem), 409) from problem
    except WorkshopError as error:
        raise ActionError(str(error), 503) from error


def presenter_action(name: str):
    """Register `handler(runtime, body) -> dict` as POST /api/presenter/<name>."""

    def register(handler):
        ACTIONS[name] = handler
        return handler

    return register


def token_problem() -> tuple[int, str] | None:
    """(401, why) without a secret, (403, why) with a wrong one, (429, why) after too many wrong ones; None when it matches."""
    secret = runtime_of().secret
    verdict = secret.check(request.headers.get(TOKEN_HEADER, ""), request.remote_addr or "")
    if verdict == "throttled":
        wait = secret.retry_after(request.remote_addr or "")
        return 429, f"Too many wrong presenter secrets from this address: try again in {wait} s."
    if verdict == "missing":
        return 401, f"Presenter secret missing: send it in the {TOKEN_HEADER} header."
    if verdict == "wrong":
        return 403, "Wrong presenter secret."
    return None


@bp.post("/<action>")
def dispatch(action: str):
    """Check the secret, then run the registered action with the JSON body."""
    problem = token_problem()
    if problem:
        return error_response(*problem)
    handler = ACTIONS.get(action)
    if handler is None:
        return error_response(404, f"Unknown presenter action {action!r}: use one of {', '.join(sorted(ACTIONS))}.")
    body = request.get_json(silent=True) if request.content_length else {}
    if not isinstance(body, dict):
        return error_response(400, "Send a JSON object as the body.")
    try:
        answer = handler(runtime_of(), body)
    except ActionError as error:
        return error_response(error.status, str(error))
    return jsonify(status="ok", **answer)


@presenter_action("reset")
def reset(runtime: ShowRuntime, body: dict) -> dict:
    """Reset Everything: the cold open as if just started, on the same servers; every dashboard redraws."""
    return {"message": carry_out(runtime.show.reset)}


@presenter_action("clock")
def clock(runtime: ShowRuntime, body: dict) -> dict:
    """Start or resume the show's clocks, or pause them: {"running": true|false}."""
    running = body.get("running")
    if not isinstance(running, bool):
        raise ActionError('Send {"running": true} or {"running": false}.')
    return {"stage": runtime.show.run_clock(running)}


@presenter_action("results")
def results(runtime: ShowRuntime, body: dict) -> dict:
    """Show or hide the per-option results: {"visible": true|false}."""
    visible = body.get("visible")
    if not isinstance(visible, bool):
        raise ActionError('Send {"visible": true} or {"visible": false}.')
    runtime.show.show_results(visible)
    return {"visible": visible}


@presenter_action("stage")
def stage(runtime: ShowRuntime, body: dict) -> dict:
    """Move the show to stage {"stage": n}, counted from 0."""
    index = body.get("stage")
    count = len(STAGES)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
        raise ActionError(f'Send {{"stage": n}} with n from 0 to {count - 1}.')
    return {"stage": runtime.show.go_to_stage(index)}
