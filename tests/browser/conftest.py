"""The real show in a real browser: reality_engine.py in a child process, Debian's Chromium.

One show process and one browser for the whole session; each test starts from a
presenter reset. Needs Docker (the show starts its own PostgreSQL) and /usr/bin/chromium.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from lab.servers.containers import free_port
from lab.servers.engines import REQUIRE_DOCKER_VARIABLE, docker_required
from lab.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


class Show:
    """The running show as its presenter sees it: URLs, the secret, the terminal output."""

    def __init__(self, port: int, token: str, log: Path, engine: str = "docker") -> None:
        self.engine = engine
        self.url = f"http://127.0.0.1:{port}"
        self.vote_url = f"{self.url}/qr"
        self.presenter_url = f"{self.url}/#token={token}"
        self.token = token
        self.log = log

    @property
    def output(self) -> str:
        """What reality_engine.py printed so far."""
        return self.log.read_text(errors="replace")

    def act(self, action: str, body: dict | None = None) -> dict:
        """Call the presenter API with the secret, as the dashboard's keys do."""
        request = urllib.request.Request(
            f"{self.url}/api/presenter/{action}", data=json.dumps(body or {}).encode(), method="POST",
            headers={"Content-Type": "application/json", "X-Presenter-Token": self.token},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)


def answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=1) as answer:
        return answer.status == 200


GONE = {"docker": "Show ended: the PostgreSQL container is removed.",
        "embedded": "Show ended: the PostgreSQL process is stopped and its data deleted."}


@pytest.fixture(scope="session")
def running_show(docker_engine, tmp_path_factory):
    """reality_engine.py on Docker, serving on a free port; Ctrl+C at the end must stop it cleanly."""
    yield from serve_show("docker", tmp_path_factory)


@pytest.fixture(scope="session")
def embedded_show(tmp_path_factory):
    """reality_engine.py --engine embedded: PostgreSQL and Redis as local processes, no Docker."""
    yield from serve_show("embedded", tmp_path_factory)


def serve_show(engine: str, tmp_path_factory):
    """Run reality_engine.py on `engine` until the session ends; yields the Show."""
    port, token = free_port(), "browser-test-secret"
    log = tmp_path_factory.mktemp(f"show-{engine}") / "reality_engine.out"
    env = {**os.environ, "PRESENTER_TOKEN": token, "COLUMNS": "120"}
    if engine == "embedded":  # asked for by name, so CI's require-Docker switch does not apply
        env.pop(REQUIRE_DOCKER_VARIABLE, None)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "reality_engine.py"), "--host", "127.0.0.1", "--port", str(port),
             "--public-url", f"http://127.0.0.1:{port}", "--engine", engine],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    show = Show(port, token, log, engine)
    try:
        wait_for(
            lambda: process.poll() is not None or answers(f"{show.url}/healthz"),
            "reality_engine.py to serve", timeout=120, ignore=(OSError, urllib.error.URLError),
        )
        if process.poll() is not None:
            pytest.fail(f"reality_engine.py exited with {process.returncode}:\n{show.output}", pytrace=False)
        yield show
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    assert process.returncode == 0, show.output
    assert GONE[engine] in show.output


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one for the whole session."""
    if not shutil.which(CHROMIUM):
        message = "Chromium is missing: run `apt-get install -y chromium` (Debian) to run the browser tests."
        if docker_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def show(running_show):
    """The running show, reset to no votes, the first stage and hidden results."""
    running_show.act("reset")
    running_show.act("stage", {"stage": 0})
    running_show.act("results", {"visible": False})
    return running_show


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies): new_page(**context_options)."""
    contexts = []

    def open_page(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def projector(show, new_page):
    """The presenter's dashboard at projector size, opened with the secret and connected."""
    from playwright.sync_api import expect

    page = new_page(viewport={"width": 1280, "height": 720})
    page.goto(show.presenter_url)
    expect(page.locator("#connection")).to_have_text("live")
    return page


@pytest.fixture(params=[pytest.param("docker", marks=pytest.mark.docker), "embedded"])
def each_show(request):
    """The running show on each engine in turn (Docker, then embedded processes), after a Reset Everything."""
    show = request.getfixturevalue("running_show" if request.param == "docker" else "embedded_show")
    show.act("reset")
    return show


@pytest.fixture
def open_projector(new_page):
    """open_projector(show, width, height): the presenter's dashboard at that size, connected."""
    from playwright.sync_api import expect

    def open_at(show, width=1280, height=720):
        page = new_page(viewport={"width": width, "height": height})
        page.goto(show.presenter_url)
        expect(page.locator("#connection")).to_have_text("live")
        return page

    return open_at
