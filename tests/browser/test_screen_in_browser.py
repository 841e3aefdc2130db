"""What the room sees is what the numbers say: bars to scale, words the server built, readable, never covered.

Measured in Chromium on the projector (1280x720) and a phone (390x844), as issue 21 asks.
"""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from lab.show.ballot import results_payload
from lab.web.phones import phone_results
from tests.browser.helpers import PHONE, HttpVoter

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(120)]  # Chromium on a loaded machine

PROJECTOR = {"width": 1280, "height": 720}
RATIOS = [(10, 8), (15, 10), (1, 0), (1000, 999)]  # the mock's count : PostgreSQL's
PIXEL = 1.0

# every bar of the results under `root`: its option, kind, count as drawn, fill and track widths in px
BARS = """(root) => Array.from(document.querySelectorAll(root + " .bar")).map((bar) => ({
  option: bar.closest(".option").dataset.option,
  kind: bar.classList.contains("lie") ? "lie" : "truth",
  count: Number(bar.querySelector("b").textContent.replace(/,/g, "")),
  fill: bar.querySelector(".fill").getBoundingClientRect().width,
  track: bar.querySelector(".track").getBoundingClientRect().width,
}))"""
# hand the page one "results" message, as if the server had sent it
HEAR = """([socket, payload]) => window[socket].socket.listeners("results").forEach((listener) => listener(payload))"""
# the smallest font size among the visible text under `root`, and where
SMALLEST_TEXT = """(root) => {
  let smallest = {size: Infinity, text: ""};
  for (const el of document.querySelectorAll(root + " *")) {
    const own = Array.from(el.childNodes).some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    if (!own || el.getClientRects().length === 0) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < smallest.size) smallest = {size, text: el.textContent.trim().slice(0, 40)};
  }
  return smallest;
}"""


def api_results(show) -> dict:
    request = urllib.request.Request(f"{show.url}/api/results", headers={"X-Presenter-Token": show.token})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)


def assert_to_scale(bars: list[dict], where: str) -> None:
    """One track width for every bar; the longest count fills it, every other bar is count/longest of it."""
    tracks = {round(bar["track"], 1) for bar in bars}
    assert max(tracks) - min(tracks) <= 0.5, f"{where}: tracks of different widths {tracks}"
    most = max(bar["count"] for bar in bars)
    for bar in bars:
        expected = bar["track"] * bar["count"] / most
        assert abs(bar["fill"] - expected) <= PIXEL, f"{where}: {bar} should be {expected:.1f} px wide"


def bar_of(bars: list[dict], option: str, kind: str) -> dict:
    return next(bar for bar in bars if bar["option"] == option and bar["kind"] == kind)


def test_mock_10_against_postgresql_8_draws_the_mocks_bar_a_quarter_longer_on_projector_and_phone(
        show, open_projector, new_page):
    projector = open_projector(show, **PROJECTOR)
    phone = new_page(**PHONE)
    phone.goto(show.vote_url)
    phone.get_by_role("button", name="Mocks").click()
    expect(phone.locator("#your-vote")).to_have_text("Your vote: Mocks")
    voters = [HttpVoter(show) for _ in range(7)]
    assert [voter.vote("mocks") for voter in voters] == [201] * 7
    assert [voter.vote("mocks") for voter in voters[:2]] == [409, 409]  # refused by PostgreSQL, counted by the mock

    projector.keyboard.press("3")  # the magic moment reveals the results

    for page, root in ((projector, "#results"), (phone, "#live-bars")):
        expect(page.locator(f'{root} .option[data-option="mocks"] .bar.lie b')).to_have_text("10")
        expect(page.locator(f'{root} .option[data-option="mocks"] .bar.truth b')).to_have_text("8")
        bars = page.evaluate(BARS, root)
        mock, postgres = bar_of(bars, "mocks", "lie"), bar_of(bars, "mocks", "truth")
        assert mock["fill"] == pytest.approx(1.25 * postgres["fill"], rel=0.06), bars
        assert_to_scale(bars, root)


