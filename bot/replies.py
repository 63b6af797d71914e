"""Every sentence the bot says, in one place, so it can be reviewed and changed.

Functions take plain values and return Chinese text. Nothing here touches storage, and
nothing here masks: every reply passes the privacy screen on its way out (bot/privacy.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from parsers.fields.phone import phone_spans

UNIT = {"hour": "小时", "day": "天", "month": "月", "piece": "件", "job": "整活"}
SETTLEMENT = {"daily": "日结", "weekly": "周结", "monthly": "月结", "project": "做完结"}
URGENCY = {"small": "小事", "urgent": "急事", "hard": "难事"}
STATUS = {"filed": "已受理", "dispatched": "已派单", "in_progress": "办理中", "waiting": "待补充",
          "resolved": "已办结", "closed": "已销号", "withdrawn": "已撤回"}
URGENCY_WORDS = {"小事": "small", "急事": "urgent", "难事": "hard"}
WEEKDAY = "一二三四五六日"


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def pay_text(pay_min: float | None, pay_max: float | None, unit: str | None) -> str | None:
    if pay_min is None or unit is None:
        return None
    if unit == "job":
        return f"整活{_num(pay_min)}元"
    fig = _num(pay_min)
    if pay_max is None:
        fig += "元以上"
    elif pay_max != pay_min:
        fig += f"-{_num(pay_max)}元"
    else:
        fig += "元"
    return f"{fig}/{UNIT[unit]}"


def day_text(d: date) -> str:
    return f"{d.month}月{d.day}日"


def when_text(local: datetime, today: date) -> str:
    """A deadline as a worker reads it: 今天18:00 / 明天09:00 / 3月5日 09:00."""
    hm = local.strftime("%H:%M")
    delta = (local.date() - today).days
    if delta == 0:
        return f"今天{hm}"
    if delta == 1:
        return f"明天{hm}"
    return f"{day_text(local.date())} {hm}"


BOARD = {"meals+lodging": "包吃住", "lodging": "包住", "meals": "包吃"}
SHIFT = {"night": "夜班", "day": "白班", "rotating": "倒班"}
GENDER = {"male": "限男", "female": "限女"}


def terms_text(age_min: int | None, age_max: int | None, gender: str | None,
               board: str | None, shift: str | None, licence: str | None) -> str | None:
    """The terms workers decide on, compactly: 包吃住 · 夜班 · 需叉车证 · 18-45岁 · 限女."""
    age = None
    if age_min is not None and age_max is not None:
        age = f"{age_min}岁" if age_min == age_max else f"{age_min}-{age_max}岁"
    elif age_max is not None:
        age = f"{age_max}岁以下"
    elif age_min is not None:
        age = f"{age_min}岁以上"
    parts = [BOARD.get(board or ""), SHIFT.get(shift or ""),
             f"需{licence}" if licence else None, age, GENDER.get(gender or "")]
    return " · ".join(x for x in parts if x) or None


def posting_line(number: int, *, employer: str | None, job: str | None, task: str | None,
                 location: str | None, headcount: int | None, claimed: int, pay: str | None,
                 settlement: str | None, start: date | None, kind: str = "job",
                 terms: str | None = None) -> str:
    """One short line for lists and digests."""
    who = " ".join(x for x in (employer, job or task) if x) or ("找活" if kind == "offer" else "临时用工")
    parts = [f"#{number} {who}"]
    if kind == "job":
        if headcount:
            left = max(headcount - claimed, 0)
            parts.append(f"还差{left}人" if claimed else f"{headcount}人")
    elif headcount:
        parts.append(f"{headcount}人")
    if location:
        parts.append(location)
    if pay:
        parts.append(pay)
    if settlement:
        parts.append(SETTLEMENT.get(settlement, settlement))
    if start:
        parts.append(f"{day_text(start)}起")
    if terms:
        parts.append(terms)
    return "，".join(parts)


def posting_card(number: int, *, employer: str | None, job: str | None, task: str | None,
                 location: str | None, headcount: int | None, pay: str | None,
                 settlement: str | None, start: date | None, end: date | None,
                 has_contact: bool, terms: str | None = None) -> str:
    """The confirmation a poster sees after a job post is registered."""
    lines = [f"已登记招工 #{number}"]
    what = "，".join(x for x in (employer, job or (None if task else "临时用工"),
                                f"{headcount}人" if headcount else None) if x)
    if what:
        lines.append(what)
    if task:
        lines.append(f"活儿：{task}")
    extra = "，".join(x for x in (location, pay, SETTLEMENT.get(settlement or "", None)) if x)
    if extra:
        lines.append(extra)
    if start or end:
        lines.append(date_span(start, end))
    if terms:
        lines.append(terms)
    if has_contact:
        lines.append("联系方式已登记，报名后私下告知。")
    lines.append(f"想去的回复“报名 {number}”，几个人就写“报名 {number} 3人”。")
    return "\n".join(lines)


def date_span(start: date | None, end: date | None) -> str:
    """The days of a posting as a card shows them: 12月20日起，到12月25日."""
    span = f"{day_text(start)}起" if start else ""
    span += f"，到{day_text(end)}" if end else ""
    return span.lstrip("，")


def offer_ack(number: int, headcount: int | None, lines: list[str]) -> str:
    who = f"{headcount}人" if headcount else ""
    head = f"已登记找活 #{number}{('（' + who + '）') if who else ''}。"
    if not lines:
        return head + "暂时没有合适的岗位，有了会在群里说。"
    return head + "这几个岗位可以看看：\n" + "\n".join(lines) + "\n想去就回复“报名 编号”。"


def claim_ok(number: int, headcount: int, claimed: int, total: int | None, updated: bool) -> str:
    verb = "已更新报名" if updated else "报名成功"
    tail = f"，目前已报{claimed}/{total}人" if total else f"，目前共{claimed}人报名"
    return f"{verb} #{number}（{headcount}人）{tail}。"


def claim_trimmed(number: int, got: int, asked: int) -> str:
    return f"#{number} 只剩{got}个名额，先给你报了{got}人（你报的是{asked}人）。"


def posting_filled(number: int, total: int) -> str:
    return f"#{number} 已招满（{total}人），停止报名，谢谢大家！"


def already_filled(number: int) -> str:
    return f"#{number} 已经招满了，看看别的岗位吧，发“#列表”查看。"


def posting_not_open(number: int, status: str) -> str:
    word = {"closed": "已关闭", "expired": "已过期", "filled": "已招满"}.get(status, "不在招")
    return f"#{number} {word}，不能报名了。"


def no_such_posting(number: int) -> str:
    return f"没有找到 #{number} 号岗位，请核对编号。"


def which_posting(lines: list[str]) -> str:
    return "你想报哪一个？请回复“报名 编号”：\n" + "\n".join(lines)


def no_open_postings() -> str:
    return "现在群里没有在招的岗位。"


def cannot_claim_own() -> str:
    return "这是你自己发的岗位，不用报名。"


def contact_dm(number: int, who: str, contact: str) -> str:
    return f"你已报名 #{number}（{who}），联系电话：{contact}，请尽快联系对方。"


def contact_via_poster(number: int) -> str:
    return f"请发布人尽快联系报名的人（#{number}）。"


def cancel_ok(number: int, claimed: int, total: int | None) -> str:
    tail = f"，现在已报{claimed}/{total}人" if total else ""
    return f"已取消你对 #{number} 的报名{tail}。"


def cancel_none(number: int) -> str:
    return f"你没有报名 #{number}，不用取消。"


def query_results(lines: list[str]) -> str:
    return "在招的岗位：\n" + "\n".join(lines) + "\n想去就回复“报名 编号”。"


def query_none() -> str:
    return "暂时没有符合条件的岗位，有了会在群里说。"


def request_ack(number: int, urgency: str, deadline: str) -> str:
    """What the requester is promised, by when. The tier's name is for cadres, not here."""
    if urgency == "urgent":
        return f"收到，你反映的事编号 R{number}，工会马上协调，最晚{deadline}前给你回话。"
    if urgency == "hard":
        return (f"收到，你反映的事编号 R{number}，工会会帮你协调，"
                f"三个工作日内（{deadline}前）给你答复进展。")
    return f"收到，你反映的事编号 R{number}，工会会尽快答复你，最晚{deadline}前。"


def request_ack_echo(number: int, urgency: str, deadline: str, category: str, text: str) -> str:
    return request_ack(number, urgency, deadline) + f"\n类别：{category}；内容：{text}"


def request_dispatched(number: int, dept: str) -> str:
    return f"R{number} 已派给{dept}办理。"


def request_dispatched_notice(number: int, dept: str) -> str:
    return f"你的诉求 R{number} 已派给{dept}办理，有进展会告诉你。"


