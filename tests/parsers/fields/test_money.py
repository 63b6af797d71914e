"""Pay and settlement (parsers.fields.money), one table per finder, read from the working text
the parser hands them. Pay is written (min, max, unit); parse.md's pay and settlement rules."""

from __future__ import annotations

from parsers.fields.money import find_pay, find_settlement
from parsers.parser import prepare
from tests.parsers.fields import table


def pay(text: str) -> tuple[float | None, float | None, str] | None:
    found = find_pay(prepare(text)[2])
    return None if found is None else (found.min, found.max, found.unit)


PAY = {
    # A unit word before or after the figure.
    "day-word": ("招普工，日薪200", (200, 200, "day")),
    "day-colloquial": ("招护工，每天两百五", (250, 250, "day")),
    "day-slash": ("招临时工10人，180元/天，周结", (180, 180, "day")),
    "day-per-night": ("物流公司夜班缺叉车工，两个，一晚两百五", (250, 250, "day")),
    "day-from-daily-settlement": ("招搬运工，日结200", (200, 200, "day")),
    "hour": ("招钟点工，一小时35", (35, 35, "hour")),
    "hour-range": ("招分拣员，时薪20到25", (20, 25, "hour")),
    "month-wan": ("招月嫂，月薪1.5万", (15000, 15000, "month")),
    "month-k": ("招司机，月薪8k", (8000, 8000, "month")),
    "month-colloquial": ("招杂工3名，两千五一个月", (2500, 2500, "month")),
    "month-range": ("招保安2名，月薪4000-4500，月结", (4000, 4500, "month")),
    "month-range-shared-multiplier": ("焊工，月薪8千-1万", (8000, 10000, "month")),
    "month-range-adjacent-numerals": ("洗衣厂缺熨烫工两个，月薪四五千", (4000, 5000, "month")),
    # Open above: 以上, 起, +, 加提成, 过万.
    "open-yishang": ("招厨师一名，工资6000以上", (6000, None, "month")),
    "open-qi": ("招技术员，月薪1.5万起", (15000, None, "month")),
    "open-plus": ("急招 普工20名 月薪6000+ 包吃住", (6000, None, "month")),
    "open-commission": ("招销售员，底薪3000加提成", (3000, None, "month")),
    "open-over-wan": ("招保安，月入过万", (10000, None, "month")),
    # Piece rates, spoken small money.
    "piece": ("招车工，计件，一件1.2元", (1.2, 1.2, "piece")),
    "piece-kuai-er": ("服装厂招平车工，计件，一件一块二", (1.2, 1.2, "piece")),
    "piece-mao": ("穿珠子，一串两毛，在家就能做", (0.2, 0.2, "piece")),
    "piece-mao-fen": ("打包员，计件，一件两毛五", (0.25, 0.25, "piece")),
    "piece-fen": ("加工厂外发手工活，贴标签，一个5分", (0.05, 0.05, "piece")),
    "piece-per-basket": ("果园摘苹果，一筐十块，要15人", (10, 10, "piece")),
    "piece-per-ton": ("装卸工，一吨十五块", (15, 15, "piece")),
    # A lump sum for the whole job.
    "job-baogan": ("装修队招油漆工，包干8000", (8000, 8000, "job")),
    "job-paid-when-done": ("建材市场卸瓷砖，六个人，干完给一千二", (1200, 1200, "job")),
    # Figures that belong to something else are skipped, or give no pay.
    "age-limit-skipped": ("招收银员，年龄50以下，月薪3000", (3000, 3000, "month")),
    "age-years-skipped": ("招保洁，50岁以下，一天150", (150, 150, "day")),
    "age-only": ("招普工，年龄50以下", None),
    "age-range-only": ("招普工，18-45岁", None),
    "headcount-only": ("招普工20名", None),
    "time-of-day-skipped": ("早上8点上班，晚上6点下班，一天200", (200, 200, "day")),
    "time-of-day-only": ("要5个人，早上8点到岗", None),
    "distance-skipped": ("工地离地铁站500米，一天300", (300, 300, "day")),
    "date-skipped": ("3月10号开工，日薪250", (250, 250, "day")),
    "dotted-date-only": ("普工5名，3.10开工", None),
    "phone-only": ("招普工，电话13812345678", None),
    "negotiable": ("招厨师，工资面议", None),
    # Issue 27: an age bound, a time of day, a height or a count before 日结 is no day's pay.
    "age-bound-before-daily": ("招保洁，年龄50以下，日结180", (180, 180, "day")),
    "bare-age-bound-before-daily": ("招普工，50以内，日结180", (180, 180, "day")),
    "age-bound-then-daily-word": ("年龄55以下，日结200", (200, 200, "day")),
    "age-bound-only-daily": ("招保洁阿姨，60岁以内，日结", None),
    "height-only-daily": ("招保安，身高170以上，日结", None),
    "working-hours-skipped": ("上班时间8:00-17:00，日结200", (200, 200, "day")),
    "working-hours-only": ("招普工，上班时间8:00-17:00，日结", None),
    "night-hours-only": ("夜班20:00-08:00，日结", None),
    "headcount-after-job-only": ("普工80，日结", None),
    "headcount-label-only": ("招普工，人数：80，日结", None),
    "headcount-after-people-word": ("缺人60，日结", None),
    "headcount-then-daily-pay": ("招工60，日结200", (200, 200, "day")),
    "bare-headcount-then-daily-pay": ("急招普工 80 日结180", (180, 180, "day")),
    "bare-daily-figure-after-job": ("普工 180 日结", (180, 180, "day")),
    "per-head-is-pay": ("婚宴缺服务员，每人150，日结", (150, 150, "day")),
    # 计件 with no figure: paid by the piece, at a rate not stated (parse.md).
    "piece-rate-without-figure": ("服装厂订单多，急需熨烫工6名，计件，多劳多得",
                                  (None, None, "piece")),
    "piece-rate-wage-word": ("我们服装厂缺锁边工二名，计件工资", (None, None, "piece")),
    "piece-rate-by-the-piece": ("招绣花工10名，可以带回家做，按件算", (None, None, "piece")),
    "piece-rate-figure-wins": ("计件或者日结200", (200, 200, "day")),
    "not-piece-rate": ("不计件，月薪5000", (5000, 5000, "month")),
}

