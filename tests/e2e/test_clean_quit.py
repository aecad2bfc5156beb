"""A clean quit leaves a clean log: every task the app started is awaited or cancelled.

The real program streams a reply to a real companion view (python-socketio clients on
WebSocket and on long-polling, one of which sends its own prompt), and is asked to quit
while that reply still streams. Before the fix the log filled with "Task was destroyed
but it is pending!", "no running event loop" and "closing a provider failed".
"""

from __future__ import annotations

import signal
from functools import partial
from pathlib import Path

import pytest

from tests.support.app_log import at_least
from tests.support.companion_client import CompanionClient, read_announced, start_with_companion
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.fake_openai_gate import Gate
from tests.support.run_app import reaped

pytestmark = pytest.mark.e2e


HELD = "v19 "  # the last word before the server holds the stream open


def desktop_answer_done(view: CompanionClient) -> bool:
    """The desktop's reply ended: announced live, or already complete in the snapshot."""
    for name, data in list(view.events):
        if name == "message:finished":
            return True
        if name == "snapshot" and any(m["state"] == "complete" for m in data["messages"]):
            return True
    return False


def streamed_up_to(view: CompanionClient, text: str) -> bool:
    received = "".join(d["text"] for n, d in list(view.events) if n == "message:delta")
    return received.endswith(text)


@pytest.mark.parametrize("quit_by", ["SIGTERM", "SIGINT"])
def test_quit_after_companion_use_leaves_no_warning_in_the_log(
    fake_openai: FakeOpenAIServer, tmp_path: Path, quit_by: str
) -> None:
    gate = Gate(after=20)
    fake_openai.enqueue(
        Script(deltas=["desktop ", "answer ", "done"]),
        Script(deltas=[f"v{i} " for i in range(50)], gate=gate),
    )
    profile = tmp_path / "profile"
    app = start_with_companion(profile, fake_openai.base_url, "from the desktop")
    with reaped(app):
        announced = read_announced(app)
        polling = CompanionClient(announced, transport="polling").connect()
        viewer = CompanionClient(announced).connect()
        try:
            viewer.wait_for(lambda: desktop_answer_done(viewer), 60, "the desktop's answer")
            [snapshot] = [data for name, data in viewer.events if name == "snapshot"]
            prompt = {
                "conversation_id": snapshot["active_conversation_id"],
                "text": "from the view",
            }
            ack = viewer.call("prompt:send", prompt)
            assert ack["ok"] is True, ack
            fake_openai.wait_for_requests(2, 60)
            for view in (viewer, polling):
                view.wait_for(
                    partial(streamed_up_to, view, HELD),
                    60,
                    f"the second answer streams to the {view.transport} view",
                )
            app.send_signal(getattr(signal, quit_by))
            app.wait(120)
        finally:
            gate.release()
            viewer.close()
            polling.close()
        assert app.stderr is not None
        stderr = app.stderr.read()
    assert (app.returncode, stderr) == (0, "")
    assert at_least("WARNING", profile / "logs" / "streamchat.log") == []
