"""A presenter's rehearsal in Chromium: clocks, counts, Reset Everything, words, and a projector readable at two sizes."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from lab.show.headlines import stage_words
from lab.show.script import STAGES
from lab.web.server import NEXT_STEPS
from tests.browser.helpers import PHONE, picture

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]  # Chromium on a loaded machine

SIZES = [(1280, 720), (1920, 1080)]
SHOT_SIZE = (1280, 720)  # the docs' screenshots
WIDE_MARGIN = 3  # the promise is "filled within 1 s"; a loaded 2-core machine gets three times that
RECORDED = "Vote recorded in PostgreSQL. Thank you!"

# every element whose text the browser cut with an ellipsis, by id or class
CUT_TEXT = """() => Array.from(document.querySelectorAll("body *")).filter((el) => {
  const style = getComputedStyle(el);
  return el.getClientRects().length > 0 && style.textOverflow === "ellipsis" && el.scrollWidth > el.clientWidth;
}).map((el) => el.id || el.className || el.tagName)"""
# every text that runs past the right edge of its panel (the panel hides what overflows)
PAST_THE_PANEL = """() => Array.from(document.querySelectorAll(".panel *")).filter((el) => {
  if (el.getClientRects().length === 0) return false;
  const panel = el.closest(".panel").getBoundingClientRect();
  return Array.from(el.getClientRects()).some((r) => r.right > panel.right + 0.5);
}).map((el) => el.id || el.className || el.tagName)"""
# every test name that runs past the bottom of its list (the list hides what overflows)
CLIPPED_TESTS = """() => Array.from(document.querySelectorAll(".tests li")).filter((li) => {
  const list = li.parentElement.getBoundingClientRect();
  return li.getBoundingClientRect().bottom > list.bottom + 0.5;
}).map((li) => li.textContent)"""
# what the toast covers among what the room must read: notes, totals, QR code, verdicts, the newest feed lines
COVERED = """() => {
  const toast = document.getElementById("toast").getBoundingClientRect();
  const overlaps = (r) => r.width > 0 && !(r.right <= toast.left || r.left >= toast.right || r.bottom <= toast.top || r.top >= toast.bottom);
  const newest = Array.from(document.querySelectorAll("#feed .line")).slice(0, 3);
  return Array.from(document.querySelectorAll("#stage-notes li, #totals, #qr, .verdict")).concat(newest)
    .filter((el) => el.getClientRects().length > 0 && overlaps(el.getBoundingClientRect()))
    .map((el) => el.id || el.className || el.textContent);
}"""
# the smallest font size of the text the room reads on the test stage: names, times, verdicts
SMALLEST_TEST_TEXT = """() => Math.min(...Array.from(document.querySelectorAll(".tests-panel *"))
  .filter((el) => el.getClientRects().length > 0 && Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim()))
  .map((el) => parseFloat(getComputedStyle(el).fontSize)))"""


def api_results(show) -> dict:
    with urllib.request.urlopen(f"{show.url}/api/results", timeout=5) as answer:
        return json.load(answer)


def projector_words(results: dict) -> str:
    """The totals line as the server words it (lab/show/tally_words.py), from /api/results."""
    return " · ".join(part["text"] for part in results["words"]["totals"])


def vote(page, show, option: str):
    page.goto(show.vote_url)
    page.get_by_role("button", name=option).click()
    return page.locator("#outcome")


def test_reset_everything_after_a_rehearsal_leaves_the_cold_open_of_a_fresh_start(each_show, open_projector, new_page):
    show, projector = each_show, open_projector(each_show)
    try:
        projector.keyboard.press("ArrowRight")  # starts the clocks on the cold open
        expect(projector.locator("body")).to_have_attribute("data-clock", "running")
        projector.keyboard.press("2")
        phone = new_page(**PHONE)
        expect(vote(phone, show, "Mocks")).to_have_text(RECORDED)
        expect(vote(phone, show, "Prayer")).to_contain_text("You already voted!")
        projector.keyboard.press("3")
        expect(projector.locator("#totals")).to_have_text("Mock counted 2 · PostgreSQL stored 1 · 1 refused")

        projector.keyboard.press("5")
        projector.keyboard.press("l")
        expect(projector.locator("#limit-state")).to_have_text(re.compile("rate limit on"), timeout=30_000)
        projector.keyboard.press("d")
        expect(projector.locator("#banner")).to_contain_text("Database down")
        lost = vote(new_page(**PHONE), show, "Prayer")
        expect(lost).to_have_text("The database is unavailable: nothing was recorded.")
        projector.keyboard.press("u")
        expect(projector.locator("#banner")).to_be_hidden(timeout=10_000)
        expect(projector.locator("#totals")).to_have_text(projector_words(api_results(show)))
        expect(projector.locator("#totals")).to_have_text(re.compile(
            r"^Mock counted 3\s· PostgreSQL stored 1\s· 1 refused\s· "  # \s: the dot's no-break space
            r"1 vote was not recorded while PostgreSQL was down at \d\d:\d\d$"))
        projector.keyboard.press("k")
        projector.keyboard.press("d")
        expect(projector.locator("#banner")).to_contain_text("Database down")
        projector.once("dialog", lambda dialog: dialog.accept())

        projector.keyboard.press("x")

        expect(projector.locator("#feed .line span")).to_have_text([re.compile(r"^Reset everything: .*PostgreSQL recovered")],
                                                                    timeout=30_000)
        expect(projector.locator("#stage-title")).to_have_text("Cold open")
        expect(projector.locator("#stage-subline")).to_have_text("If your tests don't face reality, your users will.")
        expect(projector.locator("#totals")).to_have_text("Results hidden while you vote · 0 votes in")
        expect(projector.locator("#limit-state")).to_have_text("rate limit off")
        expect(projector.locator("#banner")).to_be_hidden()
        expect(projector.locator("#tests-fantasy li, #tests-reality li")).to_have_count(0)
        expect(projector.locator("#stage-timer")).to_have_text(re.compile(r"^0:00 / 1:30 · press → to start$"))
        expect(projector.locator("#show-timer")).to_have_text("0:00 / 8:00")
        assert api_results(show)["totals"] == {"real": 0, "fantasy": 0}
        again = new_page(**PHONE)
        expect(vote(again, show, "Mocks")).to_have_text(RECORDED)  # PostgreSQL is back, no limit in the way
    finally:
        show.act("reset")


def test_the_engines_words_reach_the_projector_and_the_terminal(each_show, open_projector):
    projector = open_projector(each_show)
    kind = {"docker": "container", "embedded": "embedded process"}[each_show.engine]

    feed_words, reality_words = projector.locator("#feed-words"), projector.locator("#reality-words")

    if each_show.engine == "embedded":
        expect(feed_words).to_have_text("app events (local processes)")
        expect(reality_words).to_have_text("real servers as local processes")
        assert "container" not in each_show.output.lower()
    else:
        expect(feed_words).to_have_text("Docker + app events")
        expect(reality_words).to_have_text("real servers in throwaway containers")
    assert "PostgreSQL ready in" in each_show.output and f"({kind})" in each_show.output
    steps = "\n".join(f"  {number}. {step}" for number, step in enumerate(NEXT_STEPS, start=1))
    assert f"\nNext:\n{steps}\n" in each_show.output
    with urllib.request.urlopen(f"{each_show.url}/favicon.ico", timeout=5) as icon:
        assert icon.status == 200


@pytest.mark.docker
def test_the_clocks_wait_for_the_presenter_and_pause(projector):
    expect(projector.locator("#stage-timer")).to_have_text(re.compile(r"^0:00 / 1:30 · press → to start$"))

    projector.keyboard.press("ArrowRight")

    expect(projector.locator("#stage-title")).to_have_text("Cold open")
    expect(projector.locator("body")).to_have_attribute("data-clock", "running")
    projector.keyboard.press("s")
    expect(projector.locator("#stage-timer")).to_contain_text("paused (S)")
    projector.keyboard.press("ArrowRight")
    expect(projector.locator("#stage-title")).to_have_text("QR voting")
    expect(projector.locator("body")).to_have_attribute("data-clock", "paused")


@pytest.mark.docker
def test_before_the_socket_connects_the_page_says_so_and_fills_within_a_second(show, new_page):
    blocked = new_page(viewport={"width": 1280, "height": 720})
    blocked.route("**/socket.io/**", lambda route: route.abort())
    blocked.goto(show.presenter_url)
    expect(blocked.locator("#connecting-cover")).to_have_text("Connecting to the show…")

    page = new_page(viewport={"width": 1280, "height": 720})
    page.add_init_script("""new MutationObserver((_, observer) => {
      if (document.body && !document.body.classList.contains("connecting")) {
        window.filledAt = performance.now(); observer.disconnect();
      }}).observe(document, {subtree: true, attributes: true, attributeFilter: ["class"]});""")
    page.goto(show.presenter_url)

    expect(page.locator("body")).not_to_have_class(re.compile(r"\bconnecting\b"))  # not wait_for_function: the CSP forbids eval
    expect(page.locator("#stage-title")).to_have_text("Cold open")
    filled_at = page.evaluate("window.filledAt")
    assert filled_at < 1000 * WIDE_MARGIN, f"the dashboard filled {filled_at:.0f} ms after navigation started"


@pytest.mark.docker
def test_the_projector_is_readable_at_both_sizes_on_every_stage(show, open_projector, new_page):
    projector = open_projector(show, *SHOT_SIZE)
    projector.screenshot(path=picture("stage-1-cold-open.png"))  # as the room first sees it: clocks waiting
    phone = new_page(**PHONE)
    expect(vote(phone, show, "Mocks")).to_have_text(RECORDED)
    expect(vote(phone, show, "Real containers")).to_contain_text("You already voted!")
    projector.keyboard.press("Shift+T")  # the real app: fantasy green but blind, reality green
    expect(projector.locator("#verdict-reality")).to_contain_text("green means proof", timeout=120_000)
    expect(projector.locator("#verdict-fantasy")).to_contain_text("green but blind: it never touched the app")
    expect(projector.locator("#stage-headline")).to_have_text(  # not "the real server says red" any more
        "Against the real app: the mock says green, the real server says green. Only the real server's green is proof.")
    assert projector.evaluate(SMALLEST_TEST_TEXT) >= 18, "test names the back row can't read at 1280x720"
    for width, height in SIZES:
        projector.set_viewport_size({"width": width, "height": height})
        for number in range(1, 7):
            go_to(projector, number)
            if number != 4:  # the test stage's headline follows the run (above)
                expect(projector.locator("#stage-headline")).to_have_text(stage_words(STAGES[number - 1], {})[0])
            else:
                expect(projector.locator("#stage-headline")).to_contain_text("the real server says green")
            if (width, height) == SHOT_SIZE and number > 1:
                key = projector.evaluate("document.body.dataset.stage")
                projector.screenshot(path=picture(f"stage-{number}-{key}.png"))
            assert projector.evaluate(CUT_TEXT) == [], f"text cut at {width}x{height}, stage {number}"
            assert projector.evaluate(PAST_THE_PANEL) == [], f"text past its panel at {width}x{height}, stage {number}"
            assert projector.evaluate(CLIPPED_TESTS) == [], f"test names cut at {width}x{height}, stage {number}"
    for width, height in SIZES:  # toasts last: each leaves a line in the feed, kept out of the screenshots
        projector.set_viewport_size({"width": width, "height": height})
        for number in range(1, 7):
            go_to(projector, number)
            projector.keyboard.press("u")  # "Nothing was down.": a toast to check against
            expect(projector.locator("#toast")).to_be_visible()
            assert projector.evaluate(COVERED) == [], f"a toast covers them at {width}x{height}, stage {number}"
            assert projector.evaluate(CLIPPED_TESTS) == [], f"a toast pushes test names out at {width}x{height}"


def go_to(projector, number: int) -> None:
    projector.keyboard.press(str(number))
    expect(projector.locator("#stage-number")).to_have_text(f"{number}/6")