def request_resolved(number: int) -> str:
    return f"R{number} 已办结。"


def request_resolved_notice(number: int, note: str) -> str:
    return f"你的诉求 R{number} 已办结：{note}\n问题解决了吗？请回复“满意”或“不满意”。"


def request_progress(number: int) -> str:
    return f"R{number} 进展已记录。"


def request_progress_notice(number: int, note: str) -> str:
    return f"你的诉求 R{number} 有进展：{note}"


def request_regraded(number: int, urgency: str, deadline: str) -> str:
    return f"R{number} 已定为{URGENCY[urgency]}，最晚{deadline}前答复。"


def request_waiting(number: int) -> str:
    return f"R{number} 已请诉求人补充情况，等待期间不计时。"


def request_question(number: int, question: str) -> str:
    return f"关于你的诉求 R{number}，还需要补充：{question}\n直接回复就行。"


def request_supplemented(number: int) -> str:
    return f"收到补充，R{number} 继续办理。"


def request_reopened(number: int, deadline: str) -> str:
    return f"R{number} 重新办理，最晚{deadline}前答复。"


def request_withdrawn(number: int) -> str:
    return f"R{number} 已撤回。"


def rating_thanks(number: int, rating: int) -> str:
    return f"谢谢评价！R{number} 已销号。"


def rating_reminder(number: int) -> str:
    return f"你的诉求 R{number} 办结一天了，问题解决了吗？请回复“满意”或“不满意”（也可以打1-5分）。"


def attachment_added(number: int) -> str:
    return f"已附在诉求 R{number} 里。"


MEDIA = {"image": "照片", "file": "文件", "video": "视频", "voice": "语音"}


def excerpt(text: str, limit: int = 20) -> str:
    """The start of a request's text for a one-line list. A cut never falls inside a phone
    number, however written: half a number would no longer read as one to the privacy
    screen, which hides whole numbers only."""
    one = " ".join(text.split())
    if len(one) <= limit:
        return one
    cut = limit
    for a, b, _ in phone_spans(one):
        if a < cut < b:
            cut = a
    return one[:cut].rstrip() + "…"


def request_filed_alert(number: int, urgency: str, category: str, dept: str | None, due: str,
                        who: str, where: str | None, text: str) -> str:
    head = f"【急事】R{number}　{category}" if urgency == "urgent" else \
        f"【新诉求】R{number}　{URGENCY[urgency]} · {category}"
    return "\n".join([
        head,
        f"诉求人：{who}（{f'在{where}里说的' if where else '私信工会'}）",
        f"内容：{text}",
        f"建议承办：{dept or '待定'}；最晚{due}前答复",
        f"处理：#派单 R{number} 部门 ／ #回复 R{number} 内容 ／ #查看 R{number}",
    ])


def request_supplement_alert(number: int, who: str, text: str) -> str:
    return f"R{number} 诉求人{who}补充：{text}"


def request_attachment_alert(number: int, who: str, media: str) -> str:
    return f"R{number} 诉求人{who}发来{MEDIA.get(media, '附件')}（#查看 R{number}）"


def request_added_to(number: int) -> str:
    return f"已补充到 R{number}，工会会一起处理。"


def request_still_open(number: int) -> str:
    return f"R{number} 正在办理，不用重办；有新情况直接说，会补充到 R{number}。"


def request_withdrawn_notice(number: int) -> str:
    return f"你反映的 R{number} 已由工会干部撤回，不再办理。还有问题可以再跟工会说。"


def request_answered(number: int) -> str:
    return f"已把回复转给 R{number} 的诉求人。"


def request_answer_notice(number: int, note: str) -> str:
    return f"关于你反映的 R{number}，工会干部回复：{note}"


def request_reopened_unsatisfied(number: int, deadline: str) -> str:
    return f"收到，R{number} 没解决好，工会重新办理，最晚{deadline}前给你答复。"


def request_unsatisfied_alert(number: int, urgency: str, category: str, who: str, reason: str,
                              deadline: str) -> str:
    return (f"【不满意，已重办】R{number}（{URGENCY[urgency]} · {category}）诉求人{who}："
            f"{reason or '没有说原因'}\n最晚{deadline}前答复。#查看 R{number}")


EVENT = {"filed": "登记", "dispatched": "派单", "in_progress": "办理", "waiting": "待补充",
         "resolved": "办结", "closed": "销号", "withdrawn": "撤回",
         "rating_reminder": "提醒评价"}


def request_record(number: int, urgency: str, category: str, status: str, dept: str | None,
                   who: str, who_id: str, where: str | None, filed: datetime,
                   due: str | None, text: str,
                   events: list[tuple[datetime, str, str, str | None]],
                   resolution: str | None, rating: int | None, attachments: int) -> str:
    lines = [f"R{number}　{URGENCY[urgency]} · {category} · {STATUS.get(status, status)}",
             f"诉求人：{who}（{who_id}），{f'在{where}里说的' if where else '私信工会'}",
             f"登记：{filed:%m-%d %H:%M}；承办：{dept or '未定'}"
             + (f"；最晚{due}前答复" if due else ""),
             f"内容：{text}"]
    if attachments:
        lines.append(f"附件：{attachments}个")
    lines.append("记录：")
    for t, actor, st, note in events:
        what = EVENT.get(st, st)
        if note and note[:3] in ("回复：", "补充："):  # a relayed answer, a requester's addition
            what, note = note[:2], note[3:]
        lines.append(f"  {t:%m-%d %H:%M} {what}（{actor}）" + (f"：{note}" if note else ""))
    if resolution:
        lines.append(f"办理结果：{resolution}")
    lines.append(f"评价：{rating}分" if rating is not None else "评价：还没有")
    return "\n".join(lines)


LIST_TITLE = {"待办": "待办的诉求", "超时": "超时的诉求", "我的": "我负责的诉求", "全部": "全部诉求"}


def request_list_line(number: int, urgency: str, category: str, status: str,
                      due: str | None, late: bool, gist: str) -> str:
    when = f"，已超时（原定{due}前）" if late else (f"，{due}前" if due else "")
    return f"R{number} {URGENCY[urgency]} {category} {STATUS.get(status, status)}{when}：{gist}"


def request_list(which: str, lines: list[str]) -> str:
    if not lines:
        return f"{LIST_TITLE[which]}：没有。"
    return f"{LIST_TITLE[which]}（{len(lines)}件，先到期的在前）：\n" + "\n".join(lines)


def request_overdue(number: int, urgency: str, category: str, dept: str | None) -> str:
    who = f"，{dept}" if dept else ""
    return f"R{number}（{URGENCY[urgency]}，{category}{who}）已超时未答复，请尽快处理。"


def late_by(days: int, hours: int) -> str:
    return f"已超时{days}天" if days >= 1 else f"已超时{max(hours, 1)}小时"


def pressed_line(number: int, urgency: str, category: str, dept: str | None, late: str) -> str:
    return f"R{number}（{URGENCY[urgency]}，{category}，{dept or '未派单'}）{late}"


def request_pressed(lines: list[str]) -> str:
    return "【督办】以下诉求超时仍没有人处理，请今天安排：\n" + "\n".join(lines)


def request_escalated(number: int, urgency: str, category: str, dept: str | None) -> str:
    who = f"，{dept}" if dept else ""
    return f"【督办】R{number}（{URGENCY[urgency]}，{category}{who}）已超过时限一倍仍未答复，请领导关注。"


def exported(what: str, name: str, folder: str, rows: int) -> str:
    return f"{what}台账已导出（{rows}条）：{name}（在 {folder} 文件夹）"


def no_such_request(number: int) -> str:
    return f"没有找到诉求 R{number}，请核对编号。"


def request_already(number: int, status: str) -> str:
    return f"R{number} {STATUS.get(status, status)}，不能再这样操作。"


def posting_closed(number: int) -> str:
    return f"#{number} 已关闭，不再接受报名。"


def posting_updated(number: int, card: str) -> str:
    return f"已更新 #{number}\n" + card.split("\n", 1)[1] if "\n" in card else f"已更新 #{number}"


def posting_edited(number: int, what: str, value: str) -> str:
    return f"#{number} 的{what}已改为{value}。"


def edit_fields() -> str:
    return ("能改的有：人数、工资、日期、地点、工种、结算、年龄、性别、食宿、班次、证，"
            "如：#修改 12 人数 8，#修改 12 工资 200/天，#修改 12 日期 12月20日到25日，"
            "#修改 12 年龄 18-45，#修改 12 食宿 包吃住，#修改 12 班次 夜班，#修改 12 证 叉车证")


def bad_value(what: str, value: str) -> str:
    return f"“{value}”看不懂，{what}请这样写：" + {"人数": "8", "工资": "200/天 或 5000/月",
                                                 "结算": "日结/周结/月结/做完结",
                                                 "日期": "12月20日 或 12月20日到25日"}.get(what, "文字")


