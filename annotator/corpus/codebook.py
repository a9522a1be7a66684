"""Editing the codebook: add, rename, recolour, describe, nest, merge and delete themes.

Theme ids are what tags point at. Renaming keeps the id unless a new id is asked
for, and then every tag follows; merging moves tags onto the theme merged into.
Writes are ordered so that a crash between two files never leaves a tag pointing
at a theme that is gone: the new theme is written before tags move to it, and a
theme is removed only after its tags have moved or gone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from annotator.errors import BadInput, NotFound
from annotator.corpus.model import COLOR_RE, SLUG_RE, AnnotationFile, Theme, theme_slug
from annotator.corpus.store import Store
from annotator.textsafe import has_controls, show_line

PALETTE = ["#e06c75", "#98c379", "#61afef", "#e5c07b", "#c678dd", "#56b6c2", "#d19a66", "#be5046", "#7ec699"]


@dataclass
class CodebookChange:
    """What an edit did, for the shells to report."""

    theme: Theme | None
    tags_moved: int = 0
    tags_removed: int = 0
    duplicates_merged: int = 0
    message: str = ""


# -- reading -------------------------------------------------------------------------------


def find_theme(themes: list[Theme], theme_id: str) -> Theme:
    for theme in themes:
        if theme.id == theme_id:
            return theme
    raise NotFound(f"no theme with id '{theme_id}'")


def descendants(themes: list[Theme], theme_id: str) -> list[str]:
    """The theme's id followed by its children's, grandchildren's... (cycle-safe)."""
    result, frontier = [theme_id], [theme_id]
    while frontier:
        parent = frontier.pop()
        for theme in themes:
            if theme.parent == parent and theme.id not in result:
                result.append(theme.id)
                frontier.append(theme.id)
    return result


_TYPED_THEME = re.compile(r'(?<![\w"])(themes?):([a-z0-9][a-z0-9._-]*)', re.IGNORECASE)


def expand_typed_themes(text: str, themes: list[Theme]) -> str:
    """`theme:PARENT` typed in a query becomes the parent and each sub-theme (the typed filters are OR-ed)."""
    known = {t.id for t in themes}

    def expand(match: re.Match) -> str:
        theme_id = match.group(2).lower()
        if theme_id not in known:
            return match.group(0)
        return " ".join(f"{match.group(1)}:{i}" for i in descendants(themes, theme_id))

    return _TYPED_THEME.sub(expand, text)


def unknown_typed_themes(text: str, themes: list[Theme]) -> list[str]:
    """The `theme:ID` filters typed in a query that name no theme, in the order typed, without repeats."""
    known = {t.id for t in themes}
    typed = (match.group(2).lower() for match in _TYPED_THEME.finditer(text))
    return list(dict.fromkeys(theme_id for theme_id in typed if theme_id not in known))


def unknown_themes_notice(text: str, themes: list[Theme]) -> str | None:
    """"no theme 'hpoe'" for a typo in a typed filter, which would otherwise find nothing silently."""
    unknown = unknown_typed_themes(text, themes)
    return "no theme " + ", ".join(f"'{theme_id}'" for theme_id in unknown) if unknown else None


def depth(themes: list[Theme], theme_id: str) -> int:
    by_id = {t.id: t for t in themes}
    level, seen, current = 0, {theme_id}, by_id.get(theme_id)
    while current and current.parent and current.parent in by_id and current.parent not in seen:
        seen.add(current.parent)
        current = by_id[current.parent]
        level += 1
    return level


def tag_count(store: Store, theme_id: str) -> int:
    return sum(1 for tag in store.all_tags() if tag.theme == theme_id)


def normalise_color(color: str) -> str:
    value = color.strip()
    if not value.startswith("#"):
        value = "#" + value
    if len(value) == 4:  # #abc -> #aabbcc
        value = "#" + "".join(ch * 2 for ch in value[1:])
    if not COLOR_RE.match(value):
        raise BadInput(f"colour '{color}' must look like #rrggbb (for example #61afef)")
    return value.lower()


# -- editing -------------------------------------------------------------------------------


