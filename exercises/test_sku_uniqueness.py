"""HANDS-ON: prove that two products can never share a SKU.

The rule: a SKU identifies one product, whatever its capitals or the spaces around it,
so "ABC-123", "abc-123" and " ABC-123 " are all the same SKU.

The `catalog` fixture is a real product catalog on a real PostgreSQL (a fresh schema per
test). It has:
    catalog.add(sku, name) -> result   result.accepted, result.outcome (Outcome.ACCEPTED,
                                       Outcome.DUPLICATE...), result.sqlstate ("23505" for
                                       a UNIQUE violation), result.message
    catalog.count() -> int             how many products are stored
    catalog.skus() -> list[str]        the stored SKUs

Check your work with `python3 workshop.py --lesson 4`. The checker runs your tests against
the correct table AND against buggy ones; your tests pass only if they pass on the correct
table and fail on every buggy one. A test that cannot fail proves nothing.

Right now this file tests a mock, like the fantasy tests do. Replace it.
"""

from unittest.mock import MagicMock

from lab.votes import Outcome
from lab.votes.outcomes import UNIQUE_VIOLATION, VoteResult, accepted


def test_a_sku_can_be_used_only_once(catalog):
    # TODO: the next two lines swap the real catalog for a mock that answers what it is told.
    #       Delete them and this test talks to PostgreSQL. Then make it catch every way to break the rule.
    catalog = MagicMock()
    catalog.add.side_effect = [accepted(), VoteResult(Outcome.DUPLICATE, "refused", UNIQUE_VIOLATION)]

    first = catalog.add("ABC-123", "Blue mug")
    second = catalog.add("ABC-123", "Red mug")

    assert first.accepted
    assert second.outcome is Outcome.DUPLICATE
