"""Where the app keeps its files: one profile directory holds everything.

``--profile DIR`` puts settings, the database and logs under DIR; without it the
platform's per-user directories are used (via platformdirs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "StreamChat"
APP_AUTHOR = "StreamChat"


@dataclass(frozen=True, slots=True)
class Profile:
    """The files of one profile. Creating it makes no directory; ``ensure`` does."""

    root: Path

    @classmethod
    def default(cls) -> Profile:
        import platformdirs

        return cls(Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)))

    @classmethod
    def at(cls, directory: str | Path | None) -> Profile:
        return cls(Path(directory).expanduser().resolve()) if directory else cls.default()

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def database_file(self) -> Path:
        return self.root / "conversations.sqlite3"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "streamchat.log"

    def is_read_only(self) -> bool:
        """The folder exists but cannot be written (a read-only mount, another user's)."""
        return self.root.is_dir() and not os.access(self.root, os.W_OK)

    def ensure(self) -> Profile:
        """Create the folders; a read-only profile runs without a log folder of its own."""
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self.log_dir.mkdir(exist_ok=True)
        except OSError:
            if not self.is_read_only():
                raise
        return self
