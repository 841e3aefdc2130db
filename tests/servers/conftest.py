"""Fixtures for the servers' own tests: the embedded engine needs no Docker, only the pip packages."""

from tests.helpers import own_server

embedded_postgres = own_server("embedded_engine", "postgres",
                               "One throwaway embedded PostgreSQL for a module's tests that don't break it.")
embedded_redis = own_server("embedded_engine", "redis", "One embedded Redis for a module's tests that don't break it.")
