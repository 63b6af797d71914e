"""The one chokepoint for what leaves: every reply passes `Privacy.screen` on its way into
the outbox, whoever wrote it (a command, a listener, scheduled work, the outbox itself).

The rules, by audience:
- Anything bound for a group has its phone numbers masked, however they are written
  (spaces, dashes, full-width digits, numerals in Chinese), except the numbers the union
  publishes on purpose (config `privacy.public_numbers`: hotlines, the station's number).
- Cadre material (exports, audit lines, request details: `audience="cadres"`) asked for in a
  workers' group goes privately to the cadre who asked, or to the cadre group where the
  transport cannot message one person; the group gets a one-line note.
- A person's own record (`audience="person"`) asked for in a group goes to them privately,
  with a one-line note, where the transport can message one person.
- The @names the transport writes before a group text (display names, which anyone can set
  to a phone number) are masked the same way when the outbox adds them (Outbox._reply).
- A direct message carries what its recipient is entitled to, unmasked: the handler that
  addressed it decided that.
Handlers may still choose their words with care; production does not rely on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot import replies
from bot.types import Reply
from parsers.fields.phone import mask_phones


@dataclass(frozen=True)
class Where:
    """What the screen needs to know of a reply's group."""

    is_cadre_group: bool


class Privacy:
    """Applies the privacy rules for a reply's audience (see the module docstring)."""

    def __init__(self, public_numbers: frozenset[str], *, can_direct: bool,
                 group: Callable[[int], Where | None], cadre_group: Callable[[], int | None]
                 ) -> None:
        self.public_numbers = public_numbers
        self.can_direct = can_direct
        self._group, self._cadre_group = group, cadre_group

    def mask(self, text: str) -> str:
        """Phone numbers masked, the union's published numbers kept."""
        return mask_phones(text, keep=self.public_numbers)

    def screen(self, reply: Reply) -> list[Reply]:
        """The replies that may really go out for one reply, group-bound text masked.

        Each is for a group (`to` None) or for one person (`group` None), never both.
        """
        return [self._masked(r) for r in self._route(reply)]

    def _masked(self, r: Reply) -> Reply:
        if r.group is None:
            return r
        text = self.mask(r.text)
        return r if text == r.text else replace(r, text=text)

    def _route(self, r: Reply) -> list[Reply]:
        if r.group is None or r.audience == "all":
            return [r]
        where = self._group(r.group)
        if r.audience == "cadres" and where is not None and where.is_cadre_group:
            return [replace(r, to=None, audience="all")]
        asker = r.to
        if asker is not None and self.can_direct:
            private = replace(r, group=None, mentions=(), audience="all")
            note = replace(r, text=replies.sent_privately(), file=None, to=None,
                           mentions=(asker,), audience="all")
            return [private, note]
        if r.audience == "person":
            return [replace(r, to=None, audience="all")]  # no private channel: as asked
        cadre_group = self._cadre_group()
        if cadre_group is not None and cadre_group != r.group:
            moved = replace(r, group=cadre_group, to=None, audience="all")
            note = replace(r, text=replies.sent_to_cadre_group(), file=None, to=None,
                           audience="all")
            return [moved, note]
        return [replace(r, text=replies.cadre_material_elsewhere(), file=None, to=None,
                        audience="all")]