def test_bars_stay_to_scale_whatever_the_digits_beside_them(show, open_projector, new_page):
    projector = open_projector(show, **PROJECTOR)
    phone = new_page(**PHONE)
    phone.goto(show.vote_url)
    phone.get_by_role("button", name="Prayer").click()
    show.act("results", {"visible": True})
    expect(phone.locator("#live-bars .bar")).to_have_count(6)
    options = {row["id"]: row["label"] for row in api_results(show)["options"]}
    the_round = phone.evaluate("window.phoneLive.state.round")

    for lie, truth in RATIOS:
        results = results_payload(options, {"mocks": truth}, {"mocks": lie}, visible=True, round_name=the_round)
        projector.evaluate(HEAR, ["realityEngine", results])
        phone.evaluate(HEAR, ["phoneLive", phone_results(results)])

        for page, root in ((projector, "#results"), (phone, "#live-bars")):
            expect(page.locator(f'{root} .option[data-option="mocks"] .bar.lie b')).to_have_text(f"{lie:,}")
            bars = page.evaluate(BARS, root)
            assert_to_scale(bars, f"{root} at {lie}:{truth}")
            if truth:
                mock, postgres = bar_of(bars, "mocks", "lie"), bar_of(bars, "mocks", "truth")
                assert mock["fill"] / postgres["fill"] == pytest.approx(lie / truth, rel=0.06)
            else:
                assert bar_of(bars, "mocks", "truth")["fill"] <= PIXEL


def test_the_results_panel_reads_from_the_back_row_and_scales_up_on_a_bigger_projector(show, open_projector):
    HttpVoter(show).vote("mocks")
    projector = open_projector(show, **PROJECTOR)
    projector.keyboard.press("3")
    expect(projector.locator("#results .bar")).to_have_count(6)

    smallest = projector.evaluate(SMALLEST_TEXT, ".results-panel")
    header = projector.evaluate(SMALLEST_TEXT, ".stagebar .headline")
    projector.set_viewport_size({"width": 1920, "height": 1080})
    bigger = projector.evaluate(SMALLEST_TEXT, ".results-panel")

    assert smallest["size"] >= 18, f"at 1280x720 the results panel has {smallest} px"
    assert header["size"] >= 18, f"at 1280x720 the stage bar has {header} px"
    assert bigger["size"] > smallest["size"], "at 1920x1080 the text grows"


def test_the_projector_and_the_phone_draw_the_bars_in_the_legends_order(show, open_projector, new_page):
    projector = open_projector(show, **PROJECTOR)
    phone = new_page(**PHONE)
    phone.goto(show.vote_url)
    phone.get_by_role("button", name="Mocks").click()
    projector.keyboard.press("3")
    expect(phone.locator("#live-bars .bar")).to_have_count(6)
    expect(projector.locator("#results .bar")).to_have_count(6)

    order = "(root) => Array.from(document.querySelectorAll(root)).map((el) => el.className)"
    projector_bars = projector.evaluate(order, '#results .option[data-option="mocks"] .bar')
    phone_bars = phone.evaluate(order, '#live-bars .option[data-option="mocks"] .bar')
    projector_legend = projector.evaluate(order, ".results-panel .legend .swatch")
    phone_legend = phone.evaluate(order, "#live-legend .swatch")

    assert projector_bars == phone_bars == ["bar lie", "bar truth"]
    assert projector_legend == phone_legend == ["swatch lie", "swatch truth"]
    expect(projector.locator(".results-panel .legend")).to_have_text(phone.locator("#live-legend").inner_text())


def test_after_a_vote_the_phone_shows_its_own_options_live_bars_without_scrolling(show, new_page):
    show.act("results", {"visible": True})
    for option in ("Mocks", "Real containers", "Prayer"):
        phone = new_page(**PHONE)
        phone.goto(show.vote_url)
        phone.get_by_role("button", name=option).click()
        phone.get_by_role("button", name=option).click()  # the longest answer a phone shows: "You already voted! ..."
        expect(phone.locator("#outcome")).to_contain_text("You already voted!")
        mine = phone.locator("#live-bars .option.mine .bar.truth .track")
        expect(mine).to_be_visible()

        bottom = mine.evaluate("(track) => track.getBoundingClientRect().bottom")

        assert phone.evaluate("window.scrollY") == 0
        assert bottom <= PHONE["viewport"]["height"], f"{option}'s bars end at {bottom} px, below the fold"


