"""What the work is: job type, task and employer, as written."""

from __future__ import annotations

import re

from parsers.fields.places import without_city
from parsers.lexicon import NOT_JOBS, Lexicon

ORG_SUFFIX = ("有限公司", "公司", "集团", "工厂", "厂", "农场", "养殖场", "果园", "茶园", "菜场",
               "工地",
               "酒店", "宾馆", "饭店", "大酒店", "餐厅", "餐馆", "饭馆", "食堂", "超市", "商场",
               "商行",
               "外贸", "物流", "快递", "快递站", "驿站", "仓库", "车队", "店", "酒楼", "酒家",
               "大排档", "农家乐", "中心", "站", "精工", "科技",
               "电子", "电器", "机械", "服饰", "制衣", "纺织", "印务", "包装", "实业", "工贸",
               "贸易",
               "医院", "学校", "幼儿园", "养老院", "敬老院", "物业", "家政", "餐饮", "农庄",
               "合作社",
               "基地", "车间", "工作室", "门店", "作坊", "加工厂", "市场", "园",
               "纸业", "塑业", "鞋业", "木业", "货运", "运输", "速运", "速递", "中转场", "进出口",
               "卖场", "商城", "五金")
_DEPT = re.compile(r"(?:车间|餐饮部|部门|[\u4e00-\u9fff]{1,3}部|分部|后厨|前厅|仓库|这边|那边|"
                   r"这里|"
                   r"现在|目前|最近|今天|明天|后天|"
                   r"(?:这|本|下个?)?(?:周|星期|礼拜)[一二三四五六日天末1-7]?|周末|这个月|本月|"
                   r"下个?月|"
                   r"每天|天天|晚上|白天|上午|下午|"
                   r"宴会|夜班|白班|晚班|早班|长期|临时|急|近期|年底|双十一前后|双11前后|前后)+$")
_PREFIX = re.compile(r"^(?:【[^】]*】|\[[^\]]*\])?\s*"
                     r"(?:我们|他们|她们|我司|我公司|我厂|本公司|本厂|本店|我店|咱们|咱|本|"
                     r"我这边|我这|"
                     r"我们这边|这边|有个|有家|有[一1]家|[一1]家|"
                     r"[\u4e00-\u9fff]{0,4}?(?:新开了?|刚开了?)(?:[一1]?家|个)|某|附近的?|旁边的?|"
                     r"新开的?|刚开的?|那家|这家|帮(?!忙)|替)")
# When, at the head of a clause: 本周六超市理货员需要8人, 明天上午帮忙卸水泥.
_WHEN = re.compile(r"^(?:每(?:周|星期|礼拜)[一二三四五六日天末1-7]+(?![次回个天])|"
                   r"(?:本|这|下个?)?(?:周|星期|礼拜)[一二三四五六日天末1-7]?|[今明后]天|"
                   r"明后[两2]?天|"
                   r"这[两2几]天|即日起?|年底前?|"
                   r"(?:中秋|国庆|春节|端午|元旦|五一|十一|清明|过年|双十一|双11|618)节?"
                   r"(?:前后|前|后|期间)?|年前|月底前|节前|近期|最近|目前|现在|"
                   r"(?:下个?|这个?|本)?月(?:初|中|底)|(?:下个?|这个|本)月|年后|节后|"
                   r"[上下]午|早上|晚上|中午|今晚|明晚|\d+\s*月\s*\d+\s*[号日]|\d+\s*[号日]|起|"
                   r"开始)+")
_MAKE = re.compile(
    r"^(?:做|干)(?!到|完|满|多|几|什么|啥|得|不|了|过|活|事|工|饭|好|六|五|"
    r"满)[\u4e00-\u9fff]{2,4}$"
)
_PRICE_TAIL = re.compile(
    r"(?<=[\u4e00-\u9fff]{2})(?:[每一1]\s*(?:个|件|只|斤|箱|双|条)|按件算?)"
    r"\s*\d+(?:\.\d+)?\s*(?:毛|块|元|角)\S*$"
)
_WHEN_INSIDE = re.compile(
    r"(?<=[\u4e00-\u9fff])(?:这个月|本月|这周|本周|这[两2几]天|今天|明天|"
    r"后天)(?=[\u4e00-\u9fff]{2})"
)
# Suffixes that name the employer standing alone (我们超市周末缺人, 合作社收蘑菇).
_STANDALONE_ORG = frozenset({"食堂", "果园", "工地", "酒店", "宾馆", "超市", "农场", "快递站",
                             "仓库",
                             "饭店", "餐厅", "物业", "合作社", "农庄", "农家乐", "养老院",
                             "敬老院",
                             "餐馆", "饭馆", "酒楼"})
