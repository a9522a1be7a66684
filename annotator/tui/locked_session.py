"""The Session as the UI's threads share it: one call at a time.

The core keeps one Whoosh searcher open between searches and swaps it after a
commit; it is not meant for several threads at once. The search and sync workers
and the main thread (tagging) all call through this wrapper, which holds one lock
per call. A search worker waiting here for an older search to finish checks, once
it gets the lock, whether a newer keystroke has cancelled it.
"""

from __future__ import annotations

import threading
from functools import wraps


class LockedSession:
    def __init__(self, session):
        self._session = session
        self.lock = threading.RLock()

    def __getattr__(self, name: str):
        value = getattr(self._session, name)
        if not callable(value):
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
