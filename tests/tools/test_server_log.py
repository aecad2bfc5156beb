"""A server's stderr reaches the log line by line, each cut at LINE_LIMIT characters."""

from __future__ import annotations

from streamchat_desktop.tools.server_log import LINE_LIMIT, StderrPipe


def test_lines_are_kept_cut_and_a_huge_line_is_not_held_whole() -> None:
    pipe = StderrPipe("test")
    pipe.writer.write("starting\n")
    pipe.writer.write("x" * (LINE_LIMIT * 50) + "\n")  # far longer than the limit
    pipe.writer.write("ready\n")
    pipe.child_started()  # our end closed: the reader sees the end once this is read

    tail = pipe.tail(wait=30.0).splitlines()

    assert tail == ["starting", "x" * LINE_LIMIT, "ready"]
