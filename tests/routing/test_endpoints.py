"""Where a reply goes and which key goes with it: a key only goes where it belongs."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from streamchat_desktop.config.keystore import KeyStore
from streamchat_desktop.config.settings import ProviderConfig, Settings
from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.models import Conversation
from streamchat_desktop.routing.connections import Connections, LaunchChoice
from streamchat_desktop.routing.endpoints import (
    ResolvedEndpoint,
    needs_onboarding,
    resolve_endpoint,
)
from tests.support.memory_keyring import LockedKeyring

OPENAI_KEY = "sk-openai-keychain-000000"
GROQ_KEY = "gsk_groqkeychain000000"
ENV_KEY = "sk-from-environment-0000"
LOCAL_KEY = "sk-local-vllm-000000"


def settings(active: str | None = None, model: str | None = None) -> Settings:
    return Settings(
        providers=[
            ProviderConfig(
                "openai", "OpenAI", "https://api.openai.com/v1", "openai", "gpt-4o-mini"
            ),
            ProviderConfig("groq", "Groq", "https://api.groq.com/openai/v1", "groq", "llama"),
            ProviderConfig("ollama", "Ollama", "http://localhost:11434/v1", "ollama", "", False),
            ProviderConfig("vllm", "vLLM", "http://127.0.0.1:8000/v1", "vllm", "qwen", True),
            ProviderConfig("lan", "LAN box", "http://192.168.1.20:8000/v1", "custom", "m", False),
        ],
        active_provider_id=active,
        active_model=model,
    )


def resolve(
    keys: KeyStore,
    config: Settings | None = None,
    *,
    provider_id: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResolvedEndpoint:
    return resolve_endpoint(
        config if config is not None else settings(),
        keys,
        provider_id=provider_id,
        base_url=base_url,
        model=model,
        environ=environ or {},
    )


def no_key_error(**kwargs: object) -> ChatError:
    with pytest.raises(ChatError) as caught:
        resolve(**kwargs)  # type: ignore[arg-type]
    assert caught.value.kind is ErrorKind.NO_KEY
    return caught.value


def test_named_provider_uses_its_keychain_key(keys: KeyStore) -> None:
    keys.set("openai", OPENAI_KEY)
    found = resolve(keys, provider_id="openai", environ={"OPENAI_API_KEY": ENV_KEY})
    assert found == ResolvedEndpoint(
        "openai", "OpenAI", "https://api.openai.com/v1", "gpt-4o-mini", OPENAI_KEY
    )


def test_openai_provider_falls_back_to_openai_api_key(keys: KeyStore) -> None:
    found = resolve(keys, provider_id="openai", environ={"OPENAI_API_KEY": ENV_KEY})
    assert found.api_key == ENV_KEY


def test_other_providers_never_get_openai_api_key(keys: KeyStore) -> None:
    error = no_key_error(keys=keys, provider_id="groq", environ={"OPENAI_API_KEY": ENV_KEY})
    assert "`streamchat keys set groq`" in error.detail
    assert ENV_KEY not in error.message
    found = resolve(keys, provider_id="ollama", environ={"OPENAI_API_KEY": ENV_KEY})
    assert found.api_key is None
    found = resolve(keys, provider_id="lan", environ={"OPENAI_API_KEY": ENV_KEY})
    assert found.api_key is None  # needs_key=False: nothing is sent


def test_one_providers_key_is_never_sent_to_another(keys: KeyStore) -> None:
    keys.set("openai", OPENAI_KEY)
    keys.set("groq", GROQ_KEY)
    assert resolve(keys, provider_id="groq").api_key == GROQ_KEY
    assert resolve(keys, provider_id="ollama").api_key is None
    assert resolve(keys, provider_id="ollama").api_key is None


def test_loopback_provider_sends_its_own_stored_key(keys: KeyStore) -> None:
    keys.set("vllm", LOCAL_KEY)
    assert resolve(keys, provider_id="vllm").api_key == LOCAL_KEY


def test_loopback_provider_marked_needs_key_reports_the_missing_key(keys: KeyStore) -> None:
    """Local presets need no key; a local server the user marked as needing one does."""
    error = no_key_error(keys=keys, provider_id="vllm")
    assert "`streamchat keys set vllm`" in error.detail


def test_base_url_override_to_another_host_drops_the_stored_key(keys: KeyStore) -> None:
    keys.set("openai", OPENAI_KEY)
    error = no_key_error(
        keys=keys, provider_id="openai", base_url="https://proxy.example.com/v1",
        environ={"OPENAI_API_KEY": ENV_KEY},
    )  # fmt: skip
    assert "only sent to OpenAI, not to proxy.example.com" in error.detail
    error = no_key_error(keys=keys, provider_id="openai", base_url="http://127.0.0.1:9999")
    assert "not to 127.0.0.1:9999" in error.detail
    local = resolve(keys, provider_id="ollama", base_url="http://127.0.0.1:9999")
    assert (local.base_url, local.api_key) == ("http://127.0.0.1:9999/v1", None)


def test_base_url_override_on_the_same_host_keeps_the_key(keys: KeyStore) -> None:
    keys.set("vllm", LOCAL_KEY)
    found = resolve(keys, provider_id="vllm", base_url="http://127.0.0.1:8000/other/v1")
    assert (found.base_url, found.api_key) == ("http://127.0.0.1:8000/other/v1", LOCAL_KEY)


def test_named_provider_ignores_openai_base_url(keys: KeyStore) -> None:
    keys.set("groq", GROQ_KEY)
    found = resolve(keys, provider_id="groq", environ={"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"})
    assert found.base_url == "https://api.groq.com/openai/v1"


def test_unknown_provider_lists_the_known_ones(keys: KeyStore) -> None:
    with pytest.raises(ValueError, match=r"unknown provider 'nope'.*openai, groq, ollama"):
        resolve(keys, provider_id="nope")
    with pytest.raises(ValueError, match="none configured yet"):
        resolve(keys, Settings(), provider_id="nope")


def test_adhoc_base_url_takes_openai_api_key_like_the_sdk(keys: KeyStore) -> None:
    keys.set("openai", OPENAI_KEY)
    found = resolve(
        keys,
        settings(active="openai"),
        base_url="http://127.0.0.1:5000",
        model="m",
        environ={"OPENAI_API_KEY": ENV_KEY},
    )
    assert found == ResolvedEndpoint(
        None, "127.0.0.1:5000", "http://127.0.0.1:5000/v1", "m", ENV_KEY
    )
    found = resolve(keys, base_url="http://127.0.0.1:5000/v1")
    assert found.api_key is None  # a keychain key is never borrowed for an ad-hoc URL


def test_openai_base_url_beats_the_active_provider(keys: KeyStore) -> None:
    env = {"OPENAI_BASE_URL": "https://gateway.example.com/v1/", "OPENAI_API_KEY": ENV_KEY}
    found = resolve(keys, settings(active="ollama"), environ=env)
    assert (found.provider_id, found.base_url, found.api_key) == (
        None, "https://gateway.example.com/v1", ENV_KEY,
    )  # fmt: skip
    assert found.display_name == "gateway.example.com"


def test_active_provider_and_model_when_nothing_is_named(keys: KeyStore) -> None:
    found = resolve(
        keys, settings(active="ollama", model="llama3"), environ={"OPENAI_API_KEY": ENV_KEY}
    )
    assert (found.provider_id, found.model, found.api_key) == ("ollama", "llama3", None)
    assert resolve(keys, settings(active="ollama", model="llama3"), model="qwen").model == "qwen"
    # the active model belongs to the active provider only
    keys.set("vllm", LOCAL_KEY)
    assert (
        resolve(keys, settings(active="ollama", model="llama3"), provider_id="vllm").model == "qwen"
    )
    # no active provider: the first configured one
    assert resolve(keys, settings(), environ={"OPENAI_API_KEY": ENV_KEY}).provider_id == "openai"


def test_nothing_configured_is_openai_with_the_environment_key(keys: KeyStore) -> None:
    found = resolve(keys, Settings(), environ={"OPENAI_API_KEY": ENV_KEY})
    assert found == ResolvedEndpoint(
        None, "OpenAI", "https://api.openai.com/v1", "gpt-4o-mini", ENV_KEY
    )
    error = no_key_error(keys=keys, config=Settings())
    assert "OPENAI_API_KEY" in error.detail


def test_bad_urls_say_where_they_came_from(keys: KeyStore) -> None:
    with pytest.raises(ValueError, match="--base-url: 'localhost:1' is not an http"):
        resolve(keys, base_url="localhost:1")
    with pytest.raises(ValueError, match="OPENAI_BASE_URL"):
        resolve(keys, environ={"OPENAI_BASE_URL": "ftp://x"})


def test_a_conversation_whose_provider_is_gone_gets_a_failed_reply_not_a_bug(
    keys: KeyStore,
) -> None:
    """The ChatService turns only ChatError into a failed reply: anything else is a bug."""
    connections = Connections(settings(), keys, LaunchChoice(), environ={})
    with pytest.raises(ChatError) as caught:
        connections.target(Conversation(provider_id="removed"))
    assert caught.value.kind is ErrorKind.NOT_FOUND
    assert "unknown provider 'removed'" in caught.value.detail
    bad_url = Connections(settings(), keys, LaunchChoice(base_url="localhost:1"), environ={})
    with pytest.raises(ChatError, match="--base-url: 'localhost:1' is not an http"):
        bad_url.target(Conversation())


def test_unusable_keychain(monkeypatch: pytest.MonkeyPatch) -> None:
    locked = KeyStore(LockedKeyring())
    error = no_key_error(keys=locked, provider_id="groq")
    assert "keychain is unavailable" in error.detail and "unlock" in error.detail
    assert resolve(locked, provider_id="ollama").api_key is None  # local servers still work
    found = resolve(locked, provider_id="openai", environ={"OPENAI_API_KEY": ENV_KEY})
    assert found.api_key == ENV_KEY


def test_repr_never_shows_the_key(keys: KeyStore) -> None:
    keys.set("openai", OPENAI_KEY)
    found = resolve(keys, provider_id="openai")
    assert OPENAI_KEY not in repr(found)
    assert OPENAI_KEY not in str(found)
    endpoint = found.to_endpoint(timeout=5.0)
    assert (endpoint.base_url, endpoint.api_key, endpoint.timeout) == (
        "https://api.openai.com/v1", OPENAI_KEY, 5.0,
    )  # fmt: skip
    assert OPENAI_KEY not in repr(endpoint)


def test_needs_onboarding() -> None:
    assert needs_onboarding(Settings(), provider_id=None, base_url=None, environ={})
    assert not needs_onboarding(settings(), provider_id=None, base_url=None, environ={})
    assert not needs_onboarding(Settings(), provider_id=None, base_url="http://x", environ={})
    assert not needs_onboarding(
        Settings(), provider_id=None, base_url=None, environ={"OPENAI_API_KEY": ENV_KEY}
    )
