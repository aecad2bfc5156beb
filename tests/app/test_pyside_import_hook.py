"""PySide6's import hook no longer reads (and keeps) the source of every later import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import linecache, sys
import PySide6.QtWidgets
if sys.argv[1] == "quiet":
    from streamchat_desktop.app.pyside_internals import quiet_pyside_import_hook
    quiet_pyside_import_hook()
before = set(linecache.cache)
import fractions, statistics, difflib  # stdlib modules with sources, not loaded yet
print(len(set(linecache.cache) - before))
"""


def cached_sources_after_imports(mode: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip())


def test_the_hook_reads_sources_unless_quieted() -> None:
    assert cached_sources_after_imports("default") >= 3  # the hook does read them
    assert cached_sources_after_imports("quiet") == 0