def posting_reopened(number: int) -> str:
    return f"#{number} 重新开放报名。"


def posting_already(number: int, status: str) -> str:
    word = {"open": "正在招", "filled": "已招满", "closed": "已关闭", "expired": "已过期"}.get(status, status)
    return f"#{number} {word}，不用这样操作。"


Figures = tuple[int, float, float | None]  # a placement: (people, days, pay of one)


def placements_confirmed(number: int, added: list[tuple[str, int]], days: float,
                         span: tuple[date, date] | None,
                         changed: list[tuple[str, Figures, Figures]], same: list[str],
                         unpaid: bool) -> str:
    """`#确认`: the people placed now (name, how many with them), `days` each (from the
    posting's dates `span` when not written); placements confirmed before and now updated,
    or the same again; and, when the posting gives no pay figure, that it is not counted."""
    lines = []
    if added:
        who = "、".join(name if n == 1 else f"{name}（{n}人）" for name, n in added)
        dated = f"（按岗位日期{day_text(span[0])}到{day_text(span[1])}算）" if span else ""
        lines.append(f"#{number} 已确认调配{sum(n for _, n in added)}人：{who}，各{days:g}天{dated}。")
    for name, (n0, d0, _), (n1, d1, _) in changed:
        what = [f"{n0}人改为{n1}人"] if n1 != n0 else []
        what += [f"{d0:g}天改为{d1:g}天"] if d1 != d0 else []
        if not what:
            what = ["按岗位现在的工资重算了收入"]
        lines.append(f"#{number} {name} 已确认过，已更新：{'，'.join(what)}（不重复计）。")
    if same:
        lines.append(f"#{number} {'、'.join(same)} 已确认过，不重复计。")
    if unpaid:
        lines.append(f"这个岗位没有能算收入的工资数，这些调配不计入增收；补上工资"
                     f"（如“#修改 {number} 工资 200/天”）后再发一次“#确认”就能算上。")
    return "\n".join(lines)


def placements_not_claimed(number: int, strangers: list[str],
                           over: list[tuple[str, int, bool]], again: str) -> str:
    """`#确认` refused, nothing recorded: names that never claimed the posting, or more
    people under one name than its claim (True) or its earlier placement (False) holds.
    `again` is the command with 强制 that records them anyway."""
    why = []
    if strangers:
        why.append(f"{'、'.join(strangers)}没有报名这个岗位")
    why += [f"{name}{'报名' if claimed else '已记录'}的是{n}人" for name, n, claimed in over]
    return (f"#{number} 这次没有记录：{'；'.join(why)}。确实去了的话，请发“{again}”"
            f"（发布人或工会干部担保，强制记入）。")


def stats(title: str, s: dict[str, float]) -> str:
    """`#统计`: the figures of `placement_stats`, and the placements left out of 人均增收."""
    return (f"【{title}统计】\n覆盖企业 {s['enterprises']:.0f} 家，共享职工 {s['workers']:.0f} 人，"
            f"调配 {s['placements']:.0f} 人次，人均增收 {s['income_per_worker']:.0f} 元。"
            + unpaid_note(s))


def unpaid_note(s: dict[str, float]) -> str:
    """The line after the placement figures when some placements have no pay figure."""
    n = int(s.get("unpaid", 0))
    return f"\n另有{n}人次没有工资数，未计入增收。" if n else ""


def offers_matched(number: int, offers: list[str]) -> str:
    return f"新岗位 #{number} 可能适合找活的朋友（{'、'.join(offers)}），想去就回复“报名 {number}”。"


def new_claims(number: int, who: list[str], claimed: int, total: int | None) -> str:
    tail = f"目前已报{claimed}/{total}人" if total else f"目前共{claimed}人"
    return f"#{number} 新报名：{'、'.join(who)}，{tail}。请和他们联系。"


def roster(line: str, entries: list[tuple[str, int]]) -> str:
    lines = ["#接龙", line, "报名请复制这条消息，在最后加一行：序号. 名字（几个人就写“2人”）", ""]
    lines += [f"{i}. {name}" + (f" {n}人" if n > 1 else "") for i, (name, n) in enumerate(entries, 1)]
    if not entries:
        lines.append("1. ")
    return "\n".join(lines)


def roster_recorded(number: int, added: list[str], changed: list[str], removed: list[str],
                    claimed: int, total: int | None, *, refused: Sequence[str] = (),
                    uncounted: dict[str, list[str]] | None = None) -> str:
    parts = []
    if added:
        parts.append("新增 " + "、".join(added))
    if changed:
        parts.append("修改 " + "、".join(changed))
    if removed:
        parts.append("取消 " + "、".join(removed))
    tail = f"目前已报{claimed}/{total}人" if total else f"目前共{claimed}人"
    notes = []
    if refused:
        notes.append(f"{'、'.join(refused)} 要本人接龙（或发布人、干部代报）才算数")
    why = {"none": "群里找不到这个人，先不算人数",
           "several": "群里有同名的人，不知道是哪一位，先不算人数（请本人接龙，或@本人）",
           "recent": "这个名字刚改过，先不算人数（请本人接龙）",
           "taken": "这一行已经有同名的人写了；请在名字后面加点区别再接龙，比如“王五（电工）”"}
    for kind, names in (uncounted or {}).items():
        if names:
            notes.append(f"{'、'.join(names)} {why[kind]}")
    note = "".join(f"\n{n}。" for n in notes)
    head = f"#{number} 接龙已记录：{'；'.join(parts)}。" if parts else f"#{number} 接龙："
    return f"{head}{tail}。{note}"


def request_stats(title: str, rows: Sequence[tuple]) -> str:
    """`#统计 诉求`. Rows of (kind, name, count, mean response hours or None, on time as
    (percent or None, n, of), satisfied likewise, not yet due, withdrawn), 合计 first; the
    requests are those in hand during the period, as in the weekly report."""
    head = f"【{title}诉求统计】"
    if not rows or rows[0][2] == 0:
        return f"{head}\n这段时间没有诉求。"
    _, _, n, hours, on_time, satisfied, pending, withdrawn = rows[0]
    lines = [head, f"合计：{n}件" + (f"，{response_words(hours)}" if hours is not None else ""),
             on_time_words(on_time) + (f"，另有{pending}件还没到期" if pending else ""),
             satisfied_words(satisfied)]
    for kind, name, n, hours, on_time, satisfied, *_ in rows[1:]:
        if kind in ("等级", "类别"):
            bits = [f"{n}件", *([response_words(hours)] if hours is not None else []),
                    on_time_words(on_time, short=True), satisfied_words(satisfied, short=True)]
            lines.append(f"{name}：{'，'.join(bits)}")
    lines.append("（这段时间里在办的诉求都算，包括之前登记、还没办完的"
                 + (f"；撤回的{withdrawn}件不计入按时率和满意率" if withdrawn else "") + "。）")
    return "\n".join(lines)


def unknown_member(who: str) -> str:
    return f"群里没找到“{who}”。请在群里@这个人，或者直接写他的微信号。"


def cadre_by_id(name: str, person_id: str, verb: str) -> str:
    return (f"设干部只认微信号，不认名字（名字谁都能改）。“{name}”现在是微信号 {person_id}；"
            f"核实是本人后，请发“#管理员 {verb} {person_id}”，或者在群里@他。")


def name_shared(name: str, people: list[tuple[str, str]]) -> str:
    listed = "\n".join(f"· {n}（微信号 {i}）" for n, i in people)
    return (f"有{len(people)}个人都叫“{name}”，不知道是哪一位：\n{listed}\n"
            "请在群里@这个人，或者直接写他的微信号。")


def name_unsure(name: str, n: int) -> str:
    who = f"有{n}个人都叫“{name}”" if n > 1 else f"“{name}”这个名字是最近才改的"
    return f"{who}，不知道是哪一位，这次没有记录。请在群里@这个人再发一次。"


def name_recent(name: str, people: list[tuple[str, str]]) -> str:
    who = "、".join(f"微信号 {i}" for _, i in people)
    return (f"“{name}”这个名字是最近才改的（{who}），为防有人冒名，不按名字认人。"
            "请在群里@这个人，或者直接写他的微信号。")


def already_admin(who: str) -> str:
    return f"{who} 已经是超级管理员了。"


def cadre_changed(who: str, added: bool) -> str:
    return f"已把 {who} 设为工会干部。" if added else f"已取消 {who} 的干部权限。"


