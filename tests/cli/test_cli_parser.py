"""The command-line parser imports only the subcommand modules argv names.

A plain launch of the window must not pay for the subcommand modules of
``streamchat_desktop.cli``; every command line must still parse (or fail, or print help)
exactly as with all of them.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.cli.main import COMMANDS, build_parser
from tests.support.run_app import app_env, reaped

ROOT = Path(__file__).resolve().parents[2]
COMMAND_NAMES = [name for names in COMMANDS.values() for name in names]

ARGVS = [
    [],
    ["--model", "m", "--prompt", "hello there", "--companion"],
    ["--exit-after-reply", "--prompt", "hi"],
    ["--model", "keys"],  # a command name as an option's value: still the window
    ["--companion-port", "abc"],
    ["--version"],
    ["-h"],
    ["--help"],
    ["--he"],  # argparse's abbreviation of --help
    ["keys", "-h"],
    ["keys"],  # its ACTION is required
    ["keys", "list"],
    ["keys", "set", "openai"],
    ["providers", "list"],
    ["providers", "add", "x", "--base-url", "http://127.0.0.1:9/v1"],
    ["export", "--format", "json"],
    ["export", "keys"],
    ["import", "-"],
    ["bogus"],  # the error names every command
    ["--model", "m", "bogus"],
    ["--", "x"],
    ["-1"],
]


def outcome(parser: argparse.ArgumentParser, argv: list[str], capsys: Any) -> tuple[Any, ...]:
    """What parsing argv does: its namespace (func by name) or exit status, and output."""
    try:
        namespace = vars(parser.parse_args(argv))
    except SystemExit as exit_:
        result: Any = ("exit", exit_.code)
    else:
        func = namespace.pop("func", None)
        result = (namespace, getattr(func, "__qualname__", None), getattr(func, "__module__", None))
    out, err = capsys.readouterr()
    return result, out, err


@pytest.mark.parametrize("argv", ARGVS, ids=" ".join)
def test_parses_like_the_parser_with_every_command(argv: list[str], capsys: Any) -> None:
    assert outcome(build_parser(argv), argv, capsys) == outcome(build_parser(), argv, capsys)


def test_help_lists_every_command_with_its_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "streamchat_desktop", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for name in COMMAND_NAMES:
        assert f"\n    {name} " in result.stdout, result.stdout
    assert "store, list or delete API keys" in result.stdout


def loaded_commands(script: str, *argv: str) -> list[str]:
    """Run script in a clean interpreter; the command modules it had imported at the end."""
    script += (
        "subcommands = {'common', 'export', 'keys', 'providers'}\n"
        "print(*sorted(m for m in sys.modules if m.startswith('streamchat_desktop.cli.')"
        " and m.rsplit('.', 1)[1] in subcommands), sep='\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("streamchat_desktop")]


def test_launching_the_window_imports_no_subcommand_module(tmp_path: Path) -> None:
    launch = (  # main() as in a launch of the window, with run_app replaced
        "import sys, types\n"
        "launched = []\n"
        "app = types.ModuleType('streamchat_desktop.app.launch')\n"
        "app.run_app = lambda args: launched.append(args) or 0\n"
        "sys.modules['streamchat_desktop.app.launch'] = app\n"
        "from streamchat_desktop.cli.main import main\n"
        "assert main(sys.argv[1:]) == 0\n"
        "assert launched[0].model == 'm' and launched[0].profile == sys.argv[2]\n"
    )
    argv = ("--profile", str(tmp_path), "--model", "m", "--prompt", "hi", "--companion")
    assert loaded_commands(launch, *argv) == []


def test_a_subcommand_imports_only_its_own_module(tmp_path: Path) -> None:
    run = (
        "import sys\nfrom streamchat_desktop.cli.main import main\nassert main(sys.argv[1:]) == 0\n"
    )
    assert loaded_commands(run, "providers", "list", "--profile", str(tmp_path)) == [
        "streamchat_desktop.cli.common",
        "streamchat_desktop.cli.providers",
    ]


# ``python -m streamchat_desktop``, saying on stdout when the command starts to read stdin;
# Ctrl+C acts as in a terminal even if this test runs where SIGINT is ignored (a job
# started in the background by a non-interactive shell passes that on to its children)
ANNOUNCING_STDIN = """
import io, runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)

class Announcing(io.BufferedReader):
    def read(self, size=-1):
        print("reading stdin", flush=True)
        return super().read(size)

sys.stdin = io.TextIOWrapper(Announcing(io.FileIO(0, closefd=False)))
runpy.run_module("streamchat_desktop", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_in_a_command_ends_it_quietly(tmp_path: Path) -> None:
    """Ctrl+C while ``import -`` waits for its input: exit 130, one line, no traceback."""
    command = subprocess.Popen(
        [sys.executable, "-c", ANNOUNCING_STDIN, "--profile", str(tmp_path), "import", "-"],
        cwd=ROOT, env=app_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with reaped(command):
        assert command.stdout is not None
        assert command.stdout.readline() == "reading stdin\n"  # well inside main()
        command.send_signal(signal.SIGINT)
        _, stderr = command.communicate(timeout=30)
    assert command.returncode == 130
    assert stderr == "streamchat: interrupted\n"
