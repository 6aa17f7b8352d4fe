"""What commands need, built once per invocation from the settings: database, keys, ADO clients.

Nothing is built at import time; each piece is made on first use, so ``adometrics --help`` touches no
database and ``connections`` makes no HTTP client.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import Engine

from ..config import Settings
from ..errors import ConfigurationError
from ..store import Keyring, engine_from_settings, master_keys_from_settings, upgrade

if TYPE_CHECKING:
    from ..connectors.azure_devops.client import AdoClient


class AppContext:
    """Settings → engine (migrated), keyring, and a factory for ADO clients."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings

    @cached_property
    def settings(self) -> Settings:
        if self._settings is not None:
            return self._settings
        try:
            return Settings()
        except ValidationError as exc:
            raise ConfigurationError(f"invalid ADOMETRICS_* setting: {exc.errors()[0].get('msg')}") from None

    @cached_property
    def engine(self) -> Engine:
        engine = engine_from_settings(self.settings, sqlite_begin="immediate")
        upgrade(engine)
        return engine

    @cached_property
    def keyring(self) -> Keyring:
        return Keyring(master_keys_from_settings(self.settings))

    def client(self, org_url: str, pat: str) -> AdoClient:
        """A client for one organization with a PAT; hosts beyond ADO's own come from the settings. The
        HTTP stack is imported here, so commands that never call ADO (reports) start faster."""
        from ..connectors.azure_devops.auth import PatAuth
        from ..connectors.azure_devops.client import AdoClient, RetryPolicy, make_http_client

        try:
            auth = PatAuth(pat)
        except ValueError:
            raise ConfigurationError("the personal access token is empty") from None
        return AdoClient(org_url, make_http_client(), auth, allowed_hosts=self.settings.extra_allowed_hosts,
                         retry=RetryPolicy())

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
