"""`streamchat providers …` and `streamchat keys …`, run through the real CLI parser."""

from __future__ import annotations

import io
import json

import pytest

from streamchat_desktop.cli.main import main
from streamchat_desktop.config.keystore import SERVICE_NAME
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.config.settings import Settings
from tests.support.memory_keyring import MemoryKeyring

KEY = "sk-cli-0123456789abcdef"


def run(profile: Profile, *argv: str, stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> int:  # fmt: skip
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--profile", str(profile.root), *argv])


def test_add_list_remove(
    profile: Profile, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(profile, "providers", "add", "ollama") == 0
    assert run(profile, "providers", "add", "work", "--base-url", "https://llm.example.com",
               "--model", "qwen", "--name", "Work") == 0  # fmt: skip
    settings = Settings.load(profile)
    assert settings.active_provider_id == "ollama"  # the first one added becomes active
    work = settings.provider("work")
    assert work is not None
    assert (work.base_url, work.default_model, work.display_name, work.needs_key) == (
        "https://llm.example.com/v1", "qwen", "Work", True,
    )  # fmt: skip
    assert settings.provider("ollama").needs_key is False  # type: ignore[union-attr]
    capsys.readouterr()
    assert run(profile, "providers", "list") == 0
    out = capsys.readouterr().out
    assert "* ollama" in out and "http://localhost:11434/v1" in out
    assert "work" in out and "https://llm.example.com/v1" in out
    assert run(profile, "providers", "remove", "work") == 0
    assert Settings.load(profile).provider_ids() == ["ollama"]


def test_add_refuses_bad_input_and_keeps_what_was_saved(
    profile: Profile, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(profile, "providers", "add", "x", "--base-url", "http://127.0.0.1:9/v1") == 0
    before = profile.settings_file.read_bytes()
    capsys.readouterr()
    assert run(profile, "providers", "add", "y", "--base-url", "localhost:11434") == 2
    assert "did you mean http://localhost:11434" in capsys.readouterr().err
    assert run(profile, "providers", "add", "x", "--base-url", "http://127.0.0.1:10/v1") == 1
    assert "exists already" in capsys.readouterr().err
    assert run(profile, "providers", "add", "bad id", "--base-url", "http://h/v1") == 2
    assert run(profile, "providers", "add", "mine") == 2
    assert "give --base-url" in capsys.readouterr().err
    assert run(profile, "providers", "remove", "nope") == 1
    assert "unknown provider 'nope' (known: x)" in capsys.readouterr().err
    assert profile.settings_file.read_bytes() == before
    assert run(profile, "providers", "add", "x", "--base-url", "http://127.0.0.1:10/v1",
               "--replace") == 0  # fmt: skip
    assert Settings.load(profile).provider("x").base_url == "http://127.0.0.1:10/v1"  # type: ignore[union-attr]


def test_keys_set_list_delete(
    profile: Profile,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(profile, "providers", "add", "openai")
    run(profile, "providers", "add", "ollama")
    assert run(profile, "keys", "set", "openai", stdin=KEY + "\n", monkeypatch=monkeypatch) == 0
    assert memory_keyring.entries == {(SERVICE_NAME, "openai"): KEY}  # one newline stripped
    assert "stored the key for openai in" in capsys.readouterr().err
    assert run(profile, "keys", "list") == 0
    captured = capsys.readouterr()
    assert captured.out.split("\n")[:2] == ["openai  stored", "ollama  not needed"]
    assert KEY not in captured.out + captured.err
    assert run(profile, "keys", "delete", "openai") == 0
    assert memory_keyring.entries == {}
    assert run(profile, "keys", "delete", "openai") == 0
    assert "no key was stored" in capsys.readouterr().err
    assert run(profile, "keys", "list") == 0
    assert "openai  missing" in capsys.readouterr().out
    assert KEY not in profile.settings_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("stdin", "message"), [("", "empty"), ("\n", "empty"), ("sk-a\nsk-b\n", "line breaks")]
)
def test_keys_set_refuses_an_empty_or_broken_key(
    profile: Profile,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str,
    message: str,
) -> None:
    run(profile, "providers", "add", "openai")
    assert run(profile, "keys", "set", "openai", stdin=stdin, monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert message in err and "nothing was stored" in err
    assert memory_keyring.entries == {}


def test_keys_set_needs_a_configured_provider(
    profile: Profile,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(profile, "keys", "set", "groq", stdin=KEY, monkeypatch=monkeypatch) == 1
    assert "unknown provider 'groq'" in capsys.readouterr().err
    assert memory_keyring.entries == {}


def test_key_is_never_an_argument(profile: Profile, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run(profile, "keys", "set", "openai", KEY)
    assert caught.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_keychain_unavailable_is_a_clear_error(
    profile: Profile,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.LockedKeyring")
    run(profile, "providers", "add", "openai")
    assert run(profile, "keys", "set", "openai", stdin=KEY, monkeypatch=monkeypatch) == 1
    assert "is locked: unlock it" in capsys.readouterr().err
    assert run(profile, "keys", "list") == 1
    assert run(profile, "providers", "remove", "openai") == 0  # removed; the key may linger
    assert "streamchat keys delete openai" in capsys.readouterr().err
    assert json.loads(profile.settings_file.read_text(encoding="utf-8"))["providers"] == []


def test_removing_a_provider_deletes_its_key(
    profile: Profile, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(profile, "providers", "add", "groq")
    run(profile, "keys", "set", "groq", stdin=KEY, monkeypatch=monkeypatch)
    assert memory_keyring.entries
    assert run(profile, "providers", "remove", "groq") == 0
    assert memory_keyring.entries == {}
