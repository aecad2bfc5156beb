"""Render benchmark: streamed Markdown into the real TranscriptView, with the Qt loop running.

Feeds realistic Markdown (headings, paragraphs, lists, several highlighted code blocks, a
table, quotes; deltas of 1–6 characters) into ``TranscriptView.append_text`` at fixed
offered rates, from a 1 ms feeder timer, exactly as the chat controller does (one call per
delta). Measured per run: per-flush time (p50/p99/max, from the view's ``flushed`` signal),
the longest event-loop stall (gap between ticks of a 5 ms heartbeat timer), lag (time from
when a delta was due to the end of the flush that showed it), CPU (percent of one core) and
peak RSS. A run that lags more than 100 ms is stopped: the renderer did not keep up.
Next to the longest stall, the CPU time the GUI thread used within it: a long stall with
little CPU in it is the (shared) machine taking the core away, not our work. In the full
mode the goal configuration (50k tokens at 5,000 deltas/s) runs three times and its
median-stall run is scored.

Rates are tried from the highest down; the first one kept up with is the "highest rate kept
up with" at that answer length. The naive baselines replace the whole text per delta
(``setPlainText(whole)`` and ``setMarkdown(whole)`` on a QTextBrowser): they are measured
saturated, at the given answer length (prefilled, then fed as fast as they can take it with
the event loop painting after each delta); their sustained deltas/s is the most they can
keep up with. The highest rate tried for ours is 50,000 deltas/s: "50,000" means "at least".
The pygments lexers the workload uses are warmed up first (a one-time ~30 ms per language
and process, paid by the first code block of that language in the app).

Then the pathological shapes (``render_shapes.py``: a 1 MB line in small and in large
deltas, 100k lines, a 5,000-row table, a list nested 1,000 levels, 10 MB in one chunk),
each in its own process, and Stop, quit and SIGTERM in the middle of each of them in the
real program (``render_exits.py``). ``--quick`` runs every shape too, at a quarter of its
size. The load average of the machine is recorded at the start and the end.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/render.py [--quick]

Human-readable lines and a Markdown table first; the JSON summary is the last line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QTextBrowser

from streamchat_desktop.core.models import Message, MessageState, Role
from streamchat_desktop.ui.transcript.highlight import highlight_lines
from streamchat_desktop.ui.transcript.view import TranscriptView

LAG_LIMIT_S = 0.100
GOAL_TOKENS = 50_000
GOAL_RATE = 5_000
GOAL_STALL_MS = 50.0
GOAL_FLUSH_P99_MS = 16.0
GOAL_RATIO = 100.0
RATIO_TOKENS = 20_000
EXIT_GOAL_MS = 100.0

WORDS = (
    "the",
    "a",
    "stream",
    "token",
    "render",
    "model",
    "answer",
    "fast",
    "layout",
    "widget",
    "frame",
    "buffer",
    "event",
    "loop",
    "server",
    "client",
    "request",
    "response",
    "python",
    "function",
    "value",
    "result",
    "error",
    "cache",
    "index",
    "document",
    "block",
    "paragraph",
    "list",
    "table",
    "code",
    "quote",
    "latency",
    "throughput",
    "memory",
)


# Workload -------------------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = f"`{rng.choice(WORDS)}()`"
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = f"**{rng.choice(WORDS)}**"
    if rng.random() < 0.1:
        words.append(f"([docs](https://example.com/{rng.choice(WORDS)}))")
    return " ".join(words).capitalize() + "."


def _code(rng: random.Random) -> str:
    if rng.random() < 0.5:
        body = [f"def {rng.choice(WORDS)}_{i}(x, y=None):" for i in range(1)]
        for i in range(rng.randint(8, 30)):
            indent = "    " * rng.randint(1, 2)
            body.append(f"{indent}{rng.choice(WORDS)} = compute(x, {i}, '{rng.choice(WORDS)}')")
            if rng.random() < 0.15:
                body.append(f"{indent}# {rng.choice(WORDS)} {rng.choice(WORDS)}")
        return "```python\n" + "\n".join(body) + "\n    return x\n```"
    body = [f"const {rng.choice(WORDS)} = async (req) => {{"]
    for i in range(rng.randint(8, 30)):
        body.append(f'  await step{i}(req, "{rng.choice(WORDS)}"); // {rng.choice(WORDS)}')
    return "```javascript\n" + "\n".join(body) + "\n};\n```"


def _table(rng: random.Random) -> str:
    rows = ["| name | rate | p99 | note |", "|---|---:|---:|---|"]
    for _ in range(rng.randint(4, 8)):
        rows.append(
            f"| {rng.choice(WORDS)} | {rng.randint(1, 9999)} | {rng.random():.2f} "
            f"| {rng.choice(WORDS)} {rng.choice(WORDS)} |"
        )
    return "\n".join(rows)


def markdown_text(chars: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    section = 0
    while size < chars:
        section += 1
        chunk = [f"## Part {section}: {rng.choice(WORDS)} {rng.choice(WORDS)}"]
        chunk.append(" ".join(_sentence(rng) for _ in range(rng.randint(2, 5))))
        chunk.append("\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(3, 6))))
        if section % 2 == 0:
            chunk.append(_code(rng))
        if section % 5 == 3:
            chunk.append(_table(rng))
        if section % 4 == 1:
            chunk.append("> " + _sentence(rng))
        chunk.append("\n".join(f"{i}. {_sentence(rng)}" for i in range(1, rng.randint(3, 5))))
        text = "\n\n".join(chunk) + "\n\n"
        parts.append(text)
        size += len(text)
    return "".join(parts)


def deltas(tokens: int, seed: int = 7) -> list[str]:
    """``tokens`` deltas of 1–6 characters cut from realistic Markdown."""
    text = markdown_text(tokens * 4, seed)
    rng = random.Random(seed + 1)
    out: list[str] = []
    position = 0
    while len(out) < tokens and position < len(text):
        step = rng.randint(1, 6)
        out.append(text[position : position + step])
        position += step
    return out


# Measurement ----------------------------------------------------------------------------


@dataclass
class RunResult:
    renderer: str
    tokens: int
    rate: int
    kept_up: bool
    delivered: int
    max_lag_ms: float
    flushes: int
    flush_p50_ms: float
    flush_p99_ms: float
    flush_max_ms: float
    stall_ms: float
    stall_cpu_ms: float  # CPU time this thread used during that longest stall
    cpu_percent: float
    peak_rss_mb: float
    wall_s: float


@dataclass
class BaselineResult:
    renderer: str
    tokens: int
    sustained_rate: float
    per_delta_ms: float
    samples: int


@dataclass
class _Clock:
    start: float = 0.0
    beats: list[float] = field(default_factory=list)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(view: TranscriptView, items: list[str], rate: int) -> RunResult:
    """Offer ``items`` at ``rate`` deltas/s to the real view; stop once lag exceeds 100 ms."""
    app = QApplication.instance()
    assert app is not None
    view.set_messages([Message(role=Role.USER, content="Explain it all, at length.", id="u")])
    reply = Message(role=Role.ASSISTANT, content="", id="r", state=MessageState.STREAMING)
    view.begin_reply(reply)
    app.processEvents()
    loop = QEventLoop()
    flush_times: list[float] = []
    state = {
        "sent": 0,
        "rendered": 0,
        "max_lag": 0.0,
        "failed": False,
        "last_beat": 0.0,
        "last_cpu": 0.0,
    }
    stall = {"max": 0.0, "cpu": 0.0}
    process = psutil.Process()
    cpu_before = sum(process.cpu_times()[:2])
    start = time.perf_counter()

    def due(index: int) -> float:
        return start + index / rate

    def on_flushed(seconds: float) -> None:
        flush_times.append(seconds)
        now = time.perf_counter()
        if state["rendered"] < state["sent"]:
            state["max_lag"] = max(state["max_lag"], now - due(int(state["rendered"])))
            state["failed"] = state["failed"] or state["max_lag"] > LAG_LIMIT_S
        state["rendered"] = state["sent"]

    def feed() -> None:
        now = time.perf_counter()
        sent = int(state["sent"])
        oldest = int(state["rendered"])  # first delta not shown yet (sent or not)
        if oldest < len(items) and now - due(oldest) > LAG_LIMIT_S:
            state["max_lag"] = max(state["max_lag"], now - due(oldest))
            state["failed"] = True
            loop.quit()
            return
        target = min(len(items), int((now - start) * rate) + 1)
        for index in range(sent, target):
            state["sent"] = index + 1
            view.append_text("r", items[index])
        if state["sent"] >= len(items) and state["rendered"] >= len(items):
            loop.quit()

    def beat() -> None:
        now, cpu_now = time.perf_counter(), time.thread_time()
        if state["last_beat"]:
            gap = now - state["last_beat"]
            if gap > stall["max"]:
                stall["max"], stall["cpu"] = gap, cpu_now - state["last_cpu"]
        state["last_beat"], state["last_cpu"] = now, cpu_now

    view.flushed.connect(on_flushed)
    feeder, heartbeat = QTimer(), QTimer()
    for timer, interval, slot in ((feeder, 1, feed), (heartbeat, 5, beat)):
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        timer.start()
    loop.exec()
    feeder.stop()
    heartbeat.stop()
    wall = time.perf_counter() - start
    cpu = sum(process.cpu_times()[:2]) - cpu_before
    delivered = int(state["sent"])
    view.end_reply(Message(role=Role.ASSISTANT, content="".join(items[:delivered]), id="r"))
    view.flushed.disconnect(on_flushed)
    app.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    times_ms = [t * 1000 for t in flush_times]
    return RunResult(
        renderer="ours",
        tokens=len(items),
        rate=rate,
        kept_up=not state["failed"],
        delivered=delivered,
        max_lag_ms=round(float(state["max_lag"]) * 1000, 1),
        flushes=len(times_ms),
        flush_p50_ms=round(statistics.median(times_ms), 2) if times_ms else 0.0,
        flush_p99_ms=round(_percentile(times_ms, 0.99), 2),
        flush_max_ms=round(max(times_ms, default=0.0), 2),
        stall_ms=round(stall["max"] * 1000, 1),
        stall_cpu_ms=round(stall["cpu"] * 1000, 1),
        cpu_percent=round(100 * cpu / wall, 1) if wall else 0.0,
        peak_rss_mb=round(_peak_rss_mb(), 1),
        wall_s=round(wall, 2),
    )


def run_baseline(kind: str, items: list[str], budget_s: float, max_deltas: int) -> BaselineResult:
    """Whole-text replacement per delta at this answer length, saturated."""
    app = QApplication.instance()
    assert app is not None
    browser = QTextBrowser()
    browser.resize(900, 700)
    browser.show()
    setter = browser.setPlainText if kind == "setPlainText" else browser.setMarkdown
    prefix_count = max(0, len(items) - max_deltas)
    whole = "".join(items[:prefix_count])
    setter(whole)
    app.processEvents()
    done = 0
    start = time.perf_counter()
    for piece in items[prefix_count:]:
        whole += piece
        setter(whole)
        browser.verticalScrollBar().setValue(browser.verticalScrollBar().maximum())
        app.processEvents()
        done += 1
        if time.perf_counter() - start > budget_s:
            break
    elapsed = time.perf_counter() - start
    browser.close()
    browser.deleteLater()
    app.processEvents()
    return BaselineResult(
        renderer=kind,
        tokens=len(items),
        sustained_rate=round(done / elapsed, 1) if elapsed else 0.0,
        per_delta_ms=round(1000 * elapsed / max(1, done), 2),
        samples=done,
    )


def idle_stall_ms(seconds: float) -> float:
    """The longest heartbeat gap with nothing to do: this machine's own noise floor."""
    loop = QEventLoop()
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    heartbeat.start()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()
    heartbeat.stop()
    return round(1000 * max((b - a for a, b in itertools.pairwise(beats)), default=0.0), 1)


