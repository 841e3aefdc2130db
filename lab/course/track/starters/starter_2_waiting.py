"""TRACK 2 of 7: wait for a condition, not for a guess.

The show imports ballots in the background: `ballot_import.start(ballots)` hands them to a
worker and returns at once; the worker gets round to it when it can. Lesson 7 showed what a
test that sleeps for a guess does: it passes on a fast day and fails on a slow one.

The `ballot_import` fixture (given) runs on a real PostgreSQL:
    job = ballot_import.start([(voter_id, option_id), ...])   returns at once
    job.done() -> bool            True once the worker has finished
    job.result()                  then: the import's result (result.accepted)
    ballot_import.tally()         {"mocks": n, "containers": n}, as stored now
    ballot_import.count()         how many votes are stored now
The rule: an import is all or nothing. A voter who appears twice makes the whole import
refused, and then nothing of it is stored.

Your tasks: replace the sleep with `wait_for` (from lab.waiting: it polls a condition and
fails with a message when it does not come true in time), and finish the second test.
Check it with `python3 workshop.py --exercise 2`.
"""

import time


def test_an_import_lands_every_ballot(ballot_import):
    job = ballot_import.start([("phone-1", "mocks"), ("phone-2", "containers"), ("phone-3", "containers")])

    time.sleep(0.5)  # TODO: a guess. Wait until the job is done instead: wait_for(job.done, "...", timeout=10)
    assert job.done(), "the worker has not finished: sleeping 0.5 s was a guess"

    assert ballot_import.tally() == {"mocks": 1, "containers": 2}


def test_an_import_with_a_repeated_voter_stores_nothing(ballot_import):
    job = ballot_import.start([("phone-1", "mocks"), ("phone-2", "mocks"), ("phone-1", "containers")])
    # TODO: wait until the job is done, then assert it was refused and that nothing was stored.
    assert job is not None
