"""The second act's presenter actions: rate limit, bot, chaos and the test comparison.

They join the registry in lab.web.presenter, so they sit under the same path
(POST /api/presenter/<action>) behind the same secret check. docs/presenter.md lists
each request and answer.
"""

import secrets

from lab.targets import TARGETS
from lab.web.feed import FeedLine
from lab.web.live import voter_tag
from lab.web.phone_path import ANSWER_CODES
from lab.web.presenter import ActionError, carry_out, presenter_action
from lab.web.runtime import ShowRuntime
from lab.web.script import stage_index
from lab.web.services import CHAOS_ACTIONS

BOT_ATTEMPTS = 10


@presenter_action("rate-limit")
def rate_limit(runtime: ShowRuntime, body: dict) -> dict:
    """Turn the Redis rate limit on or off: {"enabled": true|false}."""
    enabled = body.get("enabled")
    if not isinstance(enabled, bool):
        raise ActionError('Send {"enabled": true} or {"enabled": false}.')
    services = runtime.services
    return carry_out(lambda: services.set_rate_limit(enabled))


@presenter_action("bot")
def bot(runtime: ShowRuntime, body: dict) -> dict:
    """Fire 10 rapid votes from one fake voter through the phones' vote path: {"option": id} optional."""
    show = runtime.show
    option = body.get("option", next(iter(show.options)))
    if not isinstance(option, str) or option not in show.options:
        raise ActionError(f"Unknown option: use one of {', '.join(show.options)}.")
    voter = f"bot-{secrets.token_hex(6)}"
    limit = runtime.services.status()["rate_limit"]
    answers = [show.attempt(voter, option) for _ in range(BOT_ATTEMPTS)]
    outcomes: dict[str, int] = {}
    for answer in answers:
        outcomes[answer.status] = outcomes.get(answer.status, 0) + 1
    refused = outcomes.get("rate_limited", 0)
    summary = {
        "voter": voter_tag(voter),
        "attempts": BOT_ATTEMPTS,
        "passed_limiter": BOT_ATTEMPTS - refused,
        "refused_by_limiter": refused,
        "outcomes": outcomes,
        "codes": [ANSWER_CODES[answer.status] for answer in answers],
        "rate_limit": "degraded" if limit["enabled"] and limit["degraded"] else "on" if limit["enabled"] else "off",
    }
    runtime.feed.post(FeedLine("bot", bot_line(summary), "bad" if not refused else "good"))
    return summary


def bot_line(summary: dict) -> str:
    """The feed line that sums up a bot burst."""
    head = f"Bot (voter {summary['voter']}): {summary['attempts']} votes in a burst"
    if summary["refused_by_limiter"]:
        return f"{head}: {summary['passed_limiter']} passed the rate limiter, {summary['refused_by_limiter']} refused with 429"
    reasons = {"off": "the rate limit is off", "degraded": "the rate limit is degraded (Redis down)"}
    why = reasons.get(summary["rate_limit"], "none refused")
    return f"{head}: {why}, all {summary['attempts']} reached PostgreSQL"


@presenter_action("chaos")
def chaos(runtime: ShowRuntime, body: dict) -> dict:
    """Break or heal a server: {"action": "kill-redis" | "pause-redis" | "recover" | "kill-postgres"}."""
    action = body.get("action")
    if action not in CHAOS_ACTIONS:
        raise ActionError(f'Send {{"action": ...}} with one of {", ".join(CHAOS_ACTIONS)}.')
    services = runtime.services
    return {"action": action, **carry_out(lambda: services.chaos(action))}


@presenter_action("tests")
def tests(runtime: ShowRuntime, body: dict) -> dict:
    """Run the fantasy and reality tests side by side, streamed to the dashboards: {"target": "real" | "naive"}."""
    target = body.get("target")
    if target not in TARGETS:
        raise ActionError('Send {"target": "real"} or {"target": "naive"}.')
    if not runtime.tests.start(target):
        raise ActionError("A test comparison is already running: wait for its totals, then start another.", 409)
    stage = stage_index("test-comparison")
    if runtime.show.stage_index != stage:  # the results are drawn on that stage
        runtime.show.go_to_stage(stage)
    return {"started": True, "target": target}
