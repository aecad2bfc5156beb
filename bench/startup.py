"""Start-up benchmark: launch → main window painted, and idle memory, per way of running.

Targets, measured in interleaved rounds so machine noise hits them alike:
  floor     bench/floor_window.py — a bare PySide6 QMainWindow (the floor)
  widgets   bench/widgets_window.py — the widgets of the app's first frame, no app code
            (what those widgets cost PySide6 and Qt by themselves)
  source    python -m streamchat_desktop (the source install)
  onefolder dist/streamchat/streamchat (PyInstaller one-folder build)
  onefile   dist/streamchat-onefile (PyInstaller one-file build)
With ``--frozen-references``, floor and widgets are also built as PyInstaller one-folder
programs (under build/bench-references, ≈ 10 s each) and run as floor-frozen and
widgets-frozen: what freezing alone adds.
A missing build is skipped. Each program prints ``STREAMCHAT_READY <age>`` to stderr
after its first paint (``STREAMCHAT_REPORT_READY=1``). The primary figure is measured
from here: from just before the launch to that line, so a one-file build's unpacking
counts (its bootloader starts a second process, whose own age would hide it). The
programs' self-reported ages are kept too. The app also prints ``STREAMCHAT_STARTED``
once every service behind the window is up and it takes prompts ("started", also
timed from the launch). Idle peak RSS: the summed VmHWM of the process tree after
``--idle`` seconds of idling past the first paint.

``--warmup`` untimed rounds come first (cold disk cache). The Python targets (floor,
source) run with a private bytecode cache (``PYTHONPYCACHEPREFIX`` in a temporary
directory, filled by the warm-up), as an installed package has its ``.pyc`` files:
with ``PYTHONDONTWRITEBYTECODE=1`` set (as in this repository's environment) every
launch would otherwise compile the app's modules again (≈ 25 ms), which no user pays.
A warm-up round of a Python target idles until that cache stops growing: the modules
loaded after the first paint (the openai SDK, anyio) must be compiled there too, or the
first timed rounds compile them and report a peak RSS ≈ 5–10 MiB too high.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/startup.py --runs 5

Human-readable lines first; the JSON summary is the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
ONEFOLDER = ROOT / "dist" / "streamchat"
ONEFILE = ROOT / "dist" / "streamchat-onefile"
READY = "STREAMCHAT_READY"
STARTED = "STREAMCHAT_STARTED"
REFERENCES = ROOT / "build" / "bench-references"
GOAL_RATIO = 1.5
GOAL_RSS_MB = 150.0
GOAL_SIZE_MB = 150.0


@dataclass
class Target:
    name: str
    argv: list[str]
    takes_profile: bool
    python: bool = False  # run by the interpreter (gets the bytecode cache)
    launch_s: list[float] = field(default_factory=list)
    started_s: list[float] = field(default_factory=list)
    reported_s: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def forget(self) -> None:
        """Drop what the warm-up recorded."""
        for values in (
            self.launch_s, self.started_s, self.reported_s, self.rss_mb, self.failures
        ):  # fmt: skip
            values.clear()


def targets(python: str, only: set[str] | None, frozen_references: bool) -> list[Target]:
    bench = ROOT / "bench"
    found = [
        Target("floor", [python, str(bench / "floor_window.py")], False, python=True),
        Target("widgets", [python, str(bench / "widgets_window.py")], False, python=True),
        Target("source", [python, "-m", "streamchat_desktop"], True, python=True),
    ]
    if frozen_references:
        for name in ("floor", "widgets"):
            if only is None or f"{name}-frozen" in only:
                program = build_reference(python, bench / f"{name}_window.py")
                found.append(Target(f"{name}-frozen", [str(program)], False))
    if (ONEFOLDER / "streamchat").is_file():
        found.append(Target("onefolder", [str(ONEFOLDER / "streamchat")], True))
    if ONEFILE.is_file():
        found.append(Target("onefile", [str(ONEFILE)], True))
    return [t for t in found if only is None or t.name in only]


def build_reference(python: str, script: Path) -> Path:
    """``script`` as a PyInstaller one-folder program (built once; rebuilt when it changed)."""
    name = script.stem
    program = REFERENCES / "dist" / name / name
    sources = [script, script.parent / "floor_window.py"]
    if program.is_file() and all(s.stat().st_mtime < program.stat().st_mtime for s in sources):
        return program
    print(f"building {name} with PyInstaller…", flush=True)
    built = subprocess.run(
        [python, "-m", "PyInstaller", "--noconfirm", "--onedir", "--log-level", "WARN",
         "--name", name, "--paths", str(script.parent), "--exclude-module", "tkinter",
         "--distpath", str(REFERENCES / "dist"), "--workpath", str(REFERENCES / "work"),
         "--specpath", str(REFERENCES), str(script)],
        check=False, capture_output=True, text=True,
    )  # fmt: skip
    if built.returncode != 0:
        print(built.stdout + built.stderr, file=sys.stderr)
        built.check_returncode()
    return program


def tree_peak_rss_mb(pid: int) -> float:
    """Summed peak resident set (VmHWM) of a process and its children, in MiB."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return float("nan")
    total_kb = 0
    for proc in procs:
        try:
            with open(f"/proc/{proc.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_once(target: Target, idle: float | None, timeout: float, pycache: str) -> None:
    """One launch; idle seconds past the first paint, then RSS (None: warm-up, no RSS)."""
    env = dict(os.environ, STREAMCHAT_REPORT_READY="1")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if target.python:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    with tempfile.TemporaryDirectory(prefix="streamchat-bench-") as profile:
        argv = [*target.argv, "--profile", profile] if target.takes_profile else target.argv
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            seen: list[str] = []
            reported = wait_line(proc, READY, start + timeout, seen)
            if reported is None:
                last = seen[-1].strip()[:200] if seen else "no output"
                target.failures.append(f"no {READY} line (exit {proc.poll()}): {last}")
                return
            target.launch_s.append(time.perf_counter() - start)
            target.reported_s.append(reported)
            if target.takes_profile:  # the app: wait for its services too
                if wait_line(proc, STARTED, start + timeout, seen) is None:
                    target.failures.append(f"no {STARTED} line (exit {proc.poll()})")
                    return
                target.started_s.append(time.perf_counter() - start)
            if idle is None:
                if target.python:
                    wait_cache_settled(Path(pycache), start + timeout)
                return
            time.sleep(idle)
            target.rss_mb.append(tree_peak_rss_mb(proc.pid))
        finally:
            stop(proc)
            if proc.stderr:
                proc.stderr.close()


def wait_cache_settled(pycache: Path, deadline: float, quiet_s: float = 2.0) -> None:
    """Return once no ``.pyc`` was added to the cache for ``quiet_s`` (or at deadline)."""
    count, changed = -1, time.perf_counter()
    while time.perf_counter() < deadline:
        now = sum(1 for _ in pycache.rglob("*.pyc"))
        if now != count:
            count, changed = now, time.perf_counter()
        elif time.perf_counter() - changed >= quiet_s:
            return
        time.sleep(0.25)


def wait_line(
    proc: subprocess.Popen[str], label: str, deadline: float, seen: list[str]
) -> float | None:
    """The age on the ``label`` line the program printed, or None if it never did.

    Other stderr lines are appended to ``seen`` (to say why a run failed)."""
    assert proc.stderr is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while time.perf_counter() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.perf_counter())):
                return None
            line = proc.stderr.readline()
            if not line:
                return None
            if line.startswith(label):
                return float(line.split()[1])
            seen.append(line)
    return None


