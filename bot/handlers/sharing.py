"""Sharing between member units (共享+, issue 28): a unit asks for a resource (a need, S3),
others offer theirs, the asker confirms who provides what, and the need closes when covered.

- A need (share_need: 中午哪些兄弟单位能接待午餐？) gets a card with its S-number.
- An offer (share_offer: 我这还能接待3桌。) attaches to a need: the need its quote names (the
  card, or the need's own words), the S-number it writes (S3 我这有2辆), else the one open need
  of that resource in the group within the last hours (asked which, when there are several).
  An offer that answers no need is kept without a word: a need of that resource posted later
  lists it on its card.
- `#确认 S3 某单位 3桌` (the asker or a cadre) records who provides how much and puts both
  sides in touch privately: each gets the other's name and contact by direct message, the
  group hears only that they were. The need closes when the confirmed quantity covers what was
  asked, on the asker's 够了, or on `#关闭 S3`.

The two commands are registered under their own names with the S forms as aliases
(`#确认 S3` is matched before the posting command `#确认`): the posting command is for a
posting's poster, whom the dispatcher checks before any handler runs, and a need's asker is
no poster. Permissions (asker or cadre) are checked here, refusals audited as the dispatcher
does.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError
from bot.handlers.people import by_name, mentioned
from bot.permissions import is_cadre
from bot.router import Router
from bot.types import Reply
from parsers.fields.numbers import arabize
from parsers.fields.shares import Quantity, find_quantity
from parsers.normalize import normalize
from storage.models import Share

router = Router("sharing")

# An offer answers the one open need of its resource posted within this long.
CONTEXT = timedelta(hours=6)
# Offers made this long before a need of their resource are listed on its card.
OFFERED_BEFORE = timedelta(days=1)
# A quote is the need's own words when this similar (rapidfuzz partial ratio).
QUOTE_SIMILARITY = 80
_S_REF = re.compile(r"^\s*[Ss]\s*(\d{1,9})(?!\d)\s*(.*)$", re.S)
_CARD = re.compile(r"共享需求\s*S(\d+)")
_ENOUGH = re.compile(r"^(?:已经|都|好的?[，,]?)?(?:够了|够用了|安排好了|不用了|不需要了)"
                     r"[，,。!！~\s]*(?:谢谢|感谢|多谢)?[^，,。]{0,12}[。!！~]*$")
# The unit a sender speaks for, where the message names it: 我们训练基地, 我厂.
_UNIT = re.compile(r"(?:我们|我|本|咱们)(?:这边|这里|这)?([\u4e00-\u9fff]{1,8}?(?:基地|厂|公司|单位|"
                   r"食堂|酒店|饭店|宾馆|农庄|农场|果园|园区|中心|学校|医院|合作社|车队))")


def _unit(text: str) -> str | None:
    m = _UNIT.search(text)
    return m.group(1) if m else None


def _who(s: Share) -> str:
    """A share's unit as the group knows it: its unit's name, else the poster's."""
    return s.unit or s.poster_name or "一家单位"


def _asker(s: Share) -> str:
    """The asker named to a provider: 王主任（训练基地）."""
    name = s.poster_name or "对方"
    return f"{name}（{s.unit}）" if s.unit and s.unit != name else name


def _quantity(s: Share) -> Quantity | None:
    return Quantity(s.quantity_number, s.quantity_unit or "") \
        if s.quantity_number is not None else None


def _what(s: Share) -> str:
    return replies.share_what(s.resource, s.quantity_text)


# -- a need ------------------------------------------------------------------------------------
@router.on("share_need")
def on_need(ctx: Ctx) -> list[Reply]:
    p = ctx.parsed
    assert p is not None and p.resource is not None
    if ctx.group is None:
        return [ctx.say(replies.direct_hint())]
    now = ctx.now()
    need = ctx.repo.add_share(
        now=now, kind="need", group_id=ctx.group.id, poster_id=ctx.msg.sender_id,
        poster_name=ctx.msg.sender_name, unit=_unit(p.text), resource=p.resource,
        quantity_number=p.quantity_number, quantity_unit=p.quantity_unit,
        quantity_text=p.quantity, contact=p.contact, text=p.text, message_id=ctx.row.id)
    # Offers of this resource made lately that answered no need: this one may use them.
    loose = [o for o in _loose_offers(ctx, p.resource, now - OFFERED_BEFORE)
             if o.poster_id != ctx.msg.sender_id]
    for o in loose:
        o.need_id = need.id
        ctx.repo.save_share(o, now=now)
    return [ctx.say(replies.share_need_card(
        need.id or 0, _what(need), need.unit,
        [f"{_who(o)} {o.quantity_text or ''}".strip() for o in loose]),
        mentions=(ctx.msg.sender_id,))]


