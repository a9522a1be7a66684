"""A text box whose editing keys keep their place among the letters typed around them.

Textual's Input inserts a letter as its key arrives but runs its bindings (backspace, delete,
left, right, home, end, ctrl+w, …) only once the key has bubbled up to the app, through each
ancestor's message queue. A letter typed just after a backspace, delivered in the same burst, was
inserted first and the backspace then deleted it: "ab⌫ab⌫" became "aba". This box runs its own
bindings as the key arrives, in the order typed. Priority bindings (the app's, a dialog's) are
run by the app before the key reaches the box, as before; a binding of the box wins over its
ancestors' either way, so only the timing changes. Enter (submit) still goes the usual way, after
the keys before it: a dialog's `down` `down` `enter` picks the third row, not the first.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

LATE_ACTIONS = {"submit"}  # after the keys typed before it, which a dialog may handle (its up, down)


class TextBox(Input):
    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if binding.priority or binding.action in LATE_ACTIONS:
                continue
            if await self.app.run_action(binding.action, self):
                event.prevent_default()
                event.stop()
                self._restart_blink()
                return
        await super()._on_key(event)
