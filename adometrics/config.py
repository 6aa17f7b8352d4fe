"""Settings from ``ADOMETRICS_*`` environment variables (and ``.env``); built only by entry points."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CLOUD_HOSTS = (
    "dev.azure.com",
    "*.visualstudio.com",
    "vsrm.dev.azure.com",
    "vsaex.dev.azure.com",
    "vssps.dev.azure.com",
    "app.vssps.visualstudio.com",
)


class Settings(BaseSettings):
    """The configuration table of INTERFACES.md; README.md documents every field."""

    model_config = SettingsConfigDict(env_prefix="ADOMETRICS_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("adometrics")))
    database_url: str | None = None
    master_key: str | None = None
    queue_url: str | None = None
    allowed_hosts: str = ""

    @property
    def extra_allowed_hosts(self) -> tuple[str, ...]:
        return tuple(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())

    @property
    def all_allowed_hosts(self) -> tuple[str, ...]:
        return CLOUD_HOSTS + self.extra_allowed_hosts
