"""The real program, with text UTF-8 cannot carry coming in: from the model (a JSON
``"\\ud800"`` escape), from ``--prompt`` (an argv byte that is not UTF-8) and from an
imported file. Each costs one U+FFFD; stdout, SQLite and exports see the same text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from streamchat_desktop.storage import SqliteStore
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.run_app import app_env, ask_once, run_streamchat
from tests.support.sqlite_fixtures import add_turns

pytestmark = pytest.mark.e2e


def test_exit_after_reply_prints_the_whole_answer(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=["one ", "\ud800", " two ", "three"]))
    result = ask_once(fake_openai.base_url, tmp_path, "count")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "one \ufffd two three"

    store = SqliteStore.open(tmp_path / "conversations.sqlite3")
    try:
        [conversation] = store.list_conversations()
        answer = store.messages(conversation.id)[-1]
        assert (answer.state.value, answer.content) == ("complete", "one \ufffd two three")
    finally:
        store.close()
    exported = run_streamchat(tmp_path, "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert "one \ufffd two three" in exported.stdout


def test_a_prompt_argument_that_is_not_utf8_is_sent_repaired(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai.enqueue(Script(deltas=["fine"]))
    command = [sys.executable, "-m", "streamchat_desktop", "--profile", str(tmp_path)]
    command += ["--base-url", fake_openai.base_url, "--model", "m", "--exit-after-reply"]
    result = subprocess.run(
        [*command, "--prompt", b"caf\xe9 ok"],  # Latin-1, as an old terminal would send
        capture_output=True,
        env=app_env(),
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, b"fine", b"")
    assert fake_openai.last_request.json["messages"][-1]["content"] == "caf\ufffd ok"


def test_an_imported_file_with_lone_surrogates_is_kept(tmp_path: Path) -> None:
    source = SqliteStore.open(tmp_path / "source" / "conversations.sqlite3")
    add_turns(source, [("bad HALF one", "and LOW two")], title="title HALF")
    source.close()
    exported = run_streamchat(tmp_path / "source", "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    broken = exported.stdout.replace("HALF", "\\ud800").replace("LOW", "\\udc00")
    export = tmp_path / "broken.json"
    export.write_text(broken, encoding="utf-8")  # JSON escapes: valid JSON, not valid text

    result = run_streamchat(tmp_path / "profile", "import", str(export))
    assert result.returncode == 0, result.stderr
    shown = run_streamchat(tmp_path / "profile", "export", "--format", "md")
    assert shown.returncode == 0, shown.stderr
    assert "bad \ufffd one" in shown.stdout
    assert "and \ufffd two" in shown.stdout
    assert "title \ufffd" in shown.stdout
