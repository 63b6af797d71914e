"""Claims (报名): find the posting meant, count heads, never overfill; cancels and fills in
plain words.

A bare number (1, 2。) claims only as the answer to the bot's own question to that person
("你想报哪一个？") within `WHICH_WINDOW`; otherwise it is quiet: a notice's 收到请回复1 and a
rating of 5 sign nobody up. A posting number with a verb (报12, 12我去) claims it; so does a
quote of the bot's card (已登记招工 #1) or of the post itself. In plain words, a claimant's
12号我去不了了 / 那个活我不去了 cancels their claim and 我们只能去两个了 reduces it; a poster's
招满了 / 2号招满了 / 装订工已经找到人了 closes their own open posting.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from bot import replies
from bot.context import Ctx
from bot.handlers.common import UsageError, claimant_notices, lines_for, posting_what, ref_arg
from bot.handlers.jobs import visible_posting
from bot.handlers.matching import put_in_touch
from bot.router import Router
from bot.types import Reply
from parsers.fields.numbers import arabize
from parsers.fields.people import count_taking_part, find_headcount
from parsers.fields.phone import all_phone_spans
from parsers.fields.work import find_job
from storage.models import Claim, Posting
from storage.repository import Candidate

router = Router("claims")
RECENT = 50  # postings a quote or a task name is compared with: quotes refer to recent posts
WHICH_WINDOW = timedelta(minutes=10)  # how long a bare number answers the bot's question

# A bare number, nothing else but punctuation: 1, 2。, 12号.
_BARE = re.compile(r"^\s*(\d{1,6})\s*号?\s*[。.!！~～，,、？?\s]*$")
# After a number, what makes it no posting number: a count, a time, money, an age ...
_NOT_A_REF = (r"(?![\d.:：])(?!\s*(?:个|人|位|名|口|天|元|块|点|时|分|月|岁|斤|米|里|公里|年|"
              r"周|星期|次|单|件|趟|号线|号楼|楼|层|栋|[-~到至]))")
# A posting number in a claim: #12, 12号, or a bare number (报12, 12我去) that is no count.
_MARKED_REF = re.compile(r"[#＃]\s*(\d{1,6})(?!\d)|(?<![\d.])(\d{1,6})\s*号(?!\s*(?:线|楼|门|人))")
_PLAIN_REF = re.compile(
    r"(?:报名?|报个名|接|算我|我去|我要)\s*(\d{1,6})" + _NOT_A_REF
    + r"|^\s*(\d{1,6})" + _NOT_A_REF + r"(?=[，,\s]*(?:我|咱|俺|算|报|要|接|也|都))")
# Any number in a cancel or a fill that is no count, time or money: 12我不去了, 取消12.
_ANY_REF = re.compile(r"(?<![\d.+＋])(\d{1,6})" + _NOT_A_REF)
# The bot's card or another reply naming one posting, quoted: 「小桥：已登记招工 #1 …」.
_CARD = re.compile(r"(?:已登记招工|已更新|报名成功|已更新报名)\s*#\s*(\d{1,6})")
_MARK = re.compile(r"#\s*(\d{1,6})(?!\d)")
# 我们只能去两个了: fewer people than claimed.
_REDUCE = re.compile(r"只(?:能|有|去|来|够)|少(?:去|来)?\s*\d|去不了那么多|来不了那么多")

# Taking a claim back in plain words (the withdraw words of parsers/data/vocab/withdraw.txt
# that cannot mean a meal or an outing).
_WITHDRAW = re.compile(r"去不了|不去了|来不了|不来了|去不成|不报了|不参加了|退出|"
                       r"(?:我|帮我|给我|要|想|请)取消|取消[^，,。]{0,6}报名|取消\s*#?\d+号?")
# A posting full, said by its poster: 招满了, 人够了, 找到人了, 不要人了.
_FULL = re.compile(r"招满|满员|人(?:已经|都|也)?(?:够|齐|满)了|(?:已经|已|都)?(?:招|找)(?:够|齐|满)了|"
                   r"(?:招|找)到人了|人(?:已经|都)?(?:招|找)到了|已经?招到人?了?|"
                   r"不(?:招|要|缺|用|需要)人了|不招了|已满")
# Not a statement that it is done: a question, a negation, people still wanted.
_NOT_DONE = re.compile(r"没|未|还差|还缺|还要|还需|还招|再招|再要|吗|么|[?？]|是不是|如果|要是")
# Someone else (a relative, a friend) is the one who cannot go: not the sender's claim.
_SOMEONE_ELSE = re.compile(r"[你他她]|老婆|老公|媳妇|爱人|儿子|女儿|弟|妹|哥|姐|朋友|同事|老乡|"
                           r"别人|有人")
# Words around a cancel or a fill that say nothing about which posting: left out before the
# rest is judged (anything else left means the words are about something else).
_FILLER = re.compile(
    r"算了吧?|不好意思|抱歉|对不起|sorry|还是|实在|真的|确实|临时|突然|家里|有事|有点事|明天|今天|"
    r"后天|下午|上午|晚上|我想了想|想了想|那个|这个|那|这|活儿?|岗位|工作|报名的?|的|了|啊|吧|呀|哈|"
    r"哦|呢|哎|唉|也|就|都|可能|估计|已经|谢谢|感谢|多谢|大家|各位|关注|老板|我们|我这边|这边|"
    r"我|咱们|咱|俺们|俺|人|号|嗯|额|呃|[\s，,。.!！~～、…:：;；\[\]【】()（）#＃]|\d",
    re.I)
_LEFTOVER = 1  # characters of other words a cancel or a fill may carry


def _which_key(ctx: Ctx) -> str:
    """The state key of the bot's open question to the sender (in this group)."""
    who = hashlib.sha1(ctx.msg.sender_id.encode()).hexdigest()[:20]
    return f"which:{ctx.group.id if ctx.group else 0}:{who}"


