"""The real program, SIGKILLed while the model answers a prompt with files: started
again, the prompt still names its files and their bytes are all there (checked through
``streamchat export``), because they were written before the request."""

from __future__ import annotations

import base64
import hashlib
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.support.attachment_files import png_bytes
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.fake_openai_gate import Gate
from tests.support.run_app import ask_in_background, exported, reaped

pytestmark = pytest.mark.e2e


def test_sigkill_mid_send_keeps_the_files(
    fake_openai: FakeOpenAIServer, tmp_path: Path, qapp: Any
) -> None:
    picture = tmp_path / "chart.png"
    picture.write_bytes(png_bytes(2500, 1200))
    notes = tmp_path / "notes.md"
    notes.write_text("# Quarterly owls\n", encoding="utf-8")
    gate = Gate(after=2)
    fake_openai.enqueue(Script(deltas=["one ", "two ", "three"], gate=gate))
    profile = tmp_path / "profile"
    files = ("--attach", str(picture), "--attach", str(notes))
    app = ask_in_background(fake_openai.base_url, profile, "Read these", *files)
    with reaped(app):
        gate.wait_reached(timeout=60)  # the request is out and the answer is held
        app.send_signal(signal.SIGKILL)
        app.wait(30)
    gate.release()

    document = exported(profile)
    [conversation] = document["conversations"]
    prompt = conversation["messages"][0]
    assert [f["name"] for f in prompt["attachments"]] == ["chart.png", "notes.md"]
    for attached, original in zip(prompt["attachments"], (picture, notes), strict=True):
        data = base64.b64decode(document["files"][attached["sha256"]]["data"])
        assert data == original.read_bytes()
        assert attached["sha256"] == hashlib.sha256(data).hexdigest()
    # the answer it was killed in, exported as interrupted
    assert conversation["messages"][1]["state"] == "interrupted"
