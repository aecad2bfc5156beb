"""Stop, quit and SIGTERM in the middle of each pathological shape (part of bench/render.py).

The real program streams a shape of ``render_shapes.SHAPES`` from the tests' OpenAI server
(``tests/support/fake_openai.py``), which holds the stream once half of its deltas are sent
(all of them for the one-chunk shape): the program is then mid-answer, most often still
rendering what it received. Then, each in a fresh program and profile:

  stop     the Stop action is triggered (as the Stop button or Esc does); measured until
           the transcript says "Stopped" under the reply.
  quit     the window is closed; measured until the app's quit path has completed (the
           services stopped, the reply saved, the event loop ended: ``run_app`` returned).
  sigterm  the program (a real subprocess) gets SIGTERM; measured until the process has
           exited, and the saved reply (``streamchat export``) is checked against what
           the server sent before holding.

stop and quit run the program's own ``run_app`` in a child process with the server in a
thread of that child (it is idle once the stream is held); sigterm runs the program as
``python -m streamchat_desktop`` with the server in this process.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/render_exits.py [--quick] [SHAPE ...]

One JSON line per shape, the last line a summary.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from render_shapes import SHAPES  # noqa: E402

from tests.support.fake_openai import FakeOpenAIServer, Gate, Script  # noqa: E402

GOAL_MS = 100.0
EXPORT = (sys.executable, "-m", "streamchat_desktop", "export")
RUN_LIMIT_S = 300.0


def shape_deltas(name: str, quick: bool) -> list[str]:
    return SHAPES[name](4 if quick else 1)


def held_after(items: list[str]) -> int:
    """Deltas sent before the server holds the stream: half of them (the one chunk: all)."""
    return max(1, len(items) // 2)


def app_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "STREAMCHAT_REPORT_READY": "1"}


def app_args(profile: Path, base_url: str) -> list[str]:
    return ["--profile", str(profile), "--base-url", base_url, "--model", "m", "--prompt", "go"]


# stop and quit: the app's own run_app in this (child) process --------------------------


def run_inside(action: str, name: str, quick: bool) -> dict[str, Any]:
    """Run the program here; trigger ``action`` once the stream is held; measure."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from streamchat_desktop.app.launch import run_app
    from streamchat_desktop.cli.main import build_parser
    from streamchat_desktop.ui.main_window import MainWindow
    from streamchat_desktop.ui.transcript.view import TranscriptView

    items = shape_deltas(name, quick)
    gate = Gate(after=held_after(items))
    server = FakeOpenAIServer().start()
    server.enqueue(Script(deltas=items, gate=gate))
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    state: dict[str, Any] = {"t0": 0.0, "ms": None}

    def window() -> MainWindow | None:
        found = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        return found[0] if found else None

    def stopped_shown(view: TranscriptView) -> bool:
        return view.document().lastBlock().text().startswith("Stopped")

    def poll() -> None:
        main = window()
        if main is None or not gate.reached:
            return
        view = main.findChild(TranscriptView)
        if not state["t0"]:
            state["t0"] = time.perf_counter()
            if action == "stop":
                main.menus.stop_action.trigger()
            else:
                timer.stop()
                main.close()
            return
        if action == "stop" and view is not None and stopped_shown(view):
            state["ms"] = (time.perf_counter() - state["t0"]) * 1000
            timer.stop()
            main.close()

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(poll)
    timer.start()
    with tempfile.TemporaryDirectory() as folder:
        args = build_parser().parse_args(app_args(Path(folder) / "profile", server.base_url))
        code = run_app(args)
        if action == "quit" and state["t0"]:
            state["ms"] = (time.perf_counter() - state["t0"]) * 1000
    gate.release()
    server.stop()
    return {"action": action, "ms": _round(state["ms"]), "exit_code": code}


# sigterm: a real subprocess --------------------------------------------------------------


