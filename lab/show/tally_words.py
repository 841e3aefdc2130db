"""The results in words: the projector's totals line and the phone's live line, as the counts make them true.

Built here from the results payload's facts (lab.show.ballot), never in the page: a count
PostgreSQL can't give while it is down is said to be unknown, with the last one it gave;
votes lost in an outage read as what they are once it is over, history with its time.
"""

import time
from collections.abc import Callable


def clock_time(at: float) -> str:
    """Seconds since the epoch as the room's wall clock reads them: "12:36"."""
    return time.strftime("%H:%M", time.localtime(at))


def votes(count: int) -> str:
    """"1 vote", "3 votes"."""
    return f"{count} vote" if count == 1 else f"{count} votes"


def outage_time(between: list[float] | None, at_clock: Callable[[float], str]) -> str:
    """When the lost votes came: "at 12:36", or "between 12:36 and 12:41" over two outages."""
    if not between:
        return ""
    first, last = (at_clock(at) for at in between)
    return f" at {first}" if first == last else f" between {first} and {last}"


def stored_words(results: dict) -> str:
    """What PostgreSQL is known to hold: its count, or that it is down (with the last count it gave)."""
    real = results["totals"]["real"]
    if real is not None:
        return f"PostgreSQL stored {real}"
    before = results.get("stored_before")
    if before is None:
        return "PostgreSQL is down: no count until it is back"
    return f"PostgreSQL is down (it had stored {before})"


def not_recorded_words(results: dict, at_clock: Callable[[float], str] = clock_time) -> str:
    """The votes an outage lost: "1 not recorded" during it, history with its time after."""
    lost = results["not_recorded"]
    if not lost:
        return ""
    if results["totals"]["real"] is None:  # the part before says PostgreSQL is down
        return f"{lost} not recorded"
    verb = "was" if lost == 1 else "were"
    return f"{votes(lost)} {verb} not recorded while PostgreSQL was down{outage_time(results.get('not_recorded_between'), at_clock)}"


def totals_words(results: dict, at_clock: Callable[[float], str] = clock_time) -> list[dict]:
    """The projector's totals line, in parts joined by " · ": {"text", "kind"}, kind "" plain, "refused" and "not-recorded" marked.

    The page breaks the line between parts, never inside one.
    """
    totals = results["totals"]
    if not results["visible"]:
        real = totals["real"]
        count = stored_words(results) if real is None else f"{votes(real)} in"
        return [{"text": "Results hidden while you vote", "kind": ""}, {"text": count, "kind": ""}]
    parts = [{"text": f"Mock counted {totals['fantasy']}", "kind": ""}, {"text": stored_words(results), "kind": ""}]
    if results["refused"]:
        parts.append({"text": f"{results['refused']} refused", "kind": "refused"})
    lost = not_recorded_words(results, at_clock)
    if lost:
        parts.append({"text": lost, "kind": "not-recorded"})
    return parts


def phone_words(results: dict) -> str:
    """The phone's live line once the results show: "Live: PostgreSQL stored 2 · the mock counted 3"."""
    return f"Live: {stored_words(results)} · the mock counted {results['totals']['fantasy']}"
