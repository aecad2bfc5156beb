"""Reading ``streamchat --selftest`` output, shared by the source and frozen tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CHECK_NAMES = (
    "keychain",
    "assets",
    "sqlite",
    "openai",
    "markdown",
    "companion",
    "tools",
    "pdf",
    "images",
    "math",
    "qt",
)
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SelftestRun:
    returncode: int
    header: str
    checks: dict[str, tuple[bool, str]]  # name -> (passed, detail)
    summary: str
    stdout: str
    stderr: str

    def failed(self) -> dict[str, str]:
        return {name: detail for name, (ok, detail) in self.checks.items() if not ok}


def parse(stdout: str) -> tuple[str, dict[str, tuple[bool, str]], str]:
    lines = stdout.strip().splitlines()
    checks: dict[str, tuple[bool, str]] = {}
    for line in lines[1:-1]:
        status, name, detail = line[:4], line[5:15].strip(), line[16:]
        assert status in ("ok  ", "FAIL"), line
        checks[name] = (status == "ok  ", detail)
    return lines[0], checks, lines[-1]


def run_selftest(argv: Sequence[str], env: dict[str, str] | None = None) -> SelftestRun:
    merged = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    merged.update(env or {})
    result = subprocess.run(
        [*argv, "--selftest"],
        cwd=ROOT,
        env=merged,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    header, checks, summary = parse(result.stdout)
    return SelftestRun(result.returncode, header, checks, summary, result.stdout, result.stderr)
