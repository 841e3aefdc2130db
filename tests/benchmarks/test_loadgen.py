"""The load benchmark's arithmetic: counts, percentiles, results lag."""

from benchmarks.loadgen import VoteAttempt, percentile, results_lag_ms, summarise


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


def test_the_phone_sockets_summary_says_when_everyone_heard_each_total_and_how_long_a_broadcast_spread():
    from types import SimpleNamespace

    from benchmarks.phone_sockets import summary

    def phone(*heard):
        return SimpleNamespace(heard=[(at, total, True) for at, total in heard], connected=True, closed=False, inflate=None)

    # a catch-up of 0, then broadcasts of 3 and 5; the second phone hears each later
    report = summary([phone((0.0, 0), (1.0, 3), (1.5, 5)), phone((0.0, 0), (1.02, 3), (1.51, 5))])

    assert report["everyone_by"] == [[0, 0.0], [3, 1.02], [5, 1.51]]
    assert [round(ms) for ms in report["spread_ms"]] == [15, 20]  # of 20 and 10 ms; the catch-ups on connect are no broadcast
    assert report["final_totals"] == [5] and report["messages_per_socket"] == [3, 3]


def test_a_phone_socket_dates_what_it_hears_by_the_kernels_arrival_not_by_when_it_read_it():
    import select
    import socket
    import time

    from benchmarks.phone_sockets import STAMP, arrival, stamp_arrivals

    with socket.create_server(("127.0.0.1", 0)) as listener:
        phone = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        with phone, server:
            assert stamp_arrivals(phone)
            sent = time.perf_counter()
            server.sendall(b"42")
            select.select([phone], [], [], 10)  # arrived
            read = time.perf_counter()
            data, ancillary, _, _ = phone.recvmsg(100, socket.CMSG_SPACE(STAMP.size))

    assert data == b"42"
    assert sent - 0.001 <= arrival(ancillary, otherwise=float("inf")) <= read + 0.001  # clocks paired to a ms
    assert arrival([], otherwise=7.0) == 7.0


def test_a_later_round_s_lag_counts_from_the_votes_already_there():
    # 1000 votes counted before; this round's first vote is the 1001st
    lag = results_lag_ms(attempts((0, 1, 201, 1, 1.0)), [(0.9, 1000), (1.2, 1001)], before=1000)

    assert lag["measured_votes"] == 1 and round(lag["p50_ms"]) == 200


def test_every_phone_gets_an_address_of_its_own_and_none_is_the_presenters():
    from benchmarks.phone_sockets import phone_address

    addresses = [phone_address(n, block=1) for n in range(5000)] + [phone_address(n, block=2) for n in range(5000)]

    assert len(set(addresses)) == 10_000
    assert "127.0.0.1" not in addresses and all(a.startswith(("127.1.", "127.2.")) for a in addresses)
    assert all(0 <= int(a.split(".")[2]) < 256 and 0 < int(a.split(".")[3]) < 255 for a in addresses)
