"""The files shipped inside the package (icons), found the same way in a source tree,
an installed wheel and a PyInstaller build (where the package directory is unpacked
under ``sys._MEIPASS`` and ``__file__`` points there).

Qt-free on purpose: the UI layer builds its ``QIcon`` from these paths.
"""

from __future__ import annotations

import re
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent / "icons"
_ICON_NAME = re.compile(r"streamchat-(\d+)\.png")


def icon_paths() -> list[Path]:
    """The app icon's PNG files, smallest first (16 … 512 px; empty if none shipped)."""
    found: list[tuple[int, Path]] = []
    if ICON_DIR.is_dir():
        for path in ICON_DIR.iterdir():
            match = _ICON_NAME.fullmatch(path.name)
            if match:
                found.append((int(match.group(1)), path))
    return [path for _, path in sorted(found)]