# The article before a firm and whatever comes before it: 光谷一家电子厂, 表哥有个厂 (有个 only
# before a firm: 家里有个老人 names no one).
_ARTICLE = re.compile(r"^[\u4e00-\u9fff]{0,5}?(?:[一1](?:家|个)(?=[\u4e00-\u9fff]{2,})|"
                      r"(?:有|开了?)[一1]?(?:家|个)"
                      r"(?=[\u4e00-\u9fff]*(?:" + "|".join(ORG_SUFFIX) + r")$))")
_GENERIC_ORG = {"公司", "厂", "厂里", "单位", "工厂", "店", "店里", "老板", "我们", "厂家", "企业",
                "车间",
                "部门", "中心", "站", "园", "工地", "市场", "基地", "物流", "快递", "外贸"}
_NEED = re.compile(r"(?:急招|招聘|诚聘|聘请|招工|招收|招募|高薪招|直招|招|聘|急需|需要|需(?!求)|"
                   r"缺|要人|"
                   r"要(?=\d|[\u4e00-\u9fff]{0,4}(?:工|员|人|师傅|阿姨))|找(?=\d)|请(?=\d))")
_TASK_VERBS = re.compile(
    r"挂件|上下料|上料|下料|包(?=[\u4e00-\u9fff]{0,2}(?:盒|袋|饺|粽|馄饨|汤圆))|包装|装卸|卸货|"
    r"装货|"
    r"卸车|装车|搬运|搬货|搬家|分拣|打包|摘|采摘|采|搅拌|拌|清洁|打扫|保洁|装柜|拆柜|贴标|"
    r"组装|装配|打磨|抛光|去毛刺|贴|布置|搭|拆|安装|看店|看门|看场|守|巡|收|清理|清运|清扫|搬|喂|"
    r"缝|剪|"
    r"检验|质检|送货|配送|砌|浇|绑|扎|刷|喷|焊|切|挑|拣|洗|做饭|烧饭|带孩子|照顾|看护|陪护|"
    r"绣|钉|编(?![程号辑制码])|种|插秧|收割|脱粒|拔|除草|锄|施肥|挖|运|拉货|上货|理货|盘点|码货|"
    r"叠|折|"
    r"串|穿|粘|糊|印|封|缠|削|剥|扫|擦|修|补|铺|抬|扛|卸|装|晾|晒|捡|套(?=袋|膜|纸)|端(?=盘|菜|"
    r"碗|茶)|"
    r"传菜|上菜|改(?=水电|造|电路|[水电气油网]?(?:线|管))|盖(?=[\u4e00-\u9fff]?(?:房|楼|屋|棚|圈))"
)
# 帮忙搬家, 来卸货: the task is what follows.
_HELP = re.compile(r"^(?:帮忙|帮着|帮人|帮别人|帮(?:我们?|人)家|来帮忙|过来帮忙|过来|来|去)"
                   r"(?:仓库|车间|工地|厂里|店里|地里|田里)?(?=[\u4e00-\u9fff]{2})")
_NOT_TASK = re.compile(r"\d|元|块|薪|结|天|月(?!饼)|号|周|电话|联系|地点|地址|包吃|包住|男女|"
                       r"年龄|岁|"
                       r"要求|经验|(?<![老病客])人|名|急|长期|短期|时间|上班|下班|班|证")
# A clause opening with the need (招保洁, 缺收银员), and one closing with it (…找几个人帮忙).
_NEED_HEAD = re.compile(r"急招|诚招|招聘|缺|招(?!待|呼)|聘|急需|需要?(?!要)|要(?:人|\d)")
_NEED_TAIL = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?:找|缺|要|需要|急需|招|请)(?:\d+|几|个|一些|"
                        r"些)?"
                        r"\s*(?:个|名)?(?:人|工人|帮手)(?:帮忙|帮帮忙)?$")
