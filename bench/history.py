"""History benchmark: a profile of 100,000 messages; search latency, opening a
1,000-message conversation, and memory.

The text is real English: sentences from the docstrings of Python's standard library,
arranged into prompts and answers (answers with lists and code blocks), so word
frequencies and lengths look like a chat history, not like random letters.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/history.py [--messages 100000]

Measured:
  build        inserting every message through SqliteStore (FTS triggers included)
  open         SqliteStore.open on the finished file (integrity check + migrations)
  search       p50/p99/max over frequent, medium, rare, two-word, prefix and hostile
               queries (each run several times), limit 50 as the search panel asks
  load_1000    SqliteStore.messages() of the 1,000-message conversation
  transcript   TranscriptView.set_messages() of those 1,000 messages (if present)
  sidebar      ConversationSidebar.set_conversations() of every conversation (if present)
  rss          resident memory after all of the above (and the peak)
Human-readable lines first; the JSON summary is the last line.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import statistics
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamchat_desktop.core.models import (  # noqa: E402
    Conversation,
    Message,
    MessageState,
    Role,
)
from streamchat_desktop.storage import SqliteStore  # noqa: E402

LONG_CONVERSATION = 1000
BATCH = 5000
SEED = 20250101


def corpus() -> tuple[list[str], list[str]]:
    """Sentences and code lines from the standard library's docstrings and sources."""
    sentences: list[str] = []
    code: list[str] = []
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(stdlib.glob("*.py"))[:400]:
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        code.extend(line for line in source.splitlines() if 12 < len(line.strip()) < 80)
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef):
                doc = ast.get_docstring(node) or ""
                for sentence in re.split(r"(?<=[.!?])\s+", " ".join(doc.split())):
                    if 20 <= len(sentence) <= 300:
                        sentences.append(sentence)
    return sentences, code


class TextMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences, self.code = corpus()

    def prompt(self) -> str:
        return " ".join(self.rng.choices(self.sentences, k=self.rng.randint(1, 3)))

    def answer(self) -> str:
        rng = self.rng
        parts = [" ".join(rng.choices(self.sentences, k=rng.randint(2, 5)))]
        if rng.random() < 0.35:
            parts.append("\n".join(f"- {s}" for s in rng.choices(self.sentences, k=3)))
        if rng.random() < 0.25:
            start = rng.randrange(len(self.code) - 12)
            parts.append("```python\n" + "\n".join(self.code[start : start + 8]) + "\n```")
        parts.append(" ".join(rng.choices(self.sentences, k=rng.randint(1, 3))))
        return "\n\n".join(parts)


def build(store: SqliteStore, total: int, maker: TextMaker) -> tuple[str, float]:
    """Insert ``total`` messages; returns the 1,000-message conversation's id and seconds."""
    rng = maker.rng
    started = time.perf_counter()
    now = time.time()
    sizes = [LONG_CONVERSATION]
    while sum(sizes) < total:
        sizes.append(min(rng.choice((2, 4, 6, 10, 16, 24, 40, 80, 160)), total - sum(sizes)))
    rng.shuffle(sizes)
    long_id = ""
    pending = 0
    batch = store.batch()
    batch.__enter__()
    for index, size in enumerate(sizes):
        when = now - (len(sizes) - index) * 600.0
        conversation = Conversation(
            title=maker.prompt()[:60], model="gpt-4o", created_at=when, updated_at=when
        )
        store.create_conversation(conversation)
        if size == LONG_CONVERSATION and not long_id:
            long_id = conversation.id
        for turn in range(size):
            role = Role.USER if turn % 2 == 0 else Role.ASSISTANT
            text = maker.prompt() if role is Role.USER else maker.answer()
            store.add_message(
                Message(
                    role=role,
                    content=text,
                    conversation_id=conversation.id,
                    state=MessageState.COMPLETE,
                    created_at=when + turn,
                )
            )
            pending += 1
            if pending >= BATCH:
                batch.__exit__(None, None, None)
                batch = store.batch()
                batch.__enter__()
                pending = 0
    batch.__exit__(None, None, None)
    return long_id, time.perf_counter() - started


def queries(maker: TextMaker, rng: random.Random) -> dict[str, list[str]]:
    words = Counter(
        w.lower() for s in maker.sentences for w in re.findall(r"[A-Za-z]{4,}", s)
    ).most_common()
    ranked = [w for w, _ in words]
    frequent = ranked[:8]
    medium = ranked[300:308]
    rare = [w for w, n in words if n == 2][:8]
    return {
        "frequent": frequent,
        "medium": medium,
        "rare": rare,
        "two_words": [f"{a} {b}" for a, b in zip(medium, rng.sample(ranked[:200], 8), strict=True)],
        "prefix": [w[:4] for w in medium] + [w[:3] for w in frequent[:4]],
        "hostile": ['"', "AND", "-return", "NEAR(", "value*", "NOT self", "'; drop", "zzqxj"],
    }


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(value: float) -> float:
    return round(value * 1000, 2)


def qt_app() -> Any:
    """The QApplication for the widget measurements; None without PySide6."""
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication.instance() or QApplication([])