def _loose_offers(ctx: Ctx, resource: str, since: datetime) -> list[Share]:
    assert ctx.group is not None
    return [o for o in ctx.repo.open_offers(ctx.group.id, resource=resource, since=since)
            if o.need_id is None]


# -- an offer ----------------------------------------------------------------------------------
@router.on("share_offer")
def on_offer(ctx: Ctx) -> list[Reply]:
    p = ctx.parsed
    assert p is not None and p.resource is not None
    if ctx.group is None:
        return [ctx.say(replies.direct_hint())]
    found = _need_of(ctx, p.resource)
    q = Quantity(p.quantity_number, p.quantity_unit or "") if p.quantity_number is not None \
        else None
    if isinstance(found, list):  # several open needs: ask which
        return [ctx.say(replies.share_which_need(
            [(n.id or 0, _what(n)) for n in sorted(found, key=lambda n: n.id or 0)]),
                        mentions=(ctx.msg.sender_id,))]
    if found is None:  # no need to answer: kept quietly, for a need that comes later
        _add_offer(ctx, None, p.resource, q, p.text)
        return []
    return _offer_to(ctx, found, q, p.text)


def _need_of(ctx: Ctx, resource: str | None) -> Share | list[Share] | None:
    """The need an offer answers: by its quote, else the one open need of its resource in
    the group lately (a list when there are several), else None."""
    assert ctx.group is not None and ctx.parsed is not None
    quoted = _quoted_need(ctx)
    if quoted is not None:
        return quoted
    needs = [n for n in ctx.repo.open_needs(ctx.group.id, resource=resource,
                                            since=ctx.now() - CONTEXT)
             if n.poster_id != ctx.msg.sender_id]
    if len(needs) > 1:
        return needs
    return needs[0] if needs else None


def _quoted_need(ctx: Ctx) -> Share | None:
    """The need a quote names: the bot's card (已登记共享需求 S3), or the need's own words."""
    quote = ctx.parsed.quote if ctx.parsed else None
    if quote is None or ctx.group is None:
        return None
    m = _CARD.search(quote.text)
    if m:
        s = ctx.repo.share(int(m.group(1)))
        return s if s is not None and s.kind == "need" and s.group_id == ctx.group.id else None
    best, score = None, 0.0
    for n in ctx.repo.open_needs(ctx.group.id, since=ctx.now() - OFFERED_BEFORE):
        got = fuzz.partial_ratio(quote.text, n.text)
        if got >= QUOTE_SIMILARITY and got > score:
            best, score = n, got
    return best


def _add_offer(ctx: Ctx, need: Share | None, resource: str, q: Quantity | None,
               text: str) -> Share:
    assert ctx.group is not None and ctx.parsed is not None
    return ctx.repo.add_share(
        now=ctx.now(), kind="offer", group_id=ctx.group.id, poster_id=ctx.msg.sender_id,
        poster_name=ctx.msg.sender_name, unit=_unit(text), resource=resource,
        quantity_number=q.number if q else None, quantity_unit=q.unit if q else None,
        quantity_text=q.text if q else None, contact=ctx.parsed.contact, text=text,
        need_id=need.id if need else None, message_id=ctx.row.id)


def _offer_to(ctx: Ctx, need: Share, q: Quantity | None, text: str) -> list[Reply]:
    n = need.id or 0
    if need.status != "open":
        return [ctx.say(replies.share_not_open(n), mentions=(ctx.msg.sender_id,))]
    if need.poster_id == ctx.msg.sender_id:
        return [ctx.say(replies.share_own_need(n))]
    offer = _add_offer(ctx, need, need.resource, q, text)
    offers = ctx.repo.share_offers(n)
    return [ctx.say(replies.share_offer_noted(n, _who(offer), offer.quantity_text,
                                              _total(offers, need), len(offers)),
                    mentions=(ctx.msg.sender_id, need.poster_id))]


def _total(rows: list[Share] | object, need: Share) -> str | None:
    """The quantities offered (or confirmed) added up, where they share one measure word."""
    qs = [(r.quantity_number, r.quantity_unit) for r in rows  # type: ignore[attr-defined]
          if r.quantity_number is not None]
    units = {u for _, u in qs}
    if len(qs) < 2 or len(units) != 1:
        return None
    return Quantity(sum(x for x, _ in qs), units.pop() or "").text