_WHO_COMES = re.compile(r"^(?:有没有人|谁|哪位|有人)(?:有空|有时间|方便|愿意|能|可以)?(?=来|过来|"
                        r"帮)")
# 谁家要绣花的, 有没有包装的活: a question naming the work it asks for.
_ASKS_FOR = re.compile(r"^(?:谁家|哪家|谁|有谁|有没有|哪里|哪儿)(?:要|需要|招|缺|有)?"
                       r"([\u4e00-\u9fff]{2,8}?)(?:的活儿?|的)$")
# 装修队, 包装线, 质检岗: a crew, line or post named by its work, not the work itself.
_UNIT_END = re.compile(r"[队组线岗班]$")
_SEXES = frozenset({"男工", "女工"})
# A need verb, then a job-like word ending 工/员/师 (招剥虾工, 需要剪线工): with a count after
# it (要套袋工，三十人), or (without 要, which is too common) alone.
_HIRE_WORDS = "招聘|招收|急招|招|聘|需要|急需|缺"
_JOBLIKE = r"([\u4e00-\u9fff]{1,3}(?:工|员|师))"
_NEED_JOB_COUNT = re.compile(
    rf"(?:{_HIRE_WORDS}|要){_JOBLIKE}(?:\s*\d|\s*[，,]\s*\d+\s*(?:个|名|人|位))|"
    r"(?:要|找|请|缺|需要)(?:个|一个|几个)([\u4e00-\u9fff]{1,3}(?:师傅|工|员|师))"
)
_NEED_JOB = re.compile(rf"(?:{_HIRE_WORDS}){_JOBLIKE}(?![资作人])")
_MASTER = re.compile(r"(?:招|找|请|需要|急需|缺|要)(?:个|一个|\d+\s*(?:个|名|位))?(?!个|几|位)"
                     r"([^\W\d_的个几位了我你他她们]{1,3}师傅)")
_JOB_COUNT = re.compile(r"(?<![我你他她们的])([\u4e00-\u9fff]{2}(?:工|员|师))\s*\d+\s*(?:名|位|"
                        r"个人|人)")
_JOB_ENDING = re.compile(r"[\u4e00-\u9fff](?:工|员|师)")
_PERSON_END = re.compile(r"(?:工|员|师|傅|姨|姐|妈|叔|嫂|姆|手|人)$")
_EMPLOYER_LABEL = re.compile(
    r"(?:^|\n)\s*(?:用工单位|招聘单位|单位名称|公司名称|企业名称|单位|公司|企业|厂名)\s*[:：]\s*"
    r"([^\s，,。;；\n]{2,20})"
)
_TRADE_CODE = re.compile(r"(?<![A-Za-z])(?:CNC|QC|IQC|IPQC|OQC|SMT|DIP|PMC|PLC|CAD|UG)$",
                         re.IGNORECASE)
# 帮博宇模具发一下：招…: a cadre posting for the firm named (not 帮朋友发一下).
_RELAYED_FOR = re.compile(r"^(?:帮|替|代)([^\s，,。:：我你他她]{2,10}?)"
                          r"(?:发一下|发个|发布|转发|转一下|发)(?:招工|招聘)?(?:信息)?[:：，,]")
_KIN_OR_FRIEND = re.compile(r"朋友|亲戚|同学|老乡|熟人|老板|同事|邻居|家里|[哥姐弟妹叔姨舅婶嫂]$")
# A crew named by its trade: 油漆班组, 水电队 (the trade is a lexicon job less its 工).
_CREW = re.compile(r"([\u4e00-\u9fff]{2})(?:班组|施工队|队)(?![长员伍列])")
# Suffixes that make a firm's name from a place name (东港贸易, 北仑物流), longest first.
_NAME_SUFFIX = ("有限公司", "进出口", "贸易", "外贸", "物流", "快递", "电子", "电器", "机械",
                "服饰",
                "制衣", "纺织", "印务", "包装", "实业", "工贸", "科技", "精工", "货运", "运输",
                "速运",
                "速递", "纸业", "塑业", "鞋业", "木业", "五金", "集团")
