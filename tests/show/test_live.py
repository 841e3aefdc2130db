"""The live show's pure parts (lab/web/live.py)."""

from lab.show.live import voter_tag


def test_a_voter_tag_is_short_and_does_not_show_the_id():
    assert len(voter_tag("0123456789abcdef")) == 4
    assert voter_tag("0123456789abcdef") not in "0123456789abcdef"
