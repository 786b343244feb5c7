"""One settings object, read once from the environment (and a `.env` file if present)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from embeddings.encoder import DEFAULT_MODEL


class Settings(BaseSettings):
    """TRADEWIRE_HOME, TRADEWIRE_MODEL, ... ; DISCORD_TOKEN for the bot (never logged)."""

    model_config = SettingsConfigDict(env_prefix="TRADEWIRE_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=lambda: Path(user_data_dir("tradewire", appauthor=False)))
    model: str = DEFAULT_MODEL
    max_file_mb: float = 25.0
    fetch_timeout: float = 15.0
    top_k: int = 8
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def load() -> Settings:
    return Settings()
