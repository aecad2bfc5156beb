"""docs/ARCHITECTURE.md and the README describe the folders the package has, no more."""

from __future__ import annotations

import re
from pathlib import Path

from tests.architecture.layers import RULES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "streamchat_desktop"


def folders_in_table(text: str) -> set[str]:
    """The ``name/`` of each table row that starts with a folder."""
    return set(re.findall(r"^\| `([a-z_]+)/` \|", text, flags=re.MULTILINE))


def test_the_map_lists_every_layer_folder_and_only_those() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    layers = {name for name in RULES if name}
    assert folders == layers
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert folders_in_table(architecture) == folders
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert folders_in_table(readme) == folders - {"resources"}


def test_the_files_the_map_names_exist() -> None:
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(
        re.findall(r"`((?:streamchat_desktop|tests|docs|web)/[\w/.]+\.(?:py|md))`", architecture)
    )
    named |= {
        f"streamchat_desktop/{path}"
        for path in re.findall(
            r"`((?:core|providers|storage|config|routing|companion|controllers|ui|app|cli)/[\w/]+\.py)`",
            architecture,
        )
    }
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert named and missing == []
