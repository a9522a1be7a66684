"""How a text is written in YAML: whether a `|` literal block reads it back unchanged.

Shared by the emitter (yamlio) and the comment-keeping rewrite (yaml_roundtrip), which
must write new multi-line text alike.
"""

from __future__ import annotations

import re


def literal_block_fits(text: str) -> bool:
    """Whether multi-line `text` reads back unchanged from a `|` block (no carriage returns or
    characters YAML would have to escape; the emitter handles indentation and the final newline)."""
    return "\r" not in text and not _NOT_PRINTABLE.search(text)


# Characters YAML lets stand unescaped (NEL and the Unicode line and paragraph separators are
# line breaks to YAML); a text holding others is written double-quoted, with escapes.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