SETTLEMENT = {
    "daily": ("招普工，日结200", "daily"),
    "daily-same-day": ("一天180，当天结", "daily"),
    "daily-dangri": ("工资当日结", "daily"),
    "daily-settled-in-full": ("一天两百，当天结清", "daily"),
    "daily-once-a-day": ("一天一结", "daily"),
    "daily-cash": ("结账方式：现结", "daily"),
    "weekly": ("时薪20，周结", "weekly"),
    "weekly-once-a-week": ("一周一结", "weekly"),
    "weekly-paid-friday": ("每周五发工资", "weekly"),
    "monthly": ("月薪5000，月结", "monthly"),
    "monthly-by-month": ("按月结算", "monthly"),
    "project-when-done": ("招木工，做完结", "project"),
    "project-when-loaded": ("装完就结", "project"),
    "project-on-completion": ("完工后一起结", "project"),
    "project-word": ("项目结", "project"),
    "project-in-one-go": ("干完活一次性结清", "project"),
    "project-after-the-work": ("活干完再结", "project"),
    "first-mention-wins": ("日结周结都可以", "daily"),
    "month-pay-is-no-settlement": ("招普工，月薪5000", None),
    "day-pay-is-no-settlement": ("招普工，日薪200", None),
    "none-stated": ("招厨师，工资面议", None),
}


@table(PAY)
def test_find_pay(text: str, expected: object) -> None:
    assert pay(text) == expected


@table(SETTLEMENT)
def test_find_settlement(text: str, expected: str | None) -> None:
    assert find_settlement(prepare(text)[2]) == expected