def audit_line(when: datetime, member: object, actor_id: str, action: str, target: str | None,
               allowed: bool) -> str:
    who = getattr(member, "display_name", "") or actor_id
    tail = f" {target}" if target else ""
    what = AUDIT_ACTIONS.get(action, f"#{action}")
    return f"{when:%m-%d %H:%M} {who} {what}{tail}" + ("" if allowed else "（被拒绝）")


# Audit entries that are not commands: what #日志 calls them.
AUDIT_ACTIONS = {"rebind": "重新登录后按名字认人"}


def audit_log(lines: list[str]) -> str:
    return "最近的管理操作：\n" + "\n".join(lines) if lines else "还没有管理操作记录。"


def group_only() -> str:
    return "这个命令要在群里用。"


def paused() -> str:
    return "好的，我在本群先不说话了。干部发“#恢复”我再继续。"


def resumed() -> str:
    return "我回来了，继续为大家服务。"


def setting_changed(what: str, value: str) -> str:
    return f"本群的{what}已改为{value}。"


def settings_help() -> str:
    return ("能设置的有：摘要时间（如 #设置 摘要时间 08:30）、诉求回显（#设置 诉求回显 开 或 关）、"
            "仅@模式（#设置 仅@模式 开 或 关：群里要先@机器人它才看得到时打开）。")


def digest_empty() -> str:
    return "本群现在没有在招的岗位，也没有新的找活信息。"


def announce(text: str) -> str:
    return "【工会公告】" + text


def announced(n: int) -> str:
    return f"公告已发到{n}个群。"


def announce_too_soon(minutes: int) -> str:
    return f"公告发得太勤了，{minutes}分钟内只能发一次，请稍后再发。"


def weekly_chart_title(start: date) -> str:
    return f"{start.month}月{start.day}日那一周：调配与诉求"


def weekly_report(start: date, end: date, p: dict, filed: int, on_time: tuple,
                  satisfied: tuple, chart: bool, handled: int | None = None,
                  more: Sequence[str] = ()) -> str:
    """The Monday report. `on_time` and `satisfied` are (percent or None, n, of) over the
    requests in hand during the week (as `#统计 诉求` counts them); `filed`: those filed in it;
    `handled`: how many were in hand, when known; `more`: the week's lines of the other
    records (shares, 企业结对, consultations, the wish wall, rewards), each only when it has
    something to say."""
    lines = [f"【工会周报】{day_text(start)}-{day_text(end)}",
             f"覆盖企业 {p['enterprises']:.0f} 家，共享职工 {p['workers']:.0f} 人，调配 {p['placements']:.0f} 人次，"
             f"人均增收 {p['income_per_worker']:.0f} 元。" + unpaid_note(p),
             f"新登记诉求 {filed} 件"
             + (f"，连同以前没办完的，本周在办 {handled} 件" if handled is not None else "") + "。",
             f"本周在办的诉求：{on_time_words(on_time)}；{satisfied_words(satisfied)}。",
             *more]
    if not chart:
        lines.append("（本机没有中文字体，这次只发文字。）")
    return "\n".join(lines)


def cadre_request_line(number: int, urgency: str, category: str, dept: str | None,
                       handled: bool, due: str | None, age_days: int,
                       last: tuple[str, str | None, datetime] | None) -> str:
    """One request in the 诉求日报: who has it, by when, how old, what was done last."""
    owner = dept or ("已有干部处理" if handled else "未派单")
    tail = f"，{due}前" if due else ""
    age = f"，报来{age_days}天" if age_days >= 1 else "，今天报的"
    done = ""
    if last is not None:
        what, note, t = last
        done = f"；最近：{t:%m-%d %H:%M} {what}" + (f"（{excerpt(note, 16)}）" if note else "")
    return f"R{number} {URGENCY[urgency]} {category} {owner}{tail}{age}{done}"


def cadre_digest(day: date, due: list[str], overdue: list[str], in_hand: list[str],
                 resolved: list[str], since: date | None = None,
                 month: tuple[tuple, tuple] | None = None) -> str:
    """The 诉求日报; `month`: this month's (on time, satisfied) shares, as every report
    counts them."""
    lines = [f"【诉求日报】{day.month}月{day.day}日 周{WEEKDAY[day.weekday()]}"]
    if overdue:
        lines += ["已超时：", *overdue]
    if due:
        lines += ["今天到期：", *due]
    if in_hand:
        lines += ["在办：", *in_hand]
    if resolved:
        since = since or day
        label = "昨天办结：" if (day - since).days <= 1 else f"{since.month}月{since.day}日以来办结："
        lines += [label, *resolved]
    if month is not None:
        lines.append(f"本月：{on_time_words(month[0])}；{satisfied_words(month[1])}。")
    return "\n".join(lines)


ROLE = {"cadre": "工会干部", "admin": "超级管理员", "poster": "岗位发布人或工会干部",
        "requester": "诉求人本人或工会干部"}


def no_permission(command: str, permission: str) -> str:
    return f"“#{command}”只有{ROLE.get(permission, '工会干部')}才能用。"


def sent_privately() -> str:
    return "内容已私信发给你。"


def sent_to_cadre_group() -> str:
    return "内容涉及诉求和台账，已发到工会干部群。"


def cadre_material_elsewhere() -> str:
    return "这个内容涉及诉求和台账，请在工会干部群里或私聊我查看。"


def usage(command: str, text: str) -> str:
    return f"用法：{text}"


def unknown_command(command: str, suggestion: str | None) -> str:
    if suggestion:
        return f"没有“#{command}”这个命令，你是不是想用“#{suggestion}”？发“#帮助”查看全部命令。"
    return f"没有“#{command}”这个命令，发“#帮助”查看全部命令。"


def command_failed() -> str:
    return "抱歉，刚才没处理好，请稍后再试，或联系工会干部。"


def help_text(lines: list[str]) -> str:
    return "我是搭桥助手，能用的命令：\n" + "\n".join(lines) + "\n也可以直接在群里说要招几个人、想找什么活、有什么困难。"


def help_one(name: str, text: str, use: str) -> str:
    return f"#{name}：{text}\n用法：{use}"


def mine(postings: list[str], claims: list[str], requests: list[str]) -> str:
    parts = []
    if postings:
        parts.append("我发的：\n" + "\n".join(postings))
    if claims:
        parts.append("我报名的：\n" + "\n".join(claims))
    if requests:
        parts.append("我的诉求：\n" + "\n".join(requests))
    return "\n".join(parts) if parts else "你还没有发布、报名或诉求记录。"


def request_line(number: int, category: str, status: str, deadline: str | None) -> str:
    tail = f"，{deadline}前答复" if deadline and status in ("filed", "dispatched", "in_progress") else ""
    return f"R{number} {category} {STATUS.get(status, status)}{tail}"


def direct_hint() -> str:
    return "你好，我是搭桥助手。有困难或诉求可以直接发给我，我会登记并转给工会干部；发“帮助”查看命令。"


def digest(day: date, jobs: list[str], more_jobs: int, offers: list[str], more_offers: int) -> str:
    lines = [f"【每日岗位速递】{day.month}月{day.day}日 周{WEEKDAY[day.weekday()]}"]
    if jobs:
        lines.append("在招岗位：")
        lines += jobs
        if more_jobs:
            lines.append(f"……还有{more_jobs}个岗位，发“#列表”查看")
    if offers:
        lines.append("新登记找活：")
        lines += offers
        if more_offers:
            lines.append(f"……还有{more_offers}条")
    lines.append("想去就回复“报名 编号”。")
    return "\n".join(lines)


# -- the WeChat gateway ----------------------------------------------------------------------
def undeliverable(where: str, text: str, *, is_group: bool = True) -> str:
    short = text if len(text) <= 40 else text[:40] + "……"
    if is_group:
        return f"有条消息发不出去：找不到群「{where}」（可能改了群名或机器人已不在群里）。原消息：{short}"
    return f"有条私信发不出去：找不到「{where}」这个人（可能不是机器人的好友）。原消息：{short}"


def account_logged_out() -> str:
    return "机器人的微信账号掉线了，重新扫码登录前群里的消息都收不到。请管理员尽快处理。"


def people_rebound(rebound: Sequence[str],
                   refused: Sequence[tuple[str, str, str, bool]]) -> str:
    """To the cadre group after a re-login: `rebound` names recognised by name and groups;
    `refused` (name, new id, the cadre's id, listed in the config) for someone using a
    cadre's name, who is not taken for the cadre."""
    lines = []
    if rebound:
        shown = "、".join(f"「{n}」" for n in rebound[:20])
        if len(rebound) > 20:
            shown += f"等{len(rebound)}人"
        lines.append(f"提示：重新登录后，把{shown}认作原来的成员（依据：同名且所在群相同）。"
                     "如果不对，请告诉管理员。")
    for name, new_id, old_id, in_config in refused:
        fix = (f"请把配置文件里的 {old_id} 改成 {new_id}，再重启机器人" if in_config
               else f"请超级管理员发“#管理员 添加 {new_id}”")
        lines.append(f"提示：重新登录后，有人用干部「{name}」的名字说话。干部只认微信号、不认名字，"
                     f"所以先把他当作新成员（微信号 {new_id}），不能用干部命令。"
                     f"如果确实是{name}本人（请先当面或打电话确认），{fix}。")
    return "\n".join(lines)


