"""Issue 2: logs go to a rotating file inside the profile and never carry a key —
not in a message, its arguments, nor a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamchat_desktop.config.logging_setup import register_secret, setup_logging
from streamchat_desktop.config.paths import Profile

SECRET = "gsk_registeredsecretvalue0123456789"
SHAPED = "sk-proj-looks-like-a-key-ABCDEF012345"


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Profile]:
    profile = Profile.at(str(tmp_path / "profile")).ensure()
    root = logging.getLogger()
    level = root.level
    assert setup_logging(profile.log_file) is None
    yield profile
    for handler in [h for h in root.handlers if getattr(h, "_streamchat", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture
def unwritable_log(tmp_path: Path) -> Iterator[Profile]:
    """A profile whose log file cannot be opened: a folder stands where it should be."""
    profile = Profile.at(str(tmp_path / "profile")).ensure()
    profile.log_file.mkdir()
    yield profile
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_streamchat", False)]:
        root.removeHandler(handler)


def test_a_log_file_that_cannot_be_opened_is_reported_not_raised(
    unwritable_log: Profile, capfd: pytest.CaptureFixture[str]
) -> None:
    problem = setup_logging(unwritable_log.log_file)
    assert problem is not None
    assert str(unwritable_log.log_file) in problem and "not logged" in problem
    logging.getLogger("streamchat_desktop.audit").warning("dropped, not printed")
    assert capfd.readouterr().err == ""  # no fallback to Python's last-resort stderr


def test_logs_rotate_inside_the_profile_and_hold_no_key(profile: Profile) -> None:
    assert profile.log_file.parent.parent == profile.root
    register_secret(SECRET)
    log = logging.getLogger("streamchat_desktop.audit")
    line = "x" * 900
    for i in range(8_000):  # ≈ 7.5 MB: more than the 1 MB × (1 + 5) kept
        log.info("line %d %s key=%s other=%s", i, line, SECRET, SHAPED)
    try:
        raise ValueError(f"failed with {SECRET} and Bearer {SHAPED}")
    except ValueError:
        log.exception("with a traceback")
    files = sorted(profile.log_file.parent.iterdir())
    assert [f.name for f in files] == ["streamchat.log"] + [
        f"streamchat.log.{i}" for i in range(1, 6)
    ]
    assert all(f.stat().st_size <= 1_100_000 for f in files)
    text = "".join(f.read_text("utf-8") for f in files)
    assert "line 7999" in text and "Traceback (most recent call last)" in text
    assert SECRET not in text and SHAPED not in text
    assert "key=*** other=***" in text
