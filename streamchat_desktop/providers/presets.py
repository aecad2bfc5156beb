"""Known OpenAI-compatible servers, and the one place base URLs are checked and tidied.

A preset only fills in a form: a configured provider keeps its own base URL, model and
``needs_key``, so editing a preset here never changes what a user already saved.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

OPENAI_HOST = "api.openai.com"


@dataclass(frozen=True, slots=True)
class Preset:
    """A kind of server: what to put in the form when the user picks it."""

    kind: str
    display_name: str
    base_url: str
    needs_key: bool
    default_model: str = ""
    key_url: str | None = None  # where a person gets a key


PRESETS: tuple[Preset, ...] = (
    Preset(
        "openai",
        "OpenAI",
        "https://api.openai.com/v1",
        True,
        "gpt-4o-mini",
        "https://platform.openai.com/api-keys",
    ),
    Preset("ollama", "Ollama", "http://localhost:11434/v1", False),
    Preset("lmstudio", "LM Studio", "http://localhost:1234/v1", False),
    Preset("vllm", "vLLM", "http://localhost:8000/v1", False),
    Preset("llamacpp", "llama.cpp server", "http://localhost:8080/v1", False),
    Preset(
        "openrouter",
        "OpenRouter",
        "https://openrouter.ai/api/v1",
        True,
        "openai/gpt-4o-mini",
        "https://openrouter.ai/keys",
    ),
    Preset(
        "groq",
        "Groq",
        "https://api.groq.com/openai/v1",
        True,
        "llama-3.3-70b-versatile",
        "https://console.groq.com/keys",
    ),
    Preset("custom", "Custom (OpenAI-compatible)", "", True),
)

# The loopback ports of the local presets, in the order a probe reports them.
LOCAL_PORTS: dict[int, str] = {11434: "ollama", 1234: "lmstudio", 8000: "vllm", 8080: "llamacpp"}


def preset(kind: str) -> Preset:
    """The preset of this kind; unknown kinds are ``custom``."""
    for candidate in PRESETS:
        if candidate.kind == kind:
            return candidate
    return PRESETS[-1]


def normalize_base_url(url: str) -> str:
    """The canonical form of an OpenAI-compatible base URL, or a ValueError saying why not.

    Adds ``/v1`` to a bare host (``http://localhost:11434`` → ``…/v1``), strips trailing
    slashes, lower-cases scheme and host. Refuses anything but http(s), credentials in
    the URL (a key belongs in the keychain), and query strings or fragments.
    """
    text = url.strip()
    if not text:
        raise ValueError("the base URL is empty")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        hint = f" — did you mean http://{text.rstrip('/')}?" if "://" not in text else ""
        raise ValueError(f"{text!r} is not an http:// or https:// URL{hint}")
    if not parts.hostname:
        raise ValueError(f"{text!r} has no host name")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "the base URL must not contain a user name or password; "
            "store the API key in the keychain instead"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{text!r}: a base URL has no query string or fragment")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{text!r} has an invalid port") from exc
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((scheme, _netloc(parts, port), path, "", ""))


def _netloc(parts: SplitResult, port: int | None) -> str:
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{host}:{port}" if port is not None else host


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, default ports filled in: what "the same host" means."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    default = 443 if scheme == "https" else 80
    try:
        port = parts.port or default
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower().rstrip("."), port


def is_loopback(url: str) -> bool:
    """True for 127.0.0.0/8, ::1 (also IPv4-mapped) and ``localhost``: servers on this machine."""
    host = origin(url)[1]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_openai(url: str) -> bool:
    """True only for OpenAI's own API over https: where ``OPENAI_API_KEY`` was meant to go."""
    scheme, host, port = origin(url)
    return scheme == "https" and host == OPENAI_HOST and port == 443