def _ask(ctx: Ctx, kind: str, cands: list[Candidate] | list[Posting], headcount: int,
         text: str) -> Reply:
    """Ask the sender which posting they mean, and remember the question for a bare answer."""
    ids = [c.id or 0 for c in cands]
    ctx.repo.set_state(_which_key(ctx), json.dumps(
        {"kind": kind, "at": ctx.now().isoformat(), "ids": ids, "n": headcount}))
    return ctx.say(text, mentions=(ctx.msg.sender_id,))


def _forget_question(ctx: Ctx) -> None:
    if ctx.repo.get_state(_which_key(ctx)):
        ctx.repo.set_state(_which_key(ctx), "")


def answer_which(ctx: Ctx, number: int) -> list[Reply] | None:
    """A bare number answering the bot's question to this sender, asked within the window:
    the posting of that number. None when no such question is open: the number is quiet."""
    raw = ctx.repo.get_state(_which_key(ctx))
    if not raw:
        return None
    asked = json.loads(raw)
    if ctx.now() - datetime.fromisoformat(asked["at"]) > WHICH_WINDOW:
        return None
    # The number is the posting's (one listed, or another it names), never the n-th line.
    ctx.repo.set_state(_which_key(ctx), "")
    if asked.get("kind") == "close":
        post = ctx.repo.posting(number)
        if post is None or post.poster_id != ctx.msg.sender_id or not _in_scope(ctx, post):
            return [ctx.say(replies.no_such_posting(number))]
        return close_full(ctx, post)
    return record_claim(ctx, number, int(asked.get("n") or 1))


def _in_scope(ctx: Ctx, p: Posting | None) -> bool:
    """A job posting of this group; for a direct message, of a group the sender is in (or
    any, for a cadre): a stranger's direct message reaches no group's postings."""
    if p is None or p.kind != "job":
        return False
    if ctx.group is not None:
        return p.group_id == ctx.group.id
    return visible_posting(ctx, p.id or 0) is not None


def _quoted_card(ctx: Ctx) -> Posting | None:
    """The posting a quoted message of the bot's names: its card (已登记招工 #1), or a reply
    naming exactly one posting."""
    quote = ctx.parsed.quote if ctx.parsed else None
    if quote is None:
        return None
    m = _CARD.search(quote.text)
    numbers = {int(x) for x in _MARK.findall(quote.text)}
    number = int(m.group(1)) if m else next(iter(numbers)) if len(numbers) == 1 else None
    if number is None:
        return None
    p = ctx.repo.posting(number)
    return p if _in_scope(ctx, p) else None


