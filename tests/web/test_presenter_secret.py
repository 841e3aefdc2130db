"""The presenter secret is strong, and guessing it is slow: a short one is refused at start, the 11th wrong guess a minute is a 429."""

import pytest
from rich.console import Console

from lab.errors import WorkshopError
from lab.web.presenter import TOKEN_HEADER
from lab.web.presenter_secret import DEVICE_COOKIE, GUESSES, PresenterSecret, checked_secret, presenter_secret
from lab.web.runtime import runtime_of
from lab.web.server import ShowOptions, run_show
from tests.web.helpers import TOKEN, Dashboard, Presenter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("weak", ["7", "x" * 15])
def test_a_presenter_token_under_16_characters_is_refused_in_one_sentence(weak):
    with pytest.raises(WorkshopError, match="shorter than 16 characters: choose a longer secret") as refused:
        presenter_secret({"PRESENTER_TOKEN": weak})

    assert str(refused.value).count(".") == 1


def test_a_long_token_is_taken_and_none_means_a_random_one():
    assert presenter_secret({"PRESENTER_TOKEN": " " + "s" * 16 + " "}) == "s" * 16
    made = {presenter_secret({}) for _ in range(3)}
    assert len(made) == 3 and all(len(checked_secret(secret)) >= 16 for secret in made)


def test_the_show_refuses_a_weak_token_before_it_starts_anything(monkeypatch):
    started = []
    monkeypatch.setattr("lab.servers.engines.select_engine", lambda *a, **k: started.append(a))

    with pytest.raises(WorkshopError, match="PRESENTER_TOKEN"):
        run_show(ShowOptions(), Console(file=None, quiet=True), environ={"PRESENTER_TOKEN": "7"})

    assert started == []


def test_after_ten_wrong_guesses_a_client_is_refused_without_a_check_until_the_minute_is_over():
    clock = Clock()
    secret = PresenterSecret("s" * 20, clock=clock)

    verdicts = [secret.check(f"guess-{n}", "10.0.0.9") for n in range(GUESSES)]
    clock.now += 1

    assert verdicts == ["wrong"] * GUESSES
    assert secret.check("s" * 20, "10.0.0.9") == "throttled"  # even the right one: no oracle
    assert secret.retry_after("10.0.0.9") == 59
    assert secret.check("s" * 20, "10.0.0.7") == "ok"  # another address is not slowed down
    assert secret.check("", "10.0.0.7") == "missing" and secret.check(None, "10.0.0.7") == "missing"
    clock.now += 59
    assert secret.check("s" * 20, "10.0.0.9") == "ok"


def test_the_presenter_api_answers_the_eleventh_wrong_secret_with_429(offline_app):
    guesser = offline_app.test_client()

    codes = [guesser.post("/api/presenter/reset", headers={TOKEN_HEADER: f"guess-{n}"}).status_code
             for n in range(GUESSES + 1)]
    right_but_late = guesser.post("/api/presenter/reset", headers={TOKEN_HEADER: TOKEN})
    elsewhere = offline_app.test_client().post("/api/presenter/reset", headers={TOKEN_HEADER: TOKEN},
                                               environ_base={"REMOTE_ADDR": "10.1.2.3"})

    assert codes == [403] * GUESSES + [429]
    assert right_but_late.status_code == 429
    assert "try again in" in right_but_late.json["message"]
    assert elsewhere.status_code == 200


def test_wrong_secrets_on_the_results_count_as_guesses_too(offline_app):
    guesser = offline_app.test_client()

    for n in range(GUESSES):
        guesser.get("/api/results", headers={TOKEN_HEADER: f"guess-{n}"})

    assert guesser.post("/api/presenter/reset", headers={TOKEN_HEADER: TOKEN}).status_code == 429


def test_a_browser_that_proved_the_secret_is_not_throttled_by_its_addresss_guesses():
    clock = Clock()
    secret = PresenterSecret("s" * 20, clock=clock)
    proof = secret.device_proof()

    verdicts = [secret.check(f"guess-{n}", "127.0.0.1") for n in range(GUESSES)]

    assert verdicts == ["wrong"] * GUESSES
    assert secret.check("s" * 20, "127.0.0.1", proof) == "ok"
    assert secret.check("a typo", "127.0.0.1", proof) == "wrong"
    assert secret.check("guess-11", "127.0.0.1") == "throttled"
    assert secret.check("s" * 20, "127.0.0.1") == "throttled"  # no oracle without the proof
    assert secret.check("s" * 20, "127.0.0.1", proof + "x") == "throttled"  # a forged proof is no proof
    assert not PresenterSecret("t" * 20).proves_device(proof)  # another secret, another show


def test_ten_wrong_secrets_from_the_presenters_address_never_lock_the_presenter_out(offline_app):
    """Codespaces, a tunnel, a NAT: the room shares the presenter's address (the test client's 127.0.0.1)."""
    presenter = Presenter(offline_app.test_client())
    hello = presenter.act("hello")
    guesser = Presenter(offline_app.test_client())

    codes = [guesser.act("stage", {"stage": 1}, token=f"guess-{n}").status_code for n in range(GUESSES + 1)]
    right_from_the_presenter = presenter.act("stage", {"stage": 2})
    right_from_the_guesser = guesser.act("stage", {"stage": 3})

    assert hello.status_code == 200 and DEVICE_COOKIE in hello.headers["Set-Cookie"]
    assert "HttpOnly" in hello.headers["Set-Cookie"] and "SameSite=Strict" in hello.headers["Set-Cookie"]
    assert codes == [403] * GUESSES + [429]
    assert right_from_the_presenter.status_code == 200
    assert right_from_the_guesser.status_code == 429
    assert runtime_of(offline_app).show.stage_index == 2


def test_ten_wrong_secrets_never_refuse_the_presenters_projector(offline_app):
    """The projector's socket reconnects after the room's guesses and still joins the presenter room."""
    browser = offline_app.test_client()
    Presenter(browser).act("hello")
    guessers_browser = offline_app.test_client()
    for n in range(GUESSES + 1):
        Presenter(guessers_browser).act("reset", token=f"guess-{n}")
    socketio = runtime_of(offline_app).socketio

    projector = Dashboard(socketio.test_client(offline_app, auth={"token": TOKEN}, flask_test_client=browser))
    stranger = Dashboard(socketio.test_client(offline_app, auth={"token": TOKEN}, flask_test_client=guessers_browser))

    assert projector.wait_for("snapshot")["stage"]["notes"]
    assert "notes" not in stranger.wait_for("snapshot")["stage"]  # the same secret, but no proof: throttled
    projector.connection.disconnect()
    stranger.connection.disconnect()
