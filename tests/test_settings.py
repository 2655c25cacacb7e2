"""Settings: validated at start-up, insecure defaults refused in production, URLs normalised."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mercenary.db.urls import UnsupportedDatabaseError, backend_name, sqlalchemy_url
from mercenary.settings import Settings, parse_rate


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MERCENARY_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings()
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    assert Settings().MERCENARY_ENV == "production"


def test_short_secrets_and_bad_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(SECRET_KEY="short")
    with pytest.raises(ValidationError):
        Settings(DB_POOL_SIZE=0)


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@127.0.0.1/db")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6380/0")
    settings = Settings()
    assert settings.DATABASE_URL == "postgresql://u@127.0.0.1/db"
    assert settings.cache_url == "redis://127.0.0.1:6380/0"
    assert Settings(CACHE_URL="memory://", REDIS_URL="redis://x").cache_url == "memory://"
    assert Settings(REDIS_URL=None).cache_url == "memory://"


@pytest.mark.parametrize(
    ("url", "backend", "driver_url"),
    [
        ("sqlite:///var/x.db", "sqlite", "sqlite+aiosqlite:///var/x.db"),
        ("sqlite+aiosqlite:///var/x.db", "sqlite", "sqlite+aiosqlite:///var/x.db"),
        ("postgresql://u:p@h:5/d", "postgresql", "postgresql+asyncpg://u:p@h:5/d"),
        ("postgresql+psycopg://u@h/d", "postgresql", "postgresql+asyncpg://u@h/d"),
    ],
)
def test_database_urls(url: str, backend: str, driver_url: str) -> None:
    assert backend_name(url) == backend
    assert sqlalchemy_url(url) == driver_url


def test_unsupported_database() -> None:
    with pytest.raises(UnsupportedDatabaseError):
        backend_name("mysql://u@h/d")


def test_rate_limit_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_SENSITIVE", "20 / minute")
    monkeypatch.setenv("RATE_LIMIT_EXEMPT", "127.0.0.1/32, ::1")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6380/0")
    settings = Settings()
    assert parse_rate(settings.RATE_LIMIT_SENSITIVE) == (20, 60)
    assert [str(n) for n in settings.RATE_LIMIT_EXEMPT] == ["127.0.0.1/32", "::1/128"]
    assert [str(n) for n in settings.TRUSTED_PROXIES] == ["10.0.0.0/8"]
    assert settings.rate_limit_url == "redis://127.0.0.1:6380/0"  # shared by every API process
    assert Settings(RATE_LIMIT_URL="memory://").rate_limit_url == "memory://"
    for bad in ("1000", "0/hour", "10/fortnight", "ten/hour"):
        with pytest.raises(ValidationError, match="rate"):
            Settings(RATE_LIMIT_ANONYMOUS=bad)
    with pytest.raises(ValidationError):
        Settings(TRUSTED_PROXIES="10.0.0.0/33")


def test_old_secret_keys_are_read_as_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "n" * 40)
    monkeypatch.setenv("SECRET_KEYS_OLD", f"{'o' * 40}, {'p' * 40},")
    assert Settings().secret_keys == ("n" * 40, "o" * 40, "p" * 40)
    monkeypatch.setenv("SECRET_KEYS_OLD", "too-short")
    with pytest.raises(ValidationError, match="SECRET_KEYS_OLD"):
        Settings()
    monkeypatch.setenv("MERCENARY_ENV", "production")
    monkeypatch.setenv("SECRET_KEYS_OLD", "dev-insecure-secret-key-change-me-0123456789")
    with pytest.raises(ValidationError, match="development key"):
        Settings()
