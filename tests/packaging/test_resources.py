"""The packaging inputs in resources/ agree with each other and with the app.

Icons: every size exists, has the size its name says, the ICO/ICNS containers hold
what they should, the committed PNGs are what the SVG renders today, and the app's
own copies are the same files. The .desktop entry, AppStream metadata and Windows
version info name the same app id, command and version as the package.
"""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts import make_icons
from streamchat_desktop import __version__
from streamchat_desktop.resources import icon_paths

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
APP_ID = "io.github.streamchat.StreamChat"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def ico_entries(data: bytes) -> list[tuple[int, bytes]]:
    """(size, image bytes) of each image in an ICO file."""
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    entries = []
    for i in range(count):
        w, h, _, _, _, _, size, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i : 22 + 16 * i])
        assert w == h
        entries.append((w or 256, data[offset : offset + size]))
    return entries


def icns_entries(data: bytes) -> dict[bytes, bytes]:
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    found, pos = {}, 8
    while pos < len(data):
        kind, length = struct.unpack(">4sI", data[pos : pos + 8])
        found[kind] = data[pos + 8 : pos + length]
        pos += length
    return found


@pytest.mark.parametrize("size", make_icons.PNG_SIZES)
def test_each_png_size_exists_at_its_size(size: int) -> None:
    data = (make_icons.PNG_DIR / make_icons.png_name(size)).read_bytes()
    assert png_size(data) == (size, size)


def test_app_ships_the_same_icons_it_finds_at_run_time() -> None:
    paths = icon_paths()
    assert [png_size(p.read_bytes())[0] for p in paths] == sorted(make_icons.PNG_SIZES)
    for path in paths:
        assert path.read_bytes() == (make_icons.PNG_DIR / path.name).read_bytes()


def test_ico_holds_every_windows_size_as_png() -> None:
    entries = ico_entries(make_icons.ICO.read_bytes())
    assert [size for size, _ in entries] == list(make_icons.ICO_SIZES)
    for size, image in entries:
        assert png_size(image) == (size, size)


def test_icns_holds_every_macos_type_at_its_size() -> None:
    entries = icns_entries(make_icons.ICNS.read_bytes())
    assert set(entries) == {kind for kind, _ in make_icons.ICNS_TYPES}
    for kind, size in make_icons.ICNS_TYPES:
        assert png_size(entries[kind]) == (size, size), kind


@pytest.mark.parametrize("size", [16, 48, 256])
def test_committed_pngs_are_what_the_svg_renders(qapp: object, size: int) -> None:
    from PySide6.QtGui import QImage

    fresh = QImage.fromData(make_icons.render_png(make_icons.SVG, size))
    committed = QImage(str(make_icons.PNG_DIR / make_icons.png_name(size)))
    assert not fresh.isNull() and not committed.isNull()
    worst = 0
    for y in range(size):
        for x in range(size):
            a, b = fresh.pixelColor(x, y), committed.pixelColor(x, y)
            worst = max(
                worst,
                abs(a.red() - b.red()),
                abs(a.green() - b.green()),
                abs(a.blue() - b.blue()),
                abs(a.alpha() - b.alpha()),
            )
    assert worst <= 2, "resources/ is stale: run scripts/make_icons.py"


def read_desktop() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_launches_the_installed_command_with_the_app_icon() -> None:
    entry = read_desktop()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "StreamChat"
    assert entry["Exec"].split()[0] in scripts
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert "Network" in entry["Categories"].split(";")
    assert entry["Categories"].endswith(";") and entry["Keywords"].endswith(";")


def test_app_declares_the_same_desktop_file_name() -> None:
    source = (ROOT / "streamchat_desktop" / "app" / "launch.py").read_text(encoding="utf-8")
    assert f'setDesktopFileName("{APP_ID}")' in source


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils")
def test_desktop_entry_passes_desktop_file_validate() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_metainfo_names_the_desktop_entry_binary_and_current_version() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("provides/binary") == read_desktop()["Exec"].split()[0]
    versions = [r.get("version") for r in root.iter("release")]
    assert versions[0] == __version__, "add a <release> for the new version"


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream")
def test_metainfo_passes_appstreamcli_validate() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_windows_version_info_matches_the_package_version() -> None:
    text = (RESOURCES / "windows_version_info.txt").read_text(encoding="utf-8")
    parts = [int(p) for p in __version__.split(".")]
    numeric = tuple([*parts, 0, 0, 0, 0][:4])
    assert f"filevers={numeric}" in text and f"prodvers={numeric}" in text
    assert f"StringStruct('FileVersion', '{__version__}')" in text
    assert f"StringStruct('ProductVersion', '{__version__}')" in text
