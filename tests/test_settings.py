"""Connection settings handed to a child process as one URL, and read back from it."""

from lab.settings import POSTGRES_DB, POSTGRES_USER, PostgresSettings, RedisSettings


def test_postgres_settings_go_through_their_url_unchanged_the_password_quoted():
    settings = PostgresSettings("127.0.0.1", 5432, "learner", "p@ss/word", "shop")
    assert settings.url == "postgresql://learner:p%40ss%2Fword@127.0.0.1:5432/shop"
    assert PostgresSettings.from_url(settings.url) == settings


def test_a_postgres_url_without_user_or_database_means_the_workshop_s():
    assert PostgresSettings.from_url("postgresql://127.0.0.1:5432") == PostgresSettings("127.0.0.1", 5432, POSTGRES_USER, "", POSTGRES_DB)


def test_redis_settings_go_through_their_url_unchanged():
    settings = RedisSettings("127.0.0.1", 6379, "a b")
    assert settings.url == "redis://:a%20b@127.0.0.1:6379/0"
    assert RedisSettings.from_url(settings.url) == settings
