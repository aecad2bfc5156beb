"""What a search hit is to the UI: the item roles and the result protocol that the search
panel and its hit painter share (apart from both, so neither imports the other)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from streamchat_desktop.core.models import Role

HTML_ROLE = Qt.ItemDataRole.UserRole + 10
HIT_ROLE = Qt.ItemDataRole.UserRole + 11


class SearchResult(Protocol):
    """What the panel shows of a hit (``storage.SearchHit`` is one)."""

    @property
    def conversation_id(self) -> str: ...
    @property
    def conversation_title(self) -> str: ...
    @property
    def message_id(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def snippet(self) -> str: ...
    @property
    def highlights(self) -> tuple[tuple[int, int], ...]: ...
    @property
    def created_at(self) -> float: ...
    @property
    def attachment_name(self) -> str | None:
        """The attached file the match is in (None: in the message's own text)."""
        ...


SearchFunction = Callable[[str], Sequence[SearchResult]]
