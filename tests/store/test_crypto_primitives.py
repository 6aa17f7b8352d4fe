"""Envelope-encryption primitives, blind indexes and issued-secret hashing (no database)."""

from __future__ import annotations

import pytest

from adometrics.store.crypto import (
    BLOB_VERSION,
    CryptoError,
    OrgCipher,
    aad_prefix,
    blob_key_id,
    hash_secret,
    new_key,
    new_secret,
    row_key,
    verify_secret,
)


def _cipher(org: str = "org-1", keys: dict | None = None, active: int = 2) -> OrgCipher:
    return OrgCipher(org, keys or {2: new_key()}, active, new_key())


PREFIX = aad_prefix("org-1", "pull_requests", "title_enc")
KEY = row_key(["proj-1", 7])


def test_round_trip_and_layout():
    cipher = _cipher()
    blob = cipher.encrypt("Fix the login page", PREFIX, KEY)
    assert blob[0] == BLOB_VERSION and blob_key_id(blob) == 2
    assert len(blob) == 1 + 4 + 12 + len("Fix the login page") + 16
    assert b"login" not in blob
    assert cipher.decrypt(blob, PREFIX, KEY) == "Fix the login page"
    assert cipher.encrypt("x", PREFIX, KEY) != cipher.encrypt("x", PREFIX, KEY)  # fresh nonce each time


@pytest.mark.parametrize("prefix, key", [
    (aad_prefix("org-2", "pull_requests", "title_enc"), KEY),     # another organization
    (aad_prefix("org-1", "builds", "title_enc"), KEY),            # another table
    (aad_prefix("org-1", "pull_requests", "source_branch_enc"), KEY),  # another column
    (PREFIX, row_key(["proj-1", 8])),                             # another row
    (PREFIX, row_key(["proj-17"])),                               # key parts cannot be re-split
])
def test_ciphertext_is_bound_to_its_place(prefix, key):
    cipher = _cipher()
    blob = cipher.encrypt("secret title", PREFIX, KEY)
    with pytest.raises(CryptoError, match="authentication failed"):
        cipher.decrypt(blob, prefix, key)


def test_tampering_and_truncation_fail():
    cipher = _cipher()
    blob = bytearray(cipher.encrypt("secret title", PREFIX, KEY))
    blob[-1] ^= 1
    with pytest.raises(CryptoError, match="authentication failed"):
        cipher.decrypt(bytes(blob), PREFIX, KEY)
    with pytest.raises(CryptoError, match="truncated"):
        cipher.decrypt(bytes(blob[:20]), PREFIX, KEY)


def test_old_key_ids_stay_readable_and_missing_ones_say_so():
    old, new = new_key(), new_key()
    blob = _cipher(keys={1: old}, active=1).encrypt("v", PREFIX, KEY)
    assert _cipher(keys={1: old, 2: new}, active=2).decrypt(blob, PREFIX, KEY) == "v"
    with pytest.raises(CryptoError, match="crypto-shredded"):
        _cipher(keys={2: new}, active=2).decrypt(blob, PREFIX, KEY)


def test_no_active_key_cannot_write():
    with pytest.raises(CryptoError, match="no active data key"):
        OrgCipher("org-1", {}, None, new_key()).encrypt("v", PREFIX, KEY)


def test_blind_index_equality():
    cipher = _cipher()
    assert cipher.blind("branch", "refs/heads/main") == cipher.blind("branch", "refs/heads/main")
    assert cipher.blind("branch", "refs/heads/main") != cipher.blind("branch", "refs/heads/Main")
    assert cipher.blind("email", "Ada@Example.com") == cipher.blind("email", "ada@example.com")
    assert cipher.blind("branch", "x") != cipher.blind("email", "x")  # kinds are separate
    other_org = _cipher()
    assert other_org.blind("branch", "refs/heads/main") != cipher.blind("branch", "refs/heads/main")


def test_issued_secrets_are_stored_hashed():
    secret = new_secret()
    stored = hash_secret(secret)
    assert len(secret) >= 43 and secret not in stored
    assert verify_secret(secret, stored)
    assert not verify_secret(secret + "x", stored)
    assert new_secret() != secret
