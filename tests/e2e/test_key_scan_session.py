"""Issue 3: after a full session, the key is nowhere but the keychain and the wire.

A key stored with the CLI in a real gnome-keyring; the real app launched with
``--provider`` and ``--companion``; a view connected with a real Socket.IO client
sends prompts: one answered, one rejected by a server that echoes the key it got in
its 401 body (some proxies do), one answered again. Then ``streamchat export`` as
Markdown and JSON. The key must not be in any file of the profile (settings, the
SQLite database and its WAL, logs), the exports, anything the app printed, anything
the companion view received, nor in the app's environment (what a child process, such
as the browser it opens, would inherit).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import socketio

from streamchat_desktop.companion import protocol as p
from tests.support.fake_openai import FakeOpenAIServer, Script, http_error
from tests.support.run_app import reaped, run_streamchat
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.keychain, pytest.mark.e2e]

KEY = "sk-scan-session-a8c1e5f09b7d4e23"
ROOT = Path(__file__).resolve().parents[2]
# At exit the app reports whether any environment variable holds the key's prefix.
# The environment is checked at the very end, however the program ends: the app ends with
# os._exit once its quit path is over (no atexit handlers then), a CLI error returns.
LAUNCHER = """
import atexit, os, sys
def report():
    leaked = any("sk-scan-session" in value for value in os.environ.values())
    print("ENV_HAS_KEY" if leaked else "ENV_CLEAN", file=sys.stderr, flush=True)
atexit.register(report)
real_exit = os._exit
def reporting_exit(code):
    report()
    real_exit(code)
os._exit = reporting_exit
from streamchat_desktop.cli.main import main
sys.exit(main())
"""


def cli(profile: Path, env: dict[str, str], *argv: str, stdin: str | None = None) -> Any:
    return run_streamchat(profile, *argv, env=env, stdin=stdin, timeout=90)


async def drive_companion(url: str, events: list[tuple[str, Any]]) -> None:
    """Connect as a view, send two prompts, record everything the app sends."""
    base, token = re.match(r"(http://127\.0\.0\.1:\d+)/#token=(\S+)", url).groups()  # type: ignore[union-attr]
    client = socketio.AsyncClient(reconnection=False)
    ended: list[str] = []
    for name in p.SERVER_EVENTS:

        def record(data: Any, name: str = name) -> None:
            events.append((name, data))
            if name in (p.MESSAGE_FINISHED, p.MESSAGE_FAILED):
                ended.append(name)

        client.on(name, record)
    await client.connect(base, auth={"token": token}, transports=["websocket"], wait_timeout=30)
    try:
        await wait_until(lambda: any(n == p.SNAPSHOT for n, _ in events))
        acks: list[Any] = []
        for text, count in (("the echo", 1), ("and again", 2)):
            acks.append(await client.call(p.PROMPT_SEND, {"text": text}, timeout=10))
            await wait_until(lambda count=count: len(ended) >= count)  # type: ignore[misc]
        events.append(("acks", acks))
        assert [a["ok"] for a in acks] == [True, True], acks
    finally:
        await client.disconnect()


def test_the_key_is_nowhere_after_a_full_session(
    keychain_env: dict[str, str],
    profile_dir: Path,
    fake_openai: FakeOpenAIServer,
    run_async: Callable[..., Any],
) -> None:
    env = {k: v for k, v in keychain_env.items() if not k.startswith("OPENAI_")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    outputs: list[str] = []
    added = cli(profile_dir, env, "providers", "add", "scan", "--base-url",
                fake_openai.base_url, "--model", "m", "--needs-key")  # fmt: skip
    stored = cli(profile_dir, env, "keys", "set", "scan", stdin=KEY + "\n")
    listed = cli(profile_dir, env, "keys", "list")
    assert added.returncode == stored.returncode == listed.returncode == 0, stored.stderr
    outputs += [added.stdout, added.stderr, stored.stdout, stored.stderr, listed.stdout]

    fake_openai.enqueue(
        Script(deltas=["first ", "answer"]),
        http_error(401, f"Incorrect API key provided: {KEY}.", code="invalid_api_key"),
        Script(deltas=["third ", "answer"]),
    )
    app = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, "--profile", str(profile_dir), "--provider", "scan",
         "--companion", "--prompt", "from the window"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    events: list[tuple[str, Any]] = []
    with reaped(app):
        assert app.stdout is not None
        url = app.stdout.readline().removeprefix("Companion view: ").strip()
        outputs.append(url)
        fake_openai.wait_for_requests(1, timeout=30)
        run_async(drive_companion(url, events), timeout=60)
        app.send_signal(signal.SIGTERM)
        out, err = app.communicate(timeout=30)
    outputs += [out, err]
    assert app.returncode == 0, err
    assert err.strip().endswith("ENV_CLEAN"), err
    assert [r.authorization for r in fake_openai.chat_requests] == [f"Bearer {KEY}"] * 3

    # the echoed 401 really reached the user (masked), the view and the database
    failed = [data for name, data in events if name == p.MESSAGE_FAILED]
    assert len(failed) == 1 and "Incorrect API key provided: ***" in json.dumps(failed)

    exports = [cli(profile_dir, env, "export", "--all", "--format", fmt) for fmt in ("md", "json")]
    for exported in exports:
        assert exported.returncode == 0, exported.stderr
        assert "third answer" in exported.stdout
        assert "Incorrect API key provided: ***" in exported.stdout
        outputs += [exported.stdout, exported.stderr]

    files = [path for path in profile_dir.rglob("*") if path.is_file()]
    names = {path.name for path in files}
    assert "conversations.sqlite3" in names and "settings.json" in names
    assert any(path.parent.name == "logs" for path in files)
    for path in files:
        data = path.read_bytes()
        for encoded in (KEY.encode(), KEY.encode("utf-16-le")):
            assert encoded not in data, f"the key leaked into {path}"
    for text in outputs:
        assert KEY not in text
    assert KEY not in json.dumps(events)
    assert len(events) > 5
    assert os.environ.get("OPENAI_API_KEY") != KEY
