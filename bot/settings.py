"""One settings object, read once from the environment (and a `.env` file if present): `Settings()`, which the CLI
makes once per command (bot.cli._settings, which also turns a bad value into one line per setting)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from embeddings.encoder import DEFAULT_MODEL, Precision

if TYPE_CHECKING:
    from embeddings import Library
    from embeddings.sources import Fetcher


class Settings(BaseSettings):
    """TRADEWIRE_HOME, TRADEWIRE_MODEL, ... ; DISCORD_TOKEN for the bot (never logged)."""

    model_config = SettingsConfigDict(env_prefix="TRADEWIRE_", env_file=".env", extra="ignore", env_ignore_empty=True)

    home: Path = Field(default_factory=lambda: Path(user_data_dir("tradewire", appauthor=False)))
    # postgresql://user:password@host/db: the shared store of several processes and machines (docs/scaling.md);
    # unset, the knowledge base is SQLite + FAISS in `home`. A secret: it may hold a password.
    database_url: SecretStr | None = None
    model: str = DEFAULT_MODEL
    precision: Precision | None = None  # int8 (ONNX Runtime) or float32 (PyTorch); default: the index's, int8 if new
    cache: Path | None = None  # where the int8 graph is kept; default: the user cache directory
    max_file_mb: float = 25.0
    fetch_timeout: float = 15.0
    top_k: int = 8
    index: Literal["auto", "flat", "hnsw"] = "auto"  # vector index kind; auto: flat, HNSW for large corpora

    # Discord (`tradewire serve`)
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    discord_guild: int | None = None  # sync commands to this guild only (instant); else globally
    discord_api_base: str | None = Field(default=None, validation_alias="DISCORD_API_BASE")
    discord_gateway_url: str | None = Field(default=None, validation_alias="DISCORD_GATEWAY_URL")
    discord_message_content: bool = False  # privileged intent: lets replies without an @mention follow up
    discord_shards: int | None = None  # default: as many as Discord recommends
    discord_shard_ids: str | None = None  # this process's shards, "0,1" (see `shard_ids`); needs discord_shards
    lease_seconds: float = 60.0  # a dead process's feed polls and claimed posts are taken over after this
    feed_interval: float = 600.0  # seconds between polls of one feed (0: no polling)
    allow_private_feeds: bool = False  # let /feeds add reach loopback and private-network addresses
    delivery_cap: int = 10  # new items posted per channel per round; the rest wait for the next round
    ask_rate: int = 4  # questions per user ...
    ask_per: float = 60.0  # ... per this many seconds (ask_rate 0: no limit)
    max_pending_answers: int = 64  # answers in progress or waiting; beyond this users are asked to retry

    @property
    def shard_ids(self) -> list[int] | None:
        """TRADEWIRE_DISCORD_SHARD_IDS as numbers ("0,1" or "[0, 1]")."""
        if self.discord_shard_ids is None:
            return None
        return [int(part) for part in self.discord_shard_ids.strip("[] ").replace(" ", "").split(",") if part]

    @field_validator("database_url", mode="before")
    @classmethod
    def _postgres_only(cls, value: object) -> object:
        from embeddings.store.pgdb import is_postgres_url

        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str) and raw and not is_postgres_url(raw):
            raise ValueError("must be a postgresql:// URL (leave it unset for the embedded SQLite store)")
        return value

    def model_post_init(self, _context: object) -> None:
        if self.discord_shard_ids is not None:
            if not self.discord_shards:
                raise ValueError("TRADEWIRE_DISCORD_SHARD_IDS needs TRADEWIRE_DISCORD_SHARDS (the total)")
            try:
                ids = self.shard_ids
            except ValueError:
                raise ValueError("TRADEWIRE_DISCORD_SHARD_IDS must be shard numbers separated by commas") from None
            if not ids or any(not 0 <= i < self.discord_shards for i in ids):
                raise ValueError(
                    f"TRADEWIRE_DISCORD_SHARD_IDS must be shard numbers from 0 to {self.discord_shards - 1}"
                )

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def fetcher(self) -> Fetcher:
        """The HTTP fetcher these settings allow: their timeout and size cap, and the private-address policy,
        whose refusals name the setting that lifts it."""
        from embeddings.sources import Fetcher

        return Fetcher(
            timeout=self.fetch_timeout,
            max_bytes=self.max_bytes,
            allow_private=self.allow_private_feeds,
            private_hint="set TRADEWIRE_ALLOW_PRIVATE_FEEDS=true to allow it",
        )

    def open_library(self, home: Path | None = None, *, writing: bool = False) -> Library:
        """The knowledge base these settings point at (or the one in `home`), with their model and index kind.
        `writing`: the caller will write, so a read-only home is an error (else it opens read-only)."""
        from embeddings import Library

        return Library.open(
            home or self.home,
            model=self.model,
            index_kind=self.index,
            precision=self.precision,
            cache=self.cache,
            writing=writing,
            database_url=self.database_url.get_secret_value() if self.database_url else None,
        )