# Report ---------------------------------------------------------------------------------


def _table_lines(runs: list[RunResult], baselines: list[BaselineResult]) -> list[str]:
    lines = [
        "| renderer | tokens | offered/s | kept up | max lag ms | flush p50 / p99 / max ms "
        "| longest stall ms (CPU ms in it) | CPU % | peak RSS MB |",
        "|---|---:|---:|---|---:|---|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| ours | {r.tokens:,} | {r.rate:,} | {'yes' if r.kept_up else 'no'} "
            f"| {r.max_lag_ms} | {r.flush_p50_ms} / {r.flush_p99_ms} / {r.flush_max_ms} "
            f"| {r.stall_ms} ({r.stall_cpu_ms}) | {r.cpu_percent} | {r.peak_rss_mb} |"
        )
    lines += [
        "",
        "| tokens | ours: highest rate kept up | setPlainText(whole) | setMarkdown(whole) |",
    ]
    lines.append("|---:|---:|---:|---:|")
    for tokens in sorted({r.tokens for r in runs}):
        best = _best_rate(runs, tokens)
        cells = []
        for kind in ("setPlainText", "setMarkdown"):
            found = [b for b in baselines if b.tokens == tokens and b.renderer == kind]
            cells.append(f"{found[0].sustained_rate:,} /s" if found else "—")
        lines.append(f"| {tokens:,} | {best:,} /s | {cells[0]} | {cells[1]} |")
    return lines


