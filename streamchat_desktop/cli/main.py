"""The ``streamchat`` command line: launch the window, or run a script-friendly subcommand.

Parsing imports nothing heavy: Qt, the openai SDK and SQLite code load only for the
path that needs them, so ``--version`` and the subcommands answer at once.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from streamchat_desktop import __version__
from streamchat_desktop.cli import exit_codes

# Subcommand module -> the command names its ``register(subparsers)`` adds (each parser
# gets ``func``). build_parser imports only the modules whose names argv holds: launching
# the window imports none of them (they pull in dataclasses, pathlib, storage…: ≈ 5–7 ms).
COMMANDS: dict[str, tuple[str, ...]] = {
    "streamchat_desktop.cli.providers": ("providers",),
    "streamchat_desktop.cli.keys": ("keys",),
    "streamchat_desktop.cli.export": ("export", "import"),
    "streamchat_desktop.cli.mcp": ("mcp",),
}


def _profile_option(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """Take ``--profile DIR`` from anywhere in argv, so it works after a subcommand too."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--profile")
    known, rest = pre.parse_known_args(list(argv))
    return known.profile, rest


def _asks_for_help(argv: Sequence[str]) -> bool:
    """``-h``, ``--help`` or an abbreviation argparse accepts for it (``--he``)."""
    return any(word == "-h" or (len(word) > 2 and "--help".startswith(word)) for word in argv)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser, with the subcommands ``argv`` may need (None: all).

    A subcommand module is imported when argv holds one of its command names, or asks for
    help (which lists them all); the others get an empty placeholder parser, so an unknown
    command's error still names every choice. A placeholder is never chosen: its name is
    not in argv. Over-registering is harmless (a name used as an option's value).
    """
    parser = argparse.ArgumentParser(
        prog="streamchat",
        description="Stream chat-model answers word by word from OpenAI or any\n"
        "OpenAI-compatible server (Ollama, LM Studio, vLLM, llama.cpp, OpenRouter, Groq…).",
        epilog=exit_codes.epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"streamchat {__version__}")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="keep all state (settings, database, logs) under DIR "
        "(default: the platform's user directories); works with every subcommand",
    )
    parser.add_argument("--provider", metavar="ID", help="launch with this configured provider")
    parser.add_argument("--base-url", metavar="URL", help="OpenAI-compatible base URL to use")
    parser.add_argument("--model", metavar="NAME", help="model to ask")
    parser.add_argument("--prompt", metavar="TEXT", help="send TEXT once the window is up")
    parser.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="PATH",
        help="with --prompt: send this file with it (repeatable): images (PNG, JPEG, WebP, "
        "GIF), PDFs with a text layer, text or code files; a missing or unsupported file "
        "exits 2 and nothing is sent",
    )
    parser.add_argument(
        "--exit-after-reply",
        action="store_true",
        help="with --prompt: print the reply to stdout as it streams, then quit "
        "(exit 0 when it finished, non-zero with the reason on stderr otherwise: see below)",
    )
    parser.add_argument(
        "--allow-tools",
        metavar="all|NAME[,NAME…]",
        help="with --exit-after-reply: run these tools when the model calls them "
        "(others are declined and named on stderr); in the window you approve each call",
    )
    parser.add_argument(
        "--companion", action="store_true", help="start the companion view endpoint"
    )
    parser.add_argument(
        "--companion-port", type=int, metavar="N", help="companion port (implies --companion)"
    )
    parser.add_argument(
        "--selftest", action="store_true", help="check Qt plugins, keychain and bundled assets"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    words = None if argv is None or _asks_for_help(argv) else set(argv)
    for module, names in COMMANDS.items():
        if words is None or words.intersection(names):
            importlib.import_module(module).register(subparsers)
        else:
            for name in names:
                subparsers.add_parser(name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # a reader that went away shows here, not in the exit's flush
        return code
    except KeyboardInterrupt:  # Ctrl+C before the app's own handler is set (or in a command)
        print("streamchat: interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """stdout's reader closed the pipe (``streamchat export | head``): stop quietly, with
    the code a shell gives the standard tools killed by SIGPIPE (128 + 13)."""
    from streamchat_desktop.cli.stdout_guard import silence_stdout

    silence_stdout()
    return exit_codes.READER_GONE


def _split_dashes(argv: Sequence[str]) -> tuple[list[str], list[str] | None]:
    """Words before ``mcp add … --`` and after it (a command line to run, verbatim).

    Only ``mcp add`` takes a command line: anywhere else ``--`` is left to argparse,
    so a ``--`` elsewhere is never mistaken for the start of a command to run."""
    words = list(argv)
    if "--" not in words:
        return words, None
    at = words.index("--")
    before = words[:at]
    if not any(before[i : i + 2] == ["mcp", "add"] for i in range(len(before) - 1)):
        return words, None
    return before, words[at + 1 :]


def _main(argv: Sequence[str] | None) -> int:
    words, after_dashes = _split_dashes(sys.argv[1:] if argv is None else argv)
    profile, rest = _profile_option(words)
    parser = build_parser(rest)
    args = parser.parse_args(rest)
    args.profile = profile
    args.after_dashes = after_dashes
    if args.command:
        return int(args.func(args))
    if args.exit_after_reply and not (args.prompt or (args.attach and args.prompt == "")):
        parser.error("--exit-after-reply needs --prompt")
    if args.attach and args.prompt is None:
        parser.error("--attach needs --prompt")
    args.attachments = []
    if args.attach:
        from streamchat_desktop.cli.attach import attachments_or_exit

        read = attachments_or_exit(args.attach)
        if isinstance(read, int):
            return read
        args.attachments = read
    if args.allow_tools is not None and not args.exit_after_reply:
        parser.error("--allow-tools is for scripts: use it with --exit-after-reply")
    if args.allow_tools is not None and not args.allow_tools.strip(", "):
        parser.error("--allow-tools needs 'all' or a comma-separated list of tool names")
    if args.companion_port is not None:
        args.companion = True
    if args.selftest:
        from streamchat_desktop.app.selftest import run_selftest

        return run_selftest(sys.stdout)
    from streamchat_desktop.app.launch import run_app

    args.end_process_when_done = True  # the program ends with its quit path
    return run_app(args)
