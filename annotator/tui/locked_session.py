"""The Session as the UI's threads share it: one index call at a time.

The core keeps one Whoosh searcher open between searches and swaps it after a
commit; it is not meant for several threads at once. The search and sync workers
call through this wrapper, which holds one lock per call. A search worker waiting
here for an older search to finish checks, once it gets the lock, whether a newer
keystroke has cancelled it.

The main thread must never wait here behind a search: the methods that read only
the YAML corpus (STORE_ONLY) take no lock, and tagging writes the YAML through
`unlocked` with `index_later=True`, the index catching up in a worker afterwards.
"""

from __future__ import annotations

import threading
from functools import wraps


# Session methods that read or write the corpus files only, never the index: no lock.
# (The store's own workspace lock orders its writes; its caches are safe to share.)
STORE_ONLY = frozenset({
    "themes", "theme_counts", "resolve_theme", "theme_and_subthemes", "tags_on", "memos_on",
    "who", "default_annotator", "source_title", "blind", "looking", "visible", "spans_on", "span_problems", "grid", "reading_places",
    "annotators", "signatures", "check_annotations", "tags_by_passage", "theme_tag_count", "name_setting",
    "report", "agreement", "pair_agreement",  # counted in a worker over the YAML: a search must not wait for them
})


class LockedSession:
    def __init__(self, session):
        self._session = session
        self.lock = threading.RLock()

    def __getattr__(self, name: str):
        value = getattr(self._session, name)
        if not callable(value) or name in STORE_ONLY:
            return value  # store, ws, index: attributes, used for cheap reads (file signatures)

        @wraps(value)
        def locked(*args, **kwargs):
            with self.lock:
                return value(*args, **kwargs)

        return locked

    @property
    def unlocked(self):
        """The session itself, for a caller that holds `lock` already."""
        return self._session
