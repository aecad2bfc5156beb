"""API keys in the operating system's keychain (``keyring``), one entry per provider.

The backend is chosen from an allow-list of real keychains (Secret Service, KWallet,
macOS Keychain, Windows Credential Manager), or taken from the user's explicit keyring
configuration unless that stores keys in a file. There is no silent fallback: when no
keychain works, every call raises ``KeychainUnavailable`` whose message names the fix,
and the user may choose to keep a key in memory for this session only.

``keyring`` is imported on the first keychain call, not with this module: importing it
pulls in ``urllib.request``, ``email`` and ``importlib_metadata`` (≈ 40 ms), which the
window does not need before its first paint.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from streamchat_desktop.config.keyring_internals import keyring_config_path
from streamchat_desktop.config.logging_setup import register_secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVICE_NAME = "StreamChat Desktop"
SESSION_ONLY_NAME = "memory, this session only"

# Real keychains, tried in this order of preference when nothing is configured.
_ALLOWED = (
    ("keyring.backends.SecretService", "Keyring", "Secret Service"),
    ("keyring.backends.libsecret", "Keyring", "Secret Service"),
    ("keyring.backends.kwallet", "DBusKeyring", "KWallet"),
    ("keyring.backends.kwallet", "DBusKeyringKWallet4", "KWallet 4"),
    ("keyring.backends.macOS", "Keyring", "macOS Keychain"),
    ("keyring.backends.Windows", "WinVaultKeyring", "Windows Credential Manager"),
)
# Backends that keep keys in a file or nowhere: refused even when configured.
_REFUSED_MODULES = ("keyrings.alt", "keyrings.cryptfile", "keyring.backends.null",
                    "keyring.backends.fail")  # fmt: skip
_DAEMONS = {"gnome-keyring-d": "GNOME Keyring", "kwalletd5": "KWallet", "kwalletd6": "KWallet",
            "ksecretd": "KWallet", "keepassxc": "KeePassXC"}  # fmt: skip


class KeychainProblem(str, Enum):
    NO_DBUS = "no_dbus"  # Linux without a D-Bus session bus
    NO_SERVICE = "no_service"  # D-Bus, but no Secret Service / KWallet answers
    NO_BACKEND = "no_backend"  # no keychain backend for this system at all
    LOCKED = "locked"  # the keychain exists but is locked or the prompt was dismissed
    INSECURE = "insecure"  # keyring is configured to use a plaintext/file backend
    FAILED = "failed"  # the keychain answered with an error


class KeychainUnavailable(Exception):  # noqa: N818 (the name the team agreed on)
    """No keychain can be used right now; ``str(exc)`` tells a person how to fix it."""

    def __init__(self, problem: KeychainProblem, message: str) -> None:
        self.problem = problem
        self.message = message
        super().__init__(message)


class KeyStore:
    """get/set/delete/has one key per provider id.

    Nothing touches the keychain before the first call. ``session_only=True`` (or
    ``use_session_only()`` after the user chose it) keeps keys in memory only; keys
    set with ``set_for_session`` are looked up first in every mode.

    Each keychain lookup is a D-Bus round trip (≈ 16 ms with gnome-keyring), so what the
    keychain answered is kept for the session: ``set`` and ``delete`` here update it,
    ``forget_cached`` drops it (the settings dialog, a key the server refused). A key
    changed by another process (``streamchat keys set`` in a terminal) is seen after
    ``forget_cached``, which a 401 answer to a cached key triggers. ``load`` makes the
    first lookup without blocking the event loop's thread.
    """

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        *,
        service: str = SERVICE_NAME,
        session_only: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._service = service
        self._session_only = session_only
        self._environ = environ if environ is not None else os.environ
        self._memory: dict[str, str] = {}
        self._cached: dict[str, str | None] = {}  # what the keychain answered, per provider
        # bumped by every change of a key (or of what is cached): a ``load`` that started
        # before a change must not cache what it read before it (a stale key all session)
        self._epoch = 0
        self._backend: KeyringBackend | None = None
        if backend is not None:
            _refuse_insecure(backend, explicit="the backend given to KeyStore")
            self._backend = backend

    # -- mode --------------------------------------------------------------------

    @property
    def session_only(self) -> bool:
        return self._session_only

    def use_session_only(self) -> None:
        """The user's explicit choice: from now on keys stay in memory for this run."""
        self._session_only = True

    def check(self) -> None:
        """Raise KeychainUnavailable now if the keychain is unusable (no-op: session-only)."""
        if not self._session_only:
            self._call(lambda backend: backend.get_password(self._service, "__streamchat_probe__"))

    def backend_name(self) -> str:
        """The keychain's human name, e.g. "Secret Service (GNOME Keyring)"; raises if none."""
        if self._session_only:
            return SESSION_ONLY_NAME
        return _display_name(self._get_backend())

    # -- keys --------------------------------------------------------------------

    def get(self, provider_id: str) -> str | None:
        key = self._memory.get(provider_id)
        if key is None and not self._session_only:
            if provider_id not in self._cached:
                self._cached[provider_id] = self._ask_keychain(provider_id)
            key = self._cached[provider_id]
        register_secret(key)
        return key

    def is_known(self, provider_id: str) -> bool:
        """Whether ``get`` answers without asking the keychain."""
        return self._session_only or provider_id in self._memory or provider_id in self._cached

    async def load(self, provider_id: str) -> None:
        """Ask the keychain for this key in the loop's executor, once per session.

        keyring's Secret Service backend opens its own D-Bus connection per call
        (secretstorage over jeepney's blocking I/O), so calling it from a worker
        thread is safe. Raises KeychainUnavailable like ``get``.
        """
        if self.is_known(provider_id):
            return
        epoch = self._epoch
        key = await asyncio.to_thread(self._ask_keychain, provider_id)
        register_secret(key)
        if self._epoch == epoch:  # else ``get`` asks again: the key changed meanwhile
            self._cached[provider_id] = key

    def forget_cached(self, provider_id: str | None = None) -> None:
        """Ask the keychain again next time (for one provider, or all)."""
        self._epoch += 1
        if provider_id is None:
            self._cached.clear()
        else:
            self._cached.pop(provider_id, None)

    def _ask_keychain(self, provider_id: str) -> str | None:
        return self._call(lambda backend: backend.get_password(self._service, provider_id))

    def has(self, provider_id: str) -> bool:
        return self.get(provider_id) is not None

    def set(self, provider_id: str, key: str) -> None:
        """Store in the keychain (in memory when session-only); ValueError for a bad key."""
        check_key(key)
        register_secret(key)
        if self._session_only:
            self._memory[provider_id] = key
            return
        self._call(lambda backend: backend.set_password(self._service, provider_id, key))
        self._memory.pop(provider_id, None)
        self._epoch += 1
        self._cached[provider_id] = key

    def set_secret(self, name: str, value: str) -> None:
        """Store another secret (an MCP server's token or env value): any printable
        text, spaces included (``Bearer …``), but never empty or multi-line."""
        if not value or not value.isprintable():
            raise ValueError("the secret is empty or has line breaks or control characters")
        register_secret(value)
        if self._session_only:
            self._memory[name] = value
            return
        self._call(lambda backend: backend.set_password(self._service, name, value))
        self._memory.pop(name, None)

    def set_for_session(self, provider_id: str, key: str) -> None:
        """Keep this key in memory for this run only, whatever the mode."""
        check_key(key)
        register_secret(key)
        self._memory[provider_id] = key

    def delete(self, provider_id: str) -> bool:
        """Forget the key everywhere; True if one was stored."""
        found = self._memory.pop(provider_id, None) is not None
        if self._session_only:
            return found
        self._epoch += 1
        self._cached.pop(provider_id, None)

        def remove(backend: KeyringBackend) -> bool:
            import keyring.errors

            try:
                backend.delete_password(self._service, provider_id)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return self._call(remove) or found

    # -- backend -----------------------------------------------------------------

    def _get_backend(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = _detect_backend(self._environ)
        return self._backend

    def _call(self, operation: Callable[[KeyringBackend], T]) -> T:
        backend = self._get_backend()
        try:
            return operation(backend)
        except KeychainUnavailable:
            raise
        except Exception as exc:
            if not _is_environment_fault(exc):
                raise  # a bug, not a keychain problem: let it surface with its traceback
            raise _explain(exc, backend, self._environ) from exc


def _is_environment_fault(exc: Exception) -> bool:
    """Errors a keychain raises when it is absent, locked or broken (not programming errors)."""
    import keyring.errors

    module = type(exc).__module__ or ""
    return isinstance(
        exc, keyring.errors.KeyringError | OSError | RuntimeError
    ) or module.startswith(("secretstorage", "jeepney", "dbus", "keyring", "gi."))


def check_key(key: str) -> str:
    """The key itself, or a ValueError that says what is wrong with what was pasted."""
    if not key:
        raise ValueError("the key is empty")
    if any(ch.isspace() for ch in key):
        raise ValueError("the key contains spaces or line breaks — paste only the key")
    if not key.isascii() or not key.isprintable():
        raise ValueError("the key contains characters that cannot be sent in an HTTP header")
    return key


def _refuse_insecure(backend: KeyringBackend, *, explicit: str) -> None:
    module = type(backend).__module__
    chained = getattr(type(backend), "backends", None) if "chainer" in module else None
    for candidate in [backend, *(chained or [])]:
        name = type(candidate).__module__
        if name.startswith(_REFUSED_MODULES):
            raise KeychainUnavailable(
                KeychainProblem.INSECURE,
                f"{explicit} selects keyring backend {name}.{type(candidate).__name__}, which "
                "keeps keys in a file or nowhere; StreamChat stores keys only in the system "
                f"keychain. Remove PYTHON_KEYRING_BACKEND or the default-keyring line in "
                f"{keyring_config_path()}.",
            )


def _detect_backend(environ: Mapping[str, str]) -> KeyringBackend:
    """The user's explicit keyring choice if it is safe, else the best real keychain."""
    import keyring.core

    try:
        explicit = keyring.core.load_env() or keyring.core.load_config()
    except (ImportError, AttributeError, RuntimeError) as exc:
        raise KeychainUnavailable(
            KeychainProblem.FAILED,
            f"the keyring backend configured in PYTHON_KEYRING_BACKEND or {keyring_config_path()} "
            f"cannot be used ({exc}); fix or remove that setting.",
        ) from exc
    if explicit is not None:
        _refuse_insecure(explicit, explicit="the keyring configuration")
        return explicit
    reasons: list[str] = []
    best: tuple[float, KeyringBackend] | None = None
    for module_name, class_name, _label in _ALLOWED:
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
            priority = float(cls.priority)
        except Exception as exc:  # ImportError or the RuntimeError saying why it is not viable
            reasons.append(str(exc))
            continue
        if priority > 0 and (best is None or priority > best[0]):
            best = (priority, cls())
    if best is not None:
        return best[1]
    raise _no_backend(environ, reasons)


def _no_backend(environ: Mapping[str, str], reasons: list[str]) -> KeychainUnavailable:
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return KeychainUnavailable(
                KeychainProblem.NO_DBUS,
                "No D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set), so the system keychain "
                "cannot be reached. Run StreamChat inside a desktop session, or start one with "
                "`dbus-run-session` and unlock gnome-keyring in it (`gnome-keyring-daemon "
                "--unlock --components=secrets`).",
            )
        detail = next((r for r in reasons if "Secret" in r), reasons[0] if reasons else "")
        return KeychainUnavailable(
            KeychainProblem.NO_SERVICE,
            f"No keychain service answers on D-Bus ({detail}). Install and start gnome-keyring "
            "(e.g. `apt install gnome-keyring`) or KWallet, or enable KeePassXC's Secret Service "
            f"integration.",
        )
    return KeychainUnavailable(
        KeychainProblem.NO_BACKEND,
        f"No usable keychain was found on this system ({'; '.join(reasons)[:300]}); "
        f"install a keyring backend.",
    )


def _explain(
    exc: Exception, backend: KeyringBackend, environ: Mapping[str, str]
) -> KeychainUnavailable:
    """Map keyring/secretstorage/D-Bus failures to a problem and a fix."""
    import keyring.errors

    name = _display_name(backend, probe=False)
    text = str(exc)
    kind = type(exc).__name__
    if isinstance(exc, keyring.errors.NoKeyringError):
        return _no_backend(environ, [text])
    locked = isinstance(exc, keyring.errors.KeyringLocked) or kind in (
        "LockedException",
        "PromptDismissedException",
    )
    if locked or "unlock" in text.lower() or "prompt dismissed" in text.lower():
        return KeychainUnavailable(
            KeychainProblem.LOCKED,
            f"The keychain ({name}) is locked: unlock it (log in to your desktop, open "
            "Passwords and Keys / KWallet, or run `gnome-keyring-daemon --unlock`) and try "
            "again.",
        )
    if isinstance(exc, keyring.errors.InitError) or kind == "SecretServiceNotAvailableException":
        return KeychainUnavailable(
            KeychainProblem.NO_SERVICE,
            f"The keychain ({name}) could not be opened ({text[:200]}). Make sure gnome-keyring "
            f"or KWallet is running and has a default keyring.",
        )
    log.warning("keychain call failed: %s: %s", kind, text[:300])
    return KeychainUnavailable(
        KeychainProblem.FAILED,
        f"The keychain ({name}) failed: {kind}: {text[:200]}.",
    )


def _display_name(backend: KeyringBackend, *, probe: bool = True) -> str:
    cls = type(backend)
    for module_name, class_name, label in _ALLOWED:
        if cls.__module__ == module_name and cls.__name__ == class_name:
            if label == "Secret Service" and probe:
                daemon = _secret_service_daemon()
                return f"{label} ({daemon})" if daemon else label
            return label
    return str(getattr(cls, "name", cls.__name__))


def _secret_service_daemon() -> str | None:
    """Which program owns org.freedesktop.secrets (GNOME Keyring, KWallet, …), if known."""
    try:
        import secretstorage
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import Proxy

        with contextlib.closing(secretstorage.dbus_init()) as connection:
            proxy = Proxy(message_bus, connection)
            (pid,) = proxy.GetConnectionUnixProcessID("org.freedesktop.secrets")
        comm = Path(f"/proc/{int(pid)}/comm").read_text(encoding="utf-8").strip()
    except Exception:  # best effort: the plain name "Secret Service" is still right
        return None
    return _DAEMONS.get(comm, comm or None)


def describe_keyring_default() -> str:
    """keyring's own choice of backend (``--selftest``): names what a build bundled and found."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if isinstance(backend, fail.Keyring):
        return f"{name}, the fail backend: no usable backend found"
    if isinstance(backend, chainer.ChainerBackend):
        usable = [type(b).__module__ for b in backend.backends]
        return f"{name} over {', '.join(usable) or 'no usable backend'}"
    return f"{name} (priority {getattr(backend, 'priority', '?')})"
