"""The presenter API: POST /api/presenter/<action>, every request carrying the presenter secret.

Each action is a route of this blueprint, so every one sits behind the same check, made
before any of them runs (missing secret 401, wrong secret 403, compared in constant time;
after more than 10 wrong ones a minute from one address, 429 without a check, except for
a browser holding the device proof its first right secret earned it:
lab.web.presenter_secret). docs/presenter.md lists each request and answer.
"""

import secrets

from flask import Blueprint, Response, current_app, g, jsonify, request

from lab.errors import WorkshopError
from lab.show.feed import FeedLine
from lab.show.live import voter_tag
from lab.show.script import STAGES
from lab.show.services import CHAOS_ACTIONS, ServiceProblem
from lab.targets import TARGETS
from lab.web.http_errors import error_response
from lab.web.presenter_secret import DEVICE_COOKIE, DEVICE_MAX_AGE
from lab.web.runtime import runtime_of
from lab.web.vote_answers import ANSWER_CODES
from lab.web.voters import over_https

TOKEN_HEADER = "X-Presenter-Token"
BOT_ATTEMPTS = 10

bp = Blueprint("presenter", __name__, url_prefix="/api/presenter")


class ActionError(Exception):
    """A presenter request that can't be carried out; the message says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def token_problem() -> tuple[int, str] | None:
    """(401, why) without a secret, (403, why) with a wrong one, (429, why) after too many wrong ones; None when it matches."""
    secret = runtime_of().secret
    device = request.cookies.get(DEVICE_COOKIE)
    verdict = secret.check(request.headers.get(TOKEN_HEADER, ""), request.remote_addr or "", device)
    g.earned_device_proof = verdict == "ok" and not secret.proves_device(device)
    if verdict == "throttled":
        wait = secret.retry_after(request.remote_addr or "")
        return 429, f"Too many wrong presenter secrets from this address: try again in {wait} s."
    if verdict == "missing":
        return 401, f"Presenter secret missing: send it in the {TOKEN_HEADER} header."
    if verdict == "wrong":
        return 403, "Wrong presenter secret."
    return None


@bp.before_request
def check_the_request():
    """Refuse any presenter request without the right secret, or with a body that isn't a JSON object, before its action runs."""
    problem = token_problem()
    if problem:
        return error_response(*problem)
    json_body()
    return None


@bp.after_request
def remember_the_presenters_browser(response: Response) -> Response:
    """Give a browser that has just proved the secret its device proof: the room's wrong guesses never lock it out."""
    if g.get("earned_device_proof"):
        response.set_cookie(DEVICE_COOKIE, runtime_of().secret.device_proof(), max_age=DEVICE_MAX_AGE,
                            httponly=True, samesite="Strict", secure=over_https(request.environ))
    return response


@bp.errorhandler(ActionError)
def refuse(error: ActionError):
    """An action that can't be carried out: its status and its one sentence."""
    return error_response(error.status, str(error))


def carry_out(work):
    """Run a show action; what can't be done now is a 409, a server that won't start a 503."""
    try:
        return work()
    except ServiceProblem as problem:
        raise ActionError(str(problem), 409) from problem
    except WorkshopError as error:
        raise ActionError(str(error), 503) from error


def json_body() -> dict:
    """The request's JSON object ({} without a body); anything else is a 400."""
    body = request.get_json(silent=True) if request.content_length else {}
    if not isinstance(body, dict):
        raise ActionError("Send a JSON object as the body.")
    return body


def flag(name: str) -> bool:
    """The body's boolean `name`, or a 400 saying how to send it."""
    value = json_body().get(name)
    if not isinstance(value, bool):
        raise ActionError(f'Send {{"{name}": true}} or {{"{name}": false}}.')
    return value


def answer(**fields):
    """The JSON answer of an action that was carried out."""
    return jsonify(status="ok", **fields)


def action_names() -> list[str]:
    """The actions this blueprint serves, by name."""
    prefix = f"{bp.url_prefix or ''}/"
    return sorted(rule.rule.removeprefix(prefix) for rule in current_app.url_map.iter_rules()
                  if rule.endpoint.startswith(f"{bp.name}.") and "<" not in rule.rule)


@bp.post("/hello")
def hello():
    """The presenter's dashboard says hello when it opens: the secret is proved, and the browser gets its device proof."""
    return answer()


