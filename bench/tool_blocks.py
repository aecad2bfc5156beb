"""Tool block benchmark: what one tool-call change costs the transcript, in a long
conversation, when only the live reply is rendered again (ours) versus the whole
conversation (the baseline: ``_rebuild``). The last line is JSON.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/tool_blocks.py [--messages 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from PySide6.QtWidgets import QApplication

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.core.tools import ToolCall, ToolCallRecord, ToolStatus
from streamchat_desktop.ui.transcript.view import TranscriptView

PARAGRAPH = "Streaming answers word by word keeps the reader in the loop. " * 12


def conversation(count: int) -> list[Message]:
    return [
        Message(Role.USER if i % 2 == 0 else Role.ASSISTANT, f"{i}: {PARAGRAPH}", id=f"m{i}")
        for i in range(count)
    ]


def run(count: int, rounds: int, *, whole: bool) -> list[float]:
    view = TranscriptView(open_links=False)
    view.resize(800, 600)
    view.set_messages(conversation(count))
    view.begin_reply(Message(Role.ASSISTANT, "", id="live", state=MessageState.STREAMING))
    view.append_text("live", "Let me look that up. ")
    view.flush_pending()
    timings = []
    for index in range(rounds):
        call = ToolCall(f"c{index}", "search", '{"query": "streaming"}')
        for status in (ToolStatus.PENDING, ToolStatus.RUNNING, ToolStatus.DONE):
            started = time.perf_counter()
            view.update_tool_call("live", ToolCallRecord(call, "web", status, "found it"))
            if whole:
                view._rebuild()  # the baseline: the whole conversation rendered again
            timings.append(time.perf_counter() - started)
    view.deleteLater()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    ours = run(args.messages, args.rounds, whole=False)
    baseline = run(args.messages, args.rounds, whole=True)
    app.processEvents()
    result = {
        "messages": args.messages,
        "changes": len(ours),
        "ours_ms_median": round(statistics.median(ours) * 1000, 2),
        "baseline_ms_median": round(statistics.median(baseline) * 1000, 2),
        "speedup": round(statistics.median(baseline) / statistics.median(ours), 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
