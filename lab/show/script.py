"""The 8-minute script of the live show: its stages, their time budgets and presenter notes.

The dashboard shows the current stage's headline in large type and, for the presenter,
the notes; the keyboard moves between stages through the presenter API.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """One part of the show: what the room sees, how long it may take, what to say."""

    key: str
    title: str
    headline: str
    seconds: int
    notes: tuple[str, ...]
    reveal_results: bool | None = None  # entering the stage shows (True) or hides (False) results
    subline: str = ""  # a second line for the room under the headline


TAGLINE = "If your tests don't face reality, your users will."

STAGES: tuple[Stage, ...] = (
    Stage(
        "cold-open",
        "Cold open",
        "Tests were green. Monday: outage.",
        90,
        (
            "Press S (or →) to start the clock. Ask: who has shipped a bug that every test said was fine?",
            "Our vote app has a mock-based test suite and it is all green. It went down on Monday anyway.",
            "Tonight the room is the load test, and a real PostgreSQL is the judge.",
        ),
        subline=TAGLINE,
    ),
    Stage(
        "qr-voting",
        "QR voting",
        "Scan the code and vote. Then try twice!",
        30,
        (
            "Point at the QR code; read the URL aloud for anyone without a camera.",
            "Results stay hidden while people vote, so nobody follows the crowd.",
            "Dare them: vote twice, open a private tab, refresh. Watch the feed on the left.",
        ),
        reveal_results=False,
    ),
    Stage(
        "magic-moment",
        "Magic moment",
        "Lie vs truth: the mock counts every vote, PostgreSQL keeps one per phone.",
        90,
        (
            "Results are revealed. Striped bars: the mock (the lie). Blue bars: PostgreSQL (the truth).",
            "Every vote went to both. \"Refused\" counts only what the UNIQUE constraint refused.",
            "Point at a red feed line: SQLSTATE 23505, unique_violation, from a real server.",
        ),
        reveal_results=True,
    ),
    Stage(
        "test-comparison",
        "Test comparison",
        "Same tests, two worlds: mocks in memory, real servers for real.",
        60,
        (
            "Press T: the same scenarios run against the naive app, mocks on the left, real servers on the right.",
            "Fantasy stays green, reality goes red: the bugs were there all along, only real servers see them.",
            "Shift+T runs them against the real app: fantasy green but blind, reality green, and now green means proof.",
        ),
    ),
    Stage(
        "chaos",
        "Chaos",
        "Rate limit, a bot, then kill the servers. Watch what the app does.",
        180,
        (
            "L turns the Redis rate limit on, B fires the bot: some votes pass, the rest get 429.",
            "K kills Redis, P freezes it: votes keep flowing (fail open), the banner says degraded.",
            "D kills PostgreSQL: honest 503s, nothing half-recorded. U recovers everything, no restart.",
        ),
    ),
    Stage(
        "mic-drop",
        "Mic drop",
        TAGLINE,
        30,
        (
            "Testcontainers: a real server per test run, thrown away afterwards.",
            "Everything here runs on a laptop; the repository link is on the slide.",
            "Thank the room for trying to break it. Afterwards: X resets everything for the next demo.",
        ),
    ),
)

SHOW_SECONDS = sum(stage.seconds for stage in STAGES)


def stage_index(key: str) -> int:
    """The index of the stage named `key`."""
    return next(index for index, stage in enumerate(STAGES) if stage.key == key)


def clamp_stage(index: int) -> int:
    """The nearest valid stage index."""
    return max(0, min(len(STAGES) - 1, index))


def stage_starts() -> list[int]:
    """When each stage begins, in seconds from the cold open (0, 90, 120, ...)."""
    starts, at = [], 0
    for stage in STAGES:
        starts.append(at)
        at += stage.seconds
    return starts


def stage_payload(index: int, stage_elapsed: float, show_elapsed: float, clock: str = "waiting",
                  words: tuple[str, str] | None = None) -> dict:
    """What the dashboard needs to draw the current stage and its timers; `clock` is waiting, running or paused.

    `words` is the (headline, subline) the show's state makes true (lab.show.headlines); the script's own by default.
    """
    stage = STAGES[index]
    headline, subline = words or (stage.headline, stage.subline)
    return {
        "index": index,
        "count": len(STAGES),
        "key": stage.key,
        "title": stage.title,
        "headline": headline,
        "subline": subline,
        "notes": list(stage.notes),
        "seconds": stage.seconds,
        "stage_elapsed": round(stage_elapsed, 1),
        "show_seconds": SHOW_SECONDS,
        "show_elapsed": round(show_elapsed, 1),
        "clock": clock,
        "titles": [s.title for s in STAGES],
        "starts": stage_starts(),
    }
