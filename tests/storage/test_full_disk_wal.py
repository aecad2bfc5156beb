"""A full disk at quit leaves the history in the main file plus its WAL: the next start
and ``streamchat export`` read it all, and move nothing aside.

Closing the store on a full tmpfs makes SQLite's final checkpoint fail half-way: page 1
(whose header now counts every page) is rewritten in place, the pages that would grow
the file are refused, and the WAL stays with everything in it. That is the state the
fault campaign found ("the file is truncated: 4096 of 61440 bytes").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamchat_desktop.storage import SqliteStore
from tests.support.mounts import fill_disk, small_tmpfs
from tests.support.sqlite_fixtures import add_turns


def header_bytes(path: Path) -> int:
    header = path.read_bytes()[:100]
    page_size = int.from_bytes(header[16:18], "big")
    return page_size * int.from_bytes(header[28:32], "big")


def history_left_by_a_full_disk(profile: Path) -> list[str]:
    """Write real conversations, fill the disk, quit; the answers written."""
    store = SqliteStore.open(profile / "conversations.sqlite3")
    answers = [f"answer {i} " + "word " * 300 for i in range(12)]
    for i, answer in enumerate(answers):
        add_turns(store, [(f"question {i}", answer)], title=f"c{i}")
    filler = fill_disk(profile)
    store.close()  # the checkpoint at close meets the full disk
    filler.unlink()
    return answers


def test_a_history_left_in_the_wal_by_a_full_disk_is_kept(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "profile") as profile:
        answers = history_left_by_a_full_disk(profile)
        database = profile / "conversations.sqlite3"
        # the state that was wrongly called "truncated": the WAL holds the rest
        assert header_bytes(database) > database.stat().st_size
        assert Path(f"{database}-wal").stat().st_size > 0

        command = ["export", "--format", "md"]
        exported = subprocess.run(
            [sys.executable, "-m", "streamchat_desktop", "--profile", str(profile), *command],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert (exported.returncode, exported.stderr) == (0, "")
        assert all(answer.strip() in exported.stdout for answer in answers)

        store = SqliteStore.open(database)  # what the next start does
        try:
            assert store.recovery is None
            assert list(profile.glob("*.corrupt-*")) == []
            kept = {m.content for c in store.list_conversations() for m in store.messages(c.id)}
            assert set(answers) <= kept
        finally:
            store.close()