# -- data rights (#删除我的信息, #确认删除) -------------------------------------------------
def erasure_explained(minutes: int) -> str:
    return ("你申请删除自己在搭桥留下的个人信息。确认后会删除或匿名处理：\n"
            "- 你发过的所有消息的内容\n"
            "- 你的诉求内容，以及办理记录里的说明\n"
            "- 你发布的找活或招工信息里的内容和电话\n"
            "- 报名、调配记录里你的姓名和电话\n"
            "- 你的昵称，以及机器人私信给你的内容\n"
            "工会要报的统计数字（调配人次、诉求件数、满意率等）会保留，但不再能对应到你。"
            "删除后不能恢复。\n"
            f"确认删除，请在{minutes}分钟内私信我回复“#确认删除”；不回复就不删除。")


def erasure_only_self() -> str:
    return "“#删除我的信息”只能删除你自己的信息。要删除别人的信息，请联系工会干部。"


def erasure_confirm_privately() -> str:
    return "为了确认是你本人，请私信我发送“#确认删除”。"


def erasure_not_asked() -> str:
    return "你还没有申请删除信息。要删除，请先发送“#删除我的信息”。"


def erasure_expired(minutes: int) -> str:
    return f"你的删除申请已经超过{minutes}分钟，没有执行。要删除，请重新发送“#删除我的信息”。"


def erasure_done() -> str:
    return ("你的个人信息已删除：消息内容、诉求内容、报名和调配记录里的姓名和电话都已清除，"
            "统计里只留下不能对应到你的数字。以后再发消息，会当作新的记录。")



def response_words(hours: float) -> str:
    """A mean response time: 平均25分钟响应 under an hour, else 平均1.5小时响应."""
    if hours < 1:
        return f"平均{round(hours * 60)}分钟响应"
    return f"平均{_num(round(hours, 1))}小时响应"


def on_time_words(share: tuple, short: bool = False) -> str:
    """(percent or None, n, of) → 按时率 75%（3/4）; with nothing due yet, says so."""
    pct, n, of = share
    if pct is None:
        return "还没有到期的" if short else "按时率：暂无到期的诉求"
    return f"按时率 {pct}（{n}/{of}）"


def satisfied_words(share: tuple, short: bool = False) -> str:
    """(percent or None, n, of) → 满意率 50%（1/2）; when nobody rated, says so."""
    pct, n, of = share
    if pct is None:
        return "暂无人评价" if short else "满意率：暂无人评价"
    return f"满意率 {pct}（{n}/{of}）"


def claimed_posting_closed(number: int, what: str) -> str:
    return f"你报名的 #{number}（{what}）已经关闭，不用去了。有疑问可以问发布人或工会干部。"


def claimed_posting_expired(number: int, what: str) -> str:
    return f"你报名的 #{number}（{what}）已经过期，没有再招人了。可以发“#列表”看看别的活。"


def claimed_posting_changed(number: int, what: str, field: str, value: str) -> str:
    return f"你报名的 #{number}（{what}）有变动：{field}改为 {value}。还去的话不用回复；不去了就说“{number}号我不去了”。"


def more_claimed_than_wanted(number: int, wanted: int, taken: int, who: list[str]) -> str:
    return (f"#{number} 改成要{wanted}人，可已经报名了{taken}人：" + "、".join(who)
            + f"。请告诉大家谁留下；不去的人回“{number}号我不去了”就取消了。")


def already_claimed(number: int, headcount: int, *, full: bool = False) -> str:
    tail = f"#{number} 已经招满了，加不了人了。" if full else "不用再报。"
    return f"你已经报过了 #{number}（{headcount}人），{tail}"


def which_full(lines: list[str]) -> str:
    return "你说的是哪一个招满了？请回复编号（或发“#关闭 编号”）：\n" + "\n".join(lines)


def closed_as_full(number: int) -> str:
    return f"#{number} 已招满，停止报名，谢谢大家！"


# -- matching, queries, lists and how-to ----------------------------------------------------
def days_text(label: str, start: date, end: date) -> str:
    """The days a query asked about: 周末（3月8日-9日）, 明天（3月4日）, 3月8日, 3月4日-5日."""
    if start == end:
        span = day_text(start)
    elif start.month == end.month:
        span = f"{day_text(start)}-{end.day}日"
    else:
        span = f"{day_text(start)}-{day_text(end)}"
    return f"{label}（{span}）" if label and label != span else span


def query_on_days(days: str, dated: list[str], undated: list[str], more: int) -> str:
    """A query about some days: the postings on them, then those that give no dates."""
    lines = []
    if dated:
        lines += [f"{days}能干的活：", *dated]
    if undated:
        lines.append("这些没写日期，可以问问发布人：" if dated
                     else f"{days}还没有写明日期的活；这些没写日期，可以问问发布人：")
        lines += undated
    if more:
        lines.append(f"……还有{more}个，发“#列表”看全部。")
    lines.append("想去就回复“报名 编号”。")
    return "\n".join(lines)


def query_none_on(days: str) -> str:
    return f"{days}暂时没有合适的活，有了会在群里说。"


def query_more(more: int) -> str:
    return f"……还有{more}个，发“#列表”看全部。"


def no_groups_known() -> str:
    return "我还不知道你在哪个群。先在群里说一句话（比如“有什么活”），再来问我。"


def list_page(lines: list[str], page: int, pages: int, total: int, words: str) -> str:
    """One page of #列表; a list of one page reads as a query's answer."""
    if pages <= 1:
        return query_results(lines)
    head = f"在招的岗位（第{page}/{pages}页，共{total}个）："
    return head + "\n" + "\n".join(lines) + "\n" + _next_page(page, pages, words) \
        + "想去就回复“报名 编号”。"


def _next_page(page: int, pages: int, words: str) -> str:
    if page >= pages:
        return ""
    return f"发“#列表 {words + ' ' if words else ''}{page + 1}”看下一页；"


def list_no_page(page: int, pages: int) -> str:
    return f"没有第{page}页，一共{pages}页。"


def offer_list(lines: list[str], page: int, pages: int, total: int, words: str) -> str:
    """#列表 找活: the open offers, and how an employer reaches one."""
    head = "在找活的：" if pages <= 1 else f"在找活的（第{page}/{pages}页，共{total}个）："
    return (head + "\n" + "\n".join(lines) + "\n" + _next_page(page, pages, words)
            + "老板想联系谁，就发“#联系 编号”，双方的联系方式我私下转。")


def no_open_offers() -> str:
    return "现在没有在找活的人。"


def contact_is_a_job(number: int) -> str:
    return f"#{number} 是招工岗位，不是找活的人。想去就回复“报名 {number}”。"


def contact_own_offer(number: int) -> str:
    return f"#{number} 是你自己登记的找活，有老板想联系你时我会私下告诉你。"


def offer_not_open(number: int) -> str:
    return f"#{number} 已经不在找活了。发“#列表 找活”看看别的。"


def touch_done(number: int) -> str:
    return f"已把找活 #{number} 和你的联系方式私下发给双方，请留意私信。"


def touch_in_group(number: int) -> str:
    return f"有老板想联系找活 #{number}，请两位私下加好友联系（电话不在群里发）。"


def touch_asker(number: int, who: str, contact: str | None, *, mine: bool) -> str:
    """To the one who answered an offer: how to reach its people."""
    told = "也把你的联系方式告诉了对方" if mine else "也把你的名字告诉了对方"
    if contact:
        return f"找活 #{number}：{who}，联系电话：{contact}。我{told}，请尽快联系。"
    return f"找活 #{number}：{who}，对方没有留电话。我{told}，请等对方联系你，或在群里@对方。"


def touch_offerer(number: int, asker: str, work: str | None, contact: str | None) -> str:
    """To the offerer: who wants them, for what, and how to reach them."""
    head = f"有老板想找你干活（你登记的找活 #{number}）：{asker}" + (f"，{work}" if work else "")
    if contact:
        return head + f"，联系电话：{contact}，请尽快联系对方。"
    return head + "。对方没有留电话，请在群里@对方，或等对方联系你。"


