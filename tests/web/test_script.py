"""The 8-minute script and its stage payloads (lab/web/script.py)."""

from lab.web.script import SHOW_SECONDS, STAGES, clamp_stage, stage_payload


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
