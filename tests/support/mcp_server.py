"""The tests' own MCP server, written with the official ``mcp`` SDK (2.x ``MCPServer``).

Runs as a real process, over stdio or Streamable HTTP on 127.0.0.1:

    python -m tests.support.mcp_server stdio [--fail-start]
    python -m tests.support.mcp_server http --port 0 [--token T]   # prints its URL first

Tools: ``echo``, ``add``, ``env`` (reads a variable of its environment), ``wait``
(blocks until a file exists: a test's gate; ``hang`` never returns), ``crash`` (the
process dies mid-call), ``fail`` (an ``isError`` result), ``huge`` (a large result)
and ``picture`` (an image). ``wait`` and ``hang`` note their start and their
cancellation in files beside the gate, so tests wait for facts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.utilities.types import Image

# a 1×1 red PNG
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)

server = MCPServer("streamchat-test")


@server.tool()
def echo(text: str) -> str:
    """Say the text back."""
    return f"echo: {text}"


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def env(name: str) -> str:
    """The value of one of this server's environment variables, or '(unset)'."""
    return os.environ.get(name, "(unset)")


@server.tool()
async def wait(gate: str) -> str:
    """Wait until the file ``gate`` exists (notes ``gate.started`` / ``gate.cancelled``)."""
    path = Path(gate)
    Path(f"{gate}.started").write_text("1")
    try:
        while not path.exists():
            await asyncio.sleep(0.02)
    except asyncio.CancelledError:
        Path(f"{gate}.cancelled").write_text("1")
        raise
    return "gate opened"


@server.tool()
async def hang(note: str) -> str:
    """Never answer (notes ``note.started``)."""
    Path(f"{note}.started").write_text("1")
    await asyncio.Event().wait()
    return "unreachable"


@server.tool()
def crash() -> str:
    """Die in the middle of the call."""
    print("about to crash: simulated fault", file=sys.stderr, flush=True)
    os._exit(3)


@server.tool()
def fail(reason: str) -> str:
    """Raise: the client gets an isError result."""
    raise RuntimeError(f"tool failed: {reason}")


@server.tool()
def huge(size: int) -> str:
    """A result of ``size`` characters."""
    return "x" * size


@server.tool()
def picture() -> Image:
    """A tiny PNG."""
    return Image(data=PIXEL, format="png")


def run_http(port: int, token: str | None) -> None:
    import uvicorn
    from starlette.types import ASGIApp, Receive, Scope, Send

    app: ASGIApp = server.streamable_http_app()

    if token:
        inner = app

        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                headers = dict(scope.get("headers") or [])
                if headers.get(b"authorization") != f"Bearer {token}".encode():
                    await send({"type": "http.response.start", "status": 401, "headers": []})
                    await send({"type": "http.response.body", "body": b"unauthorized"})
                    return
            await inner(scope, receive, send)

        app = guarded
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    print(f"http://127.0.0.1:{sock.getsockname()[1]}/mcp", flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("transport", choices=["stdio", "http"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token")
    parser.add_argument("--fail-start", action="store_true")
    args = parser.parse_args()
    if args.fail_start:
        print("fatal: cannot open the index at /nonexistent/index.db", file=sys.stderr)
        sys.exit(2)
    print("test MCP server starting", file=sys.stderr, flush=True)
    if args.transport == "stdio":
        server.run()
    else:
        run_http(args.port, args.token)


if __name__ == "__main__":
    main()
