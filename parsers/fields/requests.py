"""Requests (诉求): category and urgency."""

from __future__ import annotations

import re

# Injuries and falls, read by the request rules (parsers.intent) and by the categories here.
SEVERED = r"(?:压|砸|夹|切|轧|锯)断"
HURT = r"(?:夹|砸|割|烫|扭|压|碰|划|轧|弄|摔)伤"
FALLS = r"掉下来|摔下来|掉下去|跌下来"
CAUGHT = r"(?:卷|绞)进去?|把人[^，,。]{0,4}(?:卷|绞|压|砸|夹|撞)|(?:手|胳膊|腿|头发|衣服)[^，,。]{0,2}(?:被)?(?:卷|绞|夹|轧)(?:进|住)"

# Ordered: on a tie the earlier category wins (a hazard outranks the place it is in).
CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    ("安全隐患", re.compile(r"安全|隐患|太滑|路滑|湿滑|地滑|扶手|松了|怕摔|会摔|火花|短路|插座|危险|天然气|泄漏|泄露|监控|不敢走|塔吊|摇晃|晃|松动|倾斜|裂缝|受伤|摔(?!伤)|坠|架子|刹车|不灵|失灵|年检|检修|出事|" + FALLS + r"|倒了|压住|砸到|货架|高处|(?<!红绿)(?<!信号)灯|很黑|太黑|火花|冒烟|着火|起火|失火|火灾|消防|灭火|漏电|触电|电线|电箱|配电|路灯|照明|不亮|黑灯|"
                       r"防护|安全帽|护目镜|手套|裸露|外露|露在外面|露出来|扎到|钢筋头|塌|倒塌|掉落|坠落|漏气|燃气|煤气|爆炸|有毒|中毒|粉尘|防滑|摔倒|滑倒|井盖|护栏|噪音|噪声|耳塞|异味|刺鼻|电梯|困人|被困")),
    ("劳动权益", re.compile(HURT + r"|伤到|伤了手|伤了脚|被[^，,。]{0,4}打(?![工扫包卡电车针])|打人|殴打|打伤|威胁|骚扰|欺负|辱骂|工伤|认定|工资|欠薪|拖欠|欠款|欠钱|欠我|社保|合同|工伤|辞退|开除|解雇|裁员|加班费|加班|公积金|赔偿|补偿|"
                       r"劳动|养老保险|医保|工龄|仲裁|克扣|扣钱|押金|试用期|最低工资|双倍|经济补偿|劳务费|结算|不给钱|没给钱|血汗钱|讨薪|维权|"
                       r"保险|五险|退休|养老金|内退|抚恤金|职业病|劳动关系|劳动争议|农民工|辞职|不批假|不准假|不给假|请假|"
                       r"降薪|减薪|劝退|(?:还|一直|迟迟)没(?:给|结|发)|离职|辞工|(?:离职|工作|收入|劳动)证明|中介|介绍费|身份证|一分钱|分文|包工头|扣着|扣押|扣留|医药费|医疗费|全勤|奖金|年终奖|绩效|提成|工钱|薪水|意外险|工伤险|(?:老板|公司|厂里)[^，,。]{0,6}不管")),
    ("交通出行", re.compile(r"停车|乱停|车位|公交|班车|通勤|道路|路面|马路|红绿灯|信号灯|堵车|拥堵|堵得|堵死|走不动|塞车|高峰|迟到|交通|(?:这|那|一)(?:段|条)路|没法走|不好走|难走|地铁|电动车(?!充电)|坑洼|修路|"
                       r"(?:回家|下班|上班|上下班)(?=[^，,。]{0,4}(?:没有?|没)(?:公交|班车|车|地铁))|站台|减速带|车速|开得(?:飞快|很快|太快)|(?:[一1]来|老是|天天)就?堵|接驳|单车|自行车|通勤车|等车|发车|打车|过马路|斑马线|人行道|绿道|高架|车辆|违停|限行|出行")),
    ("设施服务", re.compile(r"饮水|饮水机|饮用水|桶装水|水桶|喝水|热水|开水|厕所|卫生间|洗手间|休息|驿站|充电|食堂|饭菜|空调|风扇|防暑|降温|避暑|"
                       r"太热|高温|取暖|暖气|水龙头|滴水|漏水|漏雨|报修|桌椅|微波炉|冰箱|wifi|WiFi|网络|储物|柜子|淋浴|洗澡|设施|设备|更衣|书屋|阅览室|活动室|职工之家|开放时间|吃不上|开到\d|吃饭的地方|吃饭地方|不新鲜|变质|拉肚子|不卫生|馊|肚子疼")),
    ("技能培训", re.compile(r"(?:想|要)(?:报|读)[^，,。]{0,4}[^夜白早晚中长倒]班|培训|技校|手艺|成人高考|自考|证书|考证|取证|技能|夜校|学历|课程|上课|学习|职业技能|技术|电工证|叉车证|焊工证|资格证")),
    ("生活服务", re.compile(r"孩子|小孩|子女|儿童|托管|托育|托儿|上学|入学|读书|幼儿园|学校|学位|住房|宿舍|租房|公租房|房租|"
                       r"房东|房子|看病|医院|诊所|药店|卫生室|感冒|体检|医疗(?!保险)|家庭|婚恋|相亲|文体|娱乐|电影|健身|老人|养老(?!保险|金)|买菜|购物|快递柜|吃饭|伙食")),
]
_URGENT = re.compile(CAUGHT + "|" + FALLS + r"|打120|叫120|救护车|快来人|出事了|急(?!事)|紧急|砸到人|压到人|压住[^，,。]{0,3}人|" + SEVERED + r"|在医院|送医院|进医院|马上|立刻|立即|赶紧|赶快|尽快|今天就|现在就|受伤|伤了|流血|事故|着火|起火|失火|火灾|爆炸|救命|"
                     r"冒火|冒烟|触电|被电到|(?:快|赶紧|马上)派人|晕倒|昏倒|中暑|被困|危急|十万火急|快来|SOS|sos")
_PAST = re.compile(r"已经有人|好几次|不止一次|经常有人|上个月|上月|去年|前年|以前|之前|曾经|那次|上次|当时|几个月前|年前")
_HASTE = re.compile(r"急|紧急|快派人|马上|立刻|立即|赶紧|赶快|尽快|今天就|现在就|快来|救命|十万火急")


# Saying outright that something is dangerous makes it a hazard unless another category has
# clearly more to it: these count twice for 安全隐患 (路口没有红绿灯，过马路太危险).
_DANGER = re.compile(r"危险|隐患")


def find_category(text: str) -> str:
    """One of parse.md's request categories, by the most keyword hits."""
    best, best_n = "其他", 0
    for name, rx in CATEGORIES:
        n = len(rx.findall(text))
        if name == "安全隐患":
            n += len(_DANGER.findall(text))
        if n > best_n:
            best, best_n = name, n
    return best


# A danger that might come (很容易着火, 万一触电) is a standing hazard, not an emergency now.
_POTENTIAL = re.compile(r"(?:容易|可能|会|怕|担心|万一|迟早|要是|如果|小心)[^，,。]{0,2}(?:着火|起火|失火|火灾|爆炸|触电|出事|受伤)")


def find_urgency(text: str) -> str:
    """urgent for an emergency now or explicit haste; small otherwise (hard is set by cadres)."""
    text = _POTENTIAL.sub("", text)
    if not _URGENT.search(text):
        return "small"
    if _PAST.search(text) and not _HASTE.search(text):
        return "small"
    return "urgent"
