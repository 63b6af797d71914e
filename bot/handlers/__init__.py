"""Handlers. Every command router is listed here, in the order help shows them."""

from bot.handlers import admin, claims, help, jobs, placements, requests, rights, roster
from bot.router import Registry, Router

ROUTERS: tuple[Router, ...] = (help.router, jobs.router, claims.router, roster.router,
                               placements.router, requests.router, rights.router,
                               admin.router)


def build_registry() -> Registry:
    return Registry(ROUTERS)
