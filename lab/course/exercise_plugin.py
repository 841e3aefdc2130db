"""The pytest plugin behind the hands-on exercise: the `catalog` fixture on a real PostgreSQL.

The checker loads it with `-p lab.course.exercise_plugin` and sets TCMAGIC_EXERCISE_POSTGRES
(the URL of a running server, password included) and TCMAGIC_EXERCISE_VARIANTS (which table versions to run
each test against). Run directly (`python3 -m pytest exercises/`), it starts its own container
and uses the correct table only.
"""

import os

import pytest

from lab.course.catalog import CORRECT, VARIANTS, Catalog
from lab.settings import PostgresSettings

ENV_POSTGRES = "TCMAGIC_EXERCISE_POSTGRES"
ENV_VARIANTS = "TCMAGIC_EXERCISE_VARIANTS"


def _variant_names() -> list[str]:
    names = [name for name in os.environ.get(ENV_VARIANTS, CORRECT.name).split(",") if name in VARIANTS]
    return names or [CORRECT.name]


@pytest.fixture(scope="session")
def exercise_postgres():
    """Where the exercise's PostgreSQL listens: the checker's, or a container of our own."""
    address = os.environ.get(ENV_POSTGRES)
    if address:
        yield PostgresSettings.from_url(address)
        return
    from lab.servers.containers import DockerEngine

    service = DockerEngine(purpose="exercise").start_postgres()
    yield service.settings
    service.remove()


@pytest.fixture(params=_variant_names())
def catalog(request, exercise_postgres):
    """A product catalog in a fresh schema of a real PostgreSQL, dropped after the test."""
    catalog = Catalog(exercise_postgres, VARIANTS[request.param])
    yield catalog
    catalog.drop()
