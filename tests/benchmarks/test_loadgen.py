"""The load benchmark's arithmetic: counts, percentiles, results lag."""

from benchmarks.loadgen import VoteAttempt, results_lag_ms, percentile, summarise


def attempts(*rows):
    return [VoteAttempt(phone, attempt, status, ms / 1000, at) for phone, attempt, status, ms, at in rows]


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))

    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)
    assert percentile([7.0], 99) == 7.0


def test_a_run_is_summed_up_by_status():
    run = attempts((0, 1, 201, 10, 1.0), (0, 2, 409, 20, 1.1), (1, 1, 201, 30, 1.2), (1, 2, 0, 0, 1.3), (2, 1, 500, 5, 1.4))

    summary = summarise(run, wall=2.0)

    assert (summary["accepted"], summary["duplicates"], summary["lost"], summary["other_5xx"]) == (2, 1, 1, 1)
    assert summary["votes_per_s"] == 2.5
    assert summary["p50_ms"] == 10  # failed requests (status 0) carry no latency


def test_results_lag_is_time_to_the_first_broadcast_that_counts_the_vote():
    run = attempts((0, 1, 201, 1, 1.00), (1, 1, 201, 1, 1.05), (2, 1, 201, 1, 1.20), (3, 1, 409, 1, 1.25))
    broadcasts = [(1.10, 2), (1.15, 2), (1.30, 3)]

    lag = results_lag_ms(run, broadcasts)

    assert lag["measured_votes"] == 3
    assert round(lag["max_ms"]) == 100
    assert round(lag["p50_ms"]) == 100


def test_a_vote_no_broadcast_ever_counted_is_not_given_a_lag():
    lag = results_lag_ms(attempts((0, 1, 201, 1, 1.0), (1, 1, 201, 1, 1.1)), [(1.05, 1)])

    assert lag["measured_votes"] == 1
