"""The 8-minute script and its stage payloads (lab/web/script.py)."""

from pathlib import Path

from lab.show.script import SHOW_SECONDS, STAGES, TAGLINE, clamp_stage, stage_payload, stage_starts


def test_the_script_fits_eight_minutes_in_six_stages():
    assert [stage.title for stage in STAGES] == [
        "Cold open", "QR voting", "Magic moment", "Test comparison", "Chaos", "Mic drop"
    ]
    assert SHOW_SECONDS == 8 * 60
    assert all(stage.notes for stage in STAGES)
    assert clamp_stage(-3) == 0 and clamp_stage(99) == len(STAGES) - 1


def test_a_stage_payload_carries_its_timers():
    payload = stage_payload(2, stage_elapsed=12.34, show_elapsed=200.0)

    assert payload["title"] == "Magic moment"
    assert payload["stage_elapsed"] == 12.3 and payload["show_seconds"] == 480
    assert payload["count"] == 6 and len(payload["titles"]) == 6
    assert payload["clock"] == "waiting" and payload["starts"][2] == 120


def test_the_stages_start_at_the_seeds_times_and_carry_its_lines():
    assert [f"{start // 60}:{start % 60:02d}" for start in stage_starts()] == ["0:00", "1:30", "2:00", "3:30", "4:30", "7:30"]
    assert STAGES[0].headline == "Tests were green. Monday: outage."
    assert STAGES[0].subline == STAGES[-1].headline == TAGLINE == "If your tests don't face reality, your users will."
    assert STAGES[-1].subline == "", "the mic drop says the tagline once"
    assert "try twice" in STAGES[1].headline


def test_the_readme_opens_with_the_products_line():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text().splitlines()

    assert TAGLINE in "\n".join(readme[:4])
