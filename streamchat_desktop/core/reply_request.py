"""What a reply asks the model: the conversation's turns, and the nudge that continues
a cut answer.

Apart from ``ChatService`` because turning stored messages into the model's turns
(system prompt, prompts with their files, answers with their tool calls) is a pure
translation with no state: the service decides when to ask, this decides what is sent.
"""

from __future__ import annotations

from collections.abc import Callable

from streamchat_desktop.core.attachments import ContentPart
from streamchat_desktop.core.models import ChatRequest, ChatTurn, Conversation, Message, Role
from streamchat_desktop.core.tool_history import reply_turns

# Sent (not stored) after an answer cut by the token limit, to have it continued.
CONTINUE_PROMPT = (
    "Continue your previous answer exactly where it stopped. Do not repeat anything "
    "and do not add any preamble."
)

# The content parts a stored message's attachments add to its turn (attachments layer).
PartsOf = Callable[[Message], tuple[ContentPart, ...]]


def reply_request(
    conversation: Conversation,
    model: str,
    history: list[Message],
    parts_of: PartsOf | None = None,
    continuing: Message | None = None,
) -> ChatRequest:
    """The request for an answer to ``history``, or for the rest of ``continuing``
    (the last answer, not part of ``history``)."""
    if continuing is None:
        turns = build_turns(conversation, history, parts_of)
    else:
        turns = build_turns(conversation, [*history, continuing], parts_of)
        turns += (ChatTurn(Role.USER, CONTINUE_PROMPT),)
    return ChatRequest(model=model, messages=turns, temperature=conversation.temperature)


def build_turns(
    conversation: Conversation, history: list[Message], parts_of: PartsOf | None = None
) -> tuple[ChatTurn, ...]:
    """The messages sent to the model: system prompt, then every turn with content
    (text, or files: each resend sends a prompt's attachments again)."""
    turns: list[ChatTurn] = []
    if conversation.system_prompt.strip():
        turns.append(ChatTurn(Role.SYSTEM, conversation.system_prompt))
    for message in history:
        if message.role is Role.SYSTEM:
            continue
        if message.role is Role.ASSISTANT:
            turns.extend(reply_turns(message))  # with its tool calls and their results
            continue
        parts = parts_of(message) if parts_of and message.attachments else ()
        if message.content or parts:
            turns.append(ChatTurn(message.role, message.content, parts))
    return tuple(turns)
