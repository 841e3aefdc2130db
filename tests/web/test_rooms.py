"""Hidden means hidden: while results are hidden the feed names no option, and the notes reach only the presenter's socket."""

from lab.show.rooms import for_dashboards
from lab.web import runtime_of
from lab.web.presenter_secret import GUESSES
from tests.web.helpers import TOKEN, Dashboard, Presenter, audience_member


def connect(app, auth=None):
    """A screen's socket, with the connect auth it sends."""
    return Dashboard(runtime_of(app).socketio.test_client(app, auth=auth))


def test_while_results_are_hidden_the_feed_names_no_option_and_once_shown_it_does(offline_app):
    screen = connect(offline_app)
    audience_member(offline_app).post("/api/vote", json={"option": "prayer"})
    hidden = screen.wait_for("feed", lambda lines: any("Vote accepted" in line["text"] for line in lines))

    Presenter(offline_app.test_client()).act("results", {"visible": True})
    audience_member(offline_app).post("/api/vote", json={"option": "mocks"})
    shown = screen.wait_for("feed", lambda lines: any("Mocks" in line["text"] for line in lines))

    assert not any(label in line["text"] for line in hidden for label in ("Prayer", "Mocks", "Real containers"))
    assert any(line["text"].startswith("Vote accepted: Mocks (voter ") for line in shown)


def test_only_the_socket_that_proved_the_secret_hears_the_notes(offline_app):
    presenter, projector, guesser = connect(offline_app, {"token": TOKEN}), connect(offline_app), connect(
        offline_app, {"token": "not-the-secret-at-all"})

    Presenter(offline_app.test_client()).act("stage", {"stage": 2})

    assert presenter.wait_for("snapshot")["stage"]["notes"]
    assert presenter.wait_for("stage", lambda stage: stage["index"] == 2)["notes"]
    for screen in (projector, guesser):
        assert "notes" not in screen.wait_for("snapshot")["stage"]
        assert "notes" not in screen.wait_for("stage", lambda stage: stage["index"] == 2)


def test_both_kinds_of_screen_hear_the_feed_and_the_results(offline_app):
    presenter, projector = connect(offline_app, {"token": TOKEN}), connect(offline_app)

    audience_member(offline_app).post("/api/vote", json={"option": "prayer"})

    for screen in (presenter, projector):
        screen.wait_for("results", lambda results: results["totals"]["fantasy"] == 1)
        screen.wait_for("feed", lambda lines: any("Vote accepted" in line["text"] for line in lines))


def test_wrong_secrets_on_sockets_count_as_guesses_then_even_the_right_one_is_not_heard(offline_app):
    for n in range(GUESSES):
        connect(offline_app, {"token": f"guess-{n}"})

    late = connect(offline_app, {"token": TOKEN})

    assert "notes" not in late.wait_for("snapshot")["stage"]


def test_the_dashboards_share_of_an_event_drops_only_the_notes():
    stage = {"index": 1, "title": "QR voting", "notes": ["say this"]}

    assert for_dashboards("stage", stage) == {"index": 1, "title": "QR voting"}
    assert for_dashboards("snapshot", {"question": "Q?", "stage": stage}) == {"question": "Q?", "stage": for_dashboards("stage", stage)}
    assert for_dashboards("feed", [{"text": "x"}]) == [{"text": "x"}]
    assert stage["notes"] == ["say this"]  # the presenter's payload is left whole


def test_screens_without_the_secret_are_capped_but_the_presenter_always_gets_in(offline_app, monkeypatch):
    monkeypatch.setattr("lab.web.socket_events.SCREEN_CAP", 2)
    screens = [runtime_of(offline_app).socketio.test_client(offline_app) for _ in range(3)]
    presenter = connect(offline_app, {"token": TOKEN})

    assert [screen.is_connected() for screen in screens] == [True, True, False]
    assert presenter.wait_for("snapshot")["stage"]["notes"]
