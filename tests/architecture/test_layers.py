"""The layer table of DESIGN.md, enforced on every import in the package (AST check).

Each module belongs to a layer; a layer may import the standard library, the
project layers listed for it, and the third-party packages listed for it. On top,
a few imports are owned by exactly one module: ``openai`` (the adapter),
``keyring`` (the keystore), ``sqlite3`` (the storage package).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "streamchat_desktop"
STDLIB = set(sys.stdlib_module_names)

# layer -> (project layers it may import, third-party top-level packages it may import)
CORE: tuple[set[str], set[str]] = ({"core"}, set())
RULES: dict[str, tuple[set[str], set[str]]] = {
    "core": CORE,
    "providers": ({"core", "providers"}, {"openai"}),
    "storage": ({"core", "storage"}, set()),
    "services": ({"core", "providers", "services"}, {"keyring", "platformdirs", "secretstorage"}),
    "companion": ({"core", "companion", "services"}, {"socketio", "engineio", "aiohttp"}),
    "commands": ({"core", "providers", "storage", "services", "commands"}, set()),
    "controllers": (
        {"core", "providers", "storage", "services", "companion", "controllers"},
        {"PySide6"},
    ),
    "ui": (
        {"core", "controllers", "ui", "services"},
        {"PySide6", "markdown_it", "mdit_py_plugins", "pygments"},
    ),
    "root": (set(), set()),  # the composition root may import anything
}
SERVICE_MODULES = {
    "keystore",
    "settings",
    "paths",
    "endpoints",
    "logging_setup",
    "connections",
    "reply_printer",
    "resources",
}
ROOT_MODULES = {
    "app",
    "cli",
    "__main__",
    "__init__",
    "selftest",
    "runtime",
    "endpoint_coordinator",
    "companion_coordinator",
    "startup_report",
}
# Qt modules allowed below the widgets layer (controllers: QtCore, and QtNetwork for the
# single-instance socket).
CONTROLLER_QT = {"PySide6", "PySide6.QtCore", "PySide6.QtNetwork"}
# Imports owned by one place only.
OWNED = {"openai": {"providers"}, "keyring": {"services"}, "sqlite3": {"storage"}}
OWNED_MODULE = {"openai": "providers/openai_compat.py", "keyring": "keystore.py"}


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1:
        top = rel.parts[0]
        return "services" if top == "resources" else top
    stem = rel.stem
    if stem in ROOT_MODULES:
        return "root"
    if stem in SERVICE_MODULES:
        return "services"
    raise AssertionError(f"{rel} belongs to no layer: add it to the table in {__file__}")


def project_layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    name = parts[1]
    if name in SERVICE_MODULES:
        return "services"
    if name in ROOT_MODULES:
        return "root"
    return name


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}: use absolute imports")
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "static" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layer_table(path: Path) -> None:
    layer = layer_of(path)
    if layer == "root":
        return
    allowed_layers, allowed_packages = RULES[layer]
    rel = str(path.relative_to(PACKAGE))
    for module in imports_of(path):
        top = module.split(".")[0]
        if top == "streamchat_desktop":
            target = project_layer(module)
            assert target in allowed_layers or target == layer, (
                f"{rel} ({layer}) imports {module} ({target})"
            )
            continue
        if top in OWNED:
            assert layer in OWNED[top], f"{rel} ({layer}) imports {top}, owned by {OWNED[top]}"
            if top in OWNED_MODULE:
                assert rel == OWNED_MODULE[top], f"only {OWNED_MODULE[top]} may import {top}"
            continue
        if top in STDLIB or top == "__future__":
            continue
        assert top in allowed_packages, f"{rel} ({layer}) may not import {module}"
        if layer == "controllers" and top == "PySide6":
            assert module in CONTROLLER_QT, f"{rel}: controllers use QtCore only, not {module}"


def test_every_module_was_checked() -> None:
    assert len(MODULES) > 10
