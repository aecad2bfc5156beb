"""``--exit-after-reply`` output: the answer on stdout, the end on stderr, and an exit
code exactly once, even when the reader of stdout went away (``streamchat … | head``)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest

from streamchat_desktop.cli.reply_printer import ReplyPrinter
from streamchat_desktop.core.errors import ChatError, ErrorKind
from streamchat_desktop.core.events import (
    Cancelled,
    Failed,
    Finished,
    ReplyStats,
    TerminalEvent,
    TextDelta,
)
from streamchat_desktop.core.models import Conversation, Message, Role
from streamchat_desktop.core.observers import ReplyStart

STATS = ReplyStats(None, 0.0, None, None, None)


@pytest.fixture
def closed_pipe() -> Iterator[io.TextIOWrapper]:
    """A stdout whose reader has gone: every flush raises BrokenPipeError."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    out = io.TextIOWrapper(io.BufferedWriter(io.FileIO(write_end, "w")), encoding="utf-8")
    yield out
    try:
        out.close()
    except BrokenPipeError:
        out.buffer.raw.close()


def started(printer: ReplyPrinter) -> Message:
    conversation = Conversation()
    reply = Message(role=Role.ASSISTANT, content="", conversation_id=conversation.id)
    printer.reply_started(ReplyStart(conversation, reply))
    return reply


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (Finished("stop", STATS), 0),
        (Failed(ChatError(ErrorKind.SERVER, "boom"), STATS), 1),
        (Cancelled(STATS), 130),
    ],
)
def test_each_end_gives_its_exit_code_once(event: TerminalEvent, code: int) -> None:
    out, err, codes = io.StringIO(), io.StringIO(), []
    printer = ReplyPrinter(out, err, codes.append)
    reply = started(printer)
    printer.reply_event(reply.conversation_id, reply.id, TextDelta("Hello"))
    printer.reply_ended(reply, event)

    assert codes == [code]
    assert out.getvalue() == "Hello"
    assert ("boom" in err.getvalue()) is (code == 1)


def test_a_closed_stdout_still_ends_the_run(closed_pipe: io.TextIOWrapper) -> None:
    err, codes = io.StringIO(), []
    printer = ReplyPrinter(closed_pipe, err, codes.append)
    reply = started(printer)
    with pytest.raises(BrokenPipeError):  # the service logs it and goes on
        printer.reply_event(reply.conversation_id, reply.id, TextDelta("Hello"))
    printer.reply_ended(reply, Finished("stop", STATS))

    assert codes == [1]  # the answer did not reach its reader: not a success