def _resolve(ctx: Ctx, ref: int | None) -> tuple[Posting | None, list[Candidate], Reply | None]:
    """(posting, ambiguous candidates, early reply) for the posting a claim means."""
    if ref is not None:
        # A number is looked up across the groups the sender is in (jobs.visible_posting).
        p = visible_posting(ctx, ref)
        if p is None or p.kind != "job":
            return None, [], ctx.say(replies.no_such_posting(ref))
        return p, [], None
    card = _quoted_card(ctx)
    if card is not None:
        return card, [], None
    gid = ctx.group.id if ctx.group else None
    # A quote refers to a recent message: score the newest open postings only.
    quote = ctx.parsed.quote if ctx.parsed else None
    recent = ctx.repo.recent_open(gid, RECENT) if quote else []
    if quote and recent:
        scored = sorted(((fuzz.partial_ratio(quote.text, c.text), c.id) for c in recent),
                        key=lambda t: (-t[0], -t[1]))
        if scored[0][0] >= 70:
            return ctx.repo.posting(scored[0][1]), [], None
    text = ctx.parsed.text if ctx.parsed else ""
    # 印刷厂那个活: an employer or job named in the text (indexed), or a recent task.
    words = sorted({text[i:j] for i in range(len(text)) for j in range(i + 2, min(i + 9, len(text) + 1))})
    named = {c.id: c for c in ctx.repo.postings_named(gid, words)}
    if not named and len(text) >= 4:
        recent = recent or ctx.repo.recent_open(gid, RECENT)
        named = {c.id: c for c in recent if c.task and len(c.task) >= 2 and c.task in text}
    if len(named) == 1:
        return ctx.repo.posting(next(iter(named))), [], None
    if len(named) > 1:
        return None, [named[i] for i in sorted(named, reverse=True)[:5]], None
    cands = recent[:5] if recent else ctx.repo.recent_open(gid, 5)
    if len(cands) == 1:
        return ctx.repo.posting(cands[0].id), [], None
    if not cands:
        # "+1" right after a posting filled up: say it is full rather than "no postings".
        latest = ctx.repo.latest_posting(ctx.group.id if ctx.group else None, kind="job")
        if latest is not None and latest.status == "filled":
            return None, [], ctx.say(replies.already_filled(latest.id or 0))
        return None, [], ctx.say(replies.no_open_postings())
    return None, cands[:5], None


def record_claim(ctx: Ctx, ref: int | None, headcount: int, *,
                 source: str = "message") -> list[Reply]:
    """Resolve the posting the sender means, record their claim and say what happened.
    `报名 N` on an offer (找活 #N) is an employer answering it: both are put in touch."""
    if ref is not None:
        offer = visible_posting(ctx, ref)
        if offer is not None and offer.kind == "offer":
            _forget_question(ctx)
            return put_in_touch(ctx, offer)
    post, ambiguous, early = _resolve(ctx, ref)
    if early is not None:
        return [early]
    if post is None:
        return [_ask(ctx, "claim", ambiguous, headcount,
                     replies.which_posting(lines_for(ctx, ambiguous)))]
    _forget_question(ctx)
    return apply_claim(ctx, post, ctx.msg.sender_id, ctx.msg.sender_name, headcount,
                       source=source)


