"""Drive the TUI headless with Pilot on generated workspaces and time what a user feels.

    python benchmarks/tui_bench.py --passages 10000 100000 [--json] [--dir /tmp/tui-bench] [--cold-start-only]

For each size it makes a deterministic workspace with benchmarks/synthetic.py (reused
when the folder already holds one), brings its index up to date, then measures:

- cold start: a fresh Python process runs what `annotator` runs (imports, Session,
  AnnotatorApp, headless) and reports when the first frame is painted and when the
  first results are painted; the parent also times the whole process from launch
  to that point, and the child's CPU seconds to its first frame (steadier than the clock
  on a shared machine). Median of --starts runs; modules' bytecode cached as an
  installed package has it (see child_environment).
- keystroke -> results painted: queries typed one key at a time (each key waits for
  its own results, as a user reading as they type does), each key delivered as a
  terminal's driver delivers it (see _press); for each key, the time from
  the key press until the frame showing that query's results has been refreshed
  (Textual's call_after_refresh after the list is updated). p50 / p95 / max. Typing
  starts the moment the first results show, in a fresh process (cold); then, after a
  pause in which the search warm-up finishes, other queries are typed (after warm-up).

Frames are turned into terminal escape codes as in a terminal (Textual skips that when
headless; see measured_app), and the bytes are dropped.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # the cold-start child measures from here

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ["hope", "letter from her brother", "the storm", "quiet morning light", "theme:memory",
           "untagged winter", "\"the island\"", "sea shore", "kindness", "promise"]
LATER_QUERIES = ["evening bell", "her mother wrote", "the harbour wall", "old friends", "untagged silence",
                 "remember", "a long journey"]
SIZE = (100, 30)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def prepare(folder: Path, passages: int) -> tuple[Path, float]:
    """The workspace for `passages` (made once) and the seconds its index sync took now."""
    from annotator.session import Session
    from benchmarks.synthetic import make_workspace

    if not (folder / "corpus").exists():
        make_workspace(folder, passages)
    session = Session.open(folder)
    started = time.perf_counter()
    session.sync()
    took = time.perf_counter() - started
    session.close()
    return folder, took


def measured_app():
    """The app as it runs in a terminal, headless only in where its output goes.

    Textual skips turning a headless frame into terminal escape codes; here it does
    that work (and drops the bytes), so a frame is timed as a terminal would get it.
    """
    from annotator.tui import app as app_module

    class MeasuredApp(app_module.AnnotatorApp):
        CSS_PATH = str(Path(app_module.__file__).with_name(app_module.AnnotatorApp.CSS_PATH))

        @property
        def is_headless(self) -> bool:
            return False

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.paint_event = asyncio.Event()  # set at each results frame

        def painted(self, query: str) -> None:
            super().painted(query)
            self.paint_event.set()

    return MeasuredApp


async def _wait(predicate, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not paint in time")
        await asyncio.sleep(0.0005)


async def _wait_paint(app, predicate, timeout: float = 120.0) -> None:
    """Wait, without polling, until a results frame satisfies `predicate`.

    A polling loop wakes the event loop a thousand times a second and takes the GIL
    from the search thread: it slowed what it measured.
    """
    while not predicate():
        app.paint_event.clear()
        await asyncio.wait_for(app.paint_event.wait(), timeout)


def _press(app, key: str, character: str) -> None:
    """Deliver a key as a terminal's driver does (its input thread posts the event to the app).

    Pilot.press delivers it the same way, then waits for the app to go idle and queues a
    callback on every widget, for tests to run in step; that bookkeeping runs on the app's
    event loop while it is handling the key, and a user's terminal does none of it.
    """
    from textual import events

    event = events.Key(key, character)
    event.set_sender(app)
    app._driver.send_message(event)


async def _type(app, queries: list[str]) -> tuple[list[float], list[float]]:
    """Type each query a key at a time, each key waiting for its own results; (latencies, core search) ms."""
    latencies, searches = [], []
    box = app.main.search_box
    for query in queries:
        box.value = ""
        await _wait_paint(app, lambda: app.last_paint and app.last_paint[0] == "")
        for ch in query:
            expected = box.value + ch
            started = time.perf_counter()
            _press(app, {" ": "space", '"': "quotation_mark", ":": "colon"}.get(ch, ch), ch)
            await _wait_paint(app, lambda: app.last_paint[0] == expected and app.last_paint[1] >= started)
            latencies.append((app.last_paint[1] - started) * 1000)
            searches.append(app.search_ms.get(expected, 0.0))
    return latencies, searches


async def keystrokes(workspace: Path) -> dict:
    """Keystroke -> paint latencies and the core search's share of each (ms), in two passes.

    Cold: typing starts as soon as the first results are painted, in a fresh process
    (postings read on demand; the search warm-up waits while searches come in). Then
    the user pauses until the warm-up is done (seconds it took are reported) and types
    other queries, none typed before.
    """
    from annotator.session import Session

    from annotator.tui import hold_collector

    hold_collector()  # as `annotator` does (run_tui); the first frame resumes the collector
    app = measured_app()(Session.open(workspace))
    async with app.run_test(size=SIZE):
        await _wait(lambda: app.last_paint is not None)
        cold = await _type(app, QUERIES)
        paused = time.perf_counter()
        await _wait(lambda: app.warmed_at is not None, timeout=300)
        warm_up_s = time.perf_counter() - paused
        warm = await _type(app, LATER_QUERIES)
    app.session.close()
    return {"cold": cold, "after_warm_up": warm, "warm_up_s": warm_up_s}


def _spread(values: list[float]) -> dict:
    if not values:
        return {"keys": 0}
    return {"keys": len(values), "p50": round(statistics.median(values), 1), "p95": round(percentile(values, 95), 1)}


def cold_start_child(workspace: str) -> None:
    """Run in a fresh process: print seconds from process start to first frame and first results.

    It pays what `annotator --workspace WS` pays before the TUI starts: importing the CLI and
    reading its arguments (with no command, the full parser is not built).
    """
    from annotator.cli import build_parser, tui_only

    if not tui_only(["--workspace", workspace])[0]:
        build_parser()
    from annotator.tui import hold_collector

    hold_collector()  # as run_tui does, until the first frame
    from annotator.session import Session

    async def run() -> None:
        first_frame_seen = asyncio.Event()  # awaited, not polled: polling would take time from the start-up

        class ColdStartApp(measured_app()):
            cpu_at_first_frame = None

            def _first_frame(self) -> None:
                self.cpu_at_first_frame = time.process_time()  # this process's CPU seconds since it started
                super()._first_frame()
                first_frame_seen.set()

        app = ColdStartApp(Session.open(workspace))
        async with app.run_test(size=SIZE):
            await asyncio.wait_for(first_frame_seen.wait(), 120)
            await _wait_paint(app, lambda: app.last_paint is not None)
            first_frame, first_results = app.first_frame_at - _T0, app.last_paint[1] - _T0
            # Reported before the app shuts down: the parent's clock stops when it reads this line.
            sys.__stdout__.write(json.dumps({"first_frame_s": first_frame, "first_results_s": first_results,
                                             "first_frame_cpu_s": app.cpu_at_first_frame}) + "\n")
            sys.__stdout__.flush()

    asyncio.run(run())


def child_environment(bytecode_dir: Path | None) -> dict:
    """The cold-start child's environment: by default with bytecode cached, as an installed package has it.

    pip compiles a package's modules when it installs it (an editable install caches them on
    first import). Where PYTHONDONTWRITEBYTECODE is set (some sandboxes set it), every start
    would compile annotator's own modules from source instead (~50-70 ms); here they are
    cached in `bytecode_dir` (one untimed start fills it). None: the environment as it is.
    """
    env = dict(os.environ)
    if bytecode_dir is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_dir)
    return env


def cold_start(workspace: Path, runs: int, bytecode_dir: Path | None) -> dict:
    frames, results, walls, cpus = [], [], [], []
    env = child_environment(bytecode_dir)
    if bytecode_dir is not None:
        subprocess.run([sys.executable, __file__, "--cold-start-child", str(workspace)],
                       capture_output=True, cwd=ROOT, env=env, check=True)
    for _ in range(runs):
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, __file__, "--cold-start-child", str(workspace)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        line = child.stdout.readline()
        wall = time.perf_counter() - started
        _, errors = child.communicate()
        if not line:
            raise SystemExit(f"the cold-start run failed:\n{errors}")
        data = json.loads(line)
        frames.append(data["first_frame_s"])
        results.append(data["first_results_s"])
        cpus.append(data["first_frame_cpu_s"])
        walls.append(wall - (data["first_results_s"] - data["first_frame_s"]))
    return {
        "bytecode": "cached" if bytecode_dir is not None else "as the environment has it",
        "first_frame_cpu_s": round(statistics.median(cpus), 3),
        "first_frame_s": round(statistics.median(frames), 3),
        "first_results_s": round(statistics.median(results), 3),
        "process_launch_to_first_frame_s": round(statistics.median(walls), 3),
        "process_launch_to_first_frame_range_s": [round(min(walls), 3), round(max(walls), 3)],
    }


def _print_cold_start(passages: int, c: dict) -> None:
    print(f"{passages:>7,} passages  cold start: first frame {c['first_frame_s']} s, first results "
          f"{c['first_results_s']} s, process launch -> first frame {c['process_launch_to_first_frame_s']} s",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dir", default="/tmp/annotator-tui-bench", help="where the workspaces are kept")
    parser.add_argument("--starts", type=int, default=3, help="cold starts to take the median of")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cold-start-only", action="store_true", help="skip the keystroke part; time only the cold start")
    parser.add_argument("--compile-each-start", action="store_true",
                        help="cold starts use the environment's bytecode setting as it is (see child_environment)")
    parser.add_argument("--cold-start-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_start_child:
        cold_start_child(args.cold_start_child)
        return 0
    report = []
    bytecode_dir = None if args.compile_each_start else Path(args.dir) / "bytecode"
    for passages in args.passages:
        workspace, sync_s = prepare(Path(args.dir) / f"ws-{passages}", passages)
        if args.cold_start_only:
            row = {"passages": passages, "index_sync_s": round(sync_s, 3), "cold_start": cold_start(workspace, args.starts, bytecode_dir)}
            report.append(row)
            if not args.json:
                _print_cold_start(passages, row["cold_start"])
            continue
        typed = asyncio.run(keystrokes(workspace))
        latencies, searches = typed["cold"]
        later, later_searches = typed["after_warm_up"]
        if not args.json:
            print(f"{passages:>7,} passages  index sync {sync_s:.2f} s  keystroke->paint p50 "
                  f"{statistics.median(latencies):.1f} ms  p95 {percentile(latencies, 95):.1f} ms  "
                  f"max {max(latencies):.1f} ms  ({len(latencies)} keys; of which core search p50 "
                  f"{statistics.median(searches):.1f} ms, p95 {percentile(searches, 95):.1f} ms)", flush=True)
            print(f"{'':>7}           after a pause of {typed['warm_up_s']:.1f} s (search warm-up), new queries: "
                  f"keystroke->paint {_spread(later)}, core search {_spread(later_searches)}", flush=True)
        row = {
            "passages": passages,
            "index_sync_s": round(sync_s, 3),
            "keystrokes": len(latencies),
            "keystroke_to_paint_ms": {
                "p50": round(statistics.median(latencies), 1),
                "p95": round(percentile(latencies, 95), 1),
                "max": round(max(latencies), 1),
            },
            "core_search_ms": {"p50": round(statistics.median(searches), 1), "p95": round(percentile(searches, 95), 1)},
            "warm_up_s": round(typed["warm_up_s"], 2),
            "after_warm_up": {"keystroke_to_paint_ms": _spread(later), "core_search_ms": _spread(later_searches)},
            "cold_start": cold_start(workspace, args.starts, bytecode_dir),
        }
        report.append(row)
        if not args.json:
            _print_cold_start(passages, row["cold_start"])
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
