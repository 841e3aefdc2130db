"""What the stage bar says to the room: each stage's headline as the show's state makes it true.

Most headlines are the script's own words (lab.show.script), true whatever happens. The
test comparison's depends on the last run: which app it faced and what each side said, so
after Shift+T turns both sides green the headline stops saying "the real server says red".
"""

from lab.show.script import Stage


def side_colour(totals: dict) -> str:
    """"green" when every test of a side passed, else "red"."""
    return "green" if totals["failed"] == 0 and totals["other"] == 0 else "red"


def comparison_headline(tests: dict, before_any_run: str) -> str:
    """The test comparison's headline for the panel `tests` (lab.show.comparison_stage's snapshot)."""
    target = tests.get("target")
    if target is None:
        return before_any_run
    app = f"the {target} app"
    finished = tests.get("finished")
    if tests.get("running") or not finished:
        return f"Same tests against {app}: mocks on the left, real servers on the right, running now."
    mock, real = (side_colour(finished[side]) if finished.get(side) else None for side in ("fantasy", "reality"))
    if mock is None or real is None:
        return f"Same tests against {app}: the run ended without both sides' totals."
    said = f"Against {app}: the mock says {mock}, the real server says {real}"
    if mock == "green" and real == "red" and target == "naive":
        return f"{said}. The bugs were there all along."
    if mock == "green" and real == "green":
        return f"{said}. Only the real server's green is proof."
    return f"{said}."


def stage_words(stage: Stage, tests: dict) -> tuple[str, str]:
    """(headline, subline) of `stage`, given the test panel `tests`."""
    if stage.key == "test-comparison":
        return comparison_headline(tests, stage.headline), stage.subline
    return stage.headline, stage.subline
