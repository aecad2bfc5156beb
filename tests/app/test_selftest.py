"""``streamchat --selftest`` from the source tree: every part checked, failures named."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from streamchat_desktop.app import selftest
from tests.support.selftest_output import (
    CHECK_NAMES,
    parse,
    run_selftest,
)

SOURCE = [sys.executable, "-m", "streamchat_desktop"]


def test_selftest_reports_every_part_on_its_own_line() -> None:
    run = run_selftest(SOURCE)
    assert run.header.startswith("streamchat ") and "(source)" in run.header
    assert tuple(run.checks) == CHECK_NAMES
    assert run.checks["sqlite"][0] and "FTS5" in run.checks["sqlite"][1]
    assert run.checks["openai"][0] and "openai 3." in run.checks["openai"][1]
    assert run.checks["markdown"][0], run.checks["markdown"]
    assert run.checks["companion"][0] and "'aiohttp'" in run.checks["companion"][1]
    assert run.checks["tools"][0] and "mcp 2." in run.checks["tools"][1], run.checks["tools"]
    assert run.checks["pdf"][0] and "pypdf 7." in run.checks["pdf"][1], run.checks["pdf"]
    assert run.checks["images"] == (True, "Qt reads png, jpeg, gif, webp")
    assert run.checks["math"][0] and "ziamath 0.13" in run.checks["math"][1], run.checks["math"]
    qt_ok, qt_detail = run.checks["qt"]
    assert qt_ok and "platform plugin 'offscreen'" in qt_detail, qt_detail
    assert (run.returncode == 0) == (not run.failed())
    assert run.summary == (
        "selftest: all passed" if not run.failed() else f"selftest: {len(run.failed())} failed"
    )


@pytest.mark.keychain
def test_selftest_passes_in_the_source_tree(keychain_env: dict[str, str]) -> None:
    """Every part passes: the keychain is the tests' own gnome-keyring, the companion page
    the one scripts/setup.sh built."""
    run = run_selftest(SOURCE)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "keyring.backends.fail" not in run.checks["keychain"][1]


def test_fail_backend_is_reported_as_a_failure() -> None:
    run = run_selftest(SOURCE, env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    ok, detail = run.checks["keychain"]
    assert not ok
    assert "keyring.backends.fail.Keyring" in detail and "the fail backend" in detail
    assert run.returncode == 1


def test_missing_companion_page_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(selftest, "COMPANION_INDEX", tmp_path / "static" / "index.html")
    with pytest.raises(selftest.CheckFailedError, match="companion page missing"):
        selftest.check_assets()


def test_an_unexpected_error_fails_its_check_with_its_location(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> str:
        raise KeyError("boom")

    monkeypatch.setattr(selftest, "CHECKS", (("sqlite", selftest.check_sqlite), ("x", broken)))
    out = io.StringIO()
    assert selftest.run_selftest(out) == 1
    _, checks, summary = parse(out.getvalue())
    assert checks["sqlite"][0]
    assert (
        not checks["x"][0]
        and "KeyError" in checks["x"][1]
        and "test_selftest.py" in (checks["x"][1])
    )
    assert summary == "selftest: 1 failed"


def test_selftest_looks_for_the_page_where_the_companion_server_serves_it() -> None:
    from streamchat_desktop.companion.server import STATIC_DIR

    assert selftest.COMPANION_INDEX == STATIC_DIR / "index.html"