def apply_claim(ctx: Ctx, post: Posting, claimant_id: str, name: str, headcount: int, *,
                source: str, quiet: bool = False) -> list[Reply]:
    """Record one person's claim on a posting: no overfilling, full contact only in private.

    A claim by someone already on the posting changes their count: fewer people is always
    taken (and frees places on a full posting); the same count again, or more on a full
    posting, is answered "你已经报过了".
    `quiet` leaves out the per-claim confirmation (a roster answers once for all its lines).
    """
    number = post.id or 0
    if post.poster_id == claimant_id:
        return [ctx.say(replies.cannot_claim_own())]
    # Counted and recorded under the posting's row lock: another bot process on the same
    # database claiming at once waits, so no posting is ever overfilled.
    ctx.repo.lock_posting(post)
    mine = [c for c in ctx.repo.claims(number) if c.claimant_id == claimant_id]
    had = sum(c.headcount for c in mine)
    want = max(1, headcount)
    who_id = (claimant_id,) if not claimant_id.startswith("name:") else ()
    if mine and post.status in ("open", "filled") and want < had:
        return _reduce(ctx, post, claimant_id, name, want, source=source, quiet=quiet,
                       who_id=who_id)
    if mine and not quiet and post.status in ("open", "filled") and (
            want == had or post.status == "filled"):
        return [ctx.say(replies.already_claimed(number, had, full=post.status == "filled"
                                                and want > had), mentions=who_id)]
    if post.status == "filled":
        return [ctx.say(replies.already_filled(number))]
    if post.status != "open":
        return [ctx.say(replies.posting_not_open(number, post.status))]
    others = ctx.repo.claimed(number) - had
    total = post.headcount
    out: list[Reply] = []
    got = want
    if total is not None:
        left = total - others
        if left <= 0:
            return [ctx.say(replies.already_filled(number))]
        got = min(want, left)
    _, created = ctx.repo.claim(post, claimant_id, name, got, message_id=ctx.row.id,
                                now=ctx.now(), source=source)
    claimed = ctx.repo.claimed(number)
    ctx.repo.set_posting_status(post, post.status, now=ctx.now())  # activity keeps it alive
    if got < want:
        out.append(ctx.say(replies.claim_trimmed(number, got, want), mentions=who_id))
    elif not quiet:
        out.append(ctx.say(replies.claim_ok(number, got, claimed, total, updated=not created),
                           mentions=who_id))
    if post.contact and who_id:
        if ctx.can_direct:
            who = " ".join(x for x in (post.employer, post.job) if x) or post.poster_name
            out.append(ctx.dm(claimant_id, replies.contact_dm(number, who, post.contact)))
        else:
            out.append(ctx.say(replies.contact_via_poster(number), mentions=(post.poster_id,)))
    if total is not None and claimed >= total:
        ctx.repo.set_posting_status(post, "filled", now=ctx.now())
        out.append(ctx.say(replies.posting_filled(number, total), mentions=(post.poster_id,)))
    return out


def _reduce(ctx: Ctx, post: Posting, claimant_id: str, name: str, want: int, *, source: str,
            quiet: bool, who_id: tuple[str, ...]) -> list[Reply]:
    """Fewer people on a claim: recorded, and a full posting opens again."""
    number = post.id or 0
    ctx.repo.claim(post, claimant_id, name, want, message_id=ctx.row.id, now=ctx.now(),
                   source=source)
    claimed = ctx.repo.claimed(number)
    status = post.status
    if status == "filled" and post.headcount is not None and claimed < post.headcount:
        status = "open"
    ctx.repo.set_posting_status(post, status, now=ctx.now())
    if quiet:
        return []
    return [ctx.say(replies.claim_ok(number, want, claimed, post.headcount, updated=True),
                    mentions=who_id)]


def _work(text: str) -> str:
    """The text with numerals as digits and phone numbers blanked; a figure next to a
    numeral stays apart (报名12两人 is 12 and 2人, not 122人)."""
    spaced = re.sub(r"(\d)(?=[一二两三四五六七八九十俩仨])", r"\1 ", text)
    flat = spaced.replace("\n", "，")
    chars = list(flat)
    for a, b in all_phone_spans(flat):
        chars[a:b] = " " * (b - a)
    return arabize("".join(chars)).replace("俩", "2").replace("仨", "3")


def read_ref(text: str) -> tuple[int, tuple[int, int]] | None:
    """The posting number a claim or a cancel names, and where: #12, 12号, else a number
    that is no count, time or money (报12, 12我去). None when there is none."""
    m = _MARKED_REF.search(text) or _PLAIN_REF.search(text)
    if m is None:
        return None
    return int(next(g for g in m.groups() if g)), m.span()


def _claim_of(ctx: Ctx, text: str) -> tuple[int | None, int]:
    """(posting number, people) of a claim: the parser's, or read here when it found no number
    (报12, 我报12, 12我去: a count anywhere in the claim, in words or digits)."""
    p = ctx.parsed
    assert p is not None
    if p.ref is not None:
        return p.ref, p.headcount or 1
    work = _work(text)
    found = read_ref(work)
    if found is None:
        return None, p.headcount or 1
    ref, (a, b) = found
    rest = work[:a] + " " * (b - a) + work[b:]
    return ref, count_taking_part(rest, find_headcount(rest, job_words=ctx.parser.lex.job_rx)) or 1


