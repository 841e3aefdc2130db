"""The show as the room sees it: the projector in Chromium, phones voting, the presenter's keys."""

import re
import subprocess
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, picture

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(120)]  # Chromium on a loaded machine



def test_the_terminal_shows_both_urls_the_qr_code_and_the_start_up_time(running_show):
    output = running_show.output

    assert f"Audience URL (the QR code points here):\n  {running_show.vote_url}\n" in output
    assert running_show.presenter_url.replace("127.0.0.1", "localhost") in output
    assert "PostgreSQL ready in" in output and "(container)" in output
    assert "▀" in output or "▄" in output


def test_the_dashboard_qr_code_encodes_the_audience_url(projector, show, tmp_path):
    qr_png = tmp_path / "qr.png"
    projector.locator("#qr svg").screenshot(path=qr_png)

    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(qr_png)], capture_output=True, text=True, check=True)

    assert decoded.stdout.strip() == show.vote_url
    expect(projector.locator("#vote-url")).to_have_text(show.vote_url)


def test_the_secret_leaves_the_address_bar_and_the_dashboard_talks_websocket(projector, show):
    assert "token" not in projector.url
    assert show.token not in projector.content()
    projector.wait_for_function("window.realityEngine.socket.io.engine.transport.name === 'websocket'")


def test_the_dashboards_socket_requests_carry_the_secret_so_a_full_room_still_lets_the_screen_in(show, new_page):
    page = new_page(viewport={"width": 1280, "height": 720})
    socket_requests = []
    page.on("request", lambda request: socket_requests.append(request) if "/socket.io/" in request.url else None)
    page.goto(show.presenter_url)
    expect(page.locator("#connection")).to_have_text("live")

    handshake = socket_requests[0]
    assert "sid=" not in handshake.url  # the opening handshake, the one the room's gate counts
    assert handshake.all_headers().get("x-presenter-token") == show.token
    assert show.token not in handshake.url  # a header, never the URL (proxies log URLs)


def test_two_phones_vote_one_votes_twice_and_the_projector_follows_within_a_second(projector, show, new_page):
    projector.keyboard.press("3")  # the magic moment: results revealed
    expect(projector.locator("#stage-title")).to_have_text("Magic moment")
    first, second = new_page(**PHONE), new_page(**PHONE)
    first.goto(show.vote_url)
    second.goto(show.vote_url)

    first.get_by_role("button", name="Mocks").click()
    expect(first.locator("#outcome")).to_have_text("Vote recorded in PostgreSQL. Thank you!")
    second.get_by_role("button", name="Real containers").click()
    expect(second.locator("#outcome")).to_have_text("Vote recorded in PostgreSQL. Thank you!")
    first.get_by_role("button", name="Prayer").click()
    expect(first.locator("#outcome")).to_contain_text("You already voted!")
    expect(first.locator("#outcome")).to_contain_text("UNIQUE")

    expect(projector.locator("#totals")).to_have_text("Mock counted 3 · PostgreSQL stored 2 · 1 refused", timeout=1000)
    expect(projector.locator("#feed")).to_contain_text("SQLSTATE 23505", timeout=1000)
    expect(projector.locator('.option[data-option="prayer"] .bar.lie b')).to_have_text("1")
    expect(projector.locator('.option[data-option="prayer"] .bar.truth b')).to_have_text("0")
    first.screenshot(path=picture("phone.png"))
    projector.screenshot(path=picture("dashboard.png"))


def test_results_stay_hidden_while_voting_and_r_reveals_them(projector, show, new_page):
    projector.keyboard.press("2")
    expect(projector.locator("#stage-title")).to_have_text("QR voting")
    phone = new_page(**PHONE)
    phone.goto(show.vote_url)
    phone.get_by_role("button", name="Prayer").click()
    expect(projector.locator("#totals")).to_have_text("Results hidden while you vote · 1 vote in")
    expect(projector.locator(".bar")).to_have_count(0)

    projector.keyboard.press("r")

    expect(projector.locator(".bar")).to_have_count(6)


