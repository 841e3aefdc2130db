"""Reference solution of the hands-on exercise (exercises/test_sku_uniqueness.py)."""

from lab.votes import Outcome
from lab.votes.outcomes import UNIQUE_VIOLATION


def test_the_same_sku_twice_is_refused_by_the_database(catalog):
    assert catalog.add("ABC-123", "Blue mug").accepted

    second = catalog.add("ABC-123", "Red mug")

    assert second.outcome is Outcome.DUPLICATE
    assert second.sqlstate == UNIQUE_VIOLATION
    assert catalog.count() == 1


def test_a_sku_in_other_capitals_or_with_spaces_is_the_same_sku(catalog):
    assert catalog.add("ABC-123", "Blue mug").accepted

    refused = [catalog.add(sku, "Copy") for sku in ("abc-123", " ABC-123 ", "Abc-123")]

    assert [result.outcome for result in refused] == [Outcome.DUPLICATE] * 3
    assert catalog.skus() == ["ABC-123"]


def test_different_skus_are_all_accepted(catalog):
    results = [catalog.add(sku, "Mug") for sku in ("ABC-123", "ABC-124", "XYZ-123")]

    assert all(result.accepted for result in results)
    assert catalog.count() == 3