def _best_rate(runs: list[RunResult], tokens: int) -> int:
    return max((r.rate for r in runs if r.tokens == tokens and r.kept_up), default=0)


def run_shapes(quick: bool) -> list[dict[str, object]]:
    """The pathological shapes, each in its own process (``render_shapes.py``)."""
    from render_shapes import SHAPES

    results: list[dict[str, object]] = []
    script = Path(__file__).resolve().parent / "render_shapes.py"
    for name in SHAPES:
        command = [sys.executable, str(script), name, *(["--quick"] if quick else [])]
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        lines = done.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if done.returncode == 0 and lines else None
        results.append(result or {"shape": name, "goals_met": False, "error": done.stderr[-500:]})
        print(f"shape {name}: {results[-1]}", flush=True)
    return results


def run_exits(quick: bool) -> dict[str, dict[str, object]]:
    """Stop, quit and SIGTERM mid-shape, by shape (``render_exits.py``, real program)."""
    script = Path(__file__).resolve().parent / "render_exits.py"
    command = [sys.executable, str(script), *(["--quick"] if quick else [])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        print(f"render_exits failed: {done.stderr[-800:]}", flush=True)
        return {}
    return {str(r["shape"]): r for r in json.loads(lines[-1])["exits"]}


def merge_exits(shapes: list[dict[str, object]], exits: dict[str, dict[str, object]]) -> None:
    """Each shape's Stop, quit and SIGTERM figures go into its row (and its goals)."""
    for shape in shapes:
        found = exits.get(str(shape["shape"]), {})
        for key in ("stop_ms", "quit_ms", "sigterm_ms", "sigterm_saved_is_a_prefix"):
            shape[key] = found.get(key)
        shape["exits_goals_met"] = bool(found.get("goals_met"))
        shape["goals_met"] = bool(shape.get("goals_met")) and shape["exits_goals_met"]


def _worst(shapes: list[dict[str, object]], key: str) -> float | None:
    values = [r.get(key) for r in shapes]
    if not values or any(not isinstance(v, int | float) for v in values):
        return None  # a figure is missing: the goal is not met
    return max(float(v) for v in values if isinstance(v, int | float))


def _shape_lines(shapes: list[dict[str, object]]) -> list[str]:
    lines = [
        "| shape | characters | kept up | longest stall ms (CPU ms in it) | flush p99 ms "
        "| shown after last byte s (CPU s) | peak RSS over idle MB (× size) "
        "| Stop / quit / SIGTERM ms | goals met |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in shapes:
        lines.append(
            f"| {r['shape']} | {r.get('characters', 0):,} | {'yes' if r.get('kept_up') else 'no'} "
            f"| {r.get('longest_stall_ms')} ({r.get('stall_cpu_ms')}) | {r.get('flush_p99_ms')} "
            f"| {r.get('shown_after_last_byte_s')} ({r.get('shown_after_cpu_s')}) "
            f"| {r.get('peak_rss_over_idle_mb')} ({r.get('memory_ratio')}×) "
            f"| {r.get('stop_ms')} / {r.get('quit_ms')} / {r.get('sigterm_ms')} "
            f"| {'yes' if r.get('goals_met') else 'no'} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and rates (CI)")
    args = parser.parse_args()
    if args.quick:
        sizes, rates = [1_000, RATIO_TOKENS, GOAL_TOKENS], [20_000, GOAL_RATE]
        baseline_sizes, budget, max_deltas, repeats = [RATIO_TOKENS], 1.5, 60, 1
    else:
        sizes, rates = [1_000, 5_000, 20_000, 50_000], [50_000, 20_000, 10_000, GOAL_RATE, 2_000]
        baseline_sizes, budget, max_deltas, repeats = [1_000, 5_000, 20_000, 50_000], 4.0, 200, 3

    load_start = round(os.getloadavg()[0], 2)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    for language in ("python", "javascript"):  # pygments compiles a lexer once per process
        highlight_lines("x = 1\n", language)
    view = TranscriptView(open_links=False)
    view.resize(900, 700)
    view.show()
    app.processEvents()

    noise_ms = idle_stall_ms(2.0 if args.quick else 5.0)
    print(f"idle event loop, longest heartbeat gap: {noise_ms} ms (machine noise)", flush=True)
    runs: list[RunResult] = []
    for tokens in sizes:
        items = deltas(tokens)
        for rate in rates:
            result = run_ours(view, items, rate)
            runs.append(result)
            print(
                f"ours {tokens:>6,} tokens @ {rate:>6,}/s: kept up={result.kept_up} "
                f"lag={result.max_lag_ms} ms flush p99={result.flush_p99_ms} ms "
                f"stall={result.stall_ms} ms cpu={result.cpu_percent}%",
                flush=True,
            )
            if result.kept_up and (tokens != GOAL_TOKENS or rate <= GOAL_RATE):
                break  # highest rate found (at the goal size, go on down to the goal rate)
        if tokens == GOAL_TOKENS:
            for _ in range(repeats - 1):
                runs.append(run_ours(view, items, GOAL_RATE))
                print(f"ours {tokens:>6,} tokens @ {GOAL_RATE:>6,}/s again: {runs[-1]}", flush=True)
    baselines: list[BaselineResult] = []
    for tokens in baseline_sizes:
        items = deltas(tokens)
        for kind in ("setPlainText", "setMarkdown"):
            result_b = run_baseline(kind, items, budget, max_deltas)
            baselines.append(result_b)
            print(
                f"{kind} {tokens:>6,} tokens: {result_b.sustained_rate} deltas/s "
                f"({result_b.per_delta_ms} ms per delta, {result_b.samples} deltas)",
                flush=True,
            )

    goal_runs = [r for r in runs if r.tokens == GOAL_TOKENS and r.rate == GOAL_RATE]
    # The goal configuration runs several times on this shared machine: its median-stall
    # run is the one scored (all runs are listed).
    goal_run = (
        sorted(goal_runs, key=lambda r: r.stall_ms)[len(goal_runs) // 2] if goal_runs else None
    )
    best_50k = _best_rate(runs, GOAL_TOKENS)
    plain_20k = next(
        (
            b.sustained_rate
            for b in baselines
            if b.renderer == "setPlainText" and b.tokens == RATIO_TOKENS
        ),
        0.0,
    )
    ours_20k = _best_rate(runs, RATIO_TOKENS)
    ratio = round(ours_20k / plain_20k, 1) if plain_20k else 0.0
    goals = {
        "keeps_up_at_50k_deltas_per_s": {"goal": GOAL_RATE, "measured": best_50k},
        "longest_stall_ms_at_50k": {
            "goal": GOAL_STALL_MS,
            "measured": goal_run.stall_ms if goal_run else None,
        },
        "flush_p99_ms_at_50k": {
            "goal": GOAL_FLUSH_P99_MS,
            "measured": goal_run.flush_p99_ms if goal_run else None,
        },
        "ratio_vs_setPlainText_at_20k": {"goal": GOAL_RATIO, "measured": ratio},
    }
    goals_met = bool(
        goal_run
        and best_50k >= GOAL_RATE
        and goal_run.stall_ms <= GOAL_STALL_MS
        and goal_run.flush_p99_ms <= GOAL_FLUSH_P99_MS
        and ratio >= GOAL_RATIO
    )
    shapes = run_shapes(args.quick)
    merge_exits(shapes, run_exits(args.quick))
    shapes_met = all(bool(r.get("goals_met")) for r in shapes)
    goals["pathological_shapes"] = {
        "goal": "no stall over 50 ms, shown within 1 s of the last byte, memory ≤ 20× size, "
        "Stop, quit and SIGTERM within 100 ms",
        "measured": f"{sum(bool(r.get('goals_met')) for r in shapes)} of {len(shapes)} met",
    }
    for key, what in (
        ("stop_ms", "Stop mid-shape until the transcript says Stopped"),
        ("quit_ms", "window closed mid-shape until the quit path completed"),
        ("sigterm_ms", "SIGTERM mid-shape until the process exited, the reply saved"),
    ):
        worst = _worst(shapes, key)
        goals[f"worst_{key}"] = {"goal": EXIT_GOAL_MS, "what": what, "measured": worst}
    print()
    print("\n".join(_table_lines(runs, baselines)))
    print()
    print("\n".join(_shape_lines(shapes)))
    print()
    summary = {
        "benchmark": "render",
        "mode": "quick" if args.quick else "full",
        "runs": [asdict(r) for r in runs],
        "baselines": [asdict(b) for b in baselines],
        "shapes": shapes,
        "goals": goals,
        "goals_met": goals_met and shapes_met,
        "idle_loop_longest_gap_ms": noise_ms,
        "cpu_count": os.cpu_count(),
        "load_average_start_end": [load_start, round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