@router.first
def on_plain(ctx: Ctx) -> list[Reply] | None:
    """Plain words on a share: an offer naming its need (S3 我这有2辆, or a quote of the
    card with a quantity), and the asker's 够了. Anything else is left to the others."""
    p = ctx.parsed
    if p is None or ctx.group is None or p.intent in ("share_need", "share_offer"):
        return None
    text = p.text.strip()
    m = _S_REF.match(text)
    if m:
        need = ctx.repo.share(int(m.group(1)))
        if need is None or need.group_id != ctx.group.id:
            return None
        if need.kind == "offer" and need.need_id is not None:
            need = ctx.repo.share(need.need_id) or need
        if need.kind != "need":
            return None
        return _offer_to(ctx, need, find_quantity(arabize(m.group(2))), m.group(2) or text)
    if p.quote is not None and _CARD.search(p.quote.text):
        need = _quoted_need(ctx)
        q = find_quantity(arabize(text))
        if need is not None and q is not None:
            return _offer_to(ctx, need, q, text)
        return None
    if len(text) <= 24 and _ENOUGH.match(text):
        mine = [n for n in ctx.repo.open_needs(ctx.group.id, since=ctx.now() - CONTEXT)
                if n.poster_id == ctx.msg.sender_id]
        if mine:
            return _close(ctx, mine[0], "够了")
    return None


# -- confirm and close -------------------------------------------------------------------------
def _need_arg(ctx: Ctx) -> tuple[Share | None, int, str]:
    """(the need, its number, the rest) of `#确认 S3 …` / `#关闭 S3` (either way it was
    matched: by the alias `确认 S`, whose arguments begin with the figure, or by name)."""
    m = re.match(r"^\s*[Ss]?\s*(\d{1,9})(?!\d)\s*(.*)$", ctx.args, re.S)
    if m is None:
        raise UsageError()
    number = int(m.group(1))
    s = ctx.repo.share(number)
    if s is not None and s.kind == "offer" and s.need_id is not None:
        s = ctx.repo.share(s.need_id)
    return (s if s is not None and s.kind == "need" else None), number, m.group(2).strip()


def _may(ctx: Ctx, need: Share, command: str) -> Reply | None:
    """None when the sender may act on the need (its asker, a cadre); else the refusal,
    audited as the dispatcher audits one."""
    if need.poster_id == ctx.msg.sender_id or is_cadre(ctx.msg.sender_id, ctx.repo, ctx.config):
        return None
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action=command, now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"S{need.id}",
                   allowed=False)
    return ctx.say(replies.share_no_permission(command, need.id or 0))


@router.command("确认共享", permission="member", aliases=("确认 S", "确认S", "确认 s", "确认s"),
                help="确认哪家单位提供了共享资源（需求发布人或干部），双方联系方式私下互告",
                usage="#确认 S编号 单位 数量")
def cmd_confirm(ctx: Ctx) -> list[Reply]:
    need, number, rest = _need_arg(ctx)
    if need is None:
        return [ctx.say(replies.share_no_such(number))]
    refused = _may(ctx, need, "确认")
    if refused is not None:
        return [refused]
    if need.status == "closed":
        return [ctx.say(replies.share_not_open(number))]
    q = find_quantity(arabize(normalize(rest).text))
    name = re.sub(r"\d+(?:\.\d+)?\s*" + re.escape(q.unit), " ", arabize(rest), count=1) \
        if q else rest
    name = re.sub(r"@\S+", " ", name).strip(" ，,、")
    offers = list(ctx.repo.share_offers(number))
    offer = _offer_named(ctx, offers, name)
    if offer is None and not name:
        if len(offers) != 1:
            if not offers:
                return [ctx.say(replies.share_usage_confirm())]
            return [ctx.say(replies.share_which_provider(number, [_who(o) for o in offers]))]
        offer = offers[0]
    provider_id = offer.poster_id if offer is not None else _member_id(ctx, name)
    provider = name or (_who(offer) if offer is not None else "")
    q = q or (_quantity(offer) if offer is not None else None)
    now = ctx.now()
    ctx.repo.confirm_share(need_id=number, now=now, confirmed_by=ctx.msg.sender_id,
                           offer_id=offer.id if offer is not None else None,
                           provider_id=provider_id, provider_name=provider[:128],
                           quantity_number=q.number if q else None,
                           quantity_unit=q.unit if q else None,
                           quantity_text=q.text if q else None)
    if offer is not None:
        ctx.repo.set_share_status(offer, "covered", now=now)
    covered = _covered(ctx, need)
    if covered:
        ctx.repo.set_share_status(need, "covered", now=now)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="确认共享", now=now,
                   group_id=ctx.group.id if ctx.group else None, target=f"S{number}",
                   after={"provider": provider, "provider_id": provider_id,
                          "quantity": q.text if q else None,
                          **({"covered": True} if covered else {})})
    out = _touch(ctx, need, provider, provider_id, offer, q)
    if covered:
        out += _thank_the_rest(ctx, need)
    return out