_MANNER = frozenset({"兼职", "全职"})
_CLAUSE = re.compile(r"[，,。;；!！?？\n、]+")


def is_task(phrase: str) -> bool:
    """A verb phrase of work (卸货, 手工绣花), not a time, price or condition."""
    return bool(_TASK_VERBS.match(phrase.removeprefix("手工"))) and not _NOT_TASK.search(phrase)


def _bare_suffix(rest: str) -> bool:
    """What is left after a place is only a trade suffix: 东港|贸易 names the firm 东港贸易
    (but 河头村|果园 is an orchard in a village: the place goes)."""
    head = next((s for s in _NAME_SUFFIX if rest.startswith(s)), None)
    return head is not None and not any(s in rest[len(head):] for s in ORG_SUFFIX)


def find_job(text: str, lex: Lexicon) -> str | None:
    """The job type as written: lexicon words (adjacent ones merged), else a …工/…员 token."""
    if lex.job_rx is None:
        return None
    spans: list[list[int]] = []
    for m in lex.job_rx.finditer(text):
        w = m.group(0)
        if w in NOT_JOBS or text[m.start():m.start() + 3] in ("工作人", "工人们"):
            continue
        if w.endswith("工") and text[m.end():m.end() + 1] in ("地", "厂", "资", "作", "钱", "会"):
            continue  # 建筑工地 is a site, not 建筑工
        if re.match(r"(?:服务)?(?:公司|中心|站|部|机构)", text[m.end():]):
            continue  # 家政公司, 保洁公司: the employer, not the job
        # Adjacent job words make one job (家政钟点工), but a sex is not part of it: 车工女工8名.
        if spans and m.start() == spans[-1][1] and w not in _SEXES:
            spans[-1][1] = m.end()
        else:
            spans.append([m.start(), m.end()])
    for span in spans:  # CNC学徒, QC检验员: a Latin trade name belongs to the job after it
        latin = _TRADE_CODE.search(text[:span[0]])
        if latin:
            span[0] = latin.start()
    for span in spans:  # 兼职检票员: the manner of work, then the job itself
        if text[span[0]:span[1]] in _MANNER:
            tail = re.match(r"[\u4e00-\u9fff]{1,3}?(?:员|工|师傅|师)", text[span[1]:])
            if tail:
                span[1] += tail.end()
    words = [text[a:b] for a, b in spans]
    # A job word the lexicon lacks, right after the need verb and before any lexicon word:
    # 招剥虾工，女工优先 names 剥虾工; the sex is only a preference.
    direct = _NEED_JOB.search(text)
    if direct and direct.group(1) not in NOT_JOBS:
        inner = lex.job_rx.search(direct.group(1)) if lex.job_rx else None
        if inner is None and (not spans or direct.end() <= spans[0][0]):
            return direct.group(1)
        # 招针车工: a lexicon job (车工) with a qualifier before it, the first job named.
        if inner is not None and 0 < inner.start() and inner.end() == len(direct.group(1)) \
                and not re.search(r"[个名位缺招要需聘请找的了一两几些]",
                                  direct.group(1)[:inner.start()]) \
                and spans and direct.start(1) <= spans[0][0]:
            return direct.group(1)
    # Prefer a job word right after a need verb and a count (找一个护工, not 需要陪护), then
    # one right after a need verb or next to a headcount.
    for (a, _b), w in zip(spans, words, strict=False):
        if re.search(r"(?:招|聘|需要|需|缺|要|找|请)\s*\d+\s*(?:名|个|位)\s*$",
                     text[max(0, a - 6):a]):
            return w
    for (a, b), w in zip(spans, words, strict=False):
        before = text[max(0, a - 4):a]
        after = text[b:b + 4]
        if re.search(r"(?:招|聘|需要|需|缺|要|找|请|做|当|干)\s*(?:个|份|\d+\s*(?:名|个|位))?\s*$",
                     before) or re.match(r"\s*\d", after):
            return w
    if words:
        return (max(words, key=len) if len(words) > 1 and all(len(w) <= 2 for w in words[:1])
                else words[0])
    for m in _CREW.finditer(text):
        if m.group(1) + "工" in lex.jobs:
            return m.group(1)
    # Not in the lexicon but plainly a job: a word ending 工/员/师 between a need verb and a
    # count (招洗涤工3名, 需要剪线工两个).
    m = _NEED_JOB_COUNT.search(text)
    if m and (m.group(1) or m.group(2)) not in NOT_JOBS:
        return m.group(1) or m.group(2)
    m = _MASTER.search(text)  # 找裱花师傅: a craft master the lexicon lacks
    if m:
        return m.group(1)
    m = _JOB_COUNT.search(text)  # 外贸公司验货员1名: a post's job and its count, no verb
    if m and m.group(1) not in NOT_JOBS and m.group(1)[1:] not in NOT_JOBS:  # not 调配员工126人
        return m.group(1)
    # jieba only finds what the pattern below accepts, a word ending 工/员/师: skip it when
    # the text has no such ending (most chit-chat), for it is the dearest step of a parse.
    if lex.tokenizer is not None and _JOB_ENDING.search(text):
        for tok in lex.tokenizer.lcut(text, HMM=False):  # type: ignore[attr-defined]
            if 2 <= len(tok) <= 4 and tok not in NOT_JOBS \
                    and re.search(r"[\u4e00-\u9fff](?:工|员|师傅|师)$", tok) \
                    and not re.search(r"[\d的了是在我你他员]", tok[:-1]):
                return tok
    return None


