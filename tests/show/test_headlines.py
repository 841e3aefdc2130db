"""Each stage's headline against the show's state (lab/show/headlines.py): one test per stage."""

from lab.show.comparison_stage import empty_panel
from lab.show.headlines import stage_words
from lab.show.script import STAGES, TAGLINE, stage_index


def words(key: str, tests: dict | None = None) -> tuple[str, str]:
    return stage_words(STAGES[stage_index(key)], tests or empty_panel())


def finished(target: str, fantasy_failed: int, reality_failed: int) -> dict:
    def side(failed: int) -> dict:
        return {"passed": 8 - failed, "failed": failed, "other": 0, "seconds": 1.0, "verdict": ""}

    return {"running": False, "target": target, "results": [],
            "finished": {"fantasy": side(fantasy_failed), "reality": side(reality_failed)}}


def test_the_cold_open_says_the_monday_outage_and_the_tagline():
    assert words("cold-open") == ("Tests were green. Monday: outage.", TAGLINE)


def test_the_voting_stage_asks_for_a_vote_and_a_second_one():
    headline, _ = words("qr-voting")

    assert headline == "Scan the code and vote. Then try twice!"


def test_the_magic_moment_says_what_each_store_does_not_what_the_counts_are():
    headline, _ = words("magic-moment")  # true with no repeat yet as with many: the totals line has the numbers

    assert headline == "Lie vs truth: the mock counts every vote, PostgreSQL keeps one per phone."


def test_the_test_comparison_before_any_run_names_the_two_worlds_without_a_verdict():
    headline, _ = words("test-comparison")

    assert "green" not in headline and "red" not in headline


def test_the_test_comparison_while_running_names_its_target_and_no_verdict():
    headline, _ = words("test-comparison", {**empty_panel(), "running": True, "target": "real"})

    assert "the real app" in headline and "running" in headline
    assert "green" not in headline and "red" not in headline


def test_against_the_naive_app_the_mock_says_green_and_the_real_server_red():
    headline, _ = words("test-comparison", finished("naive", fantasy_failed=0, reality_failed=8))

    assert headline == "Against the naive app: the mock says green, the real server says red. The bugs were there all along."


def test_after_the_real_tests_run_green_the_headline_no_longer_says_red():
    headline, _ = words("test-comparison", finished("real", fantasy_failed=0, reality_failed=0))

    assert headline == "Against the real app: the mock says green, the real server says green. Only the real server's green is proof."
    assert "red" not in headline


def test_a_real_run_that_failed_says_red_for_the_real_side():
    headline, _ = words("test-comparison", finished("real", fantasy_failed=0, reality_failed=2))

    assert headline == "Against the real app: the mock says green, the real server says red."


def test_the_chaos_stage_says_what_the_presenter_is_about_to_do():
    headline, _ = words("chaos")

    assert headline == "Rate limit, a bot, then kill the servers. Watch what the app does."


def test_the_mic_drop_says_the_tagline_once():
    assert words("mic-drop") == (TAGLINE, "")
