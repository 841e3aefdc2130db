"""Phones see the result live: after their vote, and once the presenter reveals, bars for the truth and the lie."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(120)]  # Chromium on a loaded machine


def bar_count(phone, option: str, kind: str):
    """The number on one of the phone's bars (kind: "truth" or "lie")."""
    return phone.locator(f'#live-bars .option[data-option="{option}"] .bar.{kind} b')


def test_two_phones_vote_the_presenter_reveals_and_both_phones_show_the_bars(show, new_page):
    first, second = new_page(**PHONE), new_page(**PHONE)
    first.goto(show.vote_url)
    second.goto(show.vote_url)
    expect(first.locator("#live")).to_be_hidden()

    first.get_by_role("button", name="Mocks").click()
    second.get_by_role("button", name="Prayer").click()

    expect(first.locator("#your-vote")).to_have_text("Your vote: Mocks")
    expect(second.locator("#your-vote")).to_have_text("Your vote: Prayer")
    for phone in (first, second):
        expect(phone.locator("#live-state")).to_have_text("Results are hidden until the presenter reveals them.")
        expect(phone.locator("#live-bars .bar")).to_have_count(0)

    show.act("results", {"visible": True})

    for phone in (first, second):
        expect(bar_count(phone, "mocks", "truth")).to_have_text("1")
        expect(bar_count(phone, "prayer", "truth")).to_have_text("1")
        expect(bar_count(phone, "real-containers", "lie")).to_have_text("0")
    second.get_by_role("button", name="Mocks").click()  # the second vote: PostgreSQL refuses it, the mock counts it
    expect(second.locator("#outcome")).to_contain_text("You already voted!")
    for phone in (first, second):
        expect(bar_count(phone, "mocks", "lie")).to_have_text("2")
        expect(bar_count(phone, "mocks", "truth")).to_have_text("1")
        expect(phone.locator("#live-state")).to_have_text("Live: PostgreSQL stored 2 · the mock counted 3")
    expect(second.locator("#your-vote")).to_have_text("Your vote: Prayer")
