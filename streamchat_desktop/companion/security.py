"""Who may talk to the companion endpoint: the token, the Origin, the Host, the socket.

The token protects against local programs; the explicit Origin list against web pages
(``'*'`` would let any site read the stream, engineio's default trusts the Host header and
is fooled by DNS rebinding); the Host check refuses rebound names outright.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import logging
import secrets
import socket

log = logging.getLogger(__name__)

MAX_TOKEN_CHARS = 256

# Sent with every HTTP response: the page loads nothing from elsewhere (a Markdown image
# pointing at another host would otherwise leak that the page is open), runs no inline
# script, and cannot be framed. Style *attributes* are allowed (no <style> elements, no
# style sheets from elsewhere): KaTeX positions the parts of a formula with them. Model
# text never reaches one: markdown-it writes no raw HTML, KaTeX runs with trust off.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "style-src-attr 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class CompanionStartError(RuntimeError):
    """The endpoint could not start (address not allowed, no port to listen on)."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_matches(given: object, expected: str) -> bool:
    """Compare in constant time; anything that is not a short string never matches."""
    if not isinstance(given, str) or len(given) > MAX_TOKEN_CHARS:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host in {"0.0.0.0", "::", ""}


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def own_hosts(host: str, port: int) -> list[str]:
    """The ``Host`` header values this server answers to."""
    names = ["127.0.0.1", "localhost", "::1"]
    if is_wildcard(host):
        names += _machine_addresses()
    elif host not in names:
        names.append(host)
    return [_authority(name, port) for name in names]


def own_origins(host: str, port: int) -> list[str]:
    """The page's own origins: the only ones allowed to open a socket."""
    return [f"http://{authority}" for authority in own_hosts(host, port)]


def _machine_addresses() -> list[str]:
    """This machine's addresses, for a server that listens on all interfaces (opt-in)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        return []
    addresses = {str(info[4][0]) for info in infos}
    return sorted(address for address in addresses if not is_loopback(address))


def listen(host: str, port: int) -> tuple[socket.socket, int | None]:
    """A listening socket on ``host:port``, or on a free port if that one is taken.

    Returns the socket and, when it fell back, the port that was taken.
    """
    try:
        return _listen(host, port), None
    except OSError as exc:
        if port == 0 or exc.errno != errno.EADDRINUSE:
            raise CompanionStartError(
                f"cannot listen on {_authority(host, port)}: {exc.strerror or exc}"
            ) from exc
    log.warning("companion port %d is already in use; listening on a free port instead", port)
    try:
        return _listen(host, 0), port
    except OSError as exc:
        raise CompanionStartError(f"cannot listen on {host}: {exc.strerror or exc}") from exc


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host or "0.0.0.0", port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock
