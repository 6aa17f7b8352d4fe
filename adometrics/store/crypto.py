"""AES-256-GCM envelope encryption, blind indexes and secret hashing (ARCHITECTURE §3 "Encryption").

Pure functions and small value objects, no database: :mod:`.keyring` loads the keys, :mod:`.upsert` and
:mod:`.read` apply them. A ciphertext blob is ``version ‖ key id ‖ nonce ‖ ciphertext+tag`` and its
associated data binds it to ``tenant ‖ table ‖ column ‖ row key``, so a blob copied to another organization,
column or row fails to decrypt instead of showing the wrong plaintext.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import struct
from collections.abc import Callable, Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import FatalError

BLOB_VERSION = 1
HEADER = struct.Struct(">BI")  # version byte, key id
NONCE_SIZE = 12
KEY_SIZE = 32
BLIND_SIZE = 16
_BLIND_CACHE_LIMIT = 50_000


class CryptoError(FatalError):
    """Encrypted data cannot be read: a missing or wrong key, or a blob that fails authentication."""


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return os.urandom(KEY_SIZE)


def _lp(data: bytes) -> bytes:
    """Length-prefix ``data`` so concatenated parts cannot be confused with one another."""
    return len(data).to_bytes(4, "big") + data


def aad_prefix(org_id: str, table: str, column: str) -> bytes:
    """The tenant ‖ table ‖ column part of the associated data (computed once per column)."""
    return _lp(org_id.encode()) + _lp(table.encode()) + _lp(column.encode())


def row_key(values: Iterable[object]) -> bytes:
    """The row-key part of the associated data: the natural key without the organization."""
    return b"".join(_lp(v.hex().encode() if isinstance(v, bytes) else str(v).encode()) for v in values)


def wrap_key(wrapping_key: bytes, key: bytes, aad: bytes) -> bytes:
    """Encrypt a key under another (nonce ‖ ciphertext+tag)."""
    nonce = os.urandom(NONCE_SIZE)
    return nonce + AESGCM(wrapping_key).encrypt(nonce, key, aad)


def unwrap_key(wrapping_key: bytes, wrapped: bytes, aad: bytes) -> bytes:
    """Inverse of :func:`wrap_key`; raises :class:`InvalidTag` on a wrong key or tampering."""
    return AESGCM(wrapping_key).decrypt(wrapped[:NONCE_SIZE], wrapped[NONCE_SIZE:], aad)


def blob_key_id(blob: bytes) -> int:
    """The id of the data key that encrypted ``blob``."""
    return HEADER.unpack_from(blob)[1]


class OrgCipher:
    """One organization's unwrapped keys: encrypt under the active data key, decrypt under any of them.

    The blind-index key is separate from the data keys, so rotating data keys keeps equality lookups valid.
    """

    __slots__ = ("_aeads", "_blind_cache", "_header", "_index_key", "_index_mac", "active_key_id", "org_id")

    def __init__(self, org_id: str, data_keys: dict[int, bytes], active_key_id: int | None,
                 index_key: bytes | None) -> None:
        self.org_id = org_id
        self.active_key_id = active_key_id
        self._aeads = {key_id: AESGCM(key) for key_id, key in data_keys.items()}
        self._index_key = index_key
        self._index_mac = hmac.new(index_key, digestmod=hashlib.sha256) if index_key is not None else None
        self._blind_cache: dict[tuple[str, str], bytes] = {}
        self._header = HEADER.pack(BLOB_VERSION, active_key_id) if active_key_id is not None else b""

    @property
    def can_index(self) -> bool:
        return self._index_key is not None

    @property
    def key_ids(self) -> frozenset[int]:
        return frozenset(self._aeads)

    def encrypt(self, plaintext: str, prefix: bytes, key: bytes) -> bytes:
        """Encrypt under the active data key, bound to ``prefix`` (see :func:`aad_prefix`) and row ``key``."""
        return self.sealer()(plaintext, prefix + key, os.urandom(NONCE_SIZE))

    def sealer(self) -> Callable[[str, bytes, bytes], bytes]:
        """:meth:`encrypt` for bulk writers, checked once: ``seal(plaintext, prefix + row key, nonce)``.

        The caller supplies fresh random nonces (drawn in bulk, one system call per row); never reuse one.
        """
        if self.active_key_id is None:
            raise CryptoError(f"organization {self.org_id} has no active data key; cannot write its data")
        header, encrypt = self._header, self._aeads[self.active_key_id].encrypt

        def seal(plaintext: str, aad: bytes, nonce: bytes) -> bytes:
            return header + nonce + encrypt(nonce, plaintext.encode(), header + aad)

        return seal

    def decrypt(self, blob: bytes, prefix: bytes, key: bytes, where: str = "a value") -> str:
        """Decrypt a blob made by :meth:`encrypt` for the same place; ``where`` names it in errors."""
        if len(blob) < HEADER.size + NONCE_SIZE + 16:
            raise CryptoError(f"cannot decrypt {where} of organization {self.org_id}: the blob is truncated")
        version, key_id = HEADER.unpack_from(blob)
        if version != BLOB_VERSION:
            raise CryptoError(f"cannot decrypt {where}: unknown ciphertext version {version}")
        aead = self._aeads.get(key_id)
        if aead is None:
            raise CryptoError(
                f"cannot decrypt {where} of organization {self.org_id}: data key {key_id} is gone "
                "(the organization's keys were deleted, i.e. its data was crypto-shredded)")
        start = HEADER.size + NONCE_SIZE
        try:
            plain = aead.decrypt(blob[HEADER.size:start], blob[start:], blob[:HEADER.size] + prefix + key)
        except InvalidTag:
            raise CryptoError(
                f"cannot decrypt {where} of organization {self.org_id}: authentication failed "
                "(the value was altered or copied from another row, column or organization)") from None
        return plain.decode()

    def blind(self, kind: str, value: str) -> bytes:
        """Blind index of ``value``: equal plaintexts of one kind ("branch", "email") give equal bytes.

        E-mail addresses are compared case-insensitively, as mail systems do.
        """
        cached = self._blind_cache.get((kind, value))
        if cached is not None:
            return cached
        if self._index_mac is None:
            raise CryptoError(f"organization {self.org_id} has no blind-index key")
        normal = value.casefold() if kind == "email" else value
        mac = self._index_mac.copy()  # HMAC state keyed once, copied per value: a third cheaper
        mac.update(kind.encode() + b"\0" + normal.encode())
        digest = mac.digest()[:BLIND_SIZE]
        if len(self._blind_cache) >= _BLIND_CACHE_LIMIT:
            self._blind_cache.clear()
        self._blind_cache[(kind, value)] = digest
        return digest

    def digest(self, table: str, values: tuple) -> bytes:
        """Keyed digest of a row's synced values, to skip rewriting unchanged rows without leaking them.

        Keyed BLAKE2b (personalised apart from the blind index): as strong as HMAC here, and cheaper per row.
        """
        if self._index_key is None:
            raise CryptoError(f"organization {self.org_id} has no blind-index key")
        data = table.encode() + b"\0" + repr(values).encode()
        digest = hashlib.blake2b(data, key=self._index_key, digest_size=BLIND_SIZE, person=b"adometrics-row")
        return digest.digest()


# Secrets the product issues (API tokens, webhook secrets) are high-entropy random strings, so one fast hash
# is the right tool: stored hashed, they cannot be replayed from a database copy.

def new_secret() -> str:
    """A new random secret to hand out once (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """What to store for an issued secret."""
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()


def verify_secret(secret: str, stored: str) -> bool:
    """Constant-time check of a presented secret against :func:`hash_secret`'s output."""
    return hmac.compare_digest(hash_secret(secret).encode(), stored.encode())