@router.on("claim")
def on_claim(ctx: Ctx) -> list[Reply]:
    p = ctx.parsed
    assert p is not None
    bare = _BARE.match(p.text)
    if bare:  # a bare number claims only as the answer to the bot's question
        return answer_which(ctx, int(bare.group(1))) or []
    if len(p.text) <= 30 and (_WITHDRAW.search(p.text) or ctx.parser.facts(p.text).withdraw):
        # 12号我退出, 取消12号报名: withdraw words make no claim (the intent model may read
        # one as a claim); they cancel the sender's own claim, or stay quiet.
        return (_withdraw(ctx, p.text) if _WITHDRAW.search(p.text) else None) or []
    ref, count = _claim_of(ctx, p.text)
    if ref is None and _REDUCE.search(p.text) and _quoted_card(ctx) is None:
        post = _my_claimed(ctx, p.text)
        if post is not None:  # 我们只能去两个了: fewer people on the sender's own claim
            return apply_claim(ctx, post, ctx.msg.sender_id, ctx.msg.sender_name, count,
                               source="message")
    return record_claim(ctx, ref, count)


def _ref_and_count(ctx: Ctx) -> tuple[int, int]:
    """The posting a claim command names and the people it counts (1 unless given, in
    digits or words: #报名 2 两人)."""
    ref = ref_arg(ctx)
    rest = arabize(ctx.rest).replace("俩", "2").replace("仨", "3").strip()
    m = re.fullmatch(r"(?:(\d{1,4})\s*(?:个人|人|个|位|名)?)?", rest)
    if m is None:
        raise UsageError()
    return ref, int(m.group(1) or 1)


@router.command("报名", permission="member", help="报名一个岗位", usage="#报名 编号 [人数]，如：#报名 12 3",
                target="posting")
def cmd_claim(ctx: Ctx) -> list[Reply]:
    ref, count = _ref_and_count(ctx)
    if count <= 0:
        raise UsageError()
    return record_claim(ctx, ref, count, source="command")


def cancel(ctx: Ctx, post: Posting) -> Reply:
    """Cancel the sender's claim on a posting; a full posting opens again."""
    ref = post.id or 0
    ctx.repo.lock_posting(post)  # counted as it stands (see apply_claim)
    c = ctx.repo.cancel_claim(ref, ctx.msg.sender_id, now=ctx.now())
    if c is None:
        return ctx.say(replies.cancel_none(ref))
    if post.status == "filled":
        ctx.repo.set_posting_status(post, "open", now=ctx.now())
    return ctx.say(replies.cancel_ok(ref, ctx.repo.claimed(ref), post.headcount),
                   mentions=(ctx.msg.sender_id,))


@router.command("取消报名", permission="member", help="取消自己的报名", usage="#取消报名 编号",
                target="posting")
def cmd_cancel(ctx: Ctx) -> Reply:
    ref, _ = _ref_and_count(ctx)
    post = ctx.repo.posting(ref)
    if post is None:
        return ctx.say(replies.no_such_posting(ref))
    return cancel(ctx, post)


# -- plain words: a bare answer, a cancel, a fill ---------------------------------------------
def _leftover(text: str, *taken: str) -> str:
    """What a short message says besides the words that carry no posting."""
    for word in sorted((w for w in taken if w), key=len, reverse=True):
        text = text.replace(word, " ")
    return _FILLER.sub("", text)


def _named(ctx: Ctx, text: str, postings: list[Posting]) -> tuple[list[Posting], str | None]:
    """The postings among `postings` the text names by employer, job or task (缝纫工, 印刷厂),
    and the word that named them; a job word that names none of them is returned alone."""
    hits = [p for p in postings
            if any(w and len(w) >= 2 and w in text for w in (p.employer, p.job, p.task))]
    if hits:
        p = hits[0]
        word = next(w for w in (p.job, p.employer, p.task) if w and len(w) >= 2 and w in text)
        return hits, word
    job = find_job(text, ctx.parser.lex)
    if job is None:
        return [], None
    family = ctx.parser.lex.family(job)
    hits = [p for p in postings if family is not None and p.family == family]
    return hits, job


