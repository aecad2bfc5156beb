"""The layer table of docs/ARCHITECTURE.md as data, and the checks that read a package against it.

A module's layer is the first folder under the package it lives in; nothing is listed by
name and nothing is exempt. Every import counts: top-level, lazy (inside a function) and
``TYPE_CHECKING`` ones alike, because each is a dependency someone must understand.
"""

from __future__ import annotations

import ast
import gc
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}

ROOT_LAYERS = {"app", "cli"}  # the composition root and the command line: everything
EVERYTHING = frozenset({"*"})


@dataclass(frozen=True)
class Layer:
    layers: frozenset[str]  # project layers it may import (besides itself)
    packages: frozenset[str]  # third-party modules (or module prefixes) it may import


def layer(layers: set[str], packages: set[str] | None = None) -> Layer:
    return Layer(frozenset(layers), frozenset(packages or ()))


RULES: dict[str, Layer] = {
    "core": layer(set()),
    "providers": layer({"core"}, {"openai"}),
    "storage": layer({"core"}, {"sqlite3"}),
    "config": layer({"core"}, {"keyring", "platformdirs", "secretstorage", "jeepney"}),
    "routing": layer({"core", "providers", "config"}),
    "companion": layer({"core"}, {"socketio", "engineio", "aiohttp"}),
    # the MCP client (mcp brings jsonschema, which brings referencing)
    "tools": layer({"core"}, {"mcp", "jsonschema", "referencing"}),
    "resources": layer(set()),
    # reading, checking and converting attached files; images come from ``imaging``
    "attachments": layer({"core"}, {"pypdf"}),
    # QImage decoding/downscaling of attached pictures: QtGui without widgets, kept out of
    # attachments (Qt-free) and controllers (QtCore only); the window, CLI and app use it
    "imaging": layer({"core", "attachments"}, {"PySide6.QtCore", "PySide6.QtGui"}),
    "controllers": layer(
        {"core", "providers", "storage", "config", "routing", "companion", "attachments"},
        {"PySide6.QtCore"},
    ),
    "ui": layer(
        {"core", "config", "routing", "controllers", "resources", "attachments", "imaging"},
        {"PySide6", "shiboken6", "markdown_it", "mdit_py_plugins", "pygments", "ziamath"},
    ),
    "app": Layer(EVERYTHING, EVERYTHING),
    "cli": Layer(EVERYTHING, EVERYTHING),
    # the loose top-level modules: the package itself and ``python -m`` (which calls cli)
    "": layer({"cli"}),
}
LOOSE_MODULES = {"__init__", "__main__"}
# Imports owned by one module (or one layer) only.
OWNED_BY_MODULE = {
    "openai": ("providers/openai_compat.py",),
    # the keystore, and the adapter over keyring's private helpers
    "keyring": ("config/keystore.py", "config/keyring_internals.py"),
}
OWNED_BY_LAYER = {"sqlite3": "storage", "mcp": "tools"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted (a project module resolved to the file)
    line: int


def modules_of(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (built web assets excluded)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        if "static" in path.relative_to(package).parts:
            continue
        rel = path.relative_to(package.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _parse(path: Path) -> ast.Module:
    """``ast.parse`` with the garbage collector held off. In CPython 3.11 a collection
    that runs a finalizer in the middle of building the tree (another test's unawaited
    coroutine warns) upsets the AST constructor's recursion count: "SystemError: AST
    constructor recursion depth mismatch", seen in CI."""
    source = path.read_text(encoding="utf-8")
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source, filename=str(path))
    finally:
        if enabled:
            gc.enable()


def imports_in(name: str, path: Path, known: set[str]) -> Iterator[Import]:
    """Every import in the file, wherever it stands; ``from pkg import sub`` resolves to
    the submodule when ``pkg.sub`` is a module of the package."""
    tree = _parse(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{path}:{node.lineno}: use absolute imports")
            base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield Import(name, sub if sub in known else base, node.lineno)


def layer_of(module: str, package: str) -> str:
    parts = module.split(".")
    assert parts[0] == package
    if len(parts) == 1:
        return ""
    if len(parts) == 2 and parts[1] in LOOSE_MODULES:
        return ""
    return parts[1]


def violations(package: Path) -> list[str]:
    """Every import that breaks the table, as ``file:line: why``."""
    modules = modules_of(package)
    known = set(modules)
    found: list[str] = []
    for name, path in modules.items():
        own = layer_of(name, package.name)
        rel = path.relative_to(package).as_posix()
        where = f"{rel}"
        if path.parent == package and path.stem not in LOOSE_MODULES:
            found.append(f"{where}: a loose module; put it in the folder of its layer")
            continue
        if own not in RULES:
            found.append(f"{where}: the folder {own!r} is no layer of the table")
            continue
        rule = RULES[own]
        for imp in imports_in(name, path, known):
            top = imp.target.split(".")[0]
            at = f"{where}:{imp.line}"
            if top == package.name:
                target = layer_of(imp.target, package.name)
                if target != own and "*" not in rule.layers and target not in rule.layers:
                    found.append(f"{at}: {own or 'top'} may not import {imp.target} ({target})")
                continue
            if top in OWNED_BY_MODULE and rel not in OWNED_BY_MODULE[top]:
                owners = " or ".join(OWNED_BY_MODULE[top])
                found.append(f"{at}: only {owners} may import {top}")
                continue
            if top in OWNED_BY_LAYER and own != OWNED_BY_LAYER[top]:
                found.append(f"{at}: only the {OWNED_BY_LAYER[top]} layer may import {top}")
                continue
            if top in STDLIB or "*" in rule.packages:
                continue
            allowed = any(imp.target == p or imp.target.startswith(p + ".") for p in rule.packages)
            if not allowed:
                found.append(f"{at}: {own or 'top'} may not import {imp.target}")
    return found


def import_cycles(package: Path) -> list[list[str]]:
    """The strongly connected groups of modules that import each other (Tarjan)."""
    modules = modules_of(package)
    known = set(modules)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imp in imports_in(name, path, known):
            if imp.target in known and imp.target != name:
                graph[name].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return cycles
