"""Fixtures for the classroom tests: a console to read, and images tagged only for a test."""

import contextlib
import io
import uuid

import docker.errors
import pytest
from rich.console import Console


@pytest.fixture
def console():
    """A console whose text the test reads: `console.file.getvalue()`."""
    return Console(file=io.StringIO(), width=200, color_system=None)


@pytest.fixture
def docker_client_for_test(docker_engine):
    """The Docker client of the test session's engine."""
    return docker_engine.client


@pytest.fixture
def test_tag(docker_client_for_test):
    """A test-only tag of the Redis image; removed afterwards (the image itself never is)."""
    from lab.servers.images import IMAGES

    tag = f"tcmagic-classroom-test/redis:{uuid.uuid4().hex[:8]}"
    docker_client_for_test.images.get(IMAGES["redis"].name).tag(tag)
    yield tag
    with contextlib.suppress(docker.errors.ImageNotFound):  # already gone: the test removed it on purpose
        docker_client_for_test.images.remove(tag)
