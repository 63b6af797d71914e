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
    return "能设置的有：摘要时间（如 #设置 摘要时间 08:30）、诉求回显（#设置 诉求回显 开 或 关）。"


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
                  satisfied: tuple, chart: bool, handled: int | None = None) -> str:
    """The Monday report. `on_time` and `satisfied` are (percent or None, n, of) over the
    requests in hand during the week (as `#统计 诉求` counts them); `filed`: those filed in it;
    `handled`: how many were in hand, when known."""
    lines = [f"【工会周报】{day_text(start)}-{day_text(end)}",
             f"覆盖企业 {p['enterprises']:.0f} 家，共享职工 {p['workers']:.0f} 人，调配 {p['placements']:.0f} 人次，"
             f"人均增收 {p['income_per_worker']:.0f} 元。" + unpaid_note(p),
             f"新登记诉求 {filed} 件"
             + (f"，连同以前没办完的，本周在办 {handled} 件" if handled is not None else "") + "。",
             f"本周在办的诉求：{on_time_words(on_time)}；{satisfied_words(satisfied)}。"]
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
