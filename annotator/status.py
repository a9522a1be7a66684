"""What `annotator status` reports: which workspace is open and how it was found, what it holds,
who you are in it, whether its index is current, and whether search by meaning is available.

Nothing here writes: the index is looked at, not synced.
"""

from __future__ import annotations

from collections import Counter

from annotator.corpus.identity import where_name_comes_from
from annotator.errors import AnnotatorError


def workspace_status(session) -> dict:
    ws = session.ws
    status: dict = {
        "workspace": str(ws.root),
        "found_by": ws.found_by or "--workspace",
        "read_only": ws.read_only,  # then the index lives in a per-user cache folder (Workspace.derived_home)
        "index_folder": str(ws.index_dir),
        "problems": [],
    }
    status.update(_counts(session.store, status["problems"]))
    status["you"] = _you(session, status["problems"])
    status["index"] = index_state(session)
    status["meaning_search"] = meaning_search_state(session)
    return status


def _counts(store, problems: list[str]) -> dict:
    counts: dict = {"themes": 0, "sources": 0, "passages": 0, "tags": {}, "comments": {}, "language": "en", "languages": {}}
    for read in (_count_themes, _count_sources):
        try:
            read(store, counts)
        except AnnotatorError as error:
            problems.append(str(error))
    _count_annotations(store, counts, problems)
    return counts


def _count_themes(store, counts: dict) -> None:
    counts["themes"] = len(store.themes())


def _count_sources(store, counts: dict) -> None:
    sources = store.sources()
    counts["sources"] = len(sources)
    counts["passages"] = sum(len(s.passages) for s in sources)
    from annotator.corpus.languages import workspace_language

    default = counts["language"] = workspace_language(store.ws.corpus)
    counts["languages"] = dict(sorted(Counter(s.source.language or default for s in sources).items()))


def _count_annotations(store, counts: dict, problems: list[str]) -> None:
    """Each annotator's file on its own: one malformed file is a problem, not "tags: none yet" for all."""
    tags: Counter = Counter()
    comments: Counter = Counter()
    for path in store.annotation_paths():
        try:
            annotation_file = store.annotations(path.stem)
        except AnnotatorError as error:
            problems.append(str(error))
            continue
        tags[annotation_file.annotator] += len(annotation_file.tags)
        comments[annotation_file.annotator] += len(annotation_file.memos) + sum(1 for t in annotation_file.tags if t.comment)
    counts["tags"] = dict(sorted(tags.items()))
    counts["comments"] = dict(sorted(comments.items()))


def _you(session, problems: list[str]) -> dict:
    try:
        return {"name": session.default_annotator(), "from": where_name_comes_from(session.ws)}
    except AnnotatorError as error:
        problems.append(str(error))
        return {"name": None, "from": None}


def index_state(session) -> str:
    """'up to date', or what the next command that reads it will do."""
    from annotator.engine.index import SCHEMA_VERSION, Manifest  # Whoosh: status opens no index

    manifest = Manifest.read(session.ws.index_dir)
    if manifest is None:
        return "not built yet (built by the first search)"
    if manifest.schema != SCHEMA_VERSION:
        return "from an older version (rebuilt by the next search)"
    try:
        current = {path: list(sig) for path, sig in session.store.signatures().items()}
    except OSError:
        return "unknown (the corpus could not be listed)"
    changed = sum(1 for path in current.keys() | manifest.files.keys() if current.get(path) != manifest.files.get(path))
    if changed:
        return f"{changed} corpus file(s) changed since it was built (updated by the next search)"
    return "up to date"


def meaning_search_state(session=None) -> str:
    """Whether search and suggestions by meaning work here, and how much of the corpus is embedded (or why not)."""
    from annotator.engine import embeddings  # only when status is asked for

    model = embeddings.embedder()
    if model is None:
        return embeddings.unavailable() or "unavailable"
    state = "available (multilingual-e5-small, bundled)"
    if session is None:
        return state
    try:
        from annotator.engine import meaning

        texts = [p.text for source in session.store.sources() for p in source.passages]
        store = meaning.store_for(session.ws.index_dir, model)
        store.reload()
        done = sum(1 for t in texts if meaning.text_key(t) in store.rows)
    except (AnnotatorError, OSError):
        return state
    if done >= len(texts):
        return state[:-1] + "; every passage embedded)"
    return state[:-1] + f"; {done:,} of {len(texts):,} passages embedded, the rest on the first meaning search)"
