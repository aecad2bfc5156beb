"""A view that connects, takes its snapshot, then freezes (SIGSTOP): a stuck browser tab.

``python -m tests.companion.stuck_viewer URL TOKEN`` prints ``ready`` and stops itself;
the test that started it kills it by its pid.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import socketio


async def main(url: str, token: str) -> None:
    client = socketio.AsyncClient(reconnection=False)
    got_snapshot = asyncio.Event()
    client.on("snapshot", lambda _data: got_snapshot.set())
    await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
    await asyncio.wait_for(got_snapshot.wait(), 30)
    print("ready", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)  # never reads its socket again


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
