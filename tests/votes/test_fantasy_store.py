"""The fantasy store counts everything, what a database would refuse included (lab/votes/fantasy.py)."""

from lab.votes.fantasy import FantasyVoteStore


def test_the_fantasy_store_counts_what_the_database_would_refuse():
    store = FantasyVoteStore()
    store.add_option("containers", "Testcontainers")

    results = [store.vote("phone-1", "containers"), store.vote("phone-1", "containers"), store.vote(None, "cobol")]

    assert all(result.accepted for result in results)
    assert store.tally() == {"containers": 2, "cobol": 1}
    assert store.duplicates() == [("phone-1", 2)]


def test_the_tally_counts_every_row_however_it_came_and_nothing_after_a_reset():
    store = FantasyVoteStore()
    store.add_option("containers", "Testcontainers")
    store.add_option("mocks", "Mocks")
    store.vote("ada", "containers")
    store.vote("ada", "containers")
    store.vote(None, "nonsense")
    store.import_ballots([("bob", "mocks"), ("eve", "containers")])

    assert store.tally() == {"containers": 3, "mocks": 1, "nonsense": 1}
    store.reset()
    assert store.tally() == {"containers": 0, "mocks": 0}
