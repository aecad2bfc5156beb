"""Every exit code of ``streamchat``, in one place: the code uses these names, and ``--help``
and the README list the same table."""

from __future__ import annotations

OK = 0
FAILED = 1  # the reply failed, a command failed, or the app could not start
USAGE = 2  # the command line is wrong: unknown option, provider or URL, no key for a script
ALREADY_RUNNING = 3  # a script's prompt (--exit-after-reply) found the profile in use
INTERRUPTED = 130  # Ctrl+C, or the reply was stopped (128 + SIGINT)
READER_GONE = 141  # stdout's reader closed the pipe, e.g. `| head` (128 + SIGPIPE)

MEANINGS: tuple[tuple[int, str], ...] = (
    (OK, "done: the command worked, the window was closed, the reply finished"),
    (
        FAILED,
        "failed: the reply or the command failed, or the app could not start "
        "(the reason is on stderr)",
    ),
    (USAGE, "wrong usage: an unknown option, provider or URL, or no key for a script"),
    (
        ALREADY_RUNNING,
        "with --exit-after-reply: StreamChat already runs with this profile, "
        "so the prompt was not sent (use another --profile, or quit it)",
    ),
    (INTERRUPTED, "interrupted by Ctrl+C, or the reply was stopped"),
    (READER_GONE, "stdout's reader went away (for example `| head`); nothing is printed"),
)


def epilog(width: int = 79) -> str:
    """The exit codes as ``--help`` shows them (wrapped: the parser keeps the layout)."""
    import textwrap

    lines = ["exit codes:"]
    for code, meaning in MEANINGS:
        lines += textwrap.wrap(
            meaning, width, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7
        )
    return "\n".join(lines)
