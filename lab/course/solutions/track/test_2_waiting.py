"""Reference solution of track exercise 2 (exercises/test_2_waiting.py)."""

from lab.waiting import wait_for


def test_an_import_lands_every_ballot(ballot_import):
    job = ballot_import.start([("phone-1", "mocks"), ("phone-2", "containers"), ("phone-3", "containers")])

    wait_for(job.done, "the import to finish", timeout=10)

    assert job.result().accepted
    assert ballot_import.tally() == {"mocks": 1, "containers": 2}


def test_an_import_with_a_repeated_voter_stores_nothing(ballot_import):
    job = ballot_import.start([("phone-1", "mocks"), ("phone-2", "mocks"), ("phone-1", "containers")])

    wait_for(job.done, "the import to finish", timeout=10)

    assert not job.result().accepted
    assert ballot_import.count() == 0
