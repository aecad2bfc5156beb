"""Model output is untrusted: nothing in it is interpreted, loaded, or allowed to crash us."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from streamchat_desktop.ui.transcript.view import TranscriptView
from tests.ui.transcript.conftest import one_shot_html, stream_into


class RecordingView(TranscriptView):
    """Records every resource Qt asks for (there must be none)."""

    def __init__(self) -> None:
        super().__init__(open_links=False, frame_ms=60_000)
        self.requested: list[str] = []

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        self.requested.append(QUrl(name).toString())
        return super().loadResource(kind, name)


INVALID_UTF8 = b"ok \xff\xfe \xc3\x28 \xed\xa0\x80 end".decode("utf-8", "surrogateescape")
CONTROL = "".join(map(chr, range(32))) + "\x7f \u2028 \u2029 \ufdd0 \ufdd1 \ufffc"
SAMPLES = {
    "img tag": '<img src="http://127.0.0.1:9/x.png"> and <img src=http://evil.example/y.png>',
    "markdown image": "![tracker](http://127.0.0.1:9/pixel.gif) text ![local](file:///etc/passwd)",
    "script": "<script>alert('x')</script>\n\n<style>body{display:none}</style>",
    "html block": "<div>\n<iframe src=http://evil.example></iframe>\n</div>",
    "javascript link": "[click](javascript:alert(1)) [d](data:text/html,<b>x</b>) <javascript:x>",
    "control chars": CONTROL,
    "lone surrogates": "a\ud800b\udfffc \ud83d",
    "invalid utf-8": INVALID_UTF8,
    "deep list": "\n".join("  " * i + "- level" for i in range(150)),
    "deep quote": ">" * 300 + " deep",
    "huge table": "| a | b | c |\n|---|---|---|\n"
    + "".join(f"| {i} | x | y |\n" for i in range(400)),
    "unbalanced": "**bold *em `code [link](http://x" * 50,
}


@pytest.mark.parametrize("text", SAMPLES.values(), ids=SAMPLES.keys())
def test_hostile_input_is_shown_as_text_and_loads_nothing(qapp: object, text: str) -> None:
    streamed, reference = RecordingView(), RecordingView()
    pieces = [text[i : i + 13] for i in range(0, len(text), 13)]
    stream_into(streamed, pieces, [i % 5 == 0 for i in range(len(pieces))])
    document = streamed.document()
    assert document.toHtml() == one_shot_html(reference, text)
    assert streamed.requested == [] and reference.requested == []
    plain = document.toPlainText()
    assert "<img" not in plain or "<img" in text  # shown literally when present...
    assert "<script" not in document.toHtml().replace("&lt;script", "")  # ...never as markup
    for href in _anchors(document):
        assert href.split(":", 1)[0] in {
            "http",
            "https",
            "mailto",
            "copy",
            "wrap",
            "retry",
            "continue",
        }


def test_raw_html_is_visible_text(qapp: object) -> None:
    view = TranscriptView(open_links=False)
    view.set_messages([])
    stream_into(view, ["<b>not bold</b> <script>x()</script>"])
    assert "<b>not bold</b> <script>x()</script>" in view.document().toPlainText()


def test_a_one_megabyte_line_streams_without_crashing(qapp: object) -> None:
    view = RecordingView()
    line = "word " * 200_000
    pieces = [line[i : i + 65_536] for i in range(0, len(line), 65_536)]
    stream_into(view, pieces, [True] * len(pieces))
    assert view.reply_text("reply-1") == line  # kept whole; shown folded (fold.LINE_FOLD)
    assert "long line folded — show all" in view.document().toPlainText()
    assert view.requested == []


def test_load_resource_refuses_everything(qapp: object) -> None:
    view = TranscriptView(open_links=False)
    for url in ("http://127.0.0.1:9/a.png", "file:///etc/passwd", "qrc:/x", "data:,x"):
        assert (
            view.loadResource(int(QTextDocument.ResourceType.ImageResource.value), QUrl(url))
            is None
        )


def _anchors(document: QTextDocument) -> list[str]:
    found: list[str] = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fmt = iterator.fragment().charFormat()
            if fmt.isAnchor():
                found.append(fmt.anchorHref())
            iterator += 1
        block = block.next()
    return found
