"""``--attach PATH`` in the real program: files sent with the prompt; a missing or
unsupported one exits 2 with its reason, and nothing reaches the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.attachment_files import image_parts, png_bytes, text_parts
from tests.support.fake_openai import FakeOpenAIServer, Script
from tests.support.run_app import run_streamchat

pytestmark = pytest.mark.e2e


def ask(server: FakeOpenAIServer, profile: Path, *args: str) -> Any:
    return run_streamchat(
        profile, "--base-url", server.base_url, "--model", "m", "--exit-after-reply", *args
    )


def test_files_go_with_the_prompt(fake_openai: FakeOpenAIServer, tmp_path: Path, qapp: Any) -> None:
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(png_bytes(3000, 4000, fmt="JPEG"))
    notes = tmp_path / "notes.txt"
    notes.write_text("the otter is late", encoding="utf-8")
    fake_openai.enqueue(Script(deltas=["An ", "otter"]))

    result = ask(
        fake_openai, tmp_path / "p", "--prompt", "Who?", "--attach", str(picture),
        "--attach", str(notes),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout == "An otter"
    body = fake_openai.last_request.json
    [image] = image_parts(body)
    assert (image.width(), image.height()) == (1536, 2048)
    assert text_parts(body) == ["Who?", "Attached file: notes.txt\n```\nthe otter is late\n```"]


def test_files_without_text(fake_openai: FakeOpenAIServer, tmp_path: Path) -> None:
    notes = tmp_path / "q.md"
    notes.write_text("# What is 2+2?\n", encoding="utf-16")
    fake_openai.enqueue(Script(deltas=["4"]))
    result = ask(fake_openai, tmp_path / "p", "--prompt", "", "--attach", str(notes))
    assert result.returncode == 0, result.stderr
    assert text_parts(fake_openai.last_request.json) == [
        "Attached file: q.md\n```\n# What is 2+2?\n```"
    ]


def test_a_missing_file_exits_2_and_sends_nothing(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.pdf"
    result = ask(fake_openai, tmp_path / "p", "--prompt", "hi", "--attach", str(missing))
    assert result.returncode == 2
    assert result.stderr == (
        f"streamchat: {missing} does not exist or is not a file. Nothing was sent.\n"
    )
    assert result.stdout == "" and fake_openai.requests == []


def test_an_unsupported_kind_exits_2_and_sends_nothing(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    result = ask(fake_openai, tmp_path / "p", "--prompt", "hi", "--attach", str(archive))
    assert result.returncode == 2
    assert "bundle.zip cannot be attached: it is not a kind StreamChat can send." in result.stderr
    assert "Accepted: images (PNG, JPEG, WebP, GIF), PDFs" in result.stderr
    assert fake_openai.requests == []


def test_attach_needs_a_prompt(tmp_path: Path) -> None:
    result = run_streamchat(tmp_path / "p", "--attach", "x.png")
    assert result.returncode == 2
    assert "--attach needs --prompt" in result.stderr
