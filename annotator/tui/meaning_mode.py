"""The search box's two modes: by words (as typed) and by meaning (F2 switches).

By meaning, results are ranked by meaning and words together (Session.search_meaning)
and the first rows highlight their best-matching sentence once found. The passages are embedded once, in a
worker started by the first switch to meaning: searching by words or by meaning goes on
meanwhile, the meaning part covering what is embedded so far, and the box's title says how
much that is. Without the model the switch says why and stays on words.
"""

from __future__ import annotations

from functools import partial

from textual.worker import get_current_worker

SENTENCE_RESULTS = 2  # rows whose best sentence is found: their sentences are embedded (once) in the search


class MeaningMode:
    def __init__(self, app):
        self.app = app
        self.on = False
        self.progress: tuple[int, int] | None = None  # (embedded, total) while the worker runs
        self.started = False

    def label(self) -> str:
        if not self.on:
            return "by words"
        if self.progress and self.progress[0] < self.progress[1]:
            done, total = self.progress
            return f"by meaning · {done:,}/{total:,} embedded"  # short: the edge is 50 columns at 80
        return "by meaning"

    def show(self) -> None:
        self.app.main.show_title(self.label())

    def toggle(self) -> None:
        from annotator.session import meaning_unavailable

        if not self.on:
            why = meaning_unavailable()
            if why:
                self.app.notify(f"Search by meaning is unavailable: {why}", severity="warning", markup=False)
                return
        self.on = not self.on
        self.show()
        if self.on and not self.started:
            self.started = True
            self.app.run_worker(self._embed, thread=True, exclusive=True, group="embed", exit_on_error=False)
        self.app.main.search()

    def search(self, query: str, limit: int):
        """The meaning search for the results list (the caller holds the session lock). Its rows'
        best sentences are found after they are shown (`find_sentences`)."""
        return self.app.session.unlocked.search_meaning(query, limit=limit, fill_missing=False, sentences=0)

    def find_sentences(self, query: str, hits) -> None:
        """Highlight the sentence that matched best in the first rows, once found (a worker: the
        first time, embedding a long passage's sentences takes longer than the search did)."""
        if self.on and hits:
            self.app.run_worker(partial(self._find_sentences, query, hits[:SENTENCE_RESULTS]), thread=True,
                                exclusive=True, group="sentences", exit_on_error=False)

    def _find_sentences(self, query: str, hits) -> None:
        worker = get_current_worker()
        stop = lambda: worker.is_cancelled or not self.app.is_running  # noqa: E731
        # Not under the session's lock: the sentences' vectors live in the vector store, which has its own.
        spans = self.app.session.unlocked.best_sentences(query, hits, stop)
        if spans and not stop():
            self.app.call_from_thread(self.app.main.show_sentences, query, spans)

    def _embed(self) -> None:
        """Embed what is not embedded yet, telling the box's title; then search again with all of it."""
        worker = get_current_worker()
        with self.app.session.lock:  # the passages are read from the index under the lock, once
            covered = self.app.session.unlocked.meaning_coverage()
        if covered is None:
            return
        self.progress = (covered.embedded, covered.total)
        self.app.call_from_thread(self.show)

        def progress(done: int, total: int) -> None:
            self.progress = (done, total)
            self.app.call_from_thread(self.show)

        stop = lambda: worker.is_cancelled or not self.app.is_running  # noqa: E731
        self.app.session.unlocked.embed_passages(progress, stop, read_lock=self.app.session.lock)
        if not worker.is_cancelled and self.app.is_running:
            self.app.call_from_thread(self.show)
            if self.on:
                self.app.call_from_thread(self.app.main.search)
