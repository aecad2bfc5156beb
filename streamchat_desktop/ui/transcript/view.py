"""TranscriptView: the conversation as one QTextBrowser, rendered live at one flush per frame.

The renderer (Markdown parser, document writer, text formats) and the domain model load
with the first message, not with the view: the window's first frame does not wait for them.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QTimer, QUrl, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from streamchat_desktop.ui.throttle import Throttle
from streamchat_desktop.ui.transcript.document_host import DocumentHost
from streamchat_desktop.ui.transcript.exact_copy import ExactCopy
from streamchat_desktop.ui.transcript.links import TranscriptLinks
from streamchat_desktop.ui.transcript.live_tools import LiveToolCalls
from streamchat_desktop.ui.transcript.message_focus import MessageFocus
from streamchat_desktop.ui.transcript.tool_display import ToolDisplay

if TYPE_CHECKING:
    from streamchat_desktop.core.models import Message
    from streamchat_desktop.ui.transcript.attachments import ThumbnailSource
    from streamchat_desktop.ui.transcript.messages import MessageWriter
    from streamchat_desktop.ui.transcript.stream import LiveReply
    from streamchat_desktop.ui.transcript.theme import Theme

log = logging.getLogger(__name__)

SLICE_CHARACTERS = 1_000  # shown characters rendered per step of a flush
SLICE_SECONDS = 0.010  # a flush takes steps until this long (Qt's layout comes on top)
BACKLOG_GAP_MS = 1  # between the slices of a backlog, the loop runs everything else


class TranscriptView(TranscriptLinks, LiveToolCalls, MessageFocus, DocumentHost, ExactCopy):
    """The transcript of one conversation; a reply streams into it through a frame throttle.

    Signals:
        retry_requested(message_id): the Retry link under a failed reply was clicked.
        continue_requested(message_id): the Continue link under a cut reply was clicked.
        attachment_activated(attachment): a file or thumbnail under a prompt was clicked.
        model_change_requested(message_id): "Retry with another model" was clicked.
        link_activated(url): an http, https or mailto link was clicked (and opened).
        flushed(seconds): a flush rendered buffered deltas (for tests and benchmarks).
        tool_decision_requested(call_id, decision): a choice under a waiting tool call.
    """

    retry_requested = Signal(str)
    continue_requested = Signal(str)
    attachment_activated = Signal(object)
    model_change_requested = Signal(str)
    tool_decision_requested = Signal(str, str)  # call id, "allow_once"/"always_allow"/"deny"
    link_activated = Signal(QUrl)
    flushed = Signal(float)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        frame_ms: int = 16,
        open_links: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self.setUndoRedoEnabled(False)
        self._open_links = open_links
        self._theme: Theme | None = None  # with the writer, on first use
        self._loaded_writer: MessageWriter | None = None
        self._thumbnails: ThumbnailSource | None = None
        self._tools = ToolDisplay()
        self._wraps: set[str] = set()  # Wrap links clicked on: their blocks are written wrapped
        self._tool_clock: QTimer | None = None  # ticks while a tool call runs
        self._live_start = (0, True)  # where the live reply's header went (pen position, reuse)
        self._messages: list[Message] = []
        self._expanded: set[str] = set()
        self._folded_by_user: set[str] = set()  # a streaming reply stays folded once folded
        self._live: LiveReply | None = None
        self._following = True
        self._updating = False
        self._throttle = Throttle(self._flush, frame_ms, self)
        self.folded_dialog: QWidget | None = None  # the last "show all" opened
        from streamchat_desktop.ui.transcript.opening import EarlierMessages

        self._earlier = EarlierMessages(
            self._prepend_messages,
            lambda: self.document().characterCount(),
            lambda: self._live is not None,
            self,
        )
        self._install_document(self._new_document())
        self.anchorClicked.connect(self._on_anchor_clicked)
        self._init_focus()
        self._init_follow()

    @property
    def _writer(self) -> MessageWriter:
        if self._loaded_writer is None:
            from streamchat_desktop.ui.transcript.messages import MessageWriter
            from streamchat_desktop.ui.transcript.theme import Theme

            self._theme = Theme.from_palette(self.palette())
            self._loaded_writer = MessageWriter(self._theme, self._thumbnails, self._tools)
            self._loaded_writer.markdown.wraps = self._wraps
        return self._loaded_writer

    def set_thumbnail_source(self, thumbnails: ThumbnailSource) -> None:
        """Where the thumbnails of attached images come from (their bytes are stored)."""
        self._thumbnails = thumbnails
        if self._loaded_writer is not None:
            self._loaded_writer.thumbnails = thumbnails

    # Public API -----------------------------------------------------------------------

    def set_messages(self, messages: Sequence[Message]) -> None:
        """Show a conversation: its last screen now, the earlier messages above it while
        the loop is idle or as the view is scrolled up (``opening``)."""
        from streamchat_desktop.ui.transcript.context import Pen
        from streamchat_desktop.ui.transcript.opening import opening_split

        self._throttle.cancel()
        self._live = None
        self._messages = list(messages)
        live = self._messages[-1] if self._messages else None
        if live is not None and not live.is_streaming_reply:
            live = None
        shown = self._messages[:-1] if live else self._messages
        first = opening_split(shown)
        document = self._new_document()
        self._writer.headers.clear()
        pen = Pen(QTextCursor(document), reuse=True)
        if first:
            self._writer.write_earlier_note(pen, first)
        for message in shown[first:]:
            self._writer.write_message(
                pen, message, reasoning_expanded=message.id in self._expanded
            )
        self._install_document(document, pen.reuse)
        self._earlier.start(self._messages, first)
        self._following = True
        if live is not None:
            self._messages.pop()
            self.begin_reply(live)
            if live.reasoning:
                self.append_reasoning(live.id, live.reasoning)
            if live.content:
                self.append_text(live.id, live.content[len(self._live_prefix()) :])
            self._throttle.flush()
        self._scroll_to_bottom()
        self.refresh_actions()

    def earlier_pending(self) -> int:
        """How many of the first messages are not rendered yet (0: all are)."""
        return self._earlier.pending

    def _prepend_messages(self, start: int, end: int) -> None:
        """Write messages ``[start, end)`` between the note at the top and the rest,
        keeping the view where it was (``opening.EarlierMessages``)."""
        from streamchat_desktop.ui.transcript.context import Pen

        document = self.document()
        bar = self.verticalScrollBar()
        value, maximum, following = bar.value(), bar.maximum(), self._following
        size = document.characterCount()
        cursor = QTextCursor(document.begin())
        self._updating = True
        cursor.beginEditBlock()
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        pen = Pen(cursor, reuse=False)
        for message in self._messages[start:end]:
            self._writer.write_message(
                pen, message, reasoning_expanded=message.id in self._expanded
            )
        if start:
            self._writer.update_earlier_note(document, start)
        else:
            self._writer.remove_earlier_note(document)
        cursor.endEditBlock()
        self._updating = False
        live = self._live
        if live is not None:
            added = document.characterCount() - size
            live.answer.shift(0, added)
            live.reasoning_end += added
        if following:
            self._scroll_to_bottom()
        else:
            bar.setValue(value + bar.maximum() - maximum)

    def begin_reply(self, message: Message) -> None:
        """Open an assistant block at the end; its text comes through ``append_text``."""
        if self._live is not None:
            self._finish_live(self._live.ending or self._live.message)
        if message.id not in self._folded_by_user:
            self._expanded.add(message.id)  # a streaming reply's thinking starts unfolded
        self._messages.append(message)
        from streamchat_desktop.ui.transcript.stream import AnswerStream, LiveReply

        with self._editing():
            self._live_start = (self._pen.position, self._pen.reuse)
            self._writer.write_header(self._pen, message)
            reasoning_end = self._pen.position
            rest, line = self._writer.write_tool_calls(self._pen, message)
            answer = AnswerStream(self._writer.markdown, self._pen, message.id, line)
            prefix = message.content[: len(message.content) - len(rest)]
            self._live = LiveReply(message, answer, reasoning_end=reasoning_end, prefix=prefix)

    def append_text(self, message_id: str, text: str) -> None:
        live = self._live
        if live is None or live.message.id != message_id or not text:
            return
        live.answer.feed(text)
        self._throttle()

    def append_reasoning(self, message_id: str, text: str) -> None:
        live = self._live
        if live is None or live.message.id != message_id or not text:
            return
        live.reasoning_pending.append(text)
        self._throttle()

    def end_reply(self, message: Message) -> None:
        """Flush, render the rest for good, then note how the reply ended."""
        live = self._live
        if live is None or live.message.id != message.id:
            if all(m.id != message.id for m in self._messages):
                self._messages.append(message)
                with self._editing():
                    self._writer.write_message(self._pen, message, reasoning_expanded=False)
            return
        if not live.answer.received and message.content:
            live.answer.feed(message.content)
        if not live.reasoning and not live.reasoning_pending and message.reasoning:
            live.reasoning_pending.append(message.reasoning)
        if live.answer.backlog > SLICE_CHARACTERS:
            from streamchat_desktop.core.models import MessageState

            if message.state is MessageState.COMPLETE:
                live.ending = message  # a big backlog: rendered in slices first, then finished
                self._throttle.again(BACKLOG_GAP_MS)
                return
            live.answer.fold_rest()  # stopped (or failed): it ends now, the rest folded
        # a block drawn waiting or running (Stop, an error) must not keep its choices
        drawn_open = any(not record.status.ended for record in live.message.tool_calls)
        self._finish_live(message)
        if drawn_open:
            self._rebuild()

    def reply_text(self, message_id: str) -> str:
        """The Markdown received so far for ``message_id`` (newlines normalised)."""
        if self._live is not None and self._live.message.id == message_id:
            return self._live.prefix + self._live.answer.text()
        from streamchat_desktop.ui.transcript.messages import clean

        for message in self._messages:
            if message.id == message_id:
                return clean(message.content)
        return ""

    def set_reasoning_expanded(self, message_id: str, expanded: bool) -> None:
        """Unfold (or fold) the reasoning of a reply; streaming replies start unfolded."""
        if (message_id in self._expanded) != expanded:
            self._toggle_reasoning(message_id)

    def message_ids(self) -> list[str]:
        """The messages shown, in order (the live reply included)."""
        return [m.id for m in self._messages]

    def append_message(self, message: Message) -> None:
        """Add a message after the others (the prompt just sent), rendering only it."""
        if self._live is not None:
            self._finish_live(self._live.ending or self._live.message)
        self._messages.append(message)
        with self._editing():
            self._writer.write_message(self._pen, message, reasoning_expanded=False)
        self._following = True
        self._scroll_to_bottom()

    def flush_pending(self) -> None:
        """Render buffered deltas now instead of at the next frame."""
        self._throttle.flush()

    def pending_characters(self) -> int:
        """Characters of the live reply received but not rendered yet (0: all shown)."""
        live = self._live
        if live is None:
            return 0
        return live.answer.backlog + (1 if live.ending is not None else 0)

    # Rendering ------------------------------------------------------------------------

    def _flush(self) -> None:
        """Render what arrived: one step at least, then until ``SLICE_SECONDS``; a backlog goes
        on next frame."""
        live = self._live
        if live is None:
            return
        started = time.perf_counter()
        with self._editing():
            self._flush_reasoning(live)
            while live.answer.dirty:  # one step at least: a flush always makes progress
                live.answer.flush(room=SLICE_CHARACTERS, show_tail=False)
                if time.perf_counter() - started >= SLICE_SECONDS:
                    break
            if not live.answer.dirty:  # caught up: the open tail, once (not in a backlog)
                live.answer.flush(room=0)
        self.flushed.emit(time.perf_counter() - started)
        if live.ending is not None and live.answer.backlog <= SLICE_CHARACTERS:
            self._finish_live(live.ending)
        elif live.answer.dirty:
            self._throttle.again(BACKLOG_GAP_MS)

    def _flush_reasoning(self, live: LiveReply) -> None:
        if not live.reasoning_pending:
            return
        from streamchat_desktop.ui.transcript.context import Pen
        from streamchat_desktop.ui.transcript.messages import clean

        text = clean("".join(live.reasoning_pending))
        live.reasoning_pending.clear()
        first = not live.reasoning
        live.reasoning.append(text)
        expanded = live.message.id in self._expanded
        if not first and not expanded:
            return
        document = self.document()
        before = document.characterCount()
        cursor = QTextCursor(document)
        cursor.setPosition(live.reasoning_end)
        pen = Pen(cursor, reuse=False)
        if first:
            self._writer.write_reasoning_toggle(pen, live.message.id, expanded=expanded)
        if expanded:
            self._writer.write_reasoning(pen, live.message.id, text, fresh=first)
        live.answer.shift(live.reasoning_end, document.characterCount() - before)
        live.reasoning_end = pen.position

    def _finish_live(self, message: Message) -> None:
        live = self._live
        assert live is not None
        self._throttle.cancel()
        started = time.perf_counter()
        with self._editing():
            self._flush_reasoning(live)
            live.answer.flush(final=True)
            final = dataclasses.replace(
                message,
                content=live.prefix + live.answer.text(),
                reasoning="".join(live.reasoning),
            )
            self._writer.write_status(self._pen, final)
        self._live = None
        self._messages = [final if m.id == final.id else m for m in self._messages]
        self.flushed.emit(time.perf_counter() - started)

    def _rebuild(self) -> None:
        """Render everything again (theme change, a reply's reasoning folded or unfolded)."""
        from streamchat_desktop.core.models import MessageState

        live = self._live
        messages = list(self._messages)
        if live is not None:
            current = dataclasses.replace(
                live.message,
                content=live.prefix + live.answer.text(),
                reasoning="".join(live.reasoning) + "".join(live.reasoning_pending),
                state=MessageState.STREAMING,
            )
            messages[-1] = current
        bar = self.verticalScrollBar()
        value, following, pending = bar.value(), self._following, self._earlier.pending
        self.set_messages(messages)
        if not following:
            self._earlier.load_to(pending)  # as much as was shown, so the view stays put
            bar.setValue(value)
            self._following = False

    # Qt overrides ---------------------------------------------------------------------

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Never load anything: no remote images, no stylesheets, no local files."""
        log.debug("refused to load resource %s", QUrl(name).toString())
        return None

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_column(self.viewport().width())  # zoomed: the column scales with it
        if event.type() == QEvent.Type.PaletteChange and self._theme is not None:
            from streamchat_desktop.ui.transcript.theme import Theme

            theme = Theme.from_palette(self.palette())
            if theme.dark != self._theme.dark or theme.text != self._theme.text:
                self._loaded_writer = None  # made again with the new theme (``_writer``)
                self._rebuild()
