"""Qt's own warnings reach the log file, also those from before the log was opened."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from PySide6.QtCore import qInstallMessageHandler, qWarning

from streamchat_desktop.app.launch import QtMessages


@pytest.fixture
def messages() -> Iterator[QtMessages]:
    routed = QtMessages()
    previous = routed.install()
    yield routed
    qInstallMessageHandler(previous)


def test_messages_wait_for_the_log_then_flow_into_it(
    messages: QtMessages, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="qt"):
        qWarning("before the log")
        assert [r.getMessage() for r in caplog.records] == []  # kept, not printed
        messages.log_opened()
        qWarning("after the log")
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("qt", logging.WARNING, "before the log"),
        ("qt", logging.WARNING, "after the log"),
    ]
