"""A real Secret Service for the tests: gnome-keyring on a private D-Bus session bus.

The bus is our own ``dbus-daemon`` with a minimal config (no service activation, so
nothing but our unlocked daemon can answer for ``org.freedesktop.secrets``). The
keyring lives in a temp ``XDG_DATA_HOME``: the user's real keychain is never touched.
Both daemons run in the foreground as our children and are stopped by PID.

Needs (Debian): ``apt-get install dbus-daemon gnome-keyring``. Tests skip without them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PASSWORD = b"streamchat-test-keyring"
SERVICE_PATIENCE = 60  # seconds: only ends a broken run (a loaded machine starts it late)
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_for_secret_service(env: dict[str, str], daemon: subprocess.Popen[bytes]) -> None:
    """Poll the bus until org.freedesktop.secrets has an owner (about 0.1–0.3 s; another
    process's state, which no event of ours announces). The deadline is patience."""
    import secretstorage

    deadline = time.monotonic() + SERVICE_PATIENCE
    saved = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = env["DBUS_SESSION_BUS_ADDRESS"]
    try:
        while time.monotonic() < deadline:
            if daemon.poll() is not None:
                raise RuntimeError(f"gnome-keyring-daemon exited with {daemon.returncode}")
            with (
                contextlib.suppress(Exception),
                contextlib.closing(secretstorage.dbus_init()) as connection,
            ):
                if secretstorage.check_service_availability(connection):
                    return
            time.sleep(0.02)
        raise RuntimeError(
            f"gnome-keyring did not appear on the private bus within {SERVICE_PATIENCE} s"
        )
    finally:
        if saved is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved


@contextlib.contextmanager
def running_secret_service(root: Path) -> Iterator[dict[str, str]]:
    """Start a bus and an unlocked keyring under ``root``; yield the variables children need."""
    dbus_daemon = shutil.which("dbus-daemon")
    keyring_daemon = shutil.which("gnome-keyring-daemon")
    if not dbus_daemon or not keyring_daemon:
        pytest.skip(
            "needs dbus-daemon and gnome-keyring (apt-get install dbus-daemon gnome-keyring)"
        )
    config = root / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=root / "bus"), encoding="utf-8")
    bus = subprocess.Popen(
        [dbus_daemon, f"--config-file={config}", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    daemon: subprocess.Popen[bytes] | None = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        if not address:
            raise RuntimeError("dbus-daemon printed no address")
        env = {
            "DBUS_SESSION_BUS_ADDRESS": address,
            "XDG_DATA_HOME": str(root / "data"),  # the keyring files live here
            "XDG_RUNTIME_DIR": str(root),
            "XDG_CONFIG_HOME": str(root / "config"),  # no user keyringrc.cfg
        }
        (root / "data").mkdir()
        daemon = subprocess.Popen(
            [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **env},
        )
        assert daemon.stdin is not None
        daemon.stdin.write(PASSWORD)  # always the same bytes: a newline would join the password
        daemon.stdin.close()
        _wait_for_secret_service(env, daemon)
        yield env
    finally:
        if daemon is not None:
            _stop(daemon)
        _stop(bus)


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One private keyring for the whole run (starting one takes about 0.2 s)."""
    with running_secret_service(tmp_path_factory.mktemp("keychain")) as env:
        yield env


@pytest.fixture
def own_secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A keyring of this test's own, for tests that lock it."""
    with running_secret_service(tmp_path_factory.mktemp("own-keychain")) as env:
        yield env


@pytest.fixture
def keychain_env(secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This test (and the processes it starts) talks to the private keyring."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    for name, value in secret_service.items():
        monkeypatch.setenv(name, value)
    return dict(os.environ)


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile"