def test_x_resets_everything_after_asking(projector, show, new_page):
    phone = new_page(**PHONE)
    phone.goto(show.vote_url)
    phone.get_by_role("button", name="Mocks").click()
    expect(projector.locator("#totals")).to_contain_text("· 1 vote in")
    projector.once("dialog", lambda dialog: dialog.accept())

    projector.keyboard.press("x")

    expect(projector.locator("#totals")).to_contain_text("· 0 votes in")
    expect(projector.locator("#feed .line span")).to_have_text([re.compile(r"^Reset everything: votes, feed")])


def test_keys_and_control_requests_without_the_secret_fail(show, new_page):
    audience = new_page(viewport={"width": 1280, "height": 720})
    audience.goto(show.url)
    expect(audience.locator("#connection")).to_have_text("live")

    audience.keyboard.press("ArrowRight")

    expect(audience.locator("#toast")).to_contain_text("secret")
    expect(audience.locator("#stage-title")).to_have_text("Cold open")
    statuses = audience.evaluate(
        """async () => Promise.all([{}, {"X-Presenter-Token": "guess"}].map(async (extra) => (await fetch(
            "/api/presenter/stage", {method: "POST", body: '{"stage": 4}',
            headers: {"Content-Type": "application/json", ...extra}})).status))"""
    )
    assert statuses == [401, 403]
    expect(audience.locator("#stage-title")).to_have_text("Cold open")


def test_second_act_rate_limit_bot_chaos_and_the_live_test_comparison(projector, show, new_page):
    try:
        projector.keyboard.press("5")  # chaos
        expect(projector.locator("#stage-title")).to_have_text("Chaos")
        projector.keyboard.press("l")
        expect(projector.locator("#limit-state")).to_have_text("rate limit on: 3/min", timeout=30_000)
        expect(projector.locator("#feed")).to_contain_text("Rate limit on:")  # "Redis ready" only if no test started it yet
        projector.keyboard.press("b")
        expect(projector.locator("#feed")).to_contain_text("3 passed the rate limiter, 7 refused with 429")

        projector.get_by_role("button", name="K kill Redis").click()
        expect(projector.locator("#banner")).to_have_text(re.compile("Degraded: rate limit off"))
        expect(projector.locator("#feed")).to_contain_text(re.compile(r"Docker: redis container \S+ killed"), timeout=5000)
        phone = new_page(**PHONE)
        phone.goto(show.vote_url)
        phone.get_by_role("button", name="Prayer").click()
        expect(phone.locator("#outcome")).to_have_text("Vote recorded in PostgreSQL. Thank you!")
        projector.screenshot(path=picture("dashboard-chaos.png"))
        projector.keyboard.press("u")
        expect(projector.locator("#banner")).to_be_hidden(timeout=5000)

        projector.keyboard.press("t")  # the real runner: both files in subprocesses, against the naive app
        expect(projector.locator("#stage-title")).to_have_text("Test comparison")
        health = []
        while projector.evaluate("window.realityEngine.state.tests === null || window.realityEngine.state.tests.running"):
            with urllib.request.urlopen(f"{show.url}/healthz", timeout=1) as answer:  # the server never blocks on the run
                health.append(answer.status)
        expect(projector.locator("#verdict-fantasy")).to_contain_text("all green, all wrong")
        expect(projector.locator("#verdict-reality")).to_contain_text("bugs caught")
        assert health and set(health) == {200}
        assert projector.locator("#tests-fantasy li.passed").count() == projector.locator("#tests-fantasy li").count() > 0
        assert projector.locator("#tests-reality li.failed").count() > 0
        projector.screenshot(path=picture("dashboard-tests.png"))
    finally:
        show.act("chaos", {"action": "recover"})
        show.act("rate-limit", {"enabled": False})
