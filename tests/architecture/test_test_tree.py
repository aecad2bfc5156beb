"""The test tree mirrors the package: each folder under tests/ is a package folder (at the
same path) or one of the named cross-cutting tiers, so a test is found where its code is."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "streamchat_desktop"
TESTS = ROOT / "tests"
TIERS = {
    "e2e": "the real program as a subprocess",
    "packaging": "the frozen build and its inputs",
    "architecture": "rules about the code and the tree",
    "support": "helpers and fixtures shared by the folders",
}


def folders(root: Path) -> set[Path]:
    """Every source folder under ``root`` (relative), caches and built assets left out."""
    return {
        path.relative_to(root)
        for path in root.rglob("*")
        if path.is_dir() and "__pycache__" not in path.parts and "static" not in path.parts
    }


def strays(tests: Path, package: Path) -> list[str]:
    """Test folders that are neither a package folder nor inside a named tier."""
    allowed = folders(package)
    return sorted(
        str(folder)
        for folder in folders(tests)
        if folder not in allowed and folder.parts[0] not in TIERS
    )


def test_every_test_folder_is_a_package_folder_or_a_named_tier() -> None:
    assert strays(TESTS, PACKAGE) == []


def test_a_stray_folder_is_found(tmp_path: Path) -> None:
    """The check itself looks: an old-style folder and a misplaced subfolder are named."""
    package, tests = tmp_path / "pkg", tmp_path / "tests"
    for folder in ("pkg/ui/transcript", "pkg/core", "tests/ui/transcript", "tests/e2e/data"):
        (tmp_path / folder).mkdir(parents=True)
    (tests / "settings").mkdir()
    (tests / "core" / "extra").mkdir(parents=True)
    assert strays(tests, package) == ["core/extra", "settings"]
