"""The load benchmark's verdicts: counts must hold in every round, speeds are judged on the median round."""

from benchmarks.load import verdicts


def round_of(votes_per_s, p99, accepted=1000, lost=0):
    return {"accepted": accepted, "duplicates": 1000, "lost": lost, "other_5xx": 0, "unavailable": 0, "wall_s": 4.0,
            "p50_ms": 40.0, "p95_ms": 70.0, "p99_ms": p99, "votes_per_s": votes_per_s,
            "dashboard_lag_p50_ms": 30.0, "dashboard_lag_p99_ms": 90.0, "dashboard_tallies": [3000]}


END = {"rss_idle_mb": 73.0, "rss_peak_mb": 80.0, "database_count": 3000}
BARE = [{"votes_per_s": 600.0, "p99_ms": 80.0}] * 3


def met(rows):
    return {measure: ok for measure, _, _, ok in rows}


def test_one_slow_round_does_not_decide_but_the_median_one_does():
    rows = verdicts(END, [round_of(540, 90), round_of(400, 160), round_of(530, 95)], BARE, phones=1000)

    assert met(rows)["vote latency p50 / p95 / p99"]  # 95 ms, the median round's
    assert met(rows)["show throughput / bare throughput, same round"]  # 0.88
    slow = verdicts(END, [round_of(540, 90), round_of(400, 160), round_of(410, 150)], BARE, phones=1000)
    assert not met(slow)["vote latency p50 / p95 / p99"]
    assert not met(slow)["show throughput / bare throughput, same round"]  # 0.68


def test_a_lost_vote_or_a_short_count_in_any_round_fails():
    rows = verdicts(END, [round_of(540, 90), round_of(540, 90, lost=1), round_of(540, 90, accepted=999)], BARE, phones=1000)

    assert not met(rows)["lost or 5xx, all rounds"]
    assert not met(rows)["accepted, in every round"]