def add_theme(
    store: Store,
    name: str,
    *,
    theme_id: str | None = None,
    description: str = "",
    color: str | None = None,
    parent: str | None = None,
) -> Theme:
    name = name.strip()
    if not name:
        raise BadInput("a theme needs a name")
    _check_name(name)
    with store.locked():
        themes = store.themes()
        new_id = theme_id or theme_slug(name)
        if any(t.name.casefold() == name.casefold() for t in themes):  # said first: the user typed a name, not an id
            raise BadInput(f"a theme named '{name}' already exists")
        _check_new_id(themes, new_id)
        if parent is not None:
            find_theme(themes, parent)
        theme = Theme(
            new_id,
            name,
            description.strip(),
            normalise_color(color) if color else PALETTE[len(themes) % len(PALETTE)],
            parent,
        )
        store.save_themes([*themes, theme])
    return theme


MAX_NAME_CHARS = 80


def _check_name(name: str) -> None:
    """A name typed for a theme (added or renamed): printable on one line, and not too long. A name
    already in a hand-edited codebook is not checked: it loads, shown escaped."""
    if has_controls(name):
        raise BadInput(
            f"theme name '{show_line(name[:MAX_NAME_CHARS])}' may hold no control or bidirectional characters "
            "(tabs, line breaks, escapes, direction overrides)"
        )
    if len(name) > MAX_NAME_CHARS:
        raise BadInput(
            f"a theme name can have at most {MAX_NAME_CHARS} characters (this one has {len(name)}); "
            "say the rest in its description"
        )


def _check_new_id(themes: list[Theme], new_id: str) -> None:
    if len(new_id) > MAX_NAME_CHARS:
        raise BadInput(f"a theme id can have at most {MAX_NAME_CHARS} characters (this one has {len(new_id)})")
    if not SLUG_RE.match(new_id):
        raise BadInput(f"theme id '{new_id}' must be a slug (lowercase letters, digits, '-')")
    if any(t.id == new_id for t in themes):
        raise BadInput(f"a theme with id '{new_id}' already exists")


def _update(store: Store, theme_id: str, **changes) -> Theme:
    with store.locked():
        themes = store.themes()
        theme = find_theme(themes, theme_id)
        updated = replace(theme, **changes)
        store.save_themes([updated if t.id == theme_id else t for t in themes])
    return updated


def set_color(store: Store, theme_id: str, color: str | None) -> Theme:
    return _update(store, theme_id, color=normalise_color(color) if color else None)


def set_description(store: Store, theme_id: str, description: str) -> Theme:
    return _update(store, theme_id, description=description.strip())


def set_parent(store: Store, theme_id: str, parent: str | None) -> Theme:
    """Nest a theme under another (or at the top with None); refuses to make a cycle."""
    if parent is not None:
        themes = store.themes()
        find_theme(themes, parent)
        if parent in descendants(themes, theme_id):
            raise BadInput(f"'{parent}' is '{theme_id}' or one of its sub-themes; a theme cannot sit under itself")
    return _update(store, theme_id, parent=parent)


def rename_theme(store: Store, theme_id: str, new_name: str | None = None, new_id: str | None = None) -> CodebookChange:
    """Change a theme's name (the id stays) and, when asked, its id: then every tag follows."""
    with store.locked():
        themes = store.themes()
        theme = find_theme(themes, theme_id)
        name = (new_name or "").strip() or theme.name
        if name != theme.name:
            _check_name(name)
        if name.casefold() != theme.name.casefold() and any(t.name.casefold() == name.casefold() for t in themes):
            raise BadInput(f"a theme named '{name}' already exists")
        if not new_id or new_id == theme_id:
            renamed = _update(store, theme_id, name=name)
            return CodebookChange(renamed, message=f"renamed '{theme_id}' to '{name}' (id unchanged)")
        _check_new_id(themes, new_id)
        renamed = replace(theme, id=new_id, name=name)
        # 1. the new theme beside the old one, 2. tags move, 3. the old one goes.
        store.save_themes([*themes, renamed])
        moved, merged = _move_tags(store, theme_id, new_id)
        final = _replace_theme(store.themes(), theme_id, new_id)
        # keep the renamed theme where the old one stood in the codebook order
        final.remove(renamed)
        position = [t.id for t in themes].index(theme_id)
        final.insert(position, renamed)
        store.save_themes(final)
    return CodebookChange(renamed, tags_moved=moved, message=f"renamed '{theme_id}' to '{new_id}' ({name}); {moved} tag(s) follow")


