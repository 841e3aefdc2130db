"""The totals line and the phone's live line in words (lab/show/tally_words.py), from the results payload."""

from lab.show.ballot import results_payload
from lab.show.tally_words import phone_words, totals_words

OPTIONS = {"a": "A", "b": "B"}
TWELVE_36 = 1_700_000_000.0


def at_clock(at: float) -> str:
    return {TWELVE_36: "12:36", TWELVE_36 + 300: "12:41"}[at]


def text(parts: list[dict]) -> str:
    return " · ".join(part["text"] for part in parts)


def test_shown_results_say_both_counts_and_mark_the_refused():
    results = results_payload(OPTIONS, {"a": 8}, {"a": 10}, visible=True, refused=2)

    assert totals_words(results) == [{"text": "Mock counted 10", "kind": ""}, {"text": "PostgreSQL stored 8", "kind": ""},
                                     {"text": "2 refused", "kind": "refused"}]
    assert results["words"]["totals"] == totals_words(results)
    assert phone_words(results) == "Live: PostgreSQL stored 8 · the mock counted 10"


def test_while_postgresql_is_down_the_totals_say_so_with_its_last_count_never_unreachable():
    results = results_payload(OPTIONS, None, {"a": 11}, visible=True, not_recorded=1, lost_between=[TWELVE_36] * 2,
                              stored_before=8)

    words = text(totals_words(results, at_clock))

    assert words == "Mock counted 11 · PostgreSQL is down (it had stored 8) · 1 not recorded"
    assert "unreachable" not in words and "unreachable" not in phone_words(results)


def test_down_before_any_count_says_no_count_until_it_is_back():
    results = results_payload(OPTIONS, None, {"a": 1}, visible=True)

    assert text(totals_words(results)) == "Mock counted 1 · PostgreSQL is down: no count until it is back"


def test_once_recovered_the_lost_vote_reads_as_history_with_its_time():
    results = results_payload(OPTIONS, {"a": 8}, {"a": 11}, visible=True, refused=2, not_recorded=1,
                              lost_between=[TWELVE_36, TWELVE_36], stored_before=8)

    parts = totals_words(results, at_clock)

    assert parts[-1] == {"text": "1 vote was not recorded while PostgreSQL was down at 12:36", "kind": "not-recorded"}
    assert results["stored_before"] is None, "PostgreSQL counts again: its own count, not the last one"


def test_votes_lost_in_two_outages_say_between_which_times():
    results = results_payload(OPTIONS, {"a": 8}, {"a": 11}, visible=True, not_recorded=3,
                              lost_between=[TWELVE_36, TWELVE_36 + 300])

    assert totals_words(results, at_clock)[-1]["text"] == "3 votes were not recorded while PostgreSQL was down between 12:36 and 12:41"


def test_hidden_results_count_the_votes_postgresql_stored():
    assert text(totals_words(results_payload(OPTIONS, {"a": 1}, {"a": 2}, visible=False))) == "Results hidden while you vote · 1 vote in"
    assert text(totals_words(results_payload(OPTIONS, {"a": 0}, {}, visible=False))) == "Results hidden while you vote · 0 votes in"
    down = results_payload(OPTIONS, None, {"a": 2}, visible=False, stored_before=1)
    assert text(totals_words(down)) == "Results hidden while you vote · PostgreSQL is down (it had stored 1)"
