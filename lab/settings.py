"""Connection settings for the servers the workshop talks to.

Whatever starts a server (a container, later an embedded process) hands out these,
and whatever talks to one (the vote store, the rate limiter) takes them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PostgresSettings:
    """Where a PostgreSQL server listens and how to log in."""

    host: str
    port: int
    user: str = "workshop"
    password: str = "workshop"
    dbname: str = "workshop"

    def connect_kwargs(self, connect_timeout: int = 3) -> dict:
        """Keyword arguments for psycopg2.connect()."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
            "connect_timeout": connect_timeout,
            "application_name": "testcontainers-magic",
        }

    @property
    def url(self) -> str:
        """A postgresql:// URL, for people and for environment variables."""
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.dbname}"


@dataclass(frozen=True)
class RedisSettings:
    """Where a Redis server listens."""

    host: str
    port: int

    @property
    def url(self) -> str:
        """A redis:// URL, for people and for environment variables."""
        return f"redis://{self.host}:{self.port}/0"
