"""The message under the pointer and the one the keyboard selected, and the action bar
that floats over it.

Hit-testing goes through ``MessageSpans`` (a binary search over header blocks), so a mouse
move never walks the document. Whoever knows the conversation sets ``describe`` to say
what the bar offers on a message; without it the bar stays hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, Signal
from PySide6.QtGui import QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import QMenu
from shiboken6 import isValid

from streamchat_desktop.ui.transcript.action_bar import (
    MessageAction,
    MessageActionBar,
    MessageOffer,
)
from streamchat_desktop.ui.transcript.look import TranscriptLook

if TYPE_CHECKING:
    from streamchat_desktop.core.models import Message
    from streamchat_desktop.ui.transcript.message_spans import MessageSpans
    from streamchat_desktop.ui.transcript.messages import MessageWriter

BAR_INSET = 6
MENU_LABELS = {
    MessageAction.COPY_MARKDOWN: "Copy as Markdown",
    MessageAction.COPY_TEXT: "Copy as plain text",
    MessageAction.EDIT: "Edit prompt",
    MessageAction.REGENERATE: "Regenerate answer",
    MessageAction.PREVIOUS_VERSION: "Previous version",
    MessageAction.NEXT_VERSION: "Next version",
    MessageAction.CONTINUE: "Continue answer",
    MessageAction.DELETE: "Delete message",
}


class MessageFocus(TranscriptLook):
    """Hover, keyboard selection and the action bar of ``view.TranscriptView``.

    Signals:
        message_action_requested(action, message_id): a ``MessageAction`` was asked for.
    """

    message_action_requested = Signal(str, str)
    _messages: list[Message]
    _following: bool

    if TYPE_CHECKING:

        @property
        def _writer(self) -> MessageWriter: ...  # the view's

    def _init_focus(self) -> None:
        self.describe: Callable[[str], MessageOffer | None] | None = None
        self._hovered: str | None = None
        self._selected: str | None = None
        self.action_bar = MessageActionBar(self.viewport())
        self.action_bar.action_requested.connect(self.message_action_requested)
        self.verticalScrollBar().valueChanged.connect(self._place_bar)

    # Which message ---------------------------------------------------------------------

    def _shown_ids(self) -> list[str]:
        from streamchat_desktop.core.models import Role

        return [m.id for m in self._messages if m.role is not Role.SYSTEM]

    def _spans(self) -> MessageSpans:
        from streamchat_desktop.ui.transcript.message_spans import MessageSpans

        return MessageSpans(self._writer.headers)  # loads with the renderer, not the view

    def message_at(self, point: QPoint) -> str | None:
        """The message under a viewport point."""
        where = QPointF(
            point.x() + self.horizontalScrollBar().value(),
            point.y() + self.verticalScrollBar().value(),
        )
        return self._spans().at_point(self.document(), self._shown_ids(), where)

    def selected_message(self) -> str | None:
        """The message the keyboard selected (Alt+Up / Alt+Down), if any."""
        return self._selected if self._selected in self._shown_ids() else None

    def target_message(self) -> str | None:
        """What a key acts on: the selected message, else the one under the pointer."""
        return self.selected_message() or self._hovered

    def select_step(self, step: int) -> str | None:
        """Select the previous (-1) or next (+1) message; from none, the last one."""
        ids = [mid for mid in self._shown_ids() if self._spans().header(mid) is not None]
        if not ids:
            return None
        current = self.selected_message()
        if current is None:
            index = len(ids) - 1
        else:
            index = max(0, min(len(ids) - 1, ids.index(current) + step))
        self.select_message(ids[index])
        return ids[index]

    def select_message(self, message_id: str | None) -> None:
        """Select ``message_id`` (None: clear), bring it into view and offer its actions."""
        self._selected = message_id
        if message_id is not None:
            span = self._spans().span(self.document(), self._shown_ids(), message_id)
            if span is not None:
                bar = self.verticalScrollBar()
                top, bottom = span
                if top < bar.value() or bottom > bar.value() + self.viewport().height():
                    self._following = False
                    bar.setValue(int(top))
            self._show_bar(message_id)
        elif self._hovered is None:
            self.action_bar.hide()
        self.viewport().update()

    def selected_span(self) -> tuple[float, float] | None:
        selected = self.selected_message()
        if selected is None:
            return None
        return self._spans().span(self.document(), self._shown_ids(), selected)

    # The bar ---------------------------------------------------------------------------

    def refresh_actions(self) -> None:
        """The conversation changed (a new version, a delete): offer again."""
        shown = self.target_message()
        if shown is None:
            self.action_bar.hide()
        else:
            self._show_bar(shown)
        self.viewport().update()

    def _show_bar(self, message_id: str) -> None:
        offer = self.describe(message_id) if self.describe is not None else None
        if offer is None:
            self.action_bar.hide()
            return
        self.action_bar.offer(offer)
        self.action_bar.show()
        self.action_bar.raise_()
        self._place_bar()

    def _place_bar(self, *_args: object) -> None:
        from streamchat_desktop.ui.transcript.message_spans import SPAN_PAD

        bar = self.action_bar
        if bar.isHidden() or not bar.message_id:
            return
        span = self._spans().span(self.document(), self._shown_ids(), bar.message_id)
        if span is None:
            bar.hide()
            return
        scroll = self.verticalScrollBar().value()
        frame = self.document().rootFrame().frameFormat()
        right = int(self.viewport().width() - frame.rightMargin()) + BAR_INSET
        header = self._spans().header(bar.message_id)
        line = header.layout().boundingRect().height() if header is not None else 0.0
        top = int(span[0] + SPAN_PAD + line / 2) - scroll - bar.height() // 2  # on its header
        bottom = int(span[1]) - scroll - bar.height()
        y = max(BAR_INSET, min(top, bottom))  # sticks to the top while a long answer scrolls
        bar.move(max(0, right - bar.width()), y)

    # Qt events -------------------------------------------------------------------------

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        hovered = self.message_at(event.position().toPoint())
        if hovered != self._hovered:
            self._hovered = hovered
            shown = hovered or self.selected_message()
            if shown is None:
                self.action_bar.hide()
            else:
                self._show_bar(shown)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click leaves the keyboard's selection (the pointer takes over)."""
        if self._selected is not None:
            self.select_message(None)
        super().mousePressEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if not isinstance(self, MessageFocus):
            # Qt sends the viewport a Leave while the view is being destroyed, when
            # PySide no longer sees this class in the wrapper: super() would raise
            return False
        if event.type() == QEvent.Type.Leave and not self.action_bar.underMouse():
            self._hovered = None
            selected = self.selected_message()
            if selected is None:
                self.action_bar.hide()
            elif self.action_bar.message_id != selected:
                self._show_bar(selected)
        try:
            return super().viewportEvent(event)
        except RuntimeError:
            if isValid(self):  # a real error of a handler: not ours to hide
                raise
            return False  # the C++ view went while Qt was still delivering the event

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The usual menu (Copy, Select All…) plus the actions of the message there."""
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            target = self.message_at(event.pos())
        else:  # the Menu key or Shift+F10: the selected message
            target = self.target_message()
        menu = self.context_menu(event.pos(), target)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def context_menu(self, pos: QPoint, target: str | None) -> QMenu:
        """The standard menu at ``pos`` with the actions ``target`` offers below it."""
        menu = self.createStandardContextMenu(pos)
        offer = self.describe(target) if target and self.describe is not None else None
        if offer is None or target is None:
            return menu
        self.action_bar.offer(offer)
        menu.addSeparator()
        for action in self.action_bar.visible_actions():
            item = menu.addAction(MENU_LABELS[action])
            item.triggered.connect(
                lambda _=False, a=action, m=target: self.message_action_requested.emit(a.value, m)
            )
        return menu