@bp.post("/reset")
def reset():
    """Reset Everything: the cold open as if just started, on the same servers; every dashboard redraws."""
    return answer(message=carry_out(runtime_of().show.reset))


@bp.post("/clock")
def clock():
    """Start or resume the show's clocks, or pause them: {"running": true|false}."""
    return answer(stage=runtime_of().show.run_clock(flag("running")))


@bp.post("/results")
def results():
    """Show or hide the per-option results: {"visible": true|false}."""
    visible = flag("visible")
    runtime_of().show.show_results(visible)
    return answer(visible=visible)


@bp.post("/stage")
def stage():
    """Move the show to stage {"stage": n}, counted from 0."""
    index = json_body().get("stage")
    count = len(STAGES)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
        raise ActionError(f'Send {{"stage": n}} with n from 0 to {count - 1}.')
    return answer(stage=runtime_of().show.go_to_stage(index))


@bp.post("/rate-limit")
def rate_limit():
    """Turn the Redis rate limit on or off: {"enabled": true|false}."""
    enabled = flag("enabled")
    services = runtime_of().services
    return answer(**carry_out(lambda: services.set_rate_limit(enabled)))


@bp.post("/bot")
def bot():
    """Fire 10 rapid votes from one fake voter through the phones' vote path: {"option": id} optional."""
    runtime = runtime_of()
    show = runtime.show
    option = json_body().get("option", next(iter(show.options)))
    if not isinstance(option, str) or option not in show.options:
        raise ActionError(f"Unknown option: use one of {', '.join(show.options)}.")
    voter = f"bot-{secrets.token_hex(6)}"
    limit = runtime.services.status()["rate_limit"]
    answers = [show.attempt(voter, option) for _ in range(BOT_ATTEMPTS)]
    outcomes: dict[str, int] = {}
    for attempt in answers:
        outcomes[attempt.status] = outcomes.get(attempt.status, 0) + 1
    refused = outcomes.get("rate_limited", 0)
    summary = {
        "voter": voter_tag(voter),
        "attempts": BOT_ATTEMPTS,
        "passed_limiter": BOT_ATTEMPTS - refused,
        "refused_by_limiter": refused,
        "outcomes": outcomes,
        "codes": [ANSWER_CODES[attempt.status] for attempt in answers],
        "rate_limit": "degraded" if limit["enabled"] and limit["degraded"] else "on" if limit["enabled"] else "off",
    }
    said = bot_line(summary)
    runtime.feed.post(FeedLine("bot", said, "bad" if not refused else "good"))
    return answer(**summary, said=said)


def bot_line(summary: dict) -> str:
    """The feed line that sums up a bot burst."""
    head = f"Bot (voter {summary['voter']}): {summary['attempts']} votes in a burst"
    if summary["refused_by_limiter"]:
        return f"{head}: {summary['passed_limiter']} passed the rate limiter, {summary['refused_by_limiter']} refused with 429"
    reasons = {"off": "the rate limit is off", "degraded": "the rate limit is degraded (Redis down)"}
    why = reasons.get(summary["rate_limit"], "none refused")
    return f"{head}: {why}, all {summary['attempts']} reached PostgreSQL"


@bp.post("/chaos")
def chaos():
    """Break or heal a server: {"action": "kill-redis" | "pause-redis" | "recover" | "kill-postgres"}."""
    action = json_body().get("action")
    if action not in CHAOS_ACTIONS:
        raise ActionError(f'Send {{"action": ...}} with one of {", ".join(CHAOS_ACTIONS)}.')
    services = runtime_of().services
    return answer(action=action, **carry_out(lambda: services.chaos(action)))


@bp.post("/tests")
def tests():
    """Run the fantasy and reality tests side by side, streamed to the dashboards: {"target": "real" | "naive"}."""
    target = json_body().get("target")
    if target not in TARGETS:
        raise ActionError('Send {"target": "real"} or {"target": "naive"}.')
    if not runtime_of().show.run_tests(target):
        raise ActionError("A test comparison is already running: wait for its totals, then start another.", 409)
    return answer(started=True, target=target)


@bp.post("/<action>")
def unknown(action: str):
    """Any other action: a 404 naming the ones there are."""
    return error_response(404, f"Unknown presenter action {action!r}: use one of {', '.join(action_names())}.")
