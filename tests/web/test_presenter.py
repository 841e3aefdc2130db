"""The presenter API: one blueprint of actions, and the secret on every request."""

import pytest

pytestmark = pytest.mark.realdb


EVERY_ACTION = ["hello", "reset", "clock", "results", "stage", "rate-limit", "bot", "chaos", "tests", "no-such-action"]
VALID_BODY = {"running": True, "visible": True, "stage": 1, "enabled": True, "action": "kill-postgres", "target": "naive"}


def nothing_changed(show):
    """The show as a refused request must leave it: no vote, first stage, limit off, no test run."""
    return (show.ballot.real.count(), show.stage()["index"], show.ballot.visible, show.services.status()["rate_limit"]["enabled"],
            show.tests.snapshot()["target"], show.services.database_up) == (0, 0, False, False, None, True)


@pytest.mark.parametrize("action", EVERY_ACTION)
def test_without_the_secret_every_action_is_401_and_changes_nothing(presenter, action, show):
    answer = presenter.act(action, VALID_BODY, token=None)

    assert answer.status_code == 401
    assert "X-Presenter-Token" in answer.json["message"]
    assert nothing_changed(show)


@pytest.mark.parametrize("action", EVERY_ACTION)
def test_with_a_wrong_secret_every_action_is_403_and_changes_nothing(presenter, action, show_config, show):
    answer = presenter.act(action, VALID_BODY, token=show_config.presenter_token + "x")

    assert answer.status_code == 403
    assert nothing_changed(show)


def test_a_refused_action_changes_nothing(presenter, show, client):
    client.post("/api/vote", json={"option": "mocks"})

    presenter.act("reset", token="wrong")
    presenter.act("stage", {"stage": 3}, token=None)

    assert show.ballot.real.count() == 1
    assert show.stage()["index"] == 0


def test_reset_forgets_votes_in_both_stores_and_the_feed(presenter, show, client):
    client.post("/api/vote", json={"option": "mocks"})
    client.post("/api/vote", json={"option": "mocks"})

    answer = presenter.act("reset")

    assert answer.status_code == 200
    assert show.ballot.real.count() == show.ballot.fantasy.count() == 0
    assert [line["kind"] for line in show.feed.lines()] == ["reset"]
    assert client.post("/api/vote", json={"option": "prayer"}).status_code == 201


def test_results_show_per_option_counts_when_the_presenter_says_so(presenter, client):
    client.post("/api/vote", json={"option": "prayer"})

    assert presenter.act("results", {"visible": True}).json == {"status": "ok", "visible": True}
    shown = client.get("/api/results").json
    presenter.act("results", {"visible": False})
    hidden = client.get("/api/results").json

    assert shown["visible"] and {row["id"]: (row["real"], row["fantasy"]) for row in shown["options"]}["prayer"] == (1, 1)
    assert not hidden["visible"] and "real" not in hidden["options"][0]


def test_the_presenter_may_peek_at_hidden_results_with_the_secret(client, show_config):
    client.post("/api/vote", json={"option": "prayer"})

    peek = client.get("/api/results", headers={"X-Presenter-Token": show_config.presenter_token}).json
    guess = client.get("/api/results", headers={"X-Presenter-Token": "guess"}).json

    assert peek["options"][2] == {"id": "prayer", "label": "Prayer", "real": 1, "fantasy": 1}
    assert "real" not in guess["options"][2]


@pytest.mark.parametrize("body", [{}, {"visible": "yes"}, {"visible": 1}])
def test_results_needs_a_boolean(presenter, body):
    assert presenter.act("results", body).status_code == 400


def test_stage_moves_the_show_and_entering_the_magic_moment_reveals_results(presenter, show):
    answer = presenter.act("stage", {"stage": 2})

    assert answer.status_code == 200
    assert answer.json["stage"]["title"] == "Magic moment"
    assert show.ballot.visible is True
    presenter.act("stage", {"stage": 1})
    assert show.ballot.visible is False


@pytest.mark.parametrize("body", [{}, {"stage": -1}, {"stage": 6}, {"stage": "2"}, {"stage": True}, {"stage": 1.5}])
def test_stage_needs_an_index_in_range(presenter, show, body):
    assert presenter.act("stage", body).status_code == 400
    assert show.stage()["index"] == 0


def test_a_body_that_is_not_a_json_object_is_400(presenter, show_config):
    answer = presenter.client.post(
        "/api/presenter/stage", data="[1]", content_type="application/json", headers={"X-Presenter-Token": show_config.presenter_token}
    )

    assert answer.status_code == 400


def test_an_unknown_action_with_the_secret_is_404_naming_the_known_ones(presenter):
    answer = presenter.act("launch-rockets")

    assert answer.status_code == 404
    assert "reset" in answer.json["message"] and "stage" in answer.json["message"]


def test_every_route_of_the_presenter_blueprint_is_behind_the_secret(presenter, show):
    routes = [rule.rule for rule in presenter.client.application.url_map.iter_rules() if rule.endpoint.startswith("presenter.")]

    answers = {route: presenter.client.post(route.replace("<action>", "anything"), json=VALID_BODY).status_code for route in routes}

    assert len(routes) == len(EVERY_ACTION) and set(answers.values()) == {401}, answers
    assert nothing_changed(show)