HOWTO = {
    "worker": ("找活：在群里说会干什么、几个人、想在哪干，比如“我有叉车证，想找活”，有合适的岗位我会@你。\n"
               "看岗位：发“#列表”，或者问“周末有什么活”“北仑有日结的吗”。\n"
               "报名：回复“报名 编号”，几个人就写“报名 编号 3人”；不去了发“#取消报名 编号”。\n"
               "有困难直接说，我登记后转给工会干部。"),
    "poster": ("招工：直接在群里说要几个人、干什么、多少钱、在哪，比如“仓库招叉车工2名，一天220，日结”，"
               "我登记成编号岗位，报名的人每半小时汇总给你。\n"
               "改岗位：“#修改 编号 人数 8”；不招了发“#关闭 编号”。\n"
               "找人：发“#列表 找活”看谁在找活，想联系就发“#联系 编号”，双方的电话我私下转。"),
    "cadre": ("诉求：“#诉求 待办”看清单，“#查看 R编号”看记录，“#回复”“#派单”“#办结”处理，"
              "每一步我都私信告诉诉求人。\n"
              "岗位和调配：“#列表”“#确认 编号 名字”“#统计”“#导出 岗位”。"),
}


def howto(role: str) -> str:
    """A short how-to for someone who asked the bot (or asked how to use it), by role."""
    return "我是搭桥助手。" + HOWTO.get(role, HOWTO["worker"]) + "\n发“#帮助”看全部命令。"


def claimed_posting_filled(number: int, what: str) -> str:
    return (f"#{number}（{what}）发布人说人已经招满，不再收报名。你已经报上的，按发布人的安排去；"
            "有变化发布人会跟你说。")


# -- issue 28: opinions on a draft (征求意见, Y-numbers) ------------------------------------
OPINION_HOWTO = ("怎么提意见：引用这条消息回复，或者发“意见：……”“建议……”；也可以私信我"
                 "“意见 Y{n} 你的意见”。\n谁提的意见只有工会知道，不会在群里说；结束时在群里公布"
                 "意见和处理结果，不写名字。愿意署名的，在意见里加上“可署名”。")


def consultation_post(number: int, title: str, deadline: str | None, draft: str,
                      cut: bool, total: int) -> str:
    head = f"【征求意见 Y{number}】{title}"
    until = f"截止时间：{deadline}" if deadline else "截止时间：另行通知"
    more = f"\n……（全文共{total}字，这里只发了前一部分，全文可向工会索取）" if cut else ""
    return f"{head}\n{until}\n\n{draft}{more}\n\n{OPINION_HOWTO.format(n=number)}"


def consultation_opened(number: int, title: str, groups: Sequence[str],
                        deadline: str | None) -> str:
    until = f"，{deadline}截止" if deadline else "，没有截止时间，结束时发“#结束征求 Y{number}”"
    return (f"已发出征求意见 Y{number}《{title}》到：{'、'.join(groups)}{until}。\n"
            f"看收到的意见：#意见 Y{number}")


def consultation_usage() -> str:
    return ("用法：#征求意见 标题 [截止时间] [群：一群、二群]\n"
            "第二行起写征求意见稿的内容。例如：\n"
            "#征求意见 2025年职代会工作报告 3月10日18:00 群：一车间群、二车间群\n"
            "（这里写报告内容）\n"
            "在职工群里发，默认发到本群；在干部群里或私信发，要写明“群：…”。")


def consultation_needs_groups() -> str:
    return "请写明发到哪些群，例如：#征求意见 标题 3月10日 群：一车间群、二车间群"


def consultation_no_draft() -> str:
    return "没有收到征求意见稿的内容：请从第二行起写上内容（或者一个文件路径）。"


def consultation_unknown_groups(names: Sequence[str], known: Sequence[str]) -> str:
    have = f"现有的群：{'、'.join(known)}。" if known else "我还不在任何职工群里。"
    return f"找不到这些群：{'、'.join(names)}。{have}请核对群名。"


def consultation_cadre_group(name: str) -> str:
    return f"{name}是干部群，征求意见要发到职工群。"


def consultation_past_deadline(deadline: str) -> str:
    return f"截止时间{deadline}已经过了，请写一个以后的时间。"


def consultation_file_unreadable(path: str) -> str:
    return f"读不了文件 {path}，请检查路径，或者直接把内容写在命令下面。"


def no_such_consultation(number: int) -> str:
    return f"没有找到征求意见 Y{number}，请核对编号。"


def opinion_received(number: int, title: str, seq: int, named: bool) -> str:
    who = ("，并写上你的名字。" if named
           else "，不写你的名字（愿意署名的话，私信回我“可署名”）。")
    return (f"收到你对 Y{number}《{title}》的意见（第{seq}条），谢谢！"
            f"是谁提的只有工会知道；结束时会在群里公布意见和处理结果{who}")


def opinion_named(numbers: Sequence[int], count: int) -> str:
    refs = "、".join(f"Y{n}" for n in numbers)
    return f"好的，公布 {refs} 的结果时，你的{count}条意见会写上你的名字。"


def opinion_too_late(number: int, title: str) -> str:
    return f"Y{number}《{title}》已经截止了，这条意见没有记上。有事可以私信工会。"


def opinion_which(numbers: Sequence[int]) -> str:
    refs = "、".join(f"Y{n}" for n in numbers)
    return f"正在征求意见的有：{refs}。请写明编号，例如：意见 Y{numbers[0]} 你的意见"


def opinion_empty(number: int) -> str:
    return f"请把意见写在编号后面，例如：意见 Y{number} 你的意见"


def consultation_bad_deadline() -> str:
    return "截止时间没看懂，请写成“3月10日18:00”“3月10日”或“明天18:00”这样。"


def opinion_none_open() -> str:
    return "你在的群现在没有正在征求意见的事项。"


def participation_text(authors: int, members: int, percent: int | None, outside: int) -> str:
    base = (f"{authors}人提了意见，群里共{members}人，参与率{percent}%" if percent is not None
            else f"{authors}人提了意见（群里的人数还不清楚）")
    return base + (f"；另有{outside}人不在这些群里" if outside else "")


def opinion_outcome_text(outcome: str | None, owner: str | None, note: str | None) -> str:
    if outcome is None:
        return "待答复"
    out = outcome + (f"，负责人：{owner}" if owner else "")
    return out + (f"（{note}）" if note else "")


def opinion_cadre_line(seq: int, author: str, where: str, named: bool, text: str,
                       outcome: str) -> str:
    sign = "，可署名" if named else ""
    return f"{seq}. {author}（{where}{sign}）：{text}\n   → {outcome}"


def opinion_where(group: str | None) -> str:
    return group if group else "私信"


def consultation_detail(number: int, title: str, status: str, deadline: str | None,
                        groups: Sequence[str], participation: str,
                        lines: Sequence[str]) -> str:
    state = "进行中" if status == "open" else "已结束"
    until = f"，{deadline}截止" if deadline and status == "open" else ""
    head = (f"【征求意见 Y{number}】{title}（{state}{until}）\n发往：{'、'.join(groups)}\n"
            f"参与：{participation}")
    if not lines:
        return head + "\n还没有收到意见。"
    tail = (f"\n答复：#意见答复 Y{number} 第1条 已采纳 负责人 某某 [说明]"
            "（结果：已采纳／部分采纳／暂不采纳／已解释）")
    return f"{head}\n意见（{len(lines)}条）：\n" + "\n".join(lines) + tail


def consultations_list(lines: Sequence[str]) -> str:
    if not lines:
        return "还没有征求意见的事项。发起：#征求意见 标题 [截止时间] 群：群名"
    return "征求意见：\n" + "\n".join(lines) + "\n看意见：#意见 Y编号"


def consultation_list_line(number: int, title: str, status: str, count: int) -> str:
    state = "进行中" if status == "open" else "已结束"
    return f"Y{number}《{title}》{state}，{count}条意见"


def opinion_answer_usage() -> str:
    return ("用法：#意见答复 Y编号 第几条 结果 负责人 姓名 [说明]\n"
            "结果：已采纳／部分采纳／暂不采纳／已解释。例如：#意见答复 Y1 第2条 已采纳 负责人 王科长")


def no_such_opinion(number: int, seq: int, count: int) -> str:
    have = f"Y{number} 共{count}条意见" if count else f"Y{number} 还没有意见"
    return f"没有第{seq}条意见：{have}，请核对。"


def bad_outcome(word: str) -> str:
    said = f"“{word}”不是处理结果。" if word else "请写上处理结果。"
    return said + "结果只能是：已采纳、部分采纳、暂不采纳、已解释。"


def opinion_needs_owner() -> str:
    return "请写上负责人，例如：#意见答复 Y1 第2条 已采纳 负责人 王科长"


def opinion_answered(number: int, seq: int, outcome: str, owner: str) -> str:
    return f"已记录：Y{number} 第{seq}条 {outcome}，负责人：{owner}。结束时会在群里公布。"


