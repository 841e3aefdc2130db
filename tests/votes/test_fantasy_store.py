"""The fantasy store counts everything, what a database would refuse included (lab/votes/fantasy.py)."""

from lab.votes.fantasy import FantasyVoteStore


def test_the_fantasy_store_counts_what_the_database_would_refuse():
    store = FantasyVoteStore()
    store.add_option("containers", "Testcontainers")

    results = [store.vote("phone-1", "containers"), store.vote("phone-1", "containers"), store.vote(None, "cobol")]

    assert all(result.accepted for result in results)
    assert store.tally() == {"containers": 2, "cobol": 1}
    assert store.duplicates() == [("phone-1", 2)]
