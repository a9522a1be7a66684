"""As a meaning query is typed, each key asks for the query's embedding: only the latest waiting
one is embedded (annotator.engine.meaning), and a search still waiting on a dropped one gets its
vector all the same."""

from __future__ import annotations

import threading

import numpy as np

from annotator.engine import meaning


class SlowQueries:
    """An embedder whose first query waits until released; records the queries embedded."""

    def __init__(self) -> None:
        self.embedded: list[str] = []
        self.release = threading.Event()
        self.started = threading.Event()

    def embed(self, texts, kind):
        if not self.started.is_set():
            self.started.set()
            assert self.release.wait(10)
        self.embedded.extend(texts)
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)


def test_typing_a_query_embeds_only_its_latest_waiting_form():
    model = SlowQueries()
    first = meaning._embedding_query(model, "h")
    assert model.started.wait(10)  # the model is busy with `h`
    typed = {text: meaning._embedding_query(model, text) for text in ("ho", "hop", "hope")}
    model.release.set()
    assert meaning._query_vector(typed["hope"], model, "hope")[0] == 4.0
    assert first.result(10)[0] == 1.0
    assert model.embedded == ["h", "hope"]  # `ho` and `hop` were dropped while they waited
    # A search that was still waiting on `hop` gets its vector: asked for again.
    assert meaning._query_vector(typed["hop"], model, "hop")[0] == 3.0
    assert model.embedded == ["h", "hope", "hop"]
