"""The whole path with a real keychain: CLI stores a key, the real app sends it, only there.

`streamchat providers add` + `streamchat keys set` (stdin) into gnome-keyring, then the
real program in a new process with ``--provider --prompt --exit-after-reply`` against
the fake OpenAI server, which records the ``Authorization`` header. Afterwards the whole
profile directory, the logs and every captured output are scanned for the key.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.run_app import run_streamchat

pytestmark = [pytest.mark.keychain, pytest.mark.e2e]

KEY = "sk-e2e-keychain-7f3a9c0d1e2b4a68"
OTHER_ENV_KEY = "sk-env-not-for-these-hosts-5511"


def streamchat(
    profile: Path, *argv: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_streamchat(profile, *argv, env=env, stdin=stdin, timeout=90)


@pytest.fixture
def app_env(keychain_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in keychain_env.items() if k != "OPENAI_BASE_URL"}
    env["OPENAI_API_KEY"] = OTHER_ENV_KEY  # must never reach a configured non-OpenAI provider
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2])])
    return env


def test_stored_key_reaches_only_its_provider(
    app_env: dict[str, str], profile_dir: Path, fake_openai: FakeOpenAIServer
) -> None:
    outputs: list[str] = []

    def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = streamchat(profile_dir, *argv, env=app_env, stdin=stdin)
        outputs.extend([done.stdout, done.stderr])
        return done

    url = fake_openai.base_url
    added = run("providers", "add", "e2e", "--base-url", url, "--model", "m", "--needs-key")
    assert added.returncode == 0, added.stderr
    stored = run("keys", "set", "e2e", stdin=KEY + "\n")
    assert stored.returncode == 0, stored.stderr

    # 1. the real app sends exactly the stored key to the provider's server
    fake_openai.enqueue(Script(deltas=["Hello", " from", " the", " keychain"]))
    reply = run("--provider", "e2e", "--prompt", "Say hello", "--exit-after-reply")
    assert reply.returncode == 0, reply.stderr
    assert reply.stdout.rstrip("\n") == "Hello from the keychain"
    chat = fake_openai.chat_requests
    assert len(chat) == 1
    assert chat[0].authorization == f"Bearer {KEY}"

    # 2. a provider without a key sends none of another provider's key (nor the env's)
    added = run("providers", "add", "keyless", "--base-url", url, "--model", "m")
    assert added.returncode == 0, added.stderr
    reply = run("--provider", "keyless", "--prompt", "Hi", "--exit-after-reply")
    assert reply.returncode == 0, reply.stderr
    sent = fake_openai.chat_requests[-1].authorization or ""
    assert KEY not in sent and OTHER_ENV_KEY not in sent

    # 3. the key deleted: the next run says clearly what is missing and sends nothing
    deleted = run("keys", "delete", "e2e")
    assert deleted.returncode == 0, deleted.stderr
    before = len(fake_openai.chat_requests)
    reply = run("--provider", "e2e", "--prompt", "Say hello", "--exit-after-reply")
    assert reply.returncode != 0
    assert "no key found — add one with `streamchat keys set e2e`" in reply.stderr
    assert "Traceback" not in reply.stderr
    assert len(fake_openai.chat_requests) == before

    # 4. the key is nowhere: not in the profile (settings, database, logs), not in any output
    files = [p for p in profile_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in files)
    for path in files:
        data = path.read_bytes()
        assert KEY.encode() not in data, f"the key leaked into {path}"
        assert KEY.encode("utf-16-le") not in data, f"the key leaked into {path}"
    for text in outputs:
        assert KEY not in text
