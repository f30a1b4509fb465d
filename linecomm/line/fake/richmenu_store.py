"""What the fake LINE platform remembers about rich menus: the menus, their images, the default menu and
each user's linked menu. Guarded by the channel's lock (linecomm.line.fake.state.ChannelState.lock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RichMenuStore:
    menus: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> rich menu object (with richMenuId)
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # id -> (image, content type)
    default_id: str | None = None
    linked: dict[str, str] = field(default_factory=dict)  # user id -> rich menu id

    def shown_to(self, user_id: str) -> tuple[dict[str, Any] | None, str | None]:
        """The menu this user sees in the chat, as LINE picks it: their linked menu, else the default one
        (Messaging API); returns (menu, "user" | "default"), or (None, None)."""
        linked = self.linked.get(user_id)
        if linked is not None and linked in self.menus:
            return dict(self.menus[linked]), "user"
        if self.default_id is not None and self.default_id in self.menus:
            return dict(self.menus[self.default_id]), "default"
        return None, None
