"""The real program on a read-only profile folder (a real read-only bind mount).

``streamchat export`` works (it only reads); a launch says "the profile folder … is
read-only" in words, never Qt's "LockError.PermissionError"; a script's prompt, which
could not be saved, is refused out loud; the window opens on the history (its companion
view shows it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from streamchat_desktop.storage import SqliteStore
from tests.support.companion_client import CompanionClient, read_announced
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.mounts import read_only_view
from tests.support.run_app import ask_once, reaped, run_streamchat, start_streamchat
from tests.support.sqlite_fixtures import add_turns

pytestmark = pytest.mark.e2e


def profile_with_history(tmp_path: Path) -> Path:
    folder = tmp_path / "profile"
    store = SqliteStore.open(folder / "conversations.sqlite3")
    add_turns(store, [("kept question", "kept answer")], title="kept")
    store.close()
    (folder / "logs").mkdir()
    return folder


def test_export_works_on_a_read_only_profile(tmp_path: Path) -> None:
    with read_only_view(profile_with_history(tmp_path), tmp_path / "view") as view:
        for command in (["export", "--format", "md"], ["export", "--format", "json"]):
            exported = run_streamchat(view, *command)
            assert (exported.returncode, exported.stderr) == (0, ""), command
            assert "kept answer" in exported.stdout
        imported = run_streamchat(view, "import", str(tmp_path / "nothing.json"))
        assert imported.returncode == 1


def test_a_script_is_told_the_profile_folder_is_read_only(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    with read_only_view(profile_with_history(tmp_path), tmp_path / "view") as view:
        result = ask_once(fake_openai.base_url, view, "not saved, not sent")
    assert result.returncode == 1
    assert f"The profile folder {view} is read-only" in result.stderr
    assert "the prompt was not sent" in result.stderr
    assert "LockError" not in result.stderr and "Traceback" not in result.stderr
    assert fake_openai.chat_requests == []


def test_the_window_opens_on_a_read_only_history(tmp_path: Path) -> None:
    with read_only_view(profile_with_history(tmp_path), tmp_path / "view") as view:
        app = start_streamchat(view, "--companion")
        with reaped(app):
            viewer = CompanionClient(read_announced(app)).connect()
            try:
                viewer.wait_for(lambda: "snapshot" in viewer.names(), 60, "the snapshot")
                [snapshot] = [data for name, data in viewer.events if name == "snapshot"]
                assert [c["title"] for c in snapshot["conversations"]] == ["kept"]
                shown = [m["content"] for m in snapshot["messages"]]
                assert shown == ["kept question", "kept answer"]
            finally:
                viewer.close()
            app.terminate()
            assert app.wait(60) == 0
            assert app.stderr is not None
            assert "LockError" not in app.stderr.read()
