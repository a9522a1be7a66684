"""A full build of the search index: sources split into parts, built side by side.

Each part (a run of whole source files in corpus order, at most PART_PASSAGES
passages) becomes one Whoosh segment written by `BulkWriter` into a folder of
its own; a large corpus builds its parts in worker processes (fresh interpreters,
so a threaded caller such as the TUI is safe), one per core. The segments are then
moved into one index and listed in a single table of contents, in part order, so
document numbers follow corpus order as they would in one segment.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh.index import TOC, clean_files

from annotator.engine.fast.bulkindex import BulkWriter
from annotator.engine.schema import (
    INDEX_NAME, SOURCE_STRIDE, default_language, make_schema, note_doc, passage_doc, source_language, spaced_positions,
)
from annotator.errors import AnnotatorError
from annotator.corpus.model import Theme
from annotator.corpus.store import Store, check_unique_passage_ids
from annotator.corpus.workspace import Workspace

# Passages in one segment: its postings are held in memory while it is written.
PART_PASSAGES = 50_000
# Below this many passages the index is built in one part, in this process: starting worker processes
# costs much of what they save, and every search pays for each segment (a 10k-passage index in two
# segments answers a phrase or a prefix about 1.5x slower than in one).
PARALLEL_MIN = 25_000
PROGRESS_EVERY = 1_000  # passages between progress reports

Progress = Callable[[int, int], None]


def worker_count() -> int:
    """Processes to build with: one per core, two at most (postings are held in memory)."""
    return min(2, os.cpu_count() or 1)


@dataclass
class Part:
    """Source files (path, corpus position) built into one segment; the notes go into the last part."""

    sources: list[tuple[str, int]]
    passages: int = 0
    themes: list[Theme] = field(default_factory=list)


@dataclass
class PartResult:
    folder: str
    ids: dict[str, list[str]]  # source path -> passage ids, for the duplicate check across parts
    source_ids: list[str]


def plan_parts(ordered: list[tuple[Path, str, int]], themes: list[Theme], workers: int) -> list[Part]:
    """Contiguous runs of sources, balanced over the workers, each at most PART_PASSAGES passages;
    each source at its position in corpus order (schema.spaced_positions)."""
    total = sum(count for _, _, count in ordered)
    wanted = max(workers, -(-total // PART_PASSAGES)) if total >= PARALLEL_MIN else 1
    share = max(1, -(-total // wanted))
    parts = [Part([])]
    for position, (path, _, count) in zip(spaced_positions(len(ordered)), ordered):
        current = parts[-1]
        if current.sources and current.passages + count > share and len(parts) < wanted:
            current = Part([])
            parts.append(current)
        current.sources.append((str(path), position))
        current.passages += count
    parts[-1].themes = list(themes)  # notes last, as in a one-part build
    return parts


# -- in a worker process (or in this one) ----------------------------------------------------


def build_part(root: str, folder: str, part: Part, tags: dict[str, list[str]], progress: Progress | None = None) -> PartResult:
    """Write one part's passages (and notes) as a one-segment index in `folder`."""
    store = Store(Workspace(Path(root)))
    os.makedirs(folder, exist_ok=True)
    ix = whoosh_index.create_in(folder, make_schema(), indexname=INDEX_NAME)
    writer = BulkWriter(ix)
    ids: dict[str, list[str]] = {}
    source_ids = []
    default = default_language(store)
    try:
        for path_text, position in part.sources:
            path = Path(path_text)
            source_file = store.load_source_path(path)
            source_ids.append(source_file.source.id)
            ids[path_text] = [p.id for p in source_file.passages]
            language = source_language(source_file.source, default)
            for n, passage in enumerate(source_file.passages):
                if writer.docnum - writer.docbase >= PART_PASSAGES:  # one huge file: a segment at a time
                    writer.commit()
                    writer = BulkWriter(ix)
                writer.add_document(**passage_doc(passage, position * SOURCE_STRIDE + n, tags.get(passage.id, ()), language))
                if progress and n % PROGRESS_EVERY == PROGRESS_EVERY - 1:
                    progress(PROGRESS_EVERY, 0)
            store.forget(path)
            if progress and len(source_file.passages) % PROGRESS_EVERY:
                progress(len(source_file.passages) % PROGRESS_EVERY, 0)
        for position, theme in enumerate(part.themes):
            writer.add_document(**note_doc(theme, position, default))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    return PartResult(folder, ids, source_ids)


# -- in the building process -------------------------------------------------------------------


def build(root: Path, tmp: Path, ordered: list[tuple[Path, str, int]], themes: list[Theme],
          tags: dict[str, list[str]], progress: Progress | None = None) -> dict[str, int]:
    """Build the whole index into the empty folder `tmp`; each source id's position in corpus order."""
    total = sum(count for _, _, count in ordered)
    workers = worker_count()
    parts = plan_parts(ordered, themes, workers)
    folders = [str(tmp / f"part-{number}") for number in range(len(parts))]
    results = None
    if len(parts) > 1 and workers > 1:
        results = _build_in_workers(root, folders, parts, tags, workers, total, progress)
    if results is None:
        results = _build_here(root, folders, parts, tags, total, progress)
    check_unique_passage_ids((Path(path), ids) for result in results for path, ids in result.ids.items())
    _join_parts(tmp, INDEX_NAME, make_schema(), results)
    return {source_id: position for part, result in zip(parts, results)
            for source_id, (_, position) in zip(result.source_ids, part.sources)}


