"""Requests (parsers.fields.requests): category and urgency of a request's working text, by
parse.md's categories and the union's three tiers (urgent > hard > small)."""

from __future__ import annotations

from parsers.fields.requests import find_category, find_urgency
from parsers.parser import prepare
from tests.parsers.fields import table

CATEGORY = {
    "rights-arrears": ("老板拖欠我们三个月工资了，怎么办", "劳动权益"),
    "rights-social-insurance": ("厂里一直没给我们交社保，问了几次都说等等", "劳动权益"),
    "rights-contract": ("老板不给签合同，怎么办", "劳动权益"),
    "rights-dismissal": ("被辞退了也不给补偿", "劳动权益"),
    "rights-injury": ("工伤认定要什么材料", "劳动权益"),
    "hazard-sparks": ("紧急！车间配电箱一直冒火花，大家都不敢上班", "安全隐患"),
    "hazard-lighting": ("园区东门的路灯不亮，晚上下班很危险", "安全隐患"),
    "hazard-smoke": ("宿舍电线老化冒烟了，麻烦马上派人来看看", "安全隐患"),
    "hazard-protective-gear": ("工地上安全帽不够，好多人没戴", "安全隐患"),
    "hazard-fire": ("快来人！仓库着火了", "安全隐患"),
    "transport-parking": ("永鑫步行街门口停车难，送外卖没地方停电动车", "交通出行"),
    "transport-bus": ("公交车发车间隔太长，下班等车要半小时", "交通出行"),
    "transport-shuttle": ("希望开通一趟早上的班车", "交通出行"),
    "transport-road": ("村口的路都是坑，骑车很难走", "交通出行"),
    "facility-water": ("文昌社区驿站的饮水机坏了好几天了，能不能修一下", "设施服务"),
    "facility-charging": ("充电的地方太少了，网约车排队充电要一个多小时", "设施服务"),
    "facility-heat-relief": ("车间太热了，有没有防暑降温的措施", "设施服务"),
    "facility-canteen": ("建议食堂晚上也开，加班的没地方吃饭", "设施服务"),
    "training-licence": ("希望工会组织一次叉车证培训", "技能培训"),
    "training-night-school": ("想报个夜校学点文化", "技能培训"),
    "living-childcare": ("孩子暑假没人带，能不能办个托管班", "生活服务"),
    "living-schooling": ("孩子在老家没人管，想接过来上学，办不了手续", "生活服务"),
    "living-rent": ("房租又涨了，一个月涨两百", "生活服务"),
    "other-notices": ("建议工会的通知早点发", "其他"),
    "other-membership-card": ("工会会员卡丢了怎么补办", "其他"),
}

URGENCY = {
    # urgent: danger now, an accident just now, a collective dispute now, explicit haste.
    "haste-jinji": ("紧急！车间配电箱一直冒火花，大家都不敢上班", "urgent"),
    "haste-mashang": ("宿舍电线老化冒烟了，麻烦马上派人来看看", "urgent"),
    "haste-outranks-hard": ("老板拖欠我们三个月工资了，急", "urgent"),
    "haste-jintian-jiu": ("今天就要解决，工资再不发我们就没钱吃饭了", "urgent"),
    "caught-in-machine": ("快！搅拌机把人胳膊卷进去了", "urgent"),
    "crushed": ("仓库货架倒了，有人压在下面！", "urgent"),
    "trapped-in-lift": ("电梯卡住了，里面有人", "urgent"),
    "fainted": ("有人晕倒了，快叫救护车", "urgent"),
    "alarm": ("报警器一直在响，车间的人都跑出来了", "urgent"),
    "fire": ("仓库着火了！赶紧打119", "urgent"),
    "fall-bleeding": ("工友从梯子上摔下来了，头在流血", "urgent"),
    "hand-caught-bleeding": ("车间里有人被机器夹到手了，流了好多血，快来", "urgent"),
    "collective-dispute": ("老板跑了，几十个工人没拿到工资，都堵在厂门口", "urgent"),
    "collective-gathering": ("工人们都围在公司门口要工资", "urgent"),
    "collective-boss-gone-many": ("包工头跑了，我们二十多个人的工钱都没拿到", "urgent"),
    "injury-just-now": ("工友刚才被机器夹伤了手，流了好多血", "urgent"),
    # hard: a labour-rights matter to take up with the employer or a department.
    "hard-wage-arrears": ("老板拖欠我们三个月工资了，怎么办", "hard"),
    "hard-social-insurance-unpaid": ("厂里一直没给我们交社保，问了几次都说等等", "hard"),
    "hard-dismissal-no-compensation": ("干了两年说开就开，一分钱补偿没有", "hard"),
    "hard-overtime-unpaid": ("加班费一直没给", "hard"),
    "hard-deduction": ("厂里天天加班到十点，不加班就扣钱", "hard"),
    "hard-no-contract": ("试用期满了还不给签合同", "hard"),
    "hard-injury-recognition": ("干活把腰扭了，厂里说不算工伤", "hard"),
    "hard-past-injury-costs": ("上个月有人从脚手架上摔下来过，到现在医药费还没报", "hard"),
    "hard-boss-gone-few": ("老板跑路了，我们两个月工资找谁要？", "hard"),
    # small: facilities, standing or past hazards, questions, wishes.
    "facility": ("文昌社区驿站的饮水机坏了好几天了，能不能修一下", "small"),
    "broken-heater": ("宿舍的暖气坏了", "small"),
    "standing-hazard": ("园区东门的路灯不亮，晚上下班很危险", "small"),
    "possible-fire": ("插座老化，很容易着火", "small"),
    "past-fall": ("上个月有人从脚手架上摔下来过", "small"),
    "near-miss": ("差点被叉车撞了", "small"),
    "training-wish": ("希望工会组织一次叉车证培训", "small"),
    "childcare": ("孩子暑假没人带，能不能办个托管班", "small"),
    "heat-relief-question": ("车间太热了，有没有防暑降温的措施", "small"),
    "bus": ("公交车发车间隔太长，下班等车要半小时", "small"),
    "insurance-question-transfer": ("社保怎么转移？", "small"),
    "insurance-question-flexible": ("灵活就业能不能交社保", "small"),
    "insurance-question-lapse": ("谁知道社保断了怎么补交", "small"),
    "overtime-question": ("周末加班有没有加班费", "small"),
    "contract-question": ("劳动合同怎么签", "small"),
    "traffic-jam-no-gathering": ("下班高峰厂门口的车都堵在门口", "small"),
    "late-bus-docked": ("班车老是晚点，我们迟到被扣钱", "small"),
    "pay-rise-wish": ("老板一直不给涨工资", "small"),
}


@table(CATEGORY)
def test_find_category(text: str, expected: str) -> None:
    assert find_category(prepare(text)[2]) == expected


@table(URGENCY)
def test_find_urgency(text: str, expected: str) -> None:
    assert find_urgency(prepare(text)[2]) == expected
