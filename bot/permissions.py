"""Who may do what, checked in one place, always by stable sender id (never display name)."""

from __future__ import annotations

from bot.config import Config
from storage import Repository

RANK = {"member": 0, "cadre": 1, "admin": 2}


def role_of(sender_id: str, repo: Repository, cfg: Config) -> str:
    """admin for the config's super-admins; cadre for a department's cadres (they answer
    for its requests: requests.department_cadres); else the role stored for the member."""
    if sender_id in cfg.cadres:
        return "admin"
    m = repo.member(sender_id)
    stored = m.role if m is not None and m.role in RANK else "member"
    if stored == "member" and any(sender_id in ids for ids in cfg.department_cadres.values()):
        return "cadre"
    return stored


def is_cadre(sender_id: str, repo: Repository, cfg: Config) -> bool:
    return RANK[role_of(sender_id, repo, cfg)] >= RANK["cadre"]


def allowed(permission: str, sender_id: str, repo: Repository, cfg: Config, *,
            owner_id: str | None = None) -> bool:
    """Whether a sender may use a command declared with `permission`.

    `poster` and `requester` commands are for the owner of the thing named (owner_id) and
    for cadres; the handler resolves the owner, this function decides.
    """
    role = role_of(sender_id, repo, cfg)
    if permission == "member":
        return True
    if permission in ("poster", "requester"):
        return RANK[role] >= RANK["cadre"] or (owner_id is not None and owner_id == sender_id)
    return RANK[role] >= RANK[permission]