def _build_here(root, folders, parts, tags, total, progress) -> list[PartResult]:
    done = 0

    def step(count: int, _total: int) -> None:
        nonlocal done
        done += count
        if progress:  # the last part's segment is still to be written when all are read
            progress(min(done, int(total * 0.95)), total)

    return [build_part(str(root), folder, part, tags, step) for folder, part in zip(folders, parts)]


def _build_in_workers(root, folders, parts, tags, workers, total, progress) -> list[PartResult] | None:
    """The parts built by worker processes, `workers` at a time; None if a worker failed (build here then).

    Workers are fresh interpreters (`python -m annotator.engine.index_build JOB`), not forks: forking
    a threaded process such as the TUI can deadlock, and multiprocessing's spawn would re-run
    the caller's main script.
    """
    waiting = list(range(len(parts)))
    running: dict[int, subprocess.Popen] = {}
    done = [0] * len(parts)
    results: list[PartResult | None] = [None] * len(parts)
    failed = False
    finished: list[subprocess.Popen] = []
    last_shown = -1
    try:
        while (waiting or running) and not failed:
            while waiting and len(running) < workers and not failed:
                number = waiting.pop(0)
                try:
                    running[number] = _start_worker(root, folders[number], parts[number], tags, done, number)
                except OSError:  # no interpreter to start (an embedded or frozen Python)
                    failed = True
            time.sleep(0.05)
            for number, worker in list(running.items()):
                if worker.poll() is None:
                    continue
                del running[number]
                finished.append(worker)
                outcome = _read_outcome(folders[number])
                if isinstance(outcome, BaseException):
                    raise outcome
                if worker.returncode != 0 or outcome is None:
                    failed = True
                results[number] = outcome
            # Passages read so far; the segments are still to be written when all are read.
            shown = min(sum(done), int(total * 0.95))
            if progress and shown != last_shown:
                progress(shown, total)
                last_shown = shown
    finally:
        for worker in running.values():
            worker.kill()
            worker.wait()
        for worker in finished:
            worker.stdin.close()
    if failed:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        return None
    return results


def _start_worker(root, folder: str, part: Part, tags, done: list[int], number: int) -> subprocess.Popen:
    os.makedirs(folder, exist_ok=True)
    job = Path(folder) / JOB_FILE
    job.write_bytes(pickle.dumps((str(root), folder, part, tags)))
    worker = subprocess.Popen(
        [sys.executable, "-m", "annotator.engine.index_build", str(job)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )

    def count_progress() -> None:  # the worker prints how many passages it has indexed so far
        for line in worker.stdout:
            if line.strip().isdigit():
                done[number] = int(line)

    threading.Thread(target=count_progress, daemon=True).start()
    return worker


def _read_outcome(folder: str):
    try:
        return pickle.loads((Path(folder) / RESULT_FILE).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None


JOB_FILE = "job.pickle"
RESULT_FILE = "result.pickle"


def _worker_main(job_path: str) -> int:
    """Build the part described in the job file; its PartResult (or the user's error) in the result file."""
    # The caller holds our stdin open while it lives: if it dies (killed mid-build), so do we.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(1)), daemon=True).start()
    root, folder, part, tags = pickle.loads(Path(job_path).read_bytes())
    done = 0

    def report(count: int, _total: int) -> None:
        nonlocal done
        done += count
        print(done, flush=True)

    try:
        outcome = build_part(root, folder, part, tags, report)
    except AnnotatorError as exc:
        outcome = exc
    (Path(folder) / RESULT_FILE).write_bytes(pickle.dumps(outcome))
    return 0


def _join_parts(tmp: Path, index_name: str, schema, results: list[PartResult]) -> None:
    """Move every part's segment into `tmp` and list them all, in part order, in one new index."""
    ix = whoosh_index.create_in(str(tmp), schema, indexname=index_name)
    segments = []
    for result in results:
        part_segments = TOC.read(whoosh_index.open_dir(result.folder, indexname=index_name).storage, index_name).segments
        for segment in part_segments:
            prefix = segment.segment_id() + "."
            for name in os.listdir(result.folder):
                if name.startswith(prefix):
                    os.replace(os.path.join(result.folder, name), tmp / name)
        segments.extend(part_segments)
        shutil.rmtree(result.folder, ignore_errors=True)
    generation = 1
    TOC(schema, segments, generation).write(ix.storage, index_name)
    clean_files(ix.storage, index_name, generation, segments)
    ix.close()


if __name__ == "__main__":
    from annotator.engine import index_build  # this module under its own name, so results unpickle in the caller

    sys.exit(index_build._worker_main(sys.argv[1]))