def _before_work(subject: str, lex: Lexicon) -> str:
    """A subject cut before the first word, from its third character on, that names the work."""
    at = 0
    for tok in lex.tokenizer.lcut(subject, HMM=False):  # type: ignore[union-attr]
        if at >= 2 and len(subject) - at >= 3 and _TASK_VERBS.match(tok):
            return subject[:at]
        at += len(tok)
    return subject


def find_employer(text: str, lex: Lexicon, location: str | None) -> str | None:
    """The hiring organisation as written, without 我们/我司, leading place or department."""
    label = _EMPLOYER_LABEL.search(text)
    if label is None and (relayed := _RELAYED_FOR.search(text)) \
            and not _KIN_OR_FRIEND.search(relayed.group(1)):
        label = relayed
    if label:  # 单位：宁波恒泰塑业 — a labelled line names it, less the city before it
        return without_city(label.group(1), lex)
    for clause in _CLAUSE.split(text)[:4]:
        clause = re.sub(r"^\s*(?:【[^】]*】|\[[^\]]*\])\s*", "", clause)  # 【招工】注塑厂操作工
        m = _NEED.search(clause)
        subject = clause[:m.start()] if m else clause
        if not m and not any(s in clause for s in ORG_SUFFIX):
            continue
        subject = _PREFIX.sub("", re.split(r"[：:]", subject.strip())[-1].strip())
        subject = re.sub(r"^(?:【[^】]*】|\[[^\]]*\])", "", subject).strip()
        after_verb = False
        if m and not subject:  # 招聘：五金厂冲床工2名 — the employer follows the verb
            subject, after_verb = clause[m.end():].lstrip("：: "), True
        # A leading place goes, unless it is the firm (东方商场周末促销需要…: the place is the
        # firm).
        if location and subject.startswith(location) and len(subject) > len(location) + 1 \
                and not _bare_suffix(subject[len(location):]) \
                and not (m and location.endswith(ORG_SUFFIX)
                         and not any(s in subject[len(location):] for s in ORG_SUFFIX)):
            subject = subject[len(location):]
        # Cut at the last organisation suffix (青旺农场摘袋 → 青旺农场).
        cut = -1
        for suf in ORG_SUFFIX:
            i = subject.rfind(suf)
            if i >= 0 and i + len(suf) > cut and (i > 0 or suf in _STANDALONE_ORG):
                cut = i + len(suf)
        if cut > 0:
            subject = subject[:cut]
        elif not m or after_verb:
            continue
        elif not _UNIT_END.search(subject):  # 装修队, 包装线: a crew or line is who hires
            if _TASK_VERBS.match(subject):
                continue  # 摘豆角需要10个人: the work, not who hires
            if lex.tokenizer is not None:
                # 菜地摘豆角需要10个人: who hires, then the work
                subject = _before_work(subject, lex)
        # 硕放机场附近的仓库: where the firm is, by a landmark, is not the firm.
        subject = re.sub(r"^[\u4e00-\u9fff]{0,8}?(?:附近|周边|旁边|对面|边上|隔壁)的?(?!的)"
                         r"(?=[\u4e00-\u9fff]{2,})", "", subject)
        prev = None
        while prev != subject:
            prev = subject
            subject = _DEPT.sub("", subject).strip()
            subject = _PREFIX.sub("", subject).strip()
            subject = _WHEN.sub("", subject).strip()
        # Drop a leading place: 北仑工业区五金厂 → 五金厂.
        pm = re.match(r"^[\u4e00-\u9fff]{1,8}?(?:工业区|工业园|开发区|园区|街道|社区|新区|镇|区|"
                      r"县|市)"
                      r"(?=(?:[一1]家)?[\u4e00-\u9fff]{2,})", subject)
        if pm:
            subject = subject[pm.end():]
        if lex.known_place_rx is not None:
            km = lex.known_place_rx.match(subject)
            if km and len(subject) - km.end() >= 2 and not _bare_suffix(subject[km.end():]):
                subject = subject[km.end():]
        # 光谷一家电子厂, 朋友开的一家饭店, 初村镇一个电子厂, 表哥有个厂: the article and whatever
        # comes before it are not the firm (and 厂 alone names none).
        subject = _ARTICLE.sub("", subject)
        if subject.endswith(ORG_SUFFIX):  # 张浦的模具厂, 仓前的快递站: nor is the place before 的
            subject = re.sub(r"^(?:[\u4e00-\u9fff]{2,4})?的(?=[\u4e00-\u9fff]{2,}$)", "", subject)
        subject = _PREFIX.sub("", subject).strip()
        if not subject or len(subject) < 2 or len(subject) > 14 or subject in _GENERIC_ORG:
            continue
        if re.search(r"[\d我你他谁哪]|有没有|有[一1]?[个家]|什么|[今明后]天|[到至]$", subject) \
                or (lex.job_rx and lex.job_rx.fullmatch(subject)):
            continue
        return subject
    return None


