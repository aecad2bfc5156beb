"""Base URLs: tidied, checked, and what counts as this machine or as OpenAI."""

from __future__ import annotations

import pytest

from streamchat_desktop.providers.presets import (
    PRESETS,
    is_loopback,
    is_openai,
    normalize_base_url,
    preset,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://localhost:11434", "http://localhost:11434/v1"),
        ("http://localhost:11434/", "http://localhost:11434/v1"),
        ("http://localhost:11434/v1/", "http://localhost:11434/v1"),
        ("  HTTPS://API.OpenAI.com/v1//  ", "https://api.openai.com/v1"),
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
        ("https://api.groq.com/openai/v1", "https://api.groq.com/openai/v1"),
        ("http://[::1]:8000", "http://[::1]:8000/v1"),
        ("http://127.0.0.1:8080/custom/path", "http://127.0.0.1:8080/custom/path"),
    ],
)
def test_normalize_base_url(given: str, expected: str) -> None:
    assert normalize_base_url(given) == expected
    assert normalize_base_url(expected) == expected  # idempotent


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "empty"),
        ("localhost:11434", "did you mean http://localhost:11434"),
        ("ftp://example.com", "not an http:// or https:// URL"),
        ("not a url", "not an http:// or https:// URL"),
        ("http://", "not an http:// or https:// URL"),
        ("https://user:sk-secret@example.com/v1", "keychain"),
        ("https://example.com/v1?key=1", "query"),
        ("http://localhost:99999/v1", "invalid port"),
    ],
)
def test_normalize_rejects_with_a_clear_message(given: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        normalize_base_url(given)
    assert "sk-secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://localhost:11434/v1", True),
        ("http://127.0.0.1:1234/v1", True),
        ("http://127.8.9.10/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://[::ffff:127.0.0.1]:8000/v1", True),
        ("http://192.168.1.10:11434/v1", False),
        ("http://localhost.example.com/v1", False),
        ("https://api.openai.com/v1", False),
    ],
)
def test_is_loopback(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_is_openai_only_for_openais_own_https_api() -> None:
    assert is_openai("https://api.openai.com/v1")
    assert not is_openai("http://api.openai.com/v1")
    assert not is_openai("https://api.openai.com.evil.example/v1")
    assert not is_openai("https://api.openai.com:8443/v1")


def test_presets_cover_the_usual_servers() -> None:
    urls = {p.kind: p.base_url for p in PRESETS}
    assert urls == {
        "openai": "https://api.openai.com/v1",
        "ollama": "http://localhost:11434/v1",
        "lmstudio": "http://localhost:1234/v1",
        "vllm": "http://localhost:8000/v1",
        "llamacpp": "http://localhost:8080/v1",
        "openrouter": "https://openrouter.ai/api/v1",
        "groq": "https://api.groq.com/openai/v1",
        "custom": "",
    }
    for p in PRESETS:
        if p.base_url:
            assert normalize_base_url(p.base_url) == p.base_url
            assert p.needs_key is not is_loopback(p.base_url)
    assert preset("nonsense").kind == "custom"