def run_sigterm(server: FakeOpenAIServer, name: str, quick: bool) -> dict[str, Any]:
    items = shape_deltas(name, quick)
    after = held_after(items)
    gate = Gate(after=after)
    server.enqueue(Script(deltas=items, gate=gate))
    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "profile"
        command = [sys.executable, "-m", "streamchat_desktop", *app_args(profile, server.base_url)]
        app = subprocess.Popen(
            command, cwd=ROOT, env=app_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            gate.wait_reached(RUN_LIMIT_S)
            started = time.perf_counter()
            app.send_signal(signal.SIGTERM)
            ms = (wait_for_exit(app.pid, RUN_LIMIT_S) - started) * 1000
            code = app.wait(RUN_LIMIT_S)
        finally:
            if app.poll() is None:
                app.kill()
                app.wait()
            gate.release()
        saved = _saved_reply(profile)
    sent = "".join(items[:after])
    return {
        "action": "sigterm",
        "ms": _round(ms),
        "exit_code": code,
        "saved_characters": len(saved),
        "sent_characters": len(sent),
        "saved_is_what_was_sent": saved == sent.replace("\r\n", "\n"),
        "saved_is_a_prefix": sent.startswith(saved),
    }


def wait_for_exit(pid: int, limit: float) -> float:
    """The moment the process ``pid`` ended (``time.perf_counter``), seen at once.

    ``Popen.wait(timeout)`` polls with sleeps that double from 1 ms up to 50 ms (1, 2 … 32, 50 ms:
    an exit at 40 ms is seen at 63 ms, one at 70 ms at 113 ms); a pidfd becomes
    readable the moment the process exits.
    """
    descriptor = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([descriptor], [], [], limit)
    finally:
        os.close(descriptor)
    if not ready:
        raise TimeoutError(f"the program did not exit within {limit:.0f} s of SIGTERM")
    return time.perf_counter()


def _saved_reply(profile: Path) -> str:
    done = subprocess.run(
        [*EXPORT, "--profile", str(profile), "--format", "json"],
        cwd=ROOT,
        env=app_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        return ""
    messages = json.loads(done.stdout)["conversations"][0]["messages"]
    return str(messages[-1]["content"]) if messages[-1]["role"] == "assistant" else ""


def _round(ms: float | None) -> float | None:
    return round(ms, 1) if ms is not None else None


# driver -----------------------------------------------------------------------------------


def run_child(action: str, name: str, quick: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--inside", action, name, *(["--quick"] if quick else [])]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=RUN_LIMIT_S * 2, check=False, env=app_env()
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"action": action, "ms": None, "error": done.stderr[-400:]}
    return dict(json.loads(lines[-1]))


def measure_shape(server: FakeOpenAIServer, name: str, quick: bool) -> dict[str, Any]:
    stop = run_child("stop", name, quick)
    quit_ = run_child("quit", name, quick)
    term = run_sigterm(server, name, quick)
    figures = {"stop_ms": stop["ms"], "quit_ms": quit_["ms"], "sigterm_ms": term["ms"]}
    met = all(value is not None and value <= GOAL_MS for value in figures.values())
    return {
        "shape": name,
        **figures,
        "sigterm_saved_characters": term["saved_characters"],
        "sigterm_sent_characters": term["sent_characters"],
        "sigterm_saved_is_a_prefix": term["saved_is_a_prefix"],
        "sigterm_exit_code": term["exit_code"],
        "goals_met": met and term["saved_is_a_prefix"] and term["exit_code"] == 0,
        "errors": [r["error"] for r in (stop, quit_) if "error" in r],
    }


def main() -> int:
    quick = "--quick" in sys.argv
    names = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    if "--inside" in sys.argv:
        action, name = names
        print(json.dumps(run_inside(action, name, quick)), flush=True)
        return 0
    results = []
    with FakeOpenAIServer() as server:
        for name in names or list(SHAPES):
            results.append(measure_shape(server, name, quick))
            print(json.dumps(results[-1]), flush=True)
    print(json.dumps({"exits": results, "goals_met": all(r["goals_met"] for r in results)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