def size_mb(path: Path) -> float | None:
    if path.is_file():
        return path.stat().st_size / 2**20
    if path.is_dir():
        files = [f for f in path.rglob("*") if f.is_file() and not f.is_symlink()]
        return sum(f.stat().st_size for f in files) / 2**20
    return None


def summary(target: Target) -> dict[str, object]:
    def med(values: list[float]) -> float | None:
        return round(statistics.median(values), 4) if values else None

    return {
        "runs": len(target.launch_s),
        "median_s": med(target.launch_s),
        "min_s": round(min(target.launch_s), 4) if target.launch_s else None,
        "started_median_s": med(target.started_s),
        "max_s": round(max(target.launch_s), 4) if target.launch_s else None,
        "reported_median_s": med(target.reported_s),
        "idle_peak_rss_mb": round(max(target.rss_mb), 1) if target.rss_mb else None,
        "failures": target.failures,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
    parser.add_argument("--idle", type=float, default=2.0, help="seconds idle before RSS")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to first paint")
    parser.add_argument("--python", default=sys.executable, help="interpreter for source/floor")
    parser.add_argument("--only", help="comma-separated target names")
    parser.add_argument(
        "--frozen-references",
        action="store_true",
        help="also build and run floor and widgets as PyInstaller one-folder programs",
    )
    args = parser.parse_args()

    only = set(args.only.split(",")) if args.only else None
    chosen = targets(args.python, only, args.frozen_references)
    with tempfile.TemporaryDirectory(prefix="streamchat-bench-pycache-") as pycache:
        for _ in range(args.warmup):
            for target in chosen:
                run_once(target, None, args.timeout, pycache)
        for target in chosen:
            target.forget()
        for round_no in range(args.runs):
            for target in chosen:
                run_once(target, args.idle, args.timeout, pycache)
            print(f"round {round_no + 1}/{args.runs} done", flush=True)

    results = {t.name: summary(t) for t in chosen}
    floor = results.get("floor", {}).get("median_s")
    # The same bare program frozen the same way: what PyInstaller's start costs by itself,
    # so a frozen target's ratio to it is the app's own share (shown, not the goal).
    frozen_floor = results.get("floor-frozen", {}).get("median_s")
    for name, res in results.items():
        median = res["median_s"]
        if isinstance(floor, float) and isinstance(median, float):
            res["vs_floor"] = round(median / floor, 2)
        frozen = any(t.name == name and not t.python for t in chosen)
        if frozen and isinstance(frozen_floor, float) and isinstance(median, float):
            res["vs_frozen_floor"] = round(median / frozen_floor, 2)
        versus_frozen = (
            f", {res['vs_frozen_floor']}× frozen floor" if "vs_frozen_floor" in res else ""
        )
        print(
            f"{name:<14} first paint median {median} s ({res.get('vs_floor')}× floor"
            f"{versus_frozen}; min {res['min_s']}, max {res['max_s']}), self-reported "
            f"{res['reported_median_s']} s"
            + (f", started {res['started_median_s']} s" if res["started_median_s"] else "")
            + f", idle peak RSS {res['idle_peak_rss_mb']} MiB"
            + (f", failures: {res['failures']}" if res["failures"] else "")
        )
    sizes = {"onefolder_mb": size_mb(ONEFOLDER), "onefile_mb": size_mb(ONEFILE)}
    sizes = {k: round(v, 1) if v is not None else None for k, v in sizes.items()}
    print(f"sizes: {sizes}")

    onefolder = results.get("onefolder", {}).get("median_s")
    ratio = (
        round(onefolder / floor, 2)
        if isinstance(floor, float) and isinstance(onefolder, float)
        else None
    )
    rss = [results[t.name]["idle_peak_rss_mb"] for t in chosen if t.takes_profile]
    rss_values = [v for v in rss if isinstance(v, float)]
    onefolder_mb = sizes["onefolder_mb"]
    goals = {  # None: not measured in this run
        "onefolder_vs_floor": ratio,
        "onefolder_vs_frozen_floor": results.get("onefolder", {}).get("vs_frozen_floor"),
        "onefolder_within_1_5x_floor": None if ratio is None else ratio <= GOAL_RATIO,
        "idle_rss_under_150mb": max(rss_values) < GOAL_RSS_MB if rss_values else None,
        "onefolder_under_150mb": None if onefolder_mb is None else onefolder_mb < GOAL_SIZE_MB,
    }
    print(f"goals: {goals}")
    print(
        json.dumps(
            {
                "bench": "startup",
                "platform": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
                "runs": args.runs,
                "warmup": args.warmup,
                "idle_s": args.idle,
                "targets": results,
                "sizes": sizes,
                "goals": goals,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
