"""The master keys: from ``ADOMETRICS_MASTER_KEY`` or the ``master.key`` file in the data directory.

Several master keys may be configured during a rotation: the first (primary) wraps new data keys, the others
only unwrap data keys not yet re-wrapped. Each key is known by a fingerprint stored beside what it wrapped,
so a wrong or missing master key is reported as such instead of as corrupt data.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag

from ..config import Settings
from ..errors import ConfigurationError
from .crypto import KEY_SIZE, CryptoError, new_key, unwrap_key, wrap_key

KEY_FILE = "master.key"
ENV_VAR = "ADOMETRICS_MASTER_KEY"
_FILE_HEADER = "# adometrics master keys (base64). The first wraps new data keys. Keep this file secret.\n"


def fingerprint(key: bytes) -> str:
    """A public id for a master key (not reversible, safe to store and print)."""
    return hmac.digest(key, b"adometrics master key id", "sha256")[:8].hex()


@dataclass(frozen=True)
class MasterKeys:
    """The configured master keys, primary first; ``path`` is the key file, None when from the environment."""

    keys: tuple[bytes, ...]
    path: Path | None = None

    def __post_init__(self) -> None:
        if not self.keys:
            raise ConfigurationError("no master key is configured")

    @property
    def primary_id(self) -> str:
        return fingerprint(self.keys[0])

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(fingerprint(k) for k in self.keys)

    def wrap(self, key: bytes, aad: bytes) -> tuple[str, bytes]:
        """Wrap a data key under the primary master key: (master key id, wrapped key)."""
        return self.primary_id, wrap_key(self.keys[0], key, aad)

    def unwrap(self, master_id: str, wrapped: bytes, aad: bytes, what: str) -> bytes:
        """Unwrap a data key wrapped by ``master_id``; clear errors for a wrong key or tampering."""
        for key in self.keys:
            if fingerprint(key) == master_id:
                try:
                    return unwrap_key(key, wrapped, aad)
                except InvalidTag:
                    raise CryptoError(f"cannot unwrap {what}: it fails authentication (altered or moved)") \
                        from None
        where = ENV_VAR if self.path is None else f"the key file {self.path}"
        raise CryptoError(
            f"cannot unwrap {what}: it was wrapped by master key {master_id}, but {where} holds "
            f"{', '.join(self.ids)}. Configure the master key this database was written with.")


def _decode(text: str, origin: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{origin} is not valid base64; expected a base64 32-byte key") from None
    if len(key) != KEY_SIZE:
        raise ConfigurationError(f"{origin} decodes to {len(key)} bytes; a master key has {KEY_SIZE}")
    return key


def encode_key(key: bytes) -> str:
    """Base64 text of a key, as ``ADOMETRICS_MASTER_KEY`` and the key file hold it."""
    return base64.b64encode(key).decode()


def from_env(value: str) -> MasterKeys:
    """Keys from the variable's value: one base64 key, or several separated by commas, primary first."""
    parts = [p for p in value.split(",") if p.strip()]
    return MasterKeys(tuple(_decode(p, ENV_VAR) for p in parts))


def _check_private(path: Path) -> None:
    if os.name != "posix":
        return
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigurationError(
            f"the master key file {path} is readable by group or others (mode {mode:o}); "
            f"restrict it with `chmod 600 {path}` and try again")


def read_key_file(path: Path) -> MasterKeys:
    """Keys from a key file, refusing one that others can read."""
    _check_private(path)
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return MasterKeys(tuple(_decode(ln, f"a line of {path}") for ln in lines), path)


def _write_private(path: Path, keys: tuple[bytes, ...], *, replace: bool) -> bool:
    """Write ``keys`` to ``path`` atomically with mode 0600; with ``replace`` False, lose a creation race."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(_FILE_HEADER + "".join(encode_key(k) + "\n" for k in keys))
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic create-if-absent: never overwrite a key another process just made
            return True
        except FileExistsError:
            return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def load_master_keys(*, env_value: str | None, data_dir: Path, create: bool = True) -> MasterKeys:
    """The master keys: the environment variable wins; otherwise the key file, created on first use."""
    if env_value:
        return from_env(env_value)
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        if not create:
            raise ConfigurationError(f"no master key: set {ENV_VAR} or provide {path}")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(path, (new_key(),), replace=False)
    return read_key_file(path)


def master_keys_from_settings(settings: Settings, *, create: bool = True) -> MasterKeys:
    """Entry points' shortcut: master keys as the settings configure them."""
    return load_master_keys(env_value=settings.master_key, data_dir=settings.data_dir, create=create)


def add_primary_key(keys: MasterKeys) -> MasterKeys:
    """Generate a new primary master key and save it in front of the old ones (key file only)."""
    if keys.path is None:
        raise ConfigurationError(
            f"the master key comes from {ENV_VAR}: generate a new key, put it first in the variable "
            "(keep the old one after a comma), restart, then rotate again to re-wrap")
    updated = MasterKeys((new_key(), *keys.keys), keys.path)
    _write_private(keys.path, updated.keys, replace=True)
    return updated


def keep_only(keys: MasterKeys, ids: set[str]) -> MasterKeys:
    """Drop master keys no longer needed (after every data key was re-wrapped); the primary always stays."""
    kept = tuple(k for i, k in enumerate(keys.keys) if i == 0 or fingerprint(k) in ids)
    if kept == keys.keys:
        return keys
    updated = MasterKeys(kept, keys.path)
    if keys.path is not None:
        _write_private(keys.path, kept, replace=True)
    return updated
