"""``streamchat export`` / ``streamchat import`` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from streamchat_desktop.cli.main import main
from streamchat_desktop.config.paths import Profile
from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.storage import SqliteStore
from tests.support.sqlite_fixtures import add_turns

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    profile = Profile(tmp_path / "profile")
    store = SqliteStore.open(profile.database_file)
    add_turns(store, [("What is WAL?", "A write-ahead log.")], title="SQLite", updated_at=2.0)
    conversation, _ = add_turns(store, [("Count to three", "")], title="Counting")
    store.add_message(
        Message(
            role=Role.ASSISTANT,
            content="one, two",
            conversation_id=conversation.id,
            state=MessageState.STREAMING,
        )
    )
    store.close()
    return profile


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_markdown_of_everything(
    profile: Profile, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "export", "--profile", str(profile.root), "--format", "md")
    assert (code, err) == (0, "")
    assert out.index("# Counting") < out.index("# SQLite")  # newest first
    assert "A write-ahead log." in out
    assert "one, two" in out


def test_export_one_conversation_as_json_by_id_prefix(
    profile: Profile, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "--profile", str(profile.root), "export", "--list")
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert [line[2] for line in lines] == ["Counting", "SQLite"]
    prefix = lines[1][0][:10]
    code, out, _ = run_cli(
        capsys,
        "--profile",
        str(profile.root),
        "export",
        "--format",
        "json",
        "--conversation",
        prefix,
    )
    assert code == 0
    (conversation,) = json.loads(out)["conversations"]
    assert conversation["title"] == "SQLite"


def test_unknown_conversation_is_an_error(
    profile: Profile, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "--profile", str(profile.root), "export", "--conversation", "zzz"
    )
    assert code == 1
    assert out == ""
    assert "no conversation matches 'zzz'" in err


def test_export_of_a_profile_without_history_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "--profile", str(tmp_path / "new"), "export", "--format", "json")
    assert code == 0
    assert json.loads(out)["conversations"] == []
    assert not (tmp_path / "new").exists()  # nothing created just to export


def test_import_round_trip_and_idempotence(
    profile: Profile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, exported, _ = run_cli(capsys, "--profile", str(profile.root), "export", "--format", "json")
    file = tmp_path / "export.json"
    file.write_text(exported, encoding="utf-8")
    other = tmp_path / "other"
    code, out, _ = run_cli(capsys, "--profile", str(other), "import", str(file))
    assert code == 0
    assert "2 new conversation(s) and 5 message(s)" in out
    code, out, _ = run_cli(capsys, "--profile", str(other), "import", str(file))
    assert code == 0
    assert "0 new conversation(s) and 0 message(s)" in out
    _, again, _ = run_cli(capsys, "--profile", str(other), "export", "--format", "md")
    _, original, _ = run_cli(capsys, "--profile", str(profile.root), "export", "--format", "md")
    # no app holds the profile: the reply left streaming is interrupted in both
    assert again == original
    assert "Interrupted: StreamChat closed before the answer was complete." in original


def test_a_malformed_import_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "bad.json"
    file.write_text('{"format": "streamchat-export", "version": 1, "conversations": [{}]}')
    code, _out, err = run_cli(capsys, "--profile", str(tmp_path / "p"), "import", str(file))
    assert code == 1
    assert "was not imported: conversations[0].id: missing" in err
    assert not (tmp_path / "p" / "conversations.sqlite3").exists()


def test_a_damaged_database_is_reported_not_moved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = Profile(tmp_path / "p")
    profile.root.mkdir()
    profile.database_file.write_bytes(b"garbage" * 1000)
    code, _, err = run_cli(capsys, "--profile", str(profile.root), "export")
    assert code == 1
    assert "damaged" in err
    assert profile.database_file.read_bytes().startswith(b"garbage")


def test_the_installed_command_writes_to_stdout_without_qt_widgets(profile: Profile) -> None:
    """QtCore only reads the profile's lock (is a reply left streaming still arriving?)."""
    script = (
        "import sys\n"
        "from streamchat_desktop.cli.main import main\n"
        "code = main(sys.argv[1:])\n"
        "gui = ('PySide6.QtGui', 'PySide6.QtWidgets', 'PySide6.QtNetwork')\n"
        "assert not any(m.startswith(gui) for m in sys.modules), 'Qt GUI imported'\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "export", "--profile", str(profile.root), "--format", "md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LANG": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "# SQLite" in result.stdout
