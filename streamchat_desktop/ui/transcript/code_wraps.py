"""Which code blocks the reader wrapped, kept by the view so a re-render writes them wrapped.

A block is known by its Wrap link (``wrap:<message id>:<first source line>``): the renderer
writes the same link for the same block on every render, streamed or one-shot, so nothing
is hashed. States are kept per conversation: another conversation's block at the same
place (same message id and line) is never wrapped by them. A regenerated reply or an edited
prompt is a new message (a new id): the old one's states stay with the old version.
"""

from __future__ import annotations


class CodeWraps:
    """The wrapped code blocks of each conversation; ``href in wraps`` asks the shown one."""

    def __init__(self) -> None:
        self._by_conversation: dict[str, set[str]] = {}
        self._shown: set[str] = set()

    def show(self, conversation_id: str) -> None:
        """The conversation whose states apply from now on."""
        self._shown = self._by_conversation.setdefault(conversation_id, set())

    def __contains__(self, href: object) -> bool:
        return href in self._shown

    def set(self, href: str, wrapped: bool) -> None:
        """Remember the reader's choice for the block behind the Wrap link ``href``."""
        if wrapped:
            self._shown.add(href)
        else:
            self._shown.discard(href)
