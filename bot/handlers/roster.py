"""接龙 rosters: publish a posting as a roster, and read every roster message in the group.

WeChat users sign up by copying the roster and appending their own line. Each roster
message is compared, by name (so reordering and renumbering do not matter), with the last
roster the bot knows for that posting:
- a new name is a claim (an edited count updates it);
- a missing name is a cancellation only when the sender removed themselves, or the sender is
  the poster or a cadre. Anyone else's copy that lacks a name is a stale copy made before that
  person signed up, so the name is kept.
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
from bot.permissions import is_cadre
from bot.router import Router, read_ref
from bot.types import Reply
from parsers.fields.numbers import arabize
from storage.models import Posting

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


def _load(ctx: Ctx, post: Posting) -> dict[str, int]:
    raw = ctx.repo.get_state(_key(post))
    return json.loads(raw) if raw else {}


def _save(ctx: Ctx, post: Posting, entries: dict[str, int]) -> None:
    ctx.repo.set_state(_key(post), json.dumps(entries, ensure_ascii=False))


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


def _claimant(ctx: Ctx, name: str) -> str:
    if name == ctx.msg.sender_name:
        return ctx.msg.sender_id
    m = ctx.repo.member_by_name(name)
    return m.sender_id if m is not None else f"name:{name}"


def publish(ctx: Ctx, number: int) -> Reply:
    post = ctx.repo.posting(number)
    if post is None or (ctx.group and post.group_id != ctx.group.id):
        return ctx.say(replies.no_such_posting(number))
    entries = {c.claimant_name or c.claimant_id: c.headcount for c in ctx.repo.claims(number)}
    _save(ctx, post, entries)
    return ctx.say(replies.roster(line_for(ctx, post), list(entries.items())))


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
    boss = ctx.msg.sender_id == post.poster_id or is_cadre(ctx.msg.sender_id, ctx.repo, ctx.config)
    added, changed, removed, out = [], [], [], []
    for name, count in seen.items():
        if known.get(name) == count:
            continue
        if name in known and not (boss or name == ctx.msg.sender_name):
            continue  # someone else's line edited in a copy: keep what its owner wrote
        res = apply_claim(ctx, post, _claimant(ctx, name), name, count, source="roster",
                          quiet=True)
        out += res
        (changed if name in known else added).append(f"{name}（{count}人）")
        known[name] = count
        if ctx.repo.posting(post.id or 0).status == "filled":  # type: ignore[union-attr]
            break
    for name in [n for n in known if n not in seen]:
        if boss or name == ctx.msg.sender_name:
            ctx.repo.cancel_claim(post.id or 0, _claimant(ctx, name), now=ctx.now())
            removed.append(name)
            del known[name]
    _save(ctx, post, known)
    if not (added or changed or removed):
        return out or None
    if removed and post.status == "filled" and post.headcount and ctx.repo.claimed(post.id or 0) < post.headcount:
        ctx.repo.set_posting_status(post, "open", now=ctx.now())
    summary = replies.roster_recorded(post.id or 0, added, changed, removed,
                                      ctx.repo.claimed(post.id or 0), post.headcount)
    # The per-claim replies (trimmed, filled, contact) follow the one summary line.
    return [ctx.say(summary), *[r for r in out if r.text != summary]]