def _offer_named(ctx: Ctx, offers: list[Share], name: str) -> Share | None:
    """The offer a name (or an @-mention) in `#确认` stands for."""
    for _, mention_id in mentioned(ctx):
        hit = next((o for o in offers if o.poster_id == mention_id), None)
        if hit is not None:
            return hit
    if not name:
        return None
    for o in offers:
        if name in (o.poster_name, o.unit) or (o.unit and name in o.unit) \
                or (o.poster_name and name in o.poster_name):
            return o
    return None


def _member_id(ctx: Ctx, name: str) -> str | None:
    """A provider who made no offer here: the member the name stands for, if any."""
    for _, mention_id in mentioned(ctx):
        return mention_id
    found = by_name(ctx, name) if name else None
    return getattr(found, "sender_id", None)


def _covered(ctx: Ctx, need: Share) -> bool:
    """Whether the confirmed quantities reach what the need asked (in its measure word)."""
    if need.quantity_number is None:
        return False
    got = sum(c.quantity_number or 0 for c in ctx.repo.share_confirmations(need.id or 0)
              if c.quantity_unit in (need.quantity_unit, None) and c.quantity_number)
    return got >= need.quantity_number


def _contact_of(ctx: Ctx, person: str | None, offer: Share | None) -> str | None:
    if offer is not None and offer.contact:
        return offer.contact
    if person is None:
        return None
    own = [p.contact for p in ctx.repo.postings_by(person) if p.contact]
    return own[-1] if own else None


def _touch(ctx: Ctx, need: Share, provider: str, provider_id: str | None,
           offer: Share | None, q: Quantity | None) -> list[Reply]:
    """Both sides told, privately, how to reach the other; the group only that they were."""
    n = need.id or 0
    what = q.text if q else None
    private = ctx.can_direct and provider_id is not None
    out = [ctx.say(replies.share_confirmed(n, provider, what, need.status == "covered",
                                           private),
                   mentions=tuple(x for x in (need.poster_id, provider_id) if x))]
    if not ctx.can_direct:
        return out
    asker_contact = need.contact or _contact_of(ctx, need.poster_id, None)
    out.append(ctx.dm(need.poster_id, replies.share_touch_asker(
        n, provider, what, _contact_of(ctx, provider_id, offer))))
    if provider_id is not None and provider_id != need.poster_id:
        out.append(ctx.dm(provider_id, replies.share_touch_provider(
            n, _asker(need), replies.share_what(need.resource, what), asker_contact)))
    return out


def _thank_the_rest(ctx: Ctx, need: Share) -> list[Reply]:
    """Offerers not confirmed, told privately that the need is met."""
    if not ctx.can_direct:
        return []
    now = ctx.now()
    out = []
    for o in ctx.repo.share_offers(need.id or 0):
        if o.status == "open":
            ctx.repo.set_share_status(o, "closed", now=now)
            out.append(ctx.dm(o.poster_id, replies.share_thanks(need.id or 0)))
    return out


def _close(ctx: Ctx, need: Share, how: str) -> list[Reply]:
    now = ctx.now()
    before = need.status
    if need.status == "open":
        ctx.repo.set_share_status(need, "closed", now=now)
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="关闭共享", now=now,
                   group_id=ctx.group.id if ctx.group else None, target=f"S{need.id}",
                   before={"status": before}, after={"status": need.status, "by": how})
    names = [c.provider_name for c in ctx.repo.share_confirmations(need.id or 0)]
    return [ctx.say(replies.share_closed(need.id or 0, names))] + _thank_the_rest(ctx, need)


@router.command("关闭共享", permission="member", aliases=("关闭 S", "关闭S", "关闭 s", "关闭s"),
                help="共享需求够了，停止征集（需求发布人或干部）", usage="#关闭 S编号")
def cmd_close(ctx: Ctx) -> list[Reply]:
    need, number, _ = _need_arg(ctx)
    if need is None:
        return [ctx.say(replies.share_no_such(number))]
    refused = _may(ctx, need, "关闭")
    if refused is not None:
        return [refused]
    if need.status == "closed":
        return [ctx.say(replies.share_not_open(number))]
    return _close(ctx, need, "#关闭")
