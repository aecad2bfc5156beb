"""The transcript: a QTextBrowser rendering streamed Markdown incrementally, one flush a frame."""

from streamchat_desktop.ui.transcript.view import TranscriptView

__all__ = ["TranscriptView"]
