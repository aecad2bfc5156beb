"""Attachments on the wire: content parts as OpenAI takes them, checked by the server,
and a model that cannot see named as such."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from streamchat_desktop.attachments.parts import content_part
from streamchat_desktop.attachments.prepare import prepare, read_path
from streamchat_desktop.core.attachments import ImagePart
from streamchat_desktop.core.errors import ErrorKind
from streamchat_desktop.core.models import ChatRequest, ChatTurn, Role
from streamchat_desktop.imaging.images import prepare_image
from streamchat_desktop.providers.base import Endpoint
from streamchat_desktop.providers.openai_compat import OpenAICompatibleProvider
from tests.providers.streaming import collect
from tests.support import fake_openai_wire as wire
from tests.support.attachment_files import image_parts, pdf_with_text, png_bytes, text_parts
from tests.support.fake_openai import FakeOpenAIServer, Script

RunAsync = Callable[..., Any]
SEEING = ChatTurn(Role.USER, "see?", (ImagePart("data:image/png;base64,iVBORw0KGgo="),))


def test_image_and_text_parts_reach_the_server(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    tmp_path: Path,
    qapp: Any,
) -> None:
    picture = tmp_path / "wide.png"
    picture.write_bytes(png_bytes(4000, 1000))
    pdf = pdf_with_text(tmp_path / "memo.pdf", ["Meet the walrus at noon"])
    notes = "Grüße aus dem Norden\n".encode("utf-16")  # with its BOM
    contents = [
        read_path(picture, prepare_image),
        read_path(pdf, prepare_image),
        prepare("notes.txt", notes, prepare_image),
    ]
    turn = ChatTurn(Role.USER, "What is in these?", tuple(content_part(c) for c in contents))
    fake_openai.enqueue(Script(deltas=["A", " walrus"]))

    out = run_async(collect(provider, ChatRequest(model="m", messages=(turn,))))

    assert out.error is None and out.text == "A walrus"
    body = fake_openai.last_request.json
    content = body["messages"][0]["content"]
    assert [part["type"] for part in content] == ["text", "image_url", "text", "text"]
    assert content[0] == {"type": "text", "text": "What is in these?"}
    [image] = image_parts(body)
    assert (image.width(), image.height()) == (2048, 512)  # fits 2,048, aspect 4:1 kept
    texts = text_parts(body)
    assert texts[1].startswith("Attached PDF: memo.pdf (1 page)\n")
    assert "walrus" in texts[1]
    assert texts[2].startswith("Attached file: notes.txt\n```\n")
    assert "Grüße aus dem Norden" in texts[2]


def test_a_turn_without_parts_stays_plain_text(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(Script(deltas=["ok"]))
    run_async(collect(provider, ChatRequest("m", (ChatTurn(Role.USER, "hi"),))))
    assert fake_openai.last_request.json["messages"] == [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    "script",
    [
        wire.images_not_supported(),
        wire.http_error(400, "this model does not support vision"),
        wire.http_error(400, "Image input is not supported for this model"),
    ],
)
def test_a_model_that_cannot_see_is_named(
    fake_openai: FakeOpenAIServer,
    provider: OpenAICompatibleProvider,
    run_async: RunAsync,
    script: Script,
) -> None:
    fake_openai.enqueue(script)
    out = run_async(collect(provider, ChatRequest("m", (SEEING,))))
    assert out.error is not None
    assert out.error.kind is ErrorKind.IMAGES_REFUSED
    assert out.error.message.startswith("This model does not accept images (HTTP 400): ")


def test_a_400_naming_images_without_an_image_sent_is_a_bad_request(
    fake_openai: FakeOpenAIServer, provider: OpenAICompatibleProvider, run_async: RunAsync
) -> None:
    fake_openai.enqueue(wire.http_error(400, "image generation is not available here"))
    out = run_async(collect(provider, ChatRequest("m", (ChatTurn(Role.USER, "draw"),))))
    assert out.error is not None and out.error.kind is ErrorKind.BAD_REQUEST


def test_models_the_server_says_take_images_are_known(
    fake_openai: FakeOpenAIServer, run_async: RunAsync
) -> None:
    from streamchat_desktop.providers.probe import check_connection

    fake_openai.models = ["text-only", "open-router-vision", "ollama-vision", "quiet"]
    fake_openai.model_fields = {
        "text-only": {"architecture": {"input_modalities": ["text"]}},
        "open-router-vision": {"architecture": {"input_modalities": ["text", "image"]}},
        "ollama-vision": {"capabilities": ["completion", "vision"]},
    }
    check = run_async(check_connection(Endpoint(fake_openai.base_url), timeout=5.0))
    assert check.models == ("ollama-vision", "open-router-vision", "quiet", "text-only")
    assert check.image_models == {"open-router-vision", "ollama-vision"}