def consultation_closed(number: int, groups: Sequence[str]) -> str:
    return f"征求意见 Y{number} 已结束，结果已发到：{'、'.join(groups)}。"


def consultation_already_closed(number: int) -> str:
    return f"征求意见 Y{number} 已经结束了。"


# An unnamed opinion as the results message prints it (storage.opinions.public_text): a
# person's name in it, and a phone number (left out altogether: its last digits point at
# whoever wrote it).
OPINION_SOMEONE = "某职工"
OPINION_NO_PHONE = "（电话略）"


def opinion_public_line(seq: int, text: str, author: str | None, outcome: str) -> str:
    by = f"（{author}）" if author else ""
    return f"{seq}. {text}{by}\n   结果：{outcome}"


def consultation_results(number: int, title: str, lines: Sequence[str], participation: str,
                         more: int) -> str:
    head = f"【征求意见 Y{number} 结果】{title}\n征求意见已结束，谢谢大家！{participation}。"
    if not lines:
        return head + "\n这次没有收到意见。"
    tail = f"\n……另有{more}条，详情可问工会。" if more else ""
    return (f"{head}\n收到的意见和处理结果（未署名的意见不公开提出人）：\n"
            + "\n".join(lines) + tail)


def open_consultations_line(numbers: Sequence[str]) -> str:
    return f"正在征求意见：{'、'.join(numbers)}"


# -- issue 28: the wish wall (心愿墙, W-numbers) ---------------------------------------------
def _wanted(people: int) -> str:
    return "你是第一个提的" if people <= 1 else f"已有{people}人想要"


def wish_noted(number: int, topic: str, people: int, again: bool = False) -> str:
    """To the wisher only: the line their wish went on (the group never hears it)."""
    if again:
        return (f"这个心愿之前已经记下了（W{number} {topic}，{_wanted(people)}）。"
                "工会有了安排会私信告诉你。")
    return (f"你的心愿已记下（W{number} {topic}，{_wanted(people)}）。"
            "工会会把大家的心愿汇总起来安排，有了安排私信告诉你。")


def wish_noted_supplied(number: int, topic: str, people: int, supply: str) -> str:
    return (f"你的心愿已记下（W{number} {topic}，{_wanted(people)}）。"
            f"这个工会已经有安排了：{supply}")


def wish_noted_here() -> str:
    """In a group whose transport cannot message one person: nothing of the wish."""
    return "你的心愿已记下，工会有了安排会告诉你。"


def wish_is_grievance() -> str:
    return ("这听起来是要解决的问题，不只是心愿。请发“#诉求 内容”登记，"
            "工会会按时限办理。")


def wish_wall_line(number: int, topic: str, people: int, supply_day: date | None,
                   answered: bool) -> str:
    tail = ""
    if answered:
        tail = f" · 已安排{f'（{day_text(supply_day)}）' if supply_day else ''}"
    return f"W{number} {topic} · {people}人想要{tail}"


def wish_wall(lines: Sequence[str], more: int) -> str:
    tail = f"\n……还有{more}条" if more else ""
    return ("【心愿墙】大家想要的培训和服务：\n" + "\n".join(lines) + tail
            + "\n想要什么，直接说“希望工会组织…”或发“#心愿 内容”；想要的人越多越先安排。")


def wish_wall_empty() -> str:
    return ("心愿墙还是空的。想要什么培训、服务，直接说“希望工会组织…”，"
            "或发“#心愿 内容”。")


def wish_wall_detail_line(number: int, topic: str, people: int, answered: bool,
                          supply: str | None, wishes: Sequence[tuple[str, str, str]]) -> str:
    """For cadres: a line with who wished what and when ((name, when, text) each)."""
    state = f"已安排：{supply}" if answered and supply else "待安排"
    rows = [f"  {name} {when}：{excerpt(text, 30)}" for name, when, text in wishes]
    return "\n".join([f"W{number} {topic} · {people}人 · {state}", *rows])


def wish_wall_detail(lines: Sequence[str]) -> str:
    return ("【心愿墙·详细】（只给干部看）\n" + "\n".join(lines)
            + "\n答复一条：#供给 W编号 日期 安排，如：#供给 W2 12月20日 叉车证培训，地点…")


def wisher_erased() -> str:
    """Who wished it, in a cadre's list, once that person had their data erased."""
    return "（信息已删除）"


def no_such_wish_line(number: int) -> str:
    return f"没有找到心愿 W{number}，请核对编号（发“#心愿墙”看全部）。"


def wish_supplied(number: int, topic: str, supply: str) -> str:
    """To each wisher, privately."""
    return (f"你许的心愿有回音了：W{number} {topic}\n工会的安排：{supply}\n"
            "有问题可以私信工会。")


def wish_answered_in_group() -> str:
    """Where the transport cannot message one person: who to look, nothing of what."""
    return "你们许的心愿有回音了，发“#心愿墙”可以看到工会的安排。"


def wish_supply_recorded(number: int, topic: str, privately: int, in_group: int,
                         again: bool) -> str:
    told = []
    if privately:
        told.append(f"已私信告诉{privately}位许愿的人")
    if in_group:
        told.append(f"{in_group}位在群里@了（不提心愿内容）")
    what = "供给已更新" if again else "供给已记下，这条心愿标为已安排"
    return f"W{number} {topic}：{what}；" + ("，".join(told) or "没有可通知的人") + "。"


def wish_report_line(wishes: int, people: int, opened: int, answered: int,
                     waiting: int) -> str:
    """The wish wall in a report: the period's new wishes and the lines still waiting."""
    return (f"心愿墙：新心愿 {wishes} 条（{people}人），新开 {opened} 条需求，"
            f"答复 {answered} 条；还有 {waiting} 条等着安排。")


# -- Hazard photos (随手拍) and rewards: issue 28 -------------------------------------------
def _size(n: int) -> str:
    if n < 1000:
        return f"{n}B"
    return f"{n / 1_000_000:.1f}MB" if n >= 100_000 else f"{round(n / 1000)}KB"


def photo_too_large_note(size: int, limit: int) -> str:
    """The request's record of a photo that was not kept."""
    return f"照片太大（{_size(size)}，最多{_size(limit)}），没有保存"


def hazard_ack(ack: str, photos: int, too_large: int) -> str:
    """The usual answer to a request, saying the photos came (or were too large to keep)."""
    if too_large and not photos:
        return ack + "照片太大没能保存，方便的话再发一张小一点的。"
    if too_large:
        return ack + "照片已收到（有一张太大没能保存）。"
    return ack + "照片已收到。"


def photo_too_large(number: int) -> str:
    return f"照片太大没能保存，方便的话再发一张小一点的（诉求 R{number}）。"


def _after_text(record: str, extra: list[str]) -> str:
    """`extra` lines put after a request's 内容 line (or at the end)."""
    lines = record.split("\n")
    at = next((i + 1 for i, x in enumerate(lines) if x.startswith("内容：")), len(lines))
    return "\n".join(lines[:at] + extra + lines[at:])


def hazard_alert(alert: str, place: str | None, photos: int, too_large: int) -> str:
    """The cadres' alert of a request, with its place and photos after its text."""
    extra = [f"地点：{place}"] if place else []
    if photos or too_large:
        extra.append(f"照片：{photos}张" + (f"（另有{too_large}张太大，没有保存）"
                                           if too_large else ""))
    return _after_text(alert, extra)


def request_record_media(record: str, place: str | None,
                         items: list[tuple[str, str | None, int, str]]) -> str:
    """#查看 with a request's place and its stored attachments (kind, path, bytes, status),
    after its text."""
    lines = [f"地点：{place}"] if place else []
    for i, (kind, path, size, status) in enumerate(items, 1):
        what = MEDIA.get(kind, "附件")
        if status == "stored" and path:
            lines.append(f"  {what}{i}：{path}（{_size(size)}）")
        elif status == "too_large":
            lines.append(f"  {what}{i}：太大（{_size(size)}），没有保存")
        else:
            lines.append(f"  {what}{i}：没有取到文件")
    if items:
        lines.insert(1 if place else 0, "附件：")
    record = "\n".join(x for x in record.split("\n")
                       if not (x.startswith("附件：") and x.endswith("个") and x[3:-1].isdigit()))
    return _after_text(record, lines)


def request_photo_caption(number: int, i: int, n: int) -> str:
    return f"R{number} 的照片（{i}/{n}）"


def reward_usage() -> str:
    return "#奖励 R编号 金额，如：#奖励 R12 20；要改金额：#奖励 R12 30 改"


def reward_out_of_bounds(amount: int, low: int, high: int) -> str:
    return f"奖励金额要在{low}到{high}元之间，{amount}元不行。"


