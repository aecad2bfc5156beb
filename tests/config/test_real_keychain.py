"""KeyStore and `streamchat keys` against a real Secret Service (gnome-keyring)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.config.keystore import (
    SERVICE_NAME,
    KeychainProblem,
    KeychainUnavailable,
    KeyStore,
)
from tests.support.run_app import run_streamchat

pytestmark = pytest.mark.keychain

KEY = "sk-real-keychain-0123456789abcdef"


def cli(profile: Path, *argv: str, env: dict[str, str], stdin: str | None = None
        ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return run_streamchat(profile, *argv, env=env, stdin=stdin)


def stored_items(provider_id: str) -> list[tuple[str, dict[str, str], bytes]]:
    """What the Secret Service itself holds for this provider (label, attributes, secret)."""
    import secretstorage

    with contextlib.closing(secretstorage.dbus_init()) as connection:
        collection = secretstorage.get_default_collection(connection)
        return [
            (item.get_label(), item.get_attributes(), item.get_secret())
            for item in collection.search_items({"service": SERVICE_NAME, "username": provider_id})
        ]


def test_keystore_set_get_delete(keychain_env: dict[str, str]) -> None:
    keys = KeyStore()
    assert keys.backend_name() == "Secret Service (GNOME Keyring)"
    assert keys.get("real-openai") is None
    keys.set("real-openai", KEY)
    keys.set("real-openai", KEY)  # replacing keeps one entry
    items = stored_items("real-openai")
    assert len(items) == 1
    assert items[0][2] == KEY.encode()
    assert KeyStore().get("real-openai") == KEY  # a fresh store reads it back
    assert keys.has("real-openai") and not keys.has("real-groq")
    assert keys.delete("real-openai") is True
    assert keys.delete("real-openai") is False
    assert stored_items("real-openai") == []


def test_cli_keys_set_reads_stdin(keychain_env: dict[str, str], profile_dir: Path) -> None:
    added = cli(profile_dir, "providers", "add", "cli-groq", "--preset", "groq", env=keychain_env)
    assert added.returncode == 0, added.stderr
    stored = cli(profile_dir, "keys", "set", "cli-groq", env=keychain_env, stdin=KEY + "\n")
    assert stored.returncode == 0, stored.stderr
    assert "stored the key for cli-groq in Secret Service (GNOME Keyring)" in stored.stderr
    assert KeyStore().get("cli-groq") == KEY  # the trailing newline was dropped
    listed = cli(profile_dir, "keys", "list", env=keychain_env)
    assert listed.stdout.strip() == "cli-groq  stored"
    assert KEY not in listed.stdout + listed.stderr + stored.stdout + stored.stderr
    deleted = cli(profile_dir, "keys", "delete", "cli-groq", env=keychain_env)
    assert deleted.returncode == 0 and "deleted the key" in deleted.stderr
    assert stored_items("cli-groq") == []
    for path in profile_dir.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_no_dbus_session_is_a_clear_error(keychain_env: dict[str, str], profile_dir: Path) -> None:
    env = {k: v for k, v in keychain_env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    keys = KeyStore(environ=env)
    os.environ.pop("DBUS_SESSION_BUS_ADDRESS")  # restored by monkeypatch after the test
    with pytest.raises(KeychainUnavailable) as caught:
        keys.set("x", KEY)
    assert caught.value.problem is KeychainProblem.NO_DBUS
    cli(profile_dir, "providers", "add", "openai", env=env)
    done = cli(profile_dir, "keys", "set", "openai", env=env, stdin=KEY)
    assert done.returncode == 1
    assert "No D-Bus session" in done.stderr and "gnome-keyring" in done.stderr
    assert "Traceback" not in done.stderr


def test_locked_keyring_is_a_clear_error(
    own_secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch, profile_dir: Path
) -> None:
    import secretstorage

    for name, value in own_secret_service.items():
        monkeypatch.setenv(name, value)
    KeyStore().set("locked-test", KEY)
    with contextlib.closing(secretstorage.dbus_init()) as connection:
        secretstorage.get_default_collection(connection).lock()
    with pytest.raises(KeychainUnavailable) as caught:
        KeyStore().get("locked-test")
    assert caught.value.problem is KeychainProblem.LOCKED
    assert "unlock" in caught.value.message
    env = dict(os.environ)
    cli(profile_dir, "providers", "add", "openai", env=env)
    done = cli(profile_dir, "keys", "set", "openai", env=env, stdin=KEY)
    assert done.returncode == 1
    assert "is locked: unlock it" in done.stderr


def test_the_first_lookup_runs_in_a_worker_thread_against_the_real_keychain(
    keychain_env: dict[str, str], run_async: Any
) -> None:
    """secretstorage opens a jeepney connection per call, so a worker thread may ask;
    several lookups at once (two providers) each get their own answer."""
    writer = KeyStore()
    writer.set("thread-a", KEY)
    writer.set("thread-b", KEY + "b")
    keys = KeyStore()

    async def load_both() -> None:
        await asyncio.gather(keys.load("thread-a"), keys.load("thread-b"))

    run_async(load_both())
    assert keys.is_known("thread-a") and keys.is_known("thread-b")
    assert (keys.get("thread-a"), keys.get("thread-b")) == (KEY, KEY + "b")
    writer.delete("thread-a")
    writer.delete("thread-b")
