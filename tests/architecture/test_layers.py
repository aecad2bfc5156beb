"""The layer table of docs/ARCHITECTURE.md, enforced on the package from its folders.

Both checks are also run on a small package with a planted violation and a planted cycle,
so a checker that silently stopped looking would fail here too.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.architecture.layers import RULES, import_cycles, modules_of, violations

PACKAGE = Path(__file__).resolve().parents[2] / "streamchat_desktop"


def test_every_import_follows_the_layer_table() -> None:
    assert violations(PACKAGE) == []


def test_no_module_imports_itself_back_through_others() -> None:
    assert import_cycles(PACKAGE) == []


def test_every_folder_is_a_layer_and_at_most_three_modules_are_loose() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= set(RULES), folders - set(RULES)
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"]
    assert len(modules_of(PACKAGE)) > 50


def write(root: Path, files: dict[str, str]) -> Path:
    package = root / "streamchat_desktop"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return package


CLEAN = {
    "__init__.py": "",
    "core/__init__.py": "",
    "core/models.py": "import dataclasses\n",
    "ui/__init__.py": "",
    "ui/window.py": (
        "from PySide6.QtWidgets import QWidget\nimport streamchat_desktop.core.models\n"
    ),
}


def test_a_clean_package_passes(tmp_path: Path) -> None:
    package = write(tmp_path, CLEAN)
    assert violations(package) == []
    assert import_cycles(package) == []


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("core/bad.py", "from PySide6.QtCore import QObject\n", "core may not import PySide6"),
        ("core/up.py", "def f():\n    import streamchat_desktop.ui.window\n", "(ui)"),
        ("storage/net.py", "import openai\n", "only providers/openai_compat.py"),
        ("ui/db.py", "import sqlite3\n", "only the storage layer"),
        ("controllers/w.py", "from PySide6.QtWidgets import QWidget\n", "QtWidgets"),
        ("loose.py", "", "a loose module"),
        ("gadgets/x.py", "", "no layer of the table"),
        (
            "core/typed.py",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from streamchat_desktop.ui.window import W\n",
            "(ui)",
        ),
    ],
)
def test_a_planted_violation_is_caught(tmp_path: Path, name: str, text: str, expected: str) -> None:
    package = write(tmp_path, {**CLEAN, name: text})
    found = violations(package)
    assert len(found) == 1 and expected in found[0], found


def test_a_planted_cycle_is_caught_even_through_a_lazy_import(tmp_path: Path) -> None:
    package = write(
        tmp_path,
        {
            **CLEAN,
            "ui/a.py": "import streamchat_desktop.ui.b\n",
            "ui/b.py": "def later():\n    from streamchat_desktop.ui import c\n",
            "ui/c.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from streamchat_desktop.ui.a import A\n",
        },
    )
    assert import_cycles(package) == [
        ["streamchat_desktop.ui.a", "streamchat_desktop.ui.b", "streamchat_desktop.ui.c"]
    ]
