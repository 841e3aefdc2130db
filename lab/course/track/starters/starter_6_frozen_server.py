"""TRACK 6 of 7: a frozen server, and a timeout you measure.

A server that died refuses connections at once. A frozen one (paused, out of memory, a full
disk) accepts them and never answers: a client without a timeout waits for ever. Lesson 9
froze Redis under the show's limiter, whose client gives up after 0.25 s.

Given fixtures:
    redis_server                 a real Redis; `with redis_server.frozen(): ...` freezes it
                                 inside the block and thaws it afterwards (and after 4 s at most)
    timed_limiter                the show's rate limiter on that Redis
    decision = timed_limiter.hit(voter_id)   decision.allowed, decision.degraded

Your task: prove that with Redis frozen a vote still goes through (allowed, degraded) and
costs at most 1 second. Measure the call's elapsed time with time.perf_counter() and assert
on it: never sleep. The checker runs it against a client with no timeout and one with a 2 s
timeout too.
Check it with `python3 workshop.py --exercise 6`.
"""


def test_a_frozen_redis_costs_a_vote_at_most_the_timeout(redis_server, timed_limiter):
    with redis_server.frozen():
        decision = timed_limiter.hit("phone-1")
    # TODO: time the hit above with time.perf_counter(); assert it took less than 1 second, and that it was degraded.
    assert decision.allowed
