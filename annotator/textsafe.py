"""Making untrusted text inert for a terminal: control characters shown, never obeyed."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 range (which some terminals obey).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def show_controls(text: str) -> str:
    """Replace control characters (ESC, BEL, ...) with a visible escape such as `\\x1b`."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
