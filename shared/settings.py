"""Configuration, from environment variables (prefix ``RELAIS_``) or a ``.env`` file.

Nothing is read at import time: call :func:`load_settings`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("intake", "matching", "feedback", "billing", "employment")
DEFAULT_PORTS = {"intake": 8001, "matching": 8002, "feedback": 8003, "billing": 8004, "employment": 8005}


class Settings(BaseSettings):
    """Every setting Relais reads (see the configuration table in the README)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Folder of the embedded SQLite stores.")
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("RELAIS_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS"),
        description="Kafka bootstrap servers.",
    )
    topic_prefix: str = Field(default="", description="Prefix of every topic name (isolates environments/tests).")
    database_url: str | None = Field(
        default=None,
        description="Database URL template for all services, e.g. postgresql+asyncpg://host/db; "
        "'{service}' is replaced by the service name. Unset: SQLite files in data_dir.",
    )
    vault_url: str | None = Field(default=None, description="Database URL of the resident key vault; unset: SQLite in data_dir.")
    identity_url: str | None = Field(default=None, description="Database URL of the identity store (people's accounts "
                                     "and sessions, shared by every service); unset: SQLite in data_dir.")
    identity_secret: SecretStr | None = Field(default=None, description="Secret sealing the accounts' TOTP secrets "
                                              "(32+ characters); unset: made once in <data_dir>/identity.key.")
    console_url: str = Field(default="http://127.0.0.1:8001", description="Public URL of the console (intake): the "
                             "origin whose pages may call every service with the session cookie, and the base of "
                             "invitation and password reset links.")
    platforms_dir: Path = Field(default=Path("deploy/platforms"), description="Folder of the platform policy files.")
    tokens_file: Path | None = Field(default=None, description="File of API token hashes and their principals.")
    host: str = Field(default="127.0.0.1", description="Address the HTTP servers listen on.")
    matching_url: str = Field(default="http://127.0.0.1:8002", description="Public URL of the matching service (for the console).")
    employment_url: str = Field(default="http://127.0.0.1:8005",
                                description="Public URL of the employment service (for the console's Emploi tab).")
    cors_origins: tuple[str, ...] = Field(
        default=("*",), description="Origins whose pages may call the APIs from a browser (the console's, at least).")
    consumer_batch_size: int = Field(default=500, ge=1, description="Max records per projection batch.")
    consumer_fetch_max_wait_ms: int = Field(
        default=500, ge=1, le=1000,
        description="How long a consumer's fetch waits at the broker for new records. Apache Kafka answers as soon as "
                    "a record arrives (a long wait costs no latency and keeps idle consumers quiet); the embedded "
                    "Tansu answers when the wait ends, so `relais up` sets 20 ms on it.")
    consumer_batch_timeout_ms: int = Field(
        default=25, ge=1, le=1000,
        description="How long a projection waits for a batch to fill; FastStream also sleeps that long when idle.")
    relay_batch_size: int = Field(default=500, ge=1, description="Max events the outbox relay publishes per round.")
    test_clock: bool = Field(default=False, description="Test only: services expose POST /admin/clock to move their "
                             "clock forward (federation_admin token). Never enable in production.")

    def service_database_url(self, service: str) -> str:
        """The database URL of ``service``'s own store."""
        if self.database_url:
            return self.database_url.replace("{service}", service)
        return f"sqlite+aiosqlite:///{self.data_dir / (service + '.db')}"

    def identity_database_url(self) -> str:
        return self.identity_url or f"sqlite+aiosqlite:///{self.data_dir / 'identity.db'}"

    def vault_database_url(self) -> str:
        if self.vault_url:
            return self.vault_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'vault.db'}"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
