"""Every command x every role: allowed or refused exactly as declared, and the audit log agrees."""

from __future__ import annotations

import pytest

from bot.handlers import build_registry
from storage.models import AuditLog

CONFIG = "cadres: [wxid_admin]\n"
ARGS = {"帮助": "", "我的": "", "列表": "", "关闭": "1", "修改": "1 人数 8", "重开": "1",
        "报名": "1", "取消报名": "1", "接龙": "1", "确认": "1 张三", "导出": "岗位", "统计": "",
        "诉求": "饮水机坏了", "派单": "R1 交通局", "办结": "R1 好了", "进展": "R1 在办",
        "定级": "R1 难事", "待补充": "R1 哪里", "重办": "R1", "撤回": "R1", "查看": "R1",
        "回复": "R1 在办", "联系": "1",
        "管理员": "添加 wx_new", "日志": "", "暂停": "", "恢复": "", "设置": "摘要时间 09:00",
        "摘要": "", "公告": "明天开会", "删除我的信息": "", "确认删除": "",
        # issue 28: sharing, opinions, the wish wall, hazard-photo rewards
        "确认共享": "S1 某单位 3桌", "关闭共享": "S1", "征求意见": "食堂办法\n第一条 六点开门",
        "意见": "Y1", "意见答复": "Y1 第1条 已采纳 负责人 王科长", "结束征求": "Y1",
        "心愿": "想学电工", "心愿墙": "", "供给": "W1 12月20日 电工培训", "奖励": "R1 20",
        "奖励台账": ""}
# (sender id, display name). The impostor took the super-admin's display name.
ROLES = {"impostor": ("wx_fake", "郑主席"), "member": ("wx_member", "路人"),
         "owner": (None, None), "cadre": ("wx_cadre", "干部老陈"), "admin": ("wxid_admin", "郑主席")}
OWNER = {"poster": ("wx_boss", "张老板"), "requester": ("wx_req", "钱七")}
MAY = {"member": {"impostor", "member", "owner", "cadre", "admin"},
       "poster": {"owner", "cadre", "admin"}, "requester": {"owner", "cadre", "admin"},
       "cadre": {"cadre", "admin"}, "admin": {"admin"}}
COMMANDS = build_registry().commands
# Who a refusal names, by the permission a command declares.
WHO = {"poster": "岗位发布人或工会干部", "requester": "诉求人本人或工会干部", "cadre": "工会干部",
       "admin": "超级管理员"}


def test_every_command_is_in_the_matrix() -> None:
    assert {c.name for c in COMMANDS} == set(ARGS)


@pytest.mark.parametrize("cmd", COMMANDS, ids=[c.name for c in COMMANDS])
def test_permission_matrix(make_bot, tmp_path, cmd) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG + f"exports_dir: {tmp_path / 'x'}\n")
    bot.say("我们印刷厂需要10名临时工，一天200", sender="wx_boss", name="张老板")
    bot.say("饮水机坏了", sender="wx_req", name="钱七")
    bot.say("大家好", sender="wx_cadre", name="干部老陈")
    bot.say("大家好", sender="wx_new", name="新人")
    bot.say("#管理员 添加 wx_cadre", sender="wxid_admin", name="郑主席")
    assert bot.repo.member("wx_cadre").role == "cadre"
    owner = OWNER.get(cmd.permission, ("wx_member2", "另一个人"))
    # Refused roles first (they must change nothing), then the allowed ones.
    order = sorted(ROLES, key=lambda r: r in MAY[cmd.permission])
    for role in order:
        sender, name = ROLES[role] if role != "owner" else owner
        refused_before = bot.repo.count(AuditLog, allowed=False)
        out = bot.texts(f"#{cmd.name} {ARGS[cmd.name]}".strip(), sender=sender, name=name)
        refused = bot.repo.count(AuditLog, allowed=False) > refused_before
        assert refused == (role not in MAY[cmd.permission]), (cmd.name, role, out)
        if refused:
            # The refusal names the role that may use the command.
            assert out == [f"“#{cmd.name}”只有{WHO[cmd.permission]}才能用。"]
            row = bot.repo.audit_log(1)[0]
            assert (row.action, row.actor_id, row.allowed) == (cmd.name, sender, False)


