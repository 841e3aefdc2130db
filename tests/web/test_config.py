"""The show's configuration: options and their ids (lab/web/config.py)."""

import pytest

from lab.errors import WorkshopError
from lab.web.config import parse_options


def test_options_get_short_ids_and_repeats_or_too_few_are_refused():
    assert parse_options("Mocks, Real containers ,Prayer") == {
        "mocks": "Mocks", "real-containers": "Real containers", "prayer": "Prayer"
    }
    assert list(parse_options(["C++", "C#", "???", "!!!"])) == ["c", "c-2", "option", "option-2"]
    with pytest.raises(WorkshopError, match="listed twice"):
        parse_options("Mocks,mocks")
    with pytest.raises(WorkshopError, match="at least two"):
        parse_options("Only one,")
