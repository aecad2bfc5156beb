"""No merge left its conflict markers behind in a tracked text file (README included)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)
TEXT = {".py", ".md", ".ts", ".tsx", ".css", ".toml", ".sh", ".spec", ".json", ".html", ".yml"}


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed if Path(name).suffix in TEXT]


def test_no_tracked_file_holds_a_conflict_marker() -> None:
    files = tracked_files()
    assert len(files) > 100
    marked = [
        str(path.relative_to(ROOT))
        for path in files
        if path.is_file() and MARKER.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert marked == []
