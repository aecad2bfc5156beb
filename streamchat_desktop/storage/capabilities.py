"""What the SQLite this process links can do; ``--selftest`` asks before a packaged build ships."""

from __future__ import annotations

import sqlite3


def check_full_text_search() -> str:
    """A real FTS5 table and query; the SQLite version, or RuntimeError saying what is missing."""
    with sqlite3.connect(":memory:") as db:
        try:
            db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
        except sqlite3.OperationalError as exc:
            raise RuntimeError(f"SQLite {sqlite3.sqlite_version} has no FTS5: {exc}") from exc
        db.executemany("INSERT INTO t(body) VALUES (?)", [("streamed words",), ("other",)])
        hits = db.execute("SELECT body FROM t WHERE t MATCH 'stream*'").fetchall()
    db.close()
    if hits != [("streamed words",)]:
        raise RuntimeError(f"FTS5 query returned {hits!r}")
    return f"SQLite {sqlite3.sqlite_version} with FTS5"