def reward_already(number: int, amount: int) -> str:
    return (f"R{number} 已经奖励过{amount}元了。要改金额，发“#奖励 R{number} 新金额 改”，"
            f"如：#奖励 R{number} 30 改")


def reward_nothing_to_change(number: int) -> str:
    return f"R{number} 还没有奖励过，不用写“改”：#奖励 R{number} 金额"


def reward_withdrawn(number: int) -> str:
    return f"R{number} 已撤回，不能奖励。"


def reward_recorded(number: int, amount: int, who: str, before: int | None,
                    told: bool) -> str:
    what = (f"R{number} 的奖励已从{before}元改为{amount}元" if before is not None
            else f"已记下：R{number} 奖励{who}{amount}元")
    return what + ("，已私信告诉本人。" if told else "（本人的信息已删除，无法通知）。")


def reward_notice(number: int, place: str | None, amount: int, before: int | None) -> str:
    """To the reporter, privately."""
    about = f"R{number}（{place}）" if place else f"R{number} "
    if before is not None:
        return f"你随手拍的 {about}奖励金额调整为{amount}元（原来是{before}元）。"
    return (f"你随手拍的 {about}经核实，奖励{amount}元，谢谢你帮大家排除隐患！"
            "怎么领取，工会会联系你。")


def reward_event_note(amount: int, before: int | None) -> str:
    return f"奖励{amount}元" + (f"（原{before}元）" if before is not None else "")


def rewards_week_line(total: int, people: int, items: int) -> str:
    """Rewards of the week in the Monday report (storage: reward_ledger)."""
    return f"随手拍奖励：{items}件，{people}人，共{total}元。"


def reward_ledger(title: str, people: list[tuple[str, int, list[tuple[int, int, str | None]]]]
                  ) -> str:
    """#奖励台账: per person, the total and each item (R-number, yuan, place)."""
    if not people:
        return f"{title}还没有随手拍奖励。"
    items = sum(len(x[2]) for x in people)
    total = sum(x[1] for x in people)
    lines = [f"{title}随手拍奖励台账：{len(people)}人，{items}件，共{total}元"]
    for name, subtotal, rows in people:
        parts = "、".join(f"R{n} {a}元" + (f"（{p}）" if p else "") for n, a, p in rows)
        lines.append(f"{name}：{subtotal}元 — {parts}")
    lines.append("导出Excel：#导出 奖励")
    return "\n".join(lines)


# -- issue 30: the WeCom intelligent-bot gateway, mention-only groups -------------------------

def wecom_file_not_sent(name: str) -> str:
    return f"文件《{name}》这次没能发到群里，请找工会干部要。"


def wecom_connection_lost() -> str:
    return ("提醒：机器人和企业微信的连接被另一处登录顶掉了，机器人已经停下。"
            "请管理员检查是不是同一个机器人开在了两个地方，处理好后重新启动。")


def mention_hint(bot_name: str) -> str:
    """Said in a group where the bot sees only messages that @ it (WeCom groups)."""
    return f"本群要先@{bot_name}再说话，机器人才看得到：招工、报名、提诉求都请先@{bot_name}。"


def mention_only_on() -> str:
    return "已开启仅@模式：以后摘要、帮助和岗位卡片会提醒大家先@机器人再发。"


def mention_only_off() -> str:
    return "已关闭仅@模式。"


# What asks people in a group to post, claim or file: the posting card, the job lists, the
# digest, the help. In a mention-only group the transport adds mention_hint() under these.
_ASKS_TO_ACT = ("回复“报名", "想去就回复", "我是搭桥助手，能用的命令", "【每日岗位速递】")


def asks_to_act(text: str) -> bool:
    return any(m in text for m in _ASKS_TO_ACT)


# -- sharing between member units (issue 28: 共享+, bot/handlers/sharing.py) ------------------
def share_what(resource: str, quantity: str | None) -> str:
    """A share named in a line: 午餐接待 3桌."""
    return resource + (f" {quantity}" if quantity else "")


def share_need_card(number: int, what: str, unit: str | None,
                    offered: list[str]) -> str:
    """The card a need gets in its group (no contact in it: told privately on confirmation)."""
    lines = [f"已登记共享需求 S{number}", (f"{unit}：" if unit else "") + what,
             f"能提供的单位请直接回复（引用这条，或写“S{number} 我这有3桌”）。",
             f"发布人确认后用“#确认 S{number} 单位 数量”，双方联系方式私下互告。"]
    if offered:
        lines.insert(2, "之前说过能提供的：" + "；".join(offered))
    return "\n".join(lines)


def share_offer_noted(number: int, who: str, what: str | None, total: str | None,
                      count: int) -> str:
    """An offer attached to need S{number}, said in the group."""
    head = f"S{number} 已记下：{who}" + (f"能提供 {what}" if what else "能提供")
    tail = f"（已有 {count} 家回应" + (f"，共 {total}" if total else "") + "）"
    return head + tail + "。发布人确认后我会把双方联系方式私下发给双方。"


def share_which_need(needs: list[tuple[int, str]]) -> str:
    """More than one open need the offer may answer: (number, what) each."""
    listed = "；".join(f"S{n} {what}" for n, what in needs)
    return (f"现在有几个共享需求：{listed}。你回应的是哪一个？"
            f"请写上编号再发一次，比如“S{needs[0][0]} 我这有3桌”。")


def share_no_such(number: int) -> str:
    return f"没有找到共享需求 S{number}。"


def share_not_open(number: int) -> str:
    return f"S{number} 已经不再征集了，谢谢！"


def share_own_need(number: int) -> str:
    return f"S{number} 是你自己发的需求。够了的话回复“够了”，或发“#关闭 S{number}”。"


def share_no_permission(command: str, number: int) -> str:
    return f"“#{command} S{number}”只有需求发布人或工会干部才能用。"


def share_which_provider(number: int, names: list[str]) -> str:
    return (f"S{number} 有几家能提供：{'、'.join(names)}。请写明是哪一家，"
            f"比如“#确认 S{number} {names[0]} 3桌”。")


def share_confirmed(number: int, provider: str, what: str | None, covered: bool,
                    private: bool) -> str:
    """Said in the group when the asker confirms a provider (never a phone number)."""
    text = f"S{number} 已确认：{provider}" + (f"提供 {what}" if what else "提供") + "。"
    text += ("已把双方的联系方式私下发给双方，请留意私信。" if private
             else "请双方私下加好友联系（电话不在群里发）。")
    if covered:
        text += f"\nS{number} 已经够了，停止征集，谢谢各位兄弟单位！"
    return text


def share_touch_asker(number: int, provider: str, what: str | None,
                      contact: str | None) -> str:
    """To the asker: who provides, and how to reach them."""
    head = f"共享需求 S{number}：{provider}" + (f"提供 {what}" if what else "提供")
    if contact:
        return head + f"，联系电话：{contact}，请尽快联系对方。"
    return head + "。对方没有留电话，请在群里@对方，或等对方联系你。"


def share_touch_provider(number: int, asker: str, what: str, contact: str | None) -> str:
    """To the provider: whose need, for what, and how to reach them."""
    head = f"{asker}确认由你们提供共享需求 S{number}（{what}）"
    if contact:
        return head + f"，联系电话：{contact}，请尽快联系对方。"
    return head + "。对方没有留电话，请在群里@对方，或等对方联系你。"


def share_closed(number: int, confirmed: list[str]) -> str:
    text = f"S{number} 已关闭，停止征集。"
    if confirmed:
        text += "由" + "、".join(confirmed) + "提供。"
    return text + "谢谢各位兄弟单位！"


def share_thanks(number: int) -> str:
    """To an offerer not confirmed when the need closes."""
    return f"共享需求 S{number} 已经够了，这次没用上，谢谢你们！下次有需要再麻烦。"


def share_usage_confirm() -> str:
    return "写法：#确认 S编号 单位 数量，比如“#确认 S3 张三 3桌”。"


def share_usage_close() -> str:
    return "写法：#关闭 S编号，比如“#关闭 S3”。"


def firm_pairs_line(pairs: dict[str, int]) -> str:
    """The 企业结对 line under `#统计` (storage: firm_pairs)."""
    parts = []
    if pairs["lending"]:
        parts.append(f"借调职工 {pairs['lending']} 对")
    if pairs["shares"]:
        parts.append(f"资源共享 {pairs['shares']} 对")
    return f"\n企业结对 {pairs['pairs']} 对（" + "，".join(parts) + "）。"


def share_figures_line(f: dict[str, int]) -> str:
    """Needs of the period in the digest and weekly report (storage: share_figures)."""
    return (f"共享需求 {f['needs']} 个（已解决 {f['covered'] + f['closed']} 个，"
            f"还在征集 {f['open']} 个），单位回应 {f['offers']} 次。")