def shown_seconds(app: Any, widget: Any, fill: Callable[[], object], runs: int) -> list[float]:
    """Seconds for ``fill()`` plus the layout and first paint of ``widget``, per run."""
    widget.show()
    app.processEvents()
    results = []
    for _ in range(runs):
        started = time.perf_counter()
        fill()
        app.processEvents()  # layout and the first paint
        results.append(time.perf_counter() - started)
    widget.close()
    return results


def transcript_seconds(messages: list[Message], runs: int) -> list[float] | None:
    app = qt_app()
    if app is None:
        return None
    from streamchat_desktop.ui.transcript.view import TranscriptView

    view = TranscriptView()
    view.resize(900, 700)
    return shown_seconds(app, view, lambda: view.set_messages(messages), runs)


def sidebar_seconds(conversations: list[Conversation], runs: int) -> list[float] | None:
    """Listing every conversation, newest first in day groups, as the window does."""
    app = qt_app()
    if app is None:
        return None
    from streamchat_desktop.ui.sidebar import ConversationSidebar

    sidebar = ConversationSidebar()
    sidebar.resize(260, 700)

    def fill() -> None:
        sidebar.set_conversations(conversations, conversations[0].id)

    return shown_seconds(app, sidebar, fill, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--search-runs", type=int, default=5)
    parser.add_argument("--keep", metavar="DIR", help="build the profile in DIR and keep it")
    args = parser.parse_args()
    rng = random.Random(SEED)
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sc-history-"))
    path = directory / "conversations.sqlite3"
    if path.exists():
        path.unlink()
    maker = TextMaker(rng)
    print(f"corpus: {len(maker.sentences)} sentences, {len(maker.code)} code lines")

    store = SqliteStore.open(path)
    long_id, build_s = build(store, args.messages, maker)
    count = store.message_count()
    store.close()
    size_mb = sum(p.stat().st_size for p in directory.glob("conversations.sqlite3*")) / 2**20
    print(f"build: {count} messages in {build_s:.1f} s, database {size_mb:.1f} MB")

    open_s = timed(lambda: SqliteStore.open(path).close(), 3)
    print(f"open (integrity check + migrations): median {ms(statistics.median(open_s))} ms")
    store = SqliteStore.open(path)

    per_class: dict[str, dict[str, float]] = {}
    every: list[float] = []
    for name, texts in queries(maker, rng).items():
        latencies = [t for q in texts for t in timed(partial(store.search, q), args.search_runs)]
        every += latencies
        per_class[name] = {"p50_ms": ms(pct(latencies, 0.5)), "max_ms": ms(max(latencies))}
        hits = sum(len(store.search(q)) for q in texts)
        print(
            f"search {name:9s} p50 {ms(pct(latencies, 0.5)):7.2f} ms  "
            f"max {ms(max(latencies)):7.2f} ms  ({hits} hits over {len(texts)} queries)"
        )
    search = {
        "p50_ms": ms(pct(every, 0.5)),
        "p99_ms": ms(pct(every, 0.99)),
        "max_ms": ms(max(every)),
        "queries": len(every),
    }
    print(f"search overall: p50 {search['p50_ms']} ms, p99 {search['p99_ms']} ms")

    load = timed(lambda: store.messages(long_id), 20)
    messages = store.messages(long_id)
    assert len(messages) == LONG_CONVERSATION, len(messages)
    versions = timed(lambda: store.version_positions(long_id), 5)
    print(
        f"load 1,000 messages: median {ms(statistics.median(load))} ms, "
        f"max {ms(max(load))} ms (version marks {ms(statistics.median(versions))} ms)"
    )
    shown = transcript_seconds(messages, 3)
    if shown is not None:
        print(
            f"TranscriptView.set_messages(1,000) + first layout: "
            f"median {ms(statistics.median(shown))} ms"
        )
    every_conversation = store.list_conversations()
    listed = sidebar_seconds(every_conversation, 3)
    if listed is not None:
        print(
            f"ConversationSidebar.set_conversations({len(every_conversation):,}) + first "
            f"layout: median {ms(statistics.median(listed))} ms"
        )
    store.close()

    process = psutil.Process()
    rss_mb = process.memory_info().rss / 2**20
    peak_mb = rss_mb
    try:
        for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak_mb = int(line.split()[1]) / 1024
    except OSError:
        pass
    print(f"RSS {rss_mb:.0f} MB (peak {peak_mb:.0f} MB)")
    summary = {
        "benchmark": "history",
        "messages": count,
        "database_mb": round(size_mb, 1),
        "build_s": round(build_s, 1),
        "open_ms": ms(statistics.median(open_s)),
        "search": search,
        "search_by_kind": per_class,
        "load_1000_ms": {"median": ms(statistics.median(load)), "max": ms(max(load))},
        "transcript_1000_ms": None if shown is None else ms(statistics.median(shown)),
        "sidebar": None
        if listed is None
        else {"conversations": len(every_conversation), "ms": ms(statistics.median(listed))},
        "rss_mb": round(rss_mb, 1),
        "peak_rss_mb": round(peak_mb, 1),
    }
    if not args.keep:
        for file in directory.glob("*"):
            file.unlink()
        directory.rmdir()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
