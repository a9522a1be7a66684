"""Keys typed in a burst across a focus change go where the user meant them.

Textual queues key events on the widget focused when each key arrives. A fast
typist's `down` then `1` (or `/` then `hope`) both land on the old widget before
the binding moves focus, so the second key would be typed into the search box
(or lost). A widget with this mixin moves focus for its switch keys itself, and
hands any key it receives after losing focus to the widget that has it now.
"""

from __future__ import annotations

from textual import events


class KeyHandoff:
    SWITCH_KEYS: dict[str, str] = {}  # key -> app action that moves focus

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not None and focused is not self:
            event.prevent_default()
            event.stop()
            focused.post_message(events.Key(event.key, event.character))
            return
        action = self.SWITCH_KEYS.get(event.key)
        if action:
            event.prevent_default()
            event.stop()
            await self.app.run_action(action)
            return
        await super()._on_key(event)