def _pick(ctx: Ctx, text: str, postings: list[Posting], *, drop: str = "",
          leftover: int = _LEFTOVER) -> tuple[Posting | None, list[Posting]]:
    """(the posting plain words mean, or the candidates when several fit). Named by number,
    by a word of it, or the only one (claims: the most recent). Nothing when the words name
    something else, or a number that is not among them. `drop`: the words that said what
    is done (去不了, 招满了), left out before the rest is judged."""
    work = _work(text)
    m = _MARKED_REF.search(work) or _ANY_REF.search(work)
    if m is not None:
        number = int(next(g for g in m.groups() if g))
        hit = [p for p in postings if p.id == number]
        return (hit[0] if hit else None), []
    text = text.replace(drop, " ") if drop else text
    hits, word = _named(ctx, text, postings)
    if word is not None:
        if len(_leftover(text, word)) > leftover:
            return None, []
        return (hits[0], []) if len(hits) == 1 else (None, hits)
    if len(_leftover(text)) > leftover:
        return None, []
    return (postings[0], []) if len(postings) == 1 else (None, postings)


def _my_claims(ctx: Ctx) -> list[tuple[Claim, Posting]]:
    """The sender's active claims on open or full postings here, the most recent first."""
    out = []
    for c in ctx.repo.claims_by(ctx.msg.sender_id):
        p = ctx.repo.posting(c.posting_id)
        if p is not None and _in_scope(ctx, p) and p.status in ("open", "filled"):
            out.append((c, p))
    out.sort(key=lambda cp: (cp[0].updated_at, cp[0].id or 0), reverse=True)
    return out


def _my_claimed(ctx: Ctx, text: str) -> Posting | None:
    """The posting of the sender's own claim that plain words mean: named, or the most
    recent one."""
    mine = [p for _, p in _my_claims(ctx)]
    if not mine:
        return None
    post, several = _pick(ctx, text, mine, leftover=10)
    return post or (several[0] if several else None)


def _withdraw(ctx: Ctx, text: str) -> list[Reply] | None:
    """12号我去不了了, 那个活我不去了: the sender cancels their own claim."""
    if _SOMEONE_ELSE.search(text) or "?" in text or "？" in text:
        return None
    mine = [p for _, p in _my_claims(ctx)]
    if not mine:
        return None
    w = _WITHDRAW.search(text)
    post, several = _pick(ctx, text, mine, drop=w.group(0) if w else "")
    if post is None and several:
        post = several[0]  # the most recent of those named: the one they last took up
    return [cancel(ctx, post)] if post is not None else None


def _fill(ctx: Ctx, text: str) -> list[Reply] | None:
    """招满了, 2号招满了, 装订工已经找到人了: the poster closes their own open posting."""
    full = _FULL.search(text)
    if full is None or _NOT_DONE.search(text):
        return None
    own = [p for p in ctx.repo.postings_by(ctx.msg.sender_id) if _in_scope(ctx, p)]
    if not own:
        return None
    own.sort(key=lambda p: (p.status != "open", -(p.id or 0)))  # open first, newest first
    post, several = _pick(ctx, text, own, drop=full.group(0))
    if post is not None:
        return close_full(ctx, post)
    if several:
        return [_ask(ctx, "close", several[:5], 1,
                     replies.which_full(lines_for(ctx, several[:5])))]
    return None


def close_full(ctx: Ctx, post: Posting) -> list[Reply]:
    """The poster says a posting is full: it is closed (as #关闭 does) and claims stop."""
    number = post.id or 0
    before = post.status
    if before not in ("open", "filled"):
        return [ctx.say(replies.posting_not_open(number, before))]
    ctx.repo.set_posting_status(post, "closed", now=ctx.now())
    ctx.repo.audit(actor_id=ctx.msg.sender_id, action="关闭", now=ctx.now(),
                   group_id=ctx.group.id if ctx.group else None, target=f"#{number}",
                   before={"status": before}, after={"status": "closed", "said": "招满"})
    # The people on it hear that it is settled (they go as arranged with the poster).
    told = claimant_notices(ctx.repo, post, replies.claimed_posting_filled(
        number, posting_what(post)), ctx.now(), "filled")
    return [ctx.say(replies.closed_as_full(number), mentions=(ctx.msg.sender_id,)), *told]


def on_plain_words(ctx: Ctx) -> list[Reply] | None:
    """A quiet message that acts on claims: a bare number answering the bot's question (1。),
    a cancel in plain words, a poster's 招满了. None when it is none of these (the message
    stays quiet)."""
    p = ctx.parsed
    if p is None or len(p.text) > 60:
        return None
    bare = _BARE.match(p.text)
    if bare:
        return answer_which(ctx, int(bare.group(1)))
    text = p.text
    if _WITHDRAW.search(text):
        return _withdraw(ctx, text)
    return _fill(ctx, text)