def test_totals_during_a_postgresql_kill_stay_below_the_bars_and_inside_the_panel(show, open_projector):
    HttpVoter(show).vote("mocks")
    projector = open_projector(show, **PROJECTOR)
    try:
        projector.keyboard.press("3")
        projector.keyboard.press("d")
        expect(projector.locator("#banner")).to_contain_text("Database down")
        assert HttpVoter(show).vote("prayer") == 503
        expect(projector.locator("#totals")).to_have_text("Mock counted 2 · PostgreSQL is down (it had stored 1) · 1 not recorded")

        layout = projector.evaluate("""() => {
          const box = (el) => el.getBoundingClientRect();
          const bars = Array.from(document.querySelectorAll("#results .track, #results b"));
          const totals = document.getElementById("totals");
          return {barsBottom: Math.max(...bars.map((el) => box(el).bottom)), totals: box(totals).toJSON(),
                  panelBottom: box(totals.closest(".panel")).bottom,
                  brokenParts: Array.from(totals.querySelectorAll("span, .refused")).filter((el) => el.getClientRects().length > 1).length};
        }""")
        assert layout["totals"]["top"] >= layout["barsBottom"], layout
        assert layout["totals"]["bottom"] <= layout["panelBottom"], layout
        assert layout["brokenParts"] == 0, "a count broken across two lines"
    finally:
        show.act("chaos", {"action": "recover"})
    expect(projector.locator("#totals")).to_contain_text("1 vote was not recorded while PostgreSQL was down at ")


def test_reset_everything_reaches_a_phone_left_open_and_one_that_was_offline(show, new_page, open_projector):
    projector = open_projector(show, **PROJECTOR)
    open_phone, offline_phone = new_page(**PHONE), new_page(**PHONE)
    for phone, option in ((open_phone, "Mocks"), (offline_phone, "Prayer")):
        phone.goto(show.vote_url)
        phone.get_by_role("button", name=option).click()
        phone.get_by_role("button", name=option).click()
        expect(phone.locator("#outcome")).to_contain_text("You already voted!")
        expect(phone.locator("#your-vote")).to_have_text(f"Your vote: {option}")
    offline_phone.evaluate("window.phoneLive.socket.disconnect()")
    reloaded = new_page(**PHONE)  # a phone that voted, then closed the tab: the vote is in its storage
    reloaded.goto(show.vote_url)
    reloaded.get_by_role("button", name="Real containers").click()
    expect(reloaded.locator("#your-vote")).to_have_text("Your vote: Real containers")
    reloaded.reload()
    expect(reloaded.locator("#your-vote")).to_have_text("Your vote: Real containers")
    reloaded.evaluate("window.phoneLive.socket.disconnect()")
    open_phone.evaluate("""() => new MutationObserver((_, observer) => {
        if (document.getElementById("live").hidden) { window.forgotAt = performance.now(); observer.disconnect(); }
      }).observe(document.getElementById("live"), {attributes: true})""")
    projector.once("dialog", lambda dialog: dialog.accept())
    pressed_at = open_phone.evaluate("performance.now()")

    projector.keyboard.press("x")

    unvoted(open_phone)
    forgot_in = open_phone.evaluate("window.forgotAt") - pressed_at
    print(f"the open phone forgot its vote {forgot_in:.0f} ms after X was pressed, the reset's own work included")
    expect(offline_phone.locator("#your-vote")).to_have_text("Your vote: Prayer")  # offline: it can't know yet
    offline_phone.evaluate("window.phoneLive.socket.connect()")
    unvoted(offline_phone)
    reloaded.reload()
    unvoted(reloaded)
    offline_phone.get_by_role("button", name="Mocks").click()  # a vote in the new round counts
    expect(offline_phone.locator("#outcome")).to_have_text("Vote recorded in PostgreSQL. Thank you!")


def unvoted(phone) -> None:
    """The phone as it was before any vote: every choice enabled, no "your vote", no live panel."""
    expect(phone.locator("#live")).to_be_hidden()
    expect(phone.locator("#your-vote")).to_be_hidden()
    expect(phone.locator("#outcome")).to_have_text("Tap one answer. One vote each: PostgreSQL is watching.")
    for choice in phone.locator(".choice").all():
        expect(choice).to_be_enabled()
    expect(phone.locator("body")).not_to_have_class(re.compile(r"\bvoted\b"))
