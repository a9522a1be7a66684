"""Making untrusted text inert for a terminal: control characters shown, never obeyed.

Every text a shell prints or draws that came from a file (passage ids, titles, locations,
theme names, comments) goes through `show_controls`; ids are also refused at import when
`has_controls` finds anything in them.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 range (which some terminals obey); and the
# bidirectional embeddings, overrides and isolates, which reorder what follows them. The marks
# (LRM, RLM, ALM) only nudge neutral characters and belong in right-to-left prose: shown as they are.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_BIDI_MARKS = "\u061c\u200e\u200f"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_LINE_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_IN_AN_ID = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}{_BIDI_MARKS}\u2028\u2029]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def show_controls(text: str) -> str:
    """Replace control characters (ESC, BEL, a right-to-left override...) with a visible escape such as `\\x1b`."""
    return _CONTROL.sub(_visible, text)


def show_line(text: str) -> str:
    """As `show_controls`, and tabs and line breaks made visible too: for text that must stay on one line."""
    return _LINE_CONTROL.sub(_visible, text)


def has_controls(text: str) -> bool:
    """Whether the text holds any control character, line break or bidirectional control or mark:
    none belongs in an id, which is typed and compared, never read as prose."""
    return _IN_AN_ID.search(text) is not None
