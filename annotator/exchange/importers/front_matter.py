"""A Markdown file's YAML front matter (Obsidian, Jekyll, Hugo): the `---` block that opens it.

It is not text to quote; its `title` and `author` name the work, as an EPUB's metadata does.
"""

from __future__ import annotations

import re

import yaml

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[str, str, str]:
    """(the text without its front matter, its title, its author); the text as it is without one."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return text, "", ""
    try:
        fields = yaml.safe_load(found.group(1))
    except yaml.YAMLError:
        return text, "", ""  # not YAML after all: a '---' rule opening the notes
    if not isinstance(fields, dict):
        return text, "", ""
    return text[found.end():], _field(fields.get("title")), _field(fields.get("author"))


def _field(value) -> str:
    if isinstance(value, list):  # author: [A, B]
        value = ", ".join(str(v) for v in value if isinstance(v, (str, int, float)))
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