def find_task(text: str, lex: Lexicon, job: str | None, employer: str | None,
              location: str | None = None) -> str | None:
    """What the work is, as written: a short verb phrase (手工包装纸品, 卸货, 摘袋)."""
    # Spaces part clauses too in posts typed without punctuation: 招女工 年龄55以下 穿珠子.
    clauses = [c.strip() for c in re.split(r"[，,。;；!！?？\n、]+|\s+", text) if c.strip()]
    # Right after the job word, or after the job and its headcount: 临时工卸货, 搬运工6人卸水泥.
    if job:
        i = text.find(job)
        if i >= 0:
            after = re.sub(r"^\s*\d+\s*(?:多|来|余)?\s*(?:名|个人|个|人|位)\s*", "",
                           text[i + len(job):])
            after = _HELP.sub("", after)
            rest = re.match(r"[\u4e00-\u9fff]{2,10}", after)
            if rest and is_task(rest.group(0)):
                return rest.group(0)
    # Between the employer and a need word: 青旺农场摘袋缺人.
    if employer:
        i = text.find(employer)
        if i >= 0:
            # ... or its own clause: 果蔬合作社采摘草莓，要女工8个.
            m = re.match(r"([\u4e00-\u9fff]{2,8}?)(?:缺人|要人|缺|需要|招|[，,。])",
                         _WHEN.sub("", text[i + len(employer):]))
            if m and is_task(m.group(1)) \
                    and not (job and job in m.group(1)):
                return m.group(1)
    # 需要搬家具的师傅两名: what the person wanted does, before 的.
    m = next((m for m in re.finditer(r"(?:需要|急需|要|找|缺|招|请|求)(?:个|一个|位|一位)?(?:会)?"
                                     r"([\u4e00-\u9fff]{2,6}?)的", text)
              if re.match(r"师傅|工人|人|阿姨|大姐|大叔|小工|帮手|女工|男工", text[m.end():])
              or (lex.job_rx and lex.job_rx.match(text, m.end()))), None)
    task = _HELP.sub("", m.group(1)) if m else ""
    if len(task) >= 2 and is_task(task):
        return task
    # 要两个喂猪的, 缺几个打包的, 要洗碗的三个: the work of the people wanted, closing the clause.
    m = re.search(r"(?:需要|急需|要|找|缺|招|请)\s*(?:(?:\d+|几)\s*)?(?:个|名|位)"
                  r"([\u4e00-\u9fff]{2,5})的(?=[，,。!！\s]|$)", text) \
        or re.search(r"(?:需要|急需|要|找|缺|招|请)([\u4e00-\u9fff]{2,5})的[，,]?\s*(?:\d+|"
                     r"几)\s*(?:个|名|位)",
                     text)
    if m and is_task(m.group(1)):
        return m.group(1)
    m = re.search(r"(?<!\d)\d+\s*(?:多|来|余)?\s*(?:个|名)?人\s*([\u4e00-\u9fff]{2,9})", text) \
        or re.search(r"(?:需要|要|缺|找|请)人(?:帮忙|帮着|来)?([\u4e00-\u9fff]{2,9})", text)
    if m:
        task = _HELP.sub("", m.group(1))[:6]
        if len(task) >= 2 and is_task(task):
            return task
    for c in clauses:
        label = re.match(r"^([\u4e00-\u9fff]{2,4})[:：]", c)
        if label and label.group(1) not in ("工作内容", "主要工作", "活儿", "内容", "工作",
                                            "任务"):
            continue
        # 折袋子一个三毛: the task, then its piece rate
        c = _WHEN_INSIDE.sub("", _PRICE_TAIL.sub("", c))
        c = _WHO_COMES.sub("", c)  # 有没有人能来帮忙拆脚手架: the work, not who is asked
        if (asked := _ASKS_FOR.match(c)) and is_task(asked.group(1)):
            return asked.group(1)  # 谁家要包装的: the work asked for, not the question
        c2 = _HELP.sub("", re.sub(r"^(?:主要|工作内容|主要工作|活儿|任务|工作|内容|负责|是|做|干|"
                                  r"承接|专接)[:：]?",
                                  "", _WHEN.sub("", c)))
        if employer and not c2.startswith(employer) \
                and (own := _PREFIX.sub("", c2)).startswith(employer):
            c2 = own  # 我们海带厂要晾海带: the sender's own firm, then its task
        if employer and c2.startswith(employer):  # 花园里修剪草坪: the employer, then its task
            c2 = re.sub(r"^(?:里|这边|那边|外发|外放|后道|前道|车间)", "", c2[len(employer):])
            c2 = _WHEN.sub("", c2)
            if _NEED_HEAD.match(c2):
                continue  # 超市周末缺收银员: the need, not the task
            c2 = re.sub(r"^(?:要|得)(?=[\u4e00-\u9fff]{2})", "", c2)  # …明晚要卸货
        # 张村小麦收割找几个人帮忙: the place, the task, the need
        if location and c2.startswith(location):
            c2 = _NEED_TAIL.sub("", _WHEN.sub("", c2[len(location):]))
        elif _TASK_VERBS.match(c2) and not _UNIT_END.search(bare := _NEED_TAIL.sub("", c2)):
            c2 = bare  # 摘豆角需要10个人: the task, then the need
        if _NEED_HEAD.match(c2):
            continue  # 招保洁, 小港物流园招分拣员: the need for a job word, not the task
        if _MAKE.match(c) and not _NOT_TASK.search(c):
            return c  # 做纸箱, 干装修: making or doing a named thing
        # 手工活，剪线头: a job-like word that is not the job
        if 2 <= len(c2) <= 12 and _TASK_VERBS.search(c2) and not _NOT_TASK.search(c2) \
                and not (lex.job_rx and lex.job_rx.fullmatch(c2)
                         and (not job or job == c2 or _PERSON_END.search(c2))) \
                and not (employer and employer in c2):
            return c2
    return None