def _replace_theme(themes: list[Theme], old_id: str, new_id: str) -> list[Theme]:
    """The codebook without `old_id`, its sub-themes now under `new_id`."""
    return [replace(t, parent=new_id) if t.parent == old_id else t for t in themes if t.id != old_id]


def merge_themes(store: Store, source_id: str, into_id: str) -> CodebookChange:
    """Move every tag of `source_id` onto `into_id` and remove `source_id`; its sub-themes move too."""
    if source_id == into_id:
        raise BadInput("cannot merge a theme into itself")
    with store.locked():
        themes = store.themes()
        source = find_theme(themes, source_id)
        into = find_theme(themes, into_id)
        if into_id in descendants(themes, source_id):
            raise BadInput(f"'{into_id}' is a sub-theme of '{source_id}'; merge the other way round")
        moved, merged = _move_tags(store, source_id, into_id)
        store.save_themes(_replace_theme(store.themes(), source_id, into_id))
    return CodebookChange(
        into,
        tags_moved=moved,
        duplicates_merged=merged,
        message=f"merged '{source.id}' into '{into.id}': {moved} tag(s) moved"
        + (f", {merged} already there (comments kept)" if merged else "") + numbers_shift(themes, source_id),
    )


def delete_theme(store: Store, theme_id: str, *, force: bool = False) -> CodebookChange:
    """Remove a theme. Refused while it tags passages unless `force`, which removes those tags."""
    with store.locked():
        themes = store.themes()
        theme = find_theme(themes, theme_id)
        count = tag_count(store, theme_id)
        if count and not force:
            passages = len({t.passage for t in store.all_tags() if t.theme == theme_id})
            raise BadInput(
                f"'{theme_id}' still has {count} tag(s) on {passages} passage(s); merge it into another theme, "
                f"or delete with --force to remove those {count} tag(s)"
            )
        removed = 0
        if count:
            def drop(annotations: AnnotationFile) -> int:
                before = len(annotations.tags)
                annotations.tags = [t for t in annotations.tags if t.theme != theme_id]
                return before - len(annotations.tags)

            removed = store.rewrite_all_annotations(drop)
        remaining = [replace(t, parent=theme.parent) if t.parent == theme_id else t for t in store.themes() if t.id != theme_id]
        store.save_themes(remaining)
    message = f"deleted '{theme_id}'" + (f" and its {removed} tag(s)" if removed else "") + numbers_shift(themes, theme_id)
    return CodebookChange(theme, tags_removed=removed, message=message)


def numbers_shift(themes: list[Theme], removed_id: str) -> str:
    """The note for a removal's message when themes numbered 1-9 (the TUI's digit keys) move up one."""
    position = [t.id for t in themes].index(removed_id) + 1
    last = min(len(themes), 10)  # the tenth theme becomes number 9
    if position > 9 or position >= last:
        return ""
    if position + 1 == last:
        return f"; the theme numbered {last} is now {last - 1}"
    return f"; themes {position + 1}-{last} are now numbered {position}-{last - 1}"


def _move_tags(store: Store, old_id: str, new_id: str) -> tuple[int, int]:
    """Point every tag of `old_id` at `new_id`; where an annotator already has `new_id` on that
    passage the two collapse into one, keeping both comments. Returns (moved, collapsed)."""
    collapsed = 0

    def move(annotations: AnnotationFile) -> int:
        nonlocal collapsed
        changed = 0
        targets = {t.passage: t for t in annotations.tags if t.theme == new_id}
        kept = []
        for tag in annotations.tags:
            if tag.theme != old_id:
                kept.append(tag)
                continue
            changed += 1
            existing = targets.get(tag.passage)
            if existing is not None:
                collapsed += 1
                if tag.comment and tag.comment != existing.comment:
                    existing.comment = f"{existing.comment} / {tag.comment}" if existing.comment else tag.comment
                if existing.spans and tag.spans:  # two span tags: the words of both (a whole-passage tag stays one)
                    existing.spans = existing.spans + tuple(s for s in tag.spans if s not in existing.spans)
                continue
            tag.theme = new_id
            targets[tag.passage] = tag
            kept.append(tag)
        annotations.tags = kept
        return changed

    moved = store.rewrite_all_annotations(move)
    return moved, collapsed
