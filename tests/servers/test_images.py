"""The one list of images, overridable for a private mirror (lab/servers/images.py)."""

from lab.servers.images import IMAGES, POSTGRES


def test_images_can_be_overridden_for_a_private_mirror(monkeypatch):
    assert POSTGRES.name == "postgres:15-alpine"
    monkeypatch.setenv("TCMAGIC_POSTGRES_IMAGE", "mirror.example/postgres:15-alpine")

    assert IMAGES["postgres"].name == "mirror.example/postgres:15-alpine"
    assert IMAGES["redis"].name == "redis:7-alpine"
