"""The phones' live results (lab/web/phones.py): their own room, results only, phone-sized."""

import pytest

from lab.show.ballot import results_payload
from lab.waiting import wait_for
from lab.web import runtime_of
from lab.web.phones import is_phone, phone_results

OPTIONS = {"mocks": "Mocks", "prayer": "Prayer"}


def test_a_phone_says_so_in_its_connect_auth():
    assert is_phone({"role": "phone"})
    assert not is_phone(None) and not is_phone({}) and not is_phone({"role": "presenter"}) and not is_phone("phone")


def test_hidden_results_give_a_phone_nothing_that_moves_with_the_votes():
    hidden = phone_results(results_payload(OPTIONS, {"mocks": 2}, {"mocks": 3}, visible=False, round_name="r1"))

    assert hidden == {"visible": False, "round": "r1"}


def test_revealed_results_give_a_phone_the_truth_and_the_lie_per_option():
    shown = phone_results(results_payload(OPTIONS, {"mocks": 2}, {"mocks": 3, "prayer": 1}, visible=True))

    assert shown["counts"] == {"mocks": {"real": 2, "fantasy": 3}, "prayer": {"real": 0, "fantasy": 1}}
    assert shown["totals"] == {"real": 2, "fantasy": 4}
    assert shown["words"] == "Live: PostgreSQL stored 2 · the mock counted 4"


@pytest.mark.realdb
def test_a_phone_that_connects_catches_up_from_one_phone_sized_results_message(phone):
    results = phone.wait_for("results")

    assert results == {"visible": False, "round": results["round"]} and results["round"]
    assert [name for name, _ in phone.events] == ["results"]


@pytest.mark.realdb
def test_a_phone_hears_the_revealed_counts_and_nothing_but_results(phone, dashboard, client, presenter):
    client.post("/api/vote", json={"option": "mocks"})
    client.post("/api/vote", json={"option": "prayer"})
    presenter.act("stage", {"stage": 4})

    presenter.act("results", {"visible": True})

    shown = phone.wait_for("results", lambda r: r["visible"] and r["totals"]["fantasy"] == 2)
    assert shown["counts"]["mocks"] == {"real": 1, "fantasy": 1}
    assert shown["counts"]["prayer"] == {"real": 0, "fantasy": 1}
    dashboard.wait_for("stage")
    assert dashboard.feed_texts()
    assert {name for name, _ in phone.events} == {"results"}


@pytest.mark.realdb
def test_a_reset_reaches_the_phones_as_cleared_hidden_results_of_a_new_round(phone, client, presenter):
    presenter.act("results", {"visible": True})
    client.post("/api/vote", json={"option": "mocks"})
    voted_in = phone.wait_for("results", lambda r: r["visible"] and r["totals"]["real"] == 1)["round"]

    presenter.act("reset")

    wait_for(lambda: not phone.payloads("results")[-1]["visible"], "the phone to hear the results hidden again")
    assert phone.payloads("results")[-1]["round"] != voted_in, "a new round: the phone forgets its vote"


@pytest.mark.realdb
def test_a_phone_asking_for_the_dashboards_snapshot_gets_nothing(phone, presenter):
    phone.wait_for("results")

    phone.connection.emit("snapshot")
    presenter.act("results", {"visible": True})  # something to hear after the ignored request

    phone.wait_for("results", lambda r: r["visible"])
    assert "snapshot" not in {name for name, _ in phone.events}


@pytest.mark.realdb
def test_while_the_results_are_hidden_votes_cost_the_phones_no_message(phone, dashboard, client, presenter):
    phone.wait_for("results")
    client.post("/api/vote", json={"option": "mocks"})
    client.post("/api/vote", json={"option": "prayer"})
    dashboard.wait_for("results", lambda r: r["totals"]["fantasy"] == 2)

    presenter.act("results", {"visible": True})

    phone.wait_for("results", lambda r: r["visible"])
    assert [results["visible"] for results in phone.payloads("results")] == [False, True]


@pytest.mark.realdb
def test_phones_coming_back_together_each_catch_up_from_one_message_and_no_query(app, show, phone, monkeypatch):
    phone.wait_for("results")
    tallies = []
    real_tally = show.ballot.real.tally
    monkeypatch.setattr(show.ballot.real, "tally", lambda: tallies.append(1) or real_tally())
    socketio = runtime_of(app).socketio

    returning = [socketio.test_client(app, auth={"role": "phone"}) for _ in range(20)]

    assert [[packet["name"] for packet in back.get_received()] for back in returning] == [["results"]] * 20
    assert tallies == []
    for back in returning:
        back.disconnect()
