"""``streamchat --selftest``: check each part a packaged build can lose, one line per part.

Freezing silently drops what is loaded by name at run time (Qt plugins, keyring
backends found by entry points, engineio's async driver, pygments lexers, package
metadata read with ``importlib.metadata``) and data files (icons, the companion
page). Each check below exercises the real thing, not just an import, and says what
it found, so a user's report or a CI log names the missing part. The Qt check runs
last: a platform plugin that cannot load aborts the process, and by then every other
line has been printed.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from streamchat_desktop import __version__

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # streamchat_desktop/
COMPANION_INDEX = PACKAGE_DIR / "companion" / "static" / "index.html"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
IMAGE_FORMATS = ("png", "jpeg", "gif", "webp")  # the picture kinds attachments accept


class CheckFailedError(Exception):
    """A check found a known problem; the message says what and how to fix it."""


def check_keychain() -> str:
    from streamchat_desktop.config.keystore import (
        KeychainUnavailable,
        KeyStore,
        describe_keyring_default,
    )

    default = describe_keyring_default()
    store = KeyStore()
    try:
        name = store.backend_name()
        store.check()  # one real lookup: the keychain answers and is unlocked
    except KeychainUnavailable as exc:
        raise CheckFailedError(f"{exc} [keyring: {default}]") from exc
    return f"{name} answers [keyring: {default}]"


def check_assets() -> str:
    from streamchat_desktop.resources import icon_paths

    sizes = sorted(int(p.stem.rsplit("-", 1)[1]) for p in icon_paths())
    missing = sorted(set(ICON_SIZES) - set(sizes))
    problems = []
    if missing:
        problems.append(f"icons missing at sizes {missing}")
    if not COMPANION_INDEX.is_file():
        problems.append(f"companion page missing ({COMPANION_INDEX})")
    if problems:
        raise CheckFailedError("; ".join(problems))
    size = sum(f.stat().st_size for f in COMPANION_INDEX.parent.rglob("*") if f.is_file())
    return f"icons {sizes[0]}–{sizes[-1]} px ({len(sizes)}), companion page ({size // 1024} KiB)"


def _layer_check(check: Callable[[], str]) -> str:
    """A layer's own capability check: its RuntimeError is this check's failure."""
    try:
        return check()
    except RuntimeError as exc:
        raise CheckFailedError(str(exc)) from exc


def check_sqlite() -> str:
    from streamchat_desktop.storage.capabilities import check_full_text_search

    return _layer_check(check_full_text_search)


def check_openai() -> str:
    from streamchat_desktop.providers.openai_compat import check_sdk

    return check_sdk()


def check_markdown() -> str:
    import markdown_it
    import pygments
    from markdown_it import MarkdownIt
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name

    html = MarkdownIt("commonmark").enable("table").render("| a |\n|---|\n| b |\n")
    if "<table>" not in html:
        raise CheckFailedError("markdown-it did not render a table")
    lexers = ("python", "javascript", "bash", "json", "rust")
    for name in lexers:
        highlight("x = 1\n", get_lexer_by_name(name), HtmlFormatter())
    versions = f"markdown-it-py {markdown_it.__version__}, pygments {pygments.__version__}"
    return f"{versions} ({len(lexers)} lexers)"


def check_tools() -> str:
    from streamchat_desktop.tools.capabilities import check_tools_stack

    return _layer_check(check_tools_stack)


def check_pdf() -> str:
    from streamchat_desktop.attachments.pdf import check_pdf_reader

    return _layer_check(check_pdf_reader)


def check_companion_stack() -> str:
    import aiohttp
    import socketio
    from aiohttp import web

    server = socketio.AsyncServer(async_mode="aiohttp")  # engineio loads its driver by name
    server.attach(web.Application())
    driver = server.eio.async_mode
    return f"python-socketio (engineio driver {driver!r}) on aiohttp {aiohttp.__version__}"


def check_images() -> str:
    """Qt's image plugins for every picture kind attachments take load (plugins are
    found by name at run time: a frozen build can lose them)."""
    from PySide6.QtGui import QImageReader

    found = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = sorted(set(IMAGE_FORMATS) - found)
    if missing:
        raise CheckFailedError(f"Qt image plugins missing for {missing} (imageformats)")
    return f"Qt reads {', '.join(IMAGE_FORMATS)}"


def check_math() -> str:
    """One formula typeset and rasterised: ziamath's font, ziafont and latex2mathml's symbol
    table are data files a frozen build must bring along; QtSvg draws the result."""
    from streamchat_desktop.ui.transcript.math_typeset import typeset

    formula = typeset(r"\frac{a}{b} = \sqrt{x^2}", display=True, size=16, color="#000000", ratio=1)
    if formula is None:
        raise CheckFailedError("ziamath could not typeset a formula (its data files?)")
    image = formula.image
    inked = any(
        image.pixelColor(x, y).alpha() for x in range(image.width()) for y in range(image.height())
    )
    if not inked:
        raise CheckFailedError("QtSvg drew an empty formula")
    import ziamath

    size = f"{image.width()}×{image.height()} px"
    return f"ziamath {ziamath.__version__}: a formula typeset at {size}"


def _requested_platform() -> tuple[str, str]:
    """The Qt platform to check, and a note when it had to be chosen here."""
    requested = os.environ.get("QT_QPA_PLATFORM", "")
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not requested and sys.platform.startswith("linux") and not has_display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return "offscreen", " (no display: offscreen chosen for the check)"
    return requested.split(";")[0].split(":")[0], ""


def check_qt() -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo

    plugin_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    bundled = sorted(
        p.name.removeprefix("lib").removeprefix("q").split(".")[0] for p in plugin_dir.glob("*q*")
    )
    requested, note = _requested_platform()
    if requested and requested not in bundled:
        raise CheckFailedError(f"platform plugin {requested!r} not in {plugin_dir} (has {bundled})")
    import qasync  # noqa: F401  (the event loop the app runs on)
    from PySide6.QtGui import QFontDatabase, QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    name = QGuiApplication.platformName()
    fonts = len(QFontDatabase.families())
    from streamchat_desktop.resources import icon_paths

    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    if icon.isNull() or icon.pixmap(32, 32).isNull():
        raise CheckFailedError("the app icon did not load (PNG image plugin?)")
    if fonts == 0:
        raise CheckFailedError(f"platform {name!r} has no font: install fonts-dejavu-core")
    del app
    return (
        f"PySide6 {pyside_version}, platform plugin {name!r}{note}; bundled: "
        f"{', '.join(bundled)}; {fonts} font families; icon loads"
    )


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("keychain", check_keychain),
    ("assets", check_assets),
    ("sqlite", check_sqlite),
    ("openai", check_openai),
    ("markdown", check_markdown),
    ("companion", check_companion_stack),
    ("tools", check_tools),
    ("pdf", check_pdf),
    ("images", check_images),  # the picture kinds attachments take
    ("math", check_math),  # formulas in answers (ziamath's fonts, QtSvg)
    ("qt", check_qt),  # last: a plugin that cannot load aborts the process
)


def run_selftest(out: TextIO) -> int:
    """Run every check, one line each (``ok`` or ``FAIL``); 0 only when all pass."""
    frozen = "frozen" if getattr(sys, "frozen", False) else "source"
    out.write(
        f"streamchat {__version__} ({frozen}), Python {platform.python_version()} "
        f"on {platform.system()} {platform.machine()}\n"
    )
    out.flush()
    failed = 0
    for name, check in CHECKS:
        try:
            detail, ok = check(), True
        except CheckFailedError as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # an unexpected break is still a finding: name it
            last = traceback.extract_tb(exc.__traceback__)[-1]
            detail = f"{type(exc).__name__}: {exc} (at {Path(last.filename).name}:{last.lineno})"
            ok = False
        failed += not ok
        out.write(f"{'ok  ' if ok else 'FAIL'} {name:<10} {detail}\n")
        out.flush()
    out.write(f"selftest: {'all passed' if not failed else f'{failed} failed'}\n")
    out.flush()
    return 0 if not failed else 1
