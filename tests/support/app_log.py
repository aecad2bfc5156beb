"""The real program's log file, read back as records (level, logger, message)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ([A-Z]+) (\S+): (.*)$")


@dataclass(frozen=True)
class Record:
    level: str
    logger: str
    message: str
    details: str  # the lines after it (a traceback)


def records(log_file: Path) -> list[Record]:
    found: list[Record] = []
    for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines():
        match = RECORD.match(line)
        if match:
            found.append(Record(*match.groups(), details=""))
        elif found:
            last = found[-1]
            found[-1] = Record(last.level, last.logger, last.message, last.details + line + "\n")
    return found


def at_least(level: str, log_file: Path) -> list[Record]:
    """The records at ``level`` or above (WARNING, ERROR, CRITICAL)."""
    order = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
    return [r for r in records(log_file) if order.index(r.level) >= order.index(level)]
