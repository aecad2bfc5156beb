"""pyinstaller.spec names everything that freezing would otherwise lose or drag in.

The spec cannot be imported (PyInstaller injects Analysis, EXE… when it runs it), so
its constant lists and its ``is_unwanted`` filter are taken out of its syntax tree and
run on their own.
"""

from __future__ import annotations

import ast
import importlib.metadata
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "pyinstaller.spec"
PURE_NAMES = {
    "KEYRING_BACKENDS",
    "METADATA",
    "EXCLUDES",
    "KEEP_PLATFORMS",
    "DROP_PLUGIN_DIRS",
    "DROP_PLUGINS",
    "DROP_LIB_PREFIXES",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """The spec's constant lists and ``is_unwanted``, executed apart from the build."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    keep: list[ast.stmt] = []
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id in PURE_NAMES for t in node.targets)
        ) or (isinstance(node, ast.FunctionDef) and node.name == "is_unwanted"):
            keep.append(node)
    namespace: dict[str, Any] = {"Path": Path}
    exec(compile(ast.Module(body=keep, type_ignores=[]), str(SPEC), "exec"), namespace)
    assert namespace.keys() >= PURE_NAMES
    namespace["source"] = SPEC.read_text(encoding="utf-8")
    return namespace


def test_every_keyring_backend_entry_point_is_a_hidden_import(spec: dict[str, Any]) -> None:
    points = importlib.metadata.entry_points(group="keyring.backends")
    ours = [p for p in points if p.dist and p.dist.name == "keyring"]
    modules = {point.value.split(":")[0] for point in ours}
    assert modules, "keyring registers its backends through entry points"
    assert modules <= set(spec["KEYRING_BACKENDS"])
    assert {"keyring.backends.fail", "keyring.backends.chainer"} <= set(spec["KEYRING_BACKENDS"])


def test_metadata_read_at_run_time_is_copied(spec: dict[str, Any]) -> None:
    # keyring finds its backends through entry points; httpx2 and httpcore2 call
    # importlib.metadata.version() on import, so without their metadata openai fails.
    assert {"keyring", "httpx2", "httpcore2", "opentelemetry-api"} <= set(spec["METADATA"])
    for dist in spec["METADATA"]:
        importlib.metadata.distribution(dist)  # each name is a real distribution


def test_modules_loaded_by_name_are_hidden_imports(spec: dict[str, Any]) -> None:
    source = spec["source"]
    for needed in (
        '"engineio.async_drivers.aiohttp"',
        'collect_submodules("streamchat_desktop")',
        'collect_submodules("pygments.lexers")',
        '"secretstorage"',
        'collect_submodules("jeepney")',
        'collect_submodules("mcp.client")',
        '"opentelemetry.context.contextvars_context"',
        'collect_submodules("ziamath")',
    ):
        assert needed in source


def test_math_data_files_are_bundled(spec: dict[str, Any]) -> None:
    # the formula font (ziamath), the text font (ziafont), the symbol table (latex2mathml)
    assert 'for package in ("ziamath", "ziafont", "latex2mathml")' in spec["source"]
    assert "datas += collect_data_files(package)" in spec["source"]
    for package, data in (
        ("ziamath", "fonts/STIXTwoMath-Regular.ttf"),
        ("ziafont", "fonts/DejaVuSans.ttf"),
        ("latex2mathml", "unimathsymbols.txt"),
    ):
        assert (Path(importlib.util.find_spec(package).origin).parent / data).is_file()


def test_bundled_data_includes_icons_and_companion_page(spec: dict[str, Any]) -> None:
    source = spec["source"]
    assert '"streamchat_desktop/resources/icons"' in source
    assert '"streamchat_desktop/companion/static"' in source
    for name in ("streamchat.ico", "streamchat.icns", "windows_version_info.txt"):
        assert f'"{name}"' in source or f"/{name}" in source
        assert (ROOT / "resources" / name).is_file()


def test_package_data_ships_the_same_files_in_a_wheel() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["streamchat_desktop"]
    assert "resources/**/*" in patterns and "companion/static/**/*" in patterns


@pytest.mark.parametrize(
    ("dest", "unwanted"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", False),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", True),
        ("PySide6/Qt/plugins/imageformats/libqico.so", False),
        ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libivi-shell.so", True),
        (
            "PySide6/Qt/plugins/wayland-graphics-integration-client/libqt-plugin-wayland-egl.so",
            False,
        ),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", True),
        ("PySide6/Qt/plugins/imageformats/libqwebp.so", False),  # attached WebP pictures
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/imageformats/libqgif.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", False),
        ("PySide6/Qt/lib/libQt6Quick.so.6", True),
        ("PySide6/Qt/lib/libQt6Qml.so.6", True),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", False),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", False),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
        ("PySide6/Qt/lib/libQt6DBus.so.6", False),
        ("libgtk-3.so.0", True),
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("streamchat_desktop/resources/icons/streamchat-16.png", False),
        ("streamchat_desktop/companion/static/index.html", False),
    ],
)
def test_filter_drops_only_what_the_app_never_loads(
    spec: dict[str, Any], dest: str, unwanted: bool
) -> None:
    assert spec["is_unwanted"](dest) is unwanted


def test_heavy_and_test_packages_are_excluded(spec: dict[str, Any]) -> None:
    excluded = set(spec["EXCLUDES"])
    assert {"tkinter", "numpy", "pytest", "PySide6.QtWebEngineCore", "PySide6.QtQuick"} <= (
        excluded
    )
    used = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtNetwork"}
    assert not used & excluded


def test_multiprocessing_is_excluded_and_the_app_never_uses_it(spec: dict[str, Any]) -> None:
    # Bundled, it brings PyInstaller's runtime hook importing it on every start; only
    # concurrent.futures' ProcessPoolExecutor (imported lazily) would need it.
    assert "multiprocessing" in spec["EXCLUDES"]
    for path in (ROOT / "streamchat_desktop").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "multiprocessing" not in source and "ProcessPoolExecutor" not in source, path