def test_a_removed_cadre_loses_the_commands(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("大家好", sender="wx_cadre", name="干部老陈")
    # A name is answered with the id it stands for, to be checked and sent back: powers go
    # to ids only.
    named = bot.texts("#管理员 添加 干部老陈", sender="wxid_admin")
    assert [t for t in named if "wx_cadre" in t] and bot.repo.member("wx_cadre").role == "member"
    assert bot.texts("#管理员 添加 wx_cadre", sender="wxid_admin") == ["已把 干部老陈 设为工会干部。"]
    assert "#派单" in bot.texts("#帮助", sender="wx_cadre", name="干部老陈")[0]
    assert bot.texts("#管理员 移除 wx_cadre", sender="wxid_admin") == ["已取消 干部老陈 的干部权限。"]
    assert "#派单" not in bot.texts("#帮助", sender="wx_cadre", name="干部老陈")[0]
    assert bot.texts("#管理员 添加 不存在的人", sender="wxid_admin")[0].startswith("群里没找到")
    log = bot.texts("#日志 3", sender="wxid_admin")[0].split("\n")
    assert log[0] == "最近的管理操作："
    assert "#管理员 wx_cadre" in log[1] and "#管理员 wx_cadre" in log[2]


def test_a_paused_group_hears_nothing_but_loses_nothing(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    assert bot.texts("#暂停", sender="wxid_admin")[0].startswith("好的，我在本群先不说话了")
    assert bot.say("我们印刷厂需要10名临时工", sender="wx_boss") == []
    assert bot.repo.posting(1) is not None  # recorded all the same
    assert bot.texts("#恢复", sender="wxid_admin") == ["我回来了，继续为大家服务。"]
    assert "报名成功 #1" in bot.texts("报名 1", sender="w1")[0]


@pytest.mark.parametrize("role,sender,allowed_perms", [
    ("member", "wx_member", {"member", "poster", "requester"}),
    ("cadre", "wx_cadre", {"member", "poster", "requester", "cadre"}),
    ("admin", "wxid_admin", {"member", "poster", "requester", "cadre", "admin"}),
])
def test_help_lists_exactly_what_the_asker_may_use(make_bot, role, sender, allowed_perms) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG)
    bot.say("大家好", sender="wx_cadre", name="干部老陈")
    bot.say("#管理员 添加 wx_cadre", sender="wxid_admin", name="郑主席")
    text = bot.texts("#帮助", sender=sender, name=sender)[0]
    listed = {line.split("：")[0][1:] for line in text.split("\n") if line.startswith("#")}
    assert listed == {c.name for c in COMMANDS if c.permission in allowed_perms}
    assert all(c.help and c.usage for c in COMMANDS)


def test_refusals_can_be_silent_in_groups(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG + "permissions:\n  quiet_refusals: true\n")
    assert bot.say("#日志", sender="wx_member") == []
    assert bot.repo.audit_log(1)[0].allowed is False  # still logged
    assert "只有" in bot.texts("#日志", sender="wx_member", group=None)[0]  # privately: answered


def test_the_cadre_group_lists_every_groups_postings(make_bot) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(config_yaml=CONFIG + "groups:\n  - name: 干部群\n    cadre_group: true\n")
    bot.say("我们印刷厂需要10名临时工", sender="b1", group="一群")
    bot.say("五金厂需要6个包装工", sender="b2", group="二群")
    assert "#2" not in bot.texts("#列表", sender="w", group="一群")[0]
    both = bot.texts("#列表", sender="wxid_admin", group="干部群")[0]
    assert "#1" in both and "#2" in both
