"""The one list of images, and pulling with a progress bar (Docker's event stream faked, then real)."""

import docker.errors
import pytest
from testcontainers.core.config import testcontainers_config

from lab.classroom.pulling import LayerTally, needed_images, pull, pull_missing, split_reference
from lab.errors import ImageUnavailable
from lab.servers.images import IMAGES

# Docker's pull stream, shortened from a real `docker pull redis:7-alpine`.
PULL_EVENTS = [
    {"status": "Pulling from library/redis", "id": "7-alpine"},
    {"status": "Pulling fs layer", "progressDetail": {}, "id": "aaa"},
    {"status": "Pulling fs layer", "progressDetail": {}, "id": "bbb"},
    {"status": "Downloading", "progressDetail": {"current": 1000, "total": 4000}, "id": "aaa"},
    {"status": "Downloading", "progressDetail": {"current": 500, "total": 1000}, "id": "bbb"},
    {"status": "Download complete", "progressDetail": {}, "id": "bbb"},
    {"status": "Downloading", "progressDetail": {"current": 4000, "total": 4000}, "id": "aaa"},
    {"status": "Extracting", "progressDetail": {"current": 2000, "total": 4000}, "id": "aaa"},
    {"status": "Pull complete", "progressDetail": {}, "id": "aaa"},
    {"status": "Status: Downloaded newer image for redis:7-alpine"},
]


class FakeApi:
    def __init__(self, events):
        self.events, self.pulled = events, []

    def pull(self, repository, tag, stream, decode):
        self.pulled.append((repository, tag))
        return iter(self.events)


class FakeClient:
    def __init__(self, events):
        self.api = FakeApi(events)


def test_the_list_is_ours_then_the_ryuk_image_of_the_installed_library(monkeypatch):
    monkeypatch.setenv("TCMAGIC_REDIS_IMAGE", "mirror.example/redis:7")

    assert needed_images(include_ryuk=True) == [
        IMAGES["postgres"].default, "mirror.example/redis:7", testcontainers_config.ryuk_image
    ]
    assert needed_images(include_ryuk=False) == [IMAGES["postgres"].default, "mirror.example/redis:7"]
    assert testcontainers_config.ryuk_image.startswith("testcontainers/ryuk:")


def test_image_references_split_into_repository_and_tag():
    assert split_reference("redis:7-alpine") == ("redis", "7-alpine")
    assert split_reference("registry.local:5000/team/postgres:15") == ("registry.local:5000/team/postgres", "15")
    assert split_reference("registry.local:5000/team/postgres") == ("registry.local:5000/team/postgres", "latest")
    assert split_reference("redis") == ("redis", "latest")


def test_layer_progress_adds_up_over_the_stream():
    tally = LayerTally()
    seen = []
    for event in PULL_EVENTS:
        tally.update(event)
        seen.append((tally.done, tally.expected))

    assert seen[3] == (1000, 4000)
    assert seen[5] == (2000, 5000)  # bbb complete: counted in full
    assert seen[-1] == (5000, 5000)


def test_pull_follows_the_stream_and_says_how_long_it_took(console):
    client = FakeClient(PULL_EVENTS)

    pull(client, "redis:7-alpine", console)

    assert client.api.pulled == [("redis", "7-alpine")]
    assert console.file.getvalue().startswith("pulled redis:7-alpine in ")


def test_an_error_in_the_stream_is_one_sentence_with_the_fix(console):
    client = FakeClient([{"error": "toomanyrequests: You have reached your pull rate limit."}])

    with pytest.raises(ImageUnavailable) as raised:
        pull(client, "redis:7-alpine", console)

    assert str(raised.value) == (
        "Could not pull redis:7-alpine (toomanyrequests: You have reached your pull rate limit.): check the network, "
        "or load the images from a USB stick with `python3 workshop.py unpack FILE`."
    )


@pytest.mark.docker
def test_an_image_that_cannot_be_pulled_says_what_to_do(docker_client_for_test, console):
    with pytest.raises(ImageUnavailable, match=r"^Could not pull tcmagic-absent\.invalid/nothing:0 \(.+\): check the network"):
        pull(docker_client_for_test, "tcmagic-absent.invalid/nothing:0", console)
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client_for_test.images.get("tcmagic-absent.invalid/nothing:0")


@pytest.mark.docker
def test_pulling_what_is_missing_goes_on_past_a_failure_and_names_each_one(docker_client_for_test, console):
    failures = pull_missing(docker_client_for_test, ["tcmagic-absent.invalid/x:0", IMAGES["redis"].name], console)

    assert list(failures) == ["tcmagic-absent.invalid/x:0"]
    assert str(failures["tcmagic-absent.invalid/x:0"]).startswith("Could not pull tcmagic-absent.invalid/x:0 (")
