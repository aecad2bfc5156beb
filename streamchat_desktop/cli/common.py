"""What the subcommands share: the profile they act on and how they report errors."""

from __future__ import annotations

import argparse
import sys

from streamchat_desktop.config.paths import Profile


def profile_of(args: argparse.Namespace) -> Profile:
    """``--profile DIR`` from the top-level parser, or the platform's default profile."""
    directory = getattr(args, "profile", None)
    return Profile.at(directory) if directory else Profile.default()


def fail(message: str, code: int = 1) -> int:
    """Print ``streamchat: message`` on stderr and return the exit code."""
    print(f"streamchat: {message}", file=sys.stderr)
    return code
