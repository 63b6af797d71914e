"""接龙 rosters: publish a posting as a roster, and read every roster message in the group.

WeChat users sign up by copying the roster and appending their own line. Each roster
message is compared, by name (so reordering and renumbering do not matter), with the last
roster the bot knows for that posting. A line is owned by the person it signs up (kept with
the line), and a message acts for its sender only:
- a member may add, edit or remove their own line: the line under their display name, or
  the one new line of a sender who has none yet (people write 老张 for 张建国);
- lines for other people need the poster or a cadre, and count only for a member the name
  stands for (unique and stable, see handlers.people); a name nobody holds is written down
  but never counts toward the headcount;
- a line missing from anyone else's copy is a stale copy made before it was added: kept.
A roster that cannot be tied to an open posting is someone else's 接龙 (a lunch order, a
sign-up for an outing): the bot stays silent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot import replies
from bot.context import Ctx
from bot.handlers.claims import apply_claim
from bot.handlers.common import line_for
from bot.handlers.people import Unresolved, by_name
from bot.permissions import is_cadre
from bot.router import Router, read_ref
from bot.types import Reply
from parsers.fields.numbers import arabize
from storage.models import Member, Posting

router = Router("roster")
_ENTRY = re.compile(r"^\s*(\d{1,3})\s*[.、．:：)）]\s*(.*?)\s*$")
_COUNT = re.compile(r"(?:[\s(（]*[+＋]?\s*(\d{1,3})\s*(?:人|个人|个|位)[)）]?|\s*[+＋]\s*(\d))\s*$")
_STRIP = re.compile(r"^[\s\-—:：,，。.]+|[\s\-—:：,，。.]+$")


@dataclass(frozen=True)
class Entry:
    name: str
    count: int


def parse_roster(text: str) -> tuple[list[str], list[Entry]]:
    """(title lines, entries) of a roster message body (after the #接龙 line)."""
    titles, entries = [], []
    for line in text.split("\n"):
        m = _ENTRY.match(line)
        if not m:
            if line.strip():
                titles.append(line.strip())
            continue
        body = arabize(m.group(2))
        count = 1
        c = _COUNT.search(body)
        if c:
            count, body = max(1, int(c.group(1) or c.group(2))), body[:c.start()]
        name = _STRIP.sub("", body)
        if name:
            entries.append(Entry(name[:32], count))
    return titles, entries


def _key(post: Posting) -> str:
    return f"roster:{post.id}"


@dataclass
class Line:
    """A roster line the bot knows: its count and whose claim it is (None: counts for nobody)."""

    count: int
    owner: str | None


def _load(ctx: Ctx, post: Posting) -> dict[str, Line]:
    raw = ctx.repo.get_state(_key(post))
    known = json.loads(raw) if raw else {}
    claimed = {c.claimant_name: c.claimant_id for c in ctx.repo.claims(post.id or 0)}
    # Rosters stored before lines had owners held a bare count: the owner is who claimed.
    return {name: Line(v, claimed.get(name)) if isinstance(v, int) else Line(v["n"], v["id"])
            for name, v in known.items()}


def _save(ctx: Ctx, post: Posting, known: dict[str, Line]) -> None:
    data = {name: {"n": x.count, "id": x.owner} for name, x in known.items()}
    ctx.repo.set_state(_key(post), json.dumps(data, ensure_ascii=False))


def _posting_for(ctx: Ctx, titles: list[str]) -> Posting | None:
    title = "\n".join(titles)
    m = re.search(r"#\s*(\d{1,9})", title)
    if m:
        p = ctx.repo.posting(int(m.group(1)))
        if p is not None and p.kind == "job" and (ctx.group is None or p.group_id == ctx.group.id):
            return p
        return None
    if not title:
        return None
    gid = ctx.group.id if ctx.group else None
    scored = [(fuzz.partial_ratio(title, p.text), p.id or 0, p)
              for p in ctx.repo.open_postings(gid, limit=200)]
    scored.sort(key=lambda t: (-t[0], -t[1]))
    return scored[0][2] if scored and scored[0][0] >= 70 else None


def _owner(ctx: Ctx, name: str, known: dict[str, Line], new: list[str], boss: bool
           ) -> tuple[str | None, str]:
    """(whose claim a new line is, what the sender may do with it): "count" it, "write" it
    down counting for nobody (the poster's line for a name that stands for no one member),
    or "refuse" it (a member's line for someone else)."""
    me = ctx.msg.sender_id
    if name == ctx.msg.sender_name:
        return me, "count"
    found = by_name(ctx, name)
    if boss:
        return (found.sender_id, "count") if isinstance(found, Member) else (None, found.why)
    mine = any(x.owner == me for x in known.values())
    # The sender's own line under another spelling (老张 for 张建国): their first new line,
    # while they have none, naming nobody else.
    if new and name == new[0] and not mine and isinstance(found, Unresolved) and found.why == "none":
        return me, "count"
    return None, "refuse"


def publish(ctx: Ctx, number: int) -> Reply:
    post = ctx.repo.posting(number)
    if post is None or (ctx.group and post.group_id != ctx.group.id):
        return ctx.say(replies.no_such_posting(number))
    # A claim without a name is someone who had their data erased: counted, not shown.
    entries = {c.claimant_name: Line(c.headcount, c.claimant_id)
               for c in ctx.repo.claims(number) if c.claimant_name}
    _save(ctx, post, entries)
    return ctx.say(replies.roster(line_for(ctx, post),
                                  [(n, x.count) for n, x in entries.items()]))


@router.command("接龙", permission="member", help="把岗位发成接龙，大家复制后加上自己的名字报名",
                usage="#接龙 编号")
def cmd_roster(ctx: Ctx) -> list[Reply] | Reply | None:
    bare = read_ref(ctx.args, "posting")
    if bare is not None and not bare[1]:
        return publish(ctx, bare[0])
    titles, entries = parse_roster(ctx.args)
    post = _posting_for(ctx, titles)
    if post is None or not entries:
        return None  # not ours: stay quiet
    known = _load(ctx, post)
    seen = {e.name: e.count for e in entries}
    me = ctx.msg.sender_id
    boss = me == post.poster_id or is_cadre(me, ctx.repo, ctx.config)
    new = [name for name in seen if name not in known]
    added, changed, removed, refused, out = [], [], [], [], []
    uncounted: dict[str, list[str]] = {"none": [], "several": [], "recent": [], "taken": []}
    has_line = any(x.owner == me for x in known.values())
    taken: list[str] = []
    for name, count in seen.items():
        line = known.get(name)
        may = "count"
        if (line is not None and line.owner not in (None, me) and not boss and not has_line
                and name == ctx.msg.sender_name):
            taken.append(name)  # a namesake's line (or one who took the name): told below
            continue
        if line is not None and line.owner is None and (name == ctx.msg.sender_name or boss):
            # A line written for someone (counting for nobody), taken up by its owner, or
            # by the poster or a cadre vouching for it: read it again as a new line.
            line = None
        elif line is not None and line.count == count:
            continue
        if line is not None:
            if not (boss or line.owner == me):
                continue  # someone else's line edited in a copy: keep what its owner wrote
            owner = line.owner
        else:
            owner, may = _owner(ctx, name, known, new, boss)
            if may == "refuse":
                # Kept in the roster (later copies carry it) but counting for nobody until
                # its owner, the poster or a cadre writes it.
                refused.append(name)
                known[name] = Line(count, None)
                continue
        if owner is not None:
            out += apply_claim(ctx, post, owner, name, count, source="roster", quiet=True)
        else:
            if known.get(name) == Line(count, None):
                continue  # the same uncounted line again: nothing new to record or say
            uncounted[may].append(name)
        (changed if line is not None else added).append(f"{name}（{count}人）")
        known[name] = Line(count, owner)
        if ctx.repo.posting(post.id or 0).status == "filled":  # type: ignore[union-attr]
            break
    for name in [n for n in known if n not in seen]:
        line = known[name]
        if boss or line.owner == me:
            if line.owner is not None:
                ctx.repo.cancel_claim(post.id or 0, line.owner, now=ctx.now())
            removed.append(name)
            del known[name]
    if not any(x.owner == me for x in known.values()):  # they wrote no line of their own
        uncounted["taken"] = taken
    _save(ctx, post, known)
    if not (added or changed or removed or refused or any(uncounted.values())):
        return out or None
    if removed and post.status == "filled" and post.headcount and ctx.repo.claimed(post.id or 0) < post.headcount:
        ctx.repo.set_posting_status(post, "open", now=ctx.now())
    summary = replies.roster_recorded(post.id or 0, added, changed, removed,
                                      ctx.repo.claimed(post.id or 0), post.headcount,
                                      refused=refused, uncounted=uncounted)
    # The per-claim replies (trimmed, filled, contact) follow the one summary line.
    return [ctx.say(summary), *[r for r in out if r.text != summary]]
