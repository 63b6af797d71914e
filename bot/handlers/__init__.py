"""Handlers. Every command router is listed here, in the order help shows them."""

from bot.handlers import (
    admin,
    claims,
    help,
    jobs,
    opinions,
    placements,
    requests,
    rights,
    roster,
    sharing,
    wishes,
)
from bot.router import Registry, Router

ROUTERS: tuple[Router, ...] = (help.router, jobs.router, claims.router, roster.router,
                               placements.router, sharing.router, requests.router, opinions.router,
                               wishes.router,
                               rights.router,
                               admin.router)


def build_registry() -> Registry:
    return Registry(ROUTERS)
