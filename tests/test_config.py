"""Settings come from the environment in one place; production refuses unsafe ones."""

from __future__ import annotations

import pytest

from linecomm import create_app
from linecomm.config import ConfigError, Settings

SAFE_PRODUCTION = {
    "LINECOMM_ENV": "production",
    "DATABASE_URL": "postgresql://app@db.internal/linecomm",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "LINE_CHANNEL_SECRET": "s",
    "LINE_CHANNEL_ACCESS_TOKEN": "t",
    "SECRET_KEY": "k",
}


def test_defaults_are_an_sqlite_file_in_the_instance_folder_and_the_embedded_queue(tmp_path) -> None:
    settings = Settings.from_env({"LINECOMM_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'linecomm.sqlite3'}"
    assert settings.redis_url is None
    assert settings.line_api_base_url == "https://api.line.me"
    assert settings.line_login_base_url == "https://api.line.me"


def test_postgresql_urls_are_accepted_as_they_are() -> None:
    for url in ("postgresql://u@h/db", "postgres://u@h/db"):
        assert Settings.from_env({"DATABASE_URL": url}).database_url == "postgresql+psycopg://u@h/db"


def test_a_complete_production_configuration_passes() -> None:
    Settings.from_env(SAFE_PRODUCTION).check()


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"LINE_CHANNEL_SECRET": ""}, "LINE_CHANNEL_SECRET is not set"),
        ({"LINE_CHANNEL_ACCESS_TOKEN": ""}, "LINE_CHANNEL_ACCESS_TOKEN is not set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"DATABASE_URL": ""}, "SQLite"),
        ({"DATABASE_URL": "sqlite:////tmp/x.db"}, "SQLite"),
        ({"LINE_API_BASE_URL": "http://127.0.0.1:8081"}, "fake LINE platform"),
        ({"LINE_LOGIN_BASE_URL": "http://localhost:8081"}, "fake LINE platform"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(change: dict, complaint: str) -> None:
    settings = Settings.from_env({**SAFE_PRODUCTION, **change})
    with pytest.raises(ConfigError, match=complaint):
        create_app(settings)


def test_an_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="LINECOMM_ENV"):
        Settings.from_env({"LINECOMM_ENV": "prod"}).check()


def test_trusted_proxies_default_to_none_and_are_read_from_the_environment() -> None:
    assert Settings.from_env({}).trusted_proxies == 0
    assert Settings.from_env({"LINECOMM_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    for bad in ("-1", "11"):
        with pytest.raises(ConfigError, match="LINECOMM_TRUSTED_PROXIES"):
            Settings.from_env({"LINECOMM_TRUSTED_PROXIES": bad}).check()
