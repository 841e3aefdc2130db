"""Connection settings for the servers the workshop talks to.

Whatever starts a server (a container or an embedded process) hands out these, and
whatever talks to one (the vote store, the rate limiter) takes them. Passwords are
random for every server started (`new_password`): none is written in the repository.
"""

import secrets
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

POSTGRES_USER = "workshop"
POSTGRES_DB = "postgres"  # the one initdb creates: no CREATE DATABASE while a server starts


def new_password() -> str:
    """A random password for one server, safe in URLs and on command lines."""
    return secrets.token_hex(16)


def server_url(scheme: str, host: str, port: int, password: str, user: str = "", path: str = "") -> str:
    """`scheme://user:password@host:port/path`, the password quoted: a server's settings in one string."""
    return f"{scheme}://{user}:{quote(password, safe='')}@{host}:{port}/{path}"


def url_parts(url: str) -> tuple[str, int, str, str, str]:
    """(host, port, user, password, path) of a `server_url`, unquoted; "" for what it leaves out."""
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        raise ValueError(f"{url!r} names no host and port")
    return parts.hostname, parts.port, unquote(parts.username or ""), unquote(parts.password or ""), parts.path.lstrip("/")


@dataclass(frozen=True)
class PostgresSettings:
    """Where a PostgreSQL server listens and how to log in."""

    host: str
    port: int
    user: str = POSTGRES_USER
    password: str = field(default="", repr=False)
    dbname: str = POSTGRES_DB

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
        """A postgresql:// URL with the password, to hand the server to a child process."""
        return server_url("postgresql", self.host, self.port, self.password, user=self.user, path=self.dbname)

    @classmethod
    def from_url(cls, url: str) -> "PostgresSettings":
        """The settings a `url` from `.url` stands for."""
        host, port, user, password, path = url_parts(url)
        return cls(host, port, user or POSTGRES_USER, password, path or POSTGRES_DB)


@dataclass(frozen=True)
class RedisSettings:
    """Where a Redis server listens, and the password it requires (requirepass)."""

    host: str
    port: int
    password: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        """A redis:// URL with the password (database 0), to hand the server to a child process."""
        return server_url("redis", self.host, self.port, self.password, path="0")

    @classmethod
    def from_url(cls, url: str) -> "RedisSettings":
        """The settings a `url` from `.url` stands for."""
        host, port, _, password, _ = url_parts(url)
        return cls(host, port, password)
