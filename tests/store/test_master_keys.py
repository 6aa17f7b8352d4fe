"""Master keys from the environment or the 0600 key file; rotation of the key file."""

from __future__ import annotations

import base64
import os
import stat

import pytest

from adometrics.config import Settings
from adometrics.errors import ConfigurationError
from adometrics.store.crypto import CryptoError, new_key
from adometrics.store.keys import (
    KEY_FILE,
    MasterKeys,
    add_primary_key,
    fingerprint,
    keep_only,
    load_master_keys,
    master_keys_from_settings,
    read_key_file,
)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_environment_key():
    key, old = new_key(), new_key()
    assert load_master_keys(env_value=_b64(key), data_dir="/nonexistent").keys == (key,)
    both = load_master_keys(env_value=f"{_b64(key)}, {_b64(old)}", data_dir="/nonexistent")
    assert both.keys == (key, old) and both.primary_id == fingerprint(key) and both.path is None


@pytest.mark.parametrize("value, message", [("not base64!", "not valid base64"),
                                            (_b64(b"short"), "decodes to 5 bytes")])
def test_bad_environment_key_is_a_clear_error(value, message):
    with pytest.raises(ConfigurationError, match=message):
        load_master_keys(env_value=value, data_dir="/nonexistent")


def test_key_file_created_on_first_use_with_mode_0600(tmp_path):
    data_dir = tmp_path / "data"
    first = load_master_keys(env_value=None, data_dir=data_dir)
    path = data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.path == path and len(first.keys[0]) == 32
    assert load_master_keys(env_value=None, data_dir=data_dir).keys == first.keys  # reused, not regenerated
    assert not [p for p in data_dir.iterdir() if p.name != KEY_FILE]  # no temporary files left behind


def test_settings_shortcut(tmp_path, monkeypatch):
    monkeypatch.delenv("ADOMETRICS_MASTER_KEY", raising=False)
    keys = master_keys_from_settings(Settings(data_dir=tmp_path))
    assert keys.path == tmp_path / KEY_FILE
    key = new_key()
    assert master_keys_from_settings(Settings(data_dir=tmp_path, master_key=_b64(key))).keys == (key,)


def test_missing_key_file_without_create(tmp_path):
    with pytest.raises(ConfigurationError, match="no master key"):
        load_master_keys(env_value=None, data_dir=tmp_path, create=False)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_key_file_readable_by_others_is_refused(tmp_path, mode):
    load_master_keys(env_value=None, data_dir=tmp_path)
    os.chmod(tmp_path / KEY_FILE, mode)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_master_keys(env_value=None, data_dir=tmp_path)


def test_a_key_file_is_never_overwritten_by_creation(tmp_path):
    path = tmp_path / KEY_FILE
    key = new_key()
    path.write_text(_b64(key) + "\n")
    path.chmod(0o600)
    assert load_master_keys(env_value=None, data_dir=tmp_path).keys == (key,)


def test_add_primary_key_and_keep_only(tmp_path):
    keys = load_master_keys(env_value=None, data_dir=tmp_path)
    rotated = add_primary_key(keys)
    assert rotated.keys[1:] == keys.keys and rotated.primary_id != keys.primary_id
    assert read_key_file(keys.path).keys == rotated.keys
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600
    pruned = keep_only(rotated, {rotated.primary_id})
    assert pruned.keys == rotated.keys[:1] and read_key_file(keys.path).keys == pruned.keys


def test_environment_keys_cannot_be_generated():
    with pytest.raises(ConfigurationError, match="put it first"):
        add_primary_key(MasterKeys((new_key(),)))


def test_wrong_master_key_is_named():
    right, wrong = MasterKeys((new_key(),)), MasterKeys((new_key(),))
    master_id, wrapped = right.wrap(b"k" * 32, b"aad")
    assert right.unwrap(master_id, wrapped, b"aad", "a key") == b"k" * 32
    with pytest.raises(CryptoError, match=f"wrapped by master key {master_id}"):
        wrong.unwrap(master_id, wrapped, b"aad", "a key")
    with pytest.raises(CryptoError, match="fails authentication"):
        right.unwrap(master_id, wrapped, b"other aad", "a key")
