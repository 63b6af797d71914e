"""Command registry: explicit routers listed in one place (bot/handlers/__init__.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import process

PREFIXES = ("#", "/", "＃")
_PREFIX_RX = re.compile(r"^\s*[#/＃]\s*")


@dataclass(frozen=True)
class Command:
    """A command: its name, handler, who may use it, and its help text."""

    name: str
    handler: Callable[..., object]
    permission: str  # member | poster | requester | cadre | admin
    help: str
    usage: str
    aliases: tuple[str, ...] = ()


class Router:
    """A named set of commands; routers are combined into one registry."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[Command] = []

    def command(self, name: str, *, permission: str, help: str, usage: str,
                aliases: Iterable[str] = ()) -> Callable[[Callable[..., object]], Callable[..., object]]:
        def deco(fn: Callable[..., object]) -> Callable[..., object]:
            self.commands.append(Command(name, fn, permission, help, usage, tuple(aliases)))
            return fn

        return deco


class Registry:
    """All commands; finds the longest command name a text starts with."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self.commands: list[Command] = [c for r in routers for c in r.commands]
        self._by_name: dict[str, Command] = {}
        for c in self.commands:
            for n in (c.name, *c.aliases):
                if n in self._by_name:
                    raise ValueError(f"command {n!r} registered twice")
                self._by_name[n] = c
        self._names = sorted(self._by_name, key=len, reverse=True)

    def get(self, name: str) -> Command | None:
        return self._by_name.get(name)

    def match(self, text: str, *, prefixed: bool = True) -> tuple[Command | None, str, str]:
        """(command, word typed, args) for a text; the command is None when unknown."""
        body = _PREFIX_RX.sub("", text, count=1) if prefixed else text.strip()
        for n in self._names:
            if body.startswith(n):
                return self._by_name[n], n, body[len(n):].strip()
        word = re.match(r"[\u4e00-\u9fff]+|[A-Za-z]+", body)
        return None, word.group(0) if word else body[:6], body[len(word.group(0)):] if word else ""

    def suggest(self, word: str) -> str | None:
        if not word:
            return None
        hit = process.extractOne(word, list(self._by_name), score_cutoff=50)
        return hit[0] if hit else None


def has_prefix(text: str | None) -> bool:
    return bool(text) and _PREFIX_RX.match(text) is not None  # type: ignore[arg-type]
