"""Command registry: explicit routers listed in one place (bot/handlers/__init__.py).

One grammar for commands: `PREFIX` recognises a command (`#`, `/` or full-width `＃`), the
registry finds the longest command word after it, and each command declares what its first
argument names (`target`: a posting or a request), read by `read_ref` alone, so the owner
check and the handler can never read different numbers. Listeners for the parser's intents
are registered on routers too (`Router.on`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import process

PREFIX = re.compile(r"^\s*[#/＃]\s*")
# A reference to a posting (12, #12, No.12, 12号) or a request (R12), then the rest.
_REF = {
    "posting": re.compile(r"^\s*(?:[#＃]|No\.?)?\s*(\d{1,9})(?!\d)(?:\s*号)?\s*(.*)$", re.I | re.S),
    "request": re.compile(r"^\s*(?:[Rr#＃Ｒｒ]|No\.?)?\s*(\d{1,9})(?!\d)\s*(.*)$", re.I | re.S),
}
TARGETS = tuple(_REF)
# What may follow a command word typed without a prefix: nothing, a space, a figure, a
# reference mark or punctuation; not more words.
_BARE_END = re.compile(r"$|[\s\d#＃Rr,，.。:：!！?？]")


def read_ref(args: str, target: str) -> tuple[int, str] | None:
    """(number, the rest) of a command's arguments that begin with a reference, else None."""
    m = _REF[target].match(args)
    return (int(m.group(1)), m.group(2).strip()) if m else None


@dataclass(frozen=True)
class Command:
    """A command: its name, handler, who may use it, what it acts on, and its help text.

    `permission` is member | poster | requester | cadre | admin; `poster` and `requester`
    commands are for the owner of their `target` and for cadres.
    """

    name: str
    handler: Callable[..., object]
    permission: str
    help: str
    usage: str
    aliases: tuple[str, ...] = ()
    target: str | None = None  # "posting" | "request": what the first argument names


class Router:
    """A named set of commands and intent listeners; routers combine into one registry."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[Command] = []
        self.listeners: dict[str, Callable[..., object]] = {}
        self.firsts: list[Callable[..., object]] = []

    def command(self, name: str, *, permission: str, help: str, usage: str,
                aliases: Iterable[str] = (), target: str | None = None
                ) -> Callable[[Callable[..., object]], Callable[..., object]]:
        if permission == "poster" and target != "posting" or (
                permission == "requester" and target != "request"):
            raise ValueError(f"command {name!r}: an owner's command must declare its target")
        if target is not None and target not in TARGETS:
            raise ValueError(f"command {name!r}: unknown target {target!r}")

        def deco(fn: Callable[..., object]) -> Callable[..., object]:
            self.commands.append(Command(name, fn, permission, help, usage, tuple(aliases),
                                         target))
            return fn

        return deco

    def on(self, intent: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
        """Register the listener for messages the parser reads as `intent`."""

        def deco(fn: Callable[..., object]) -> Callable[..., object]:
            self.listeners[intent] = fn
            return fn

        return deco


    def first(self, fn: Callable[..., object]) -> Callable[..., object]:
        """Register a listener that sees every message that is no command before the intent
        listeners do (text of any intent, photos and files too), and takes it by returning
        replies (an empty list takes it silently) or leaves it by returning None: an opinion
        quoting its consultation, a wish, a photo of a hazard. Routers' firsts run in the
        order the routers are listed (bot/handlers/__init__.py)."""
        self.firsts.append(fn)
        return fn


class Registry:
    """All commands and listeners; finds the longest command name a text starts with."""

    def __init__(self, routers: Iterable[Router]) -> None:
        routers = list(routers)
        self.commands: list[Command] = [c for r in routers for c in r.commands]
        self._by_name: dict[str, Command] = {}
        for c in self.commands:
            for n in (c.name, *c.aliases):
                if n in self._by_name:
                    raise ValueError(f"command {n!r} registered twice")
                self._by_name[n] = c
        self._names = sorted(self._by_name, key=len, reverse=True)
        self.listeners: dict[str, Callable[..., object]] = {}
        for r in routers:
            for intent, fn in r.listeners.items():
                if intent in self.listeners:
                    raise ValueError(f"intent {intent!r} has two listeners")
                self.listeners[intent] = fn
        self.firsts: list[Callable[..., object]] = [f for r in routers for f in r.firsts]

    def get(self, name: str) -> Command | None:
        return self._by_name.get(name)

    def listener(self, intent: str) -> Callable[..., object] | None:
        return self.listeners.get(intent)

    def match(self, text: str, *, prefixed: bool = True) -> tuple[Command | None, str, str]:
        """(command, word typed, args) for a text; the command is None when unknown.

        Without a prefix (a direct message, an @-mention) the word must stand alone: the
        whole text, or followed by a space, a figure or punctuation. 我的工资被拖欠了 is a
        grievance, not #我的; 报名12 and 列表 日结 are commands.
        """
        body = PREFIX.sub("", text, count=1) if prefixed else text.strip()
        for n in self._names:
            if body.startswith(n) and (prefixed or _BARE_END.match(body, len(n))):
                return self._by_name[n], n, body[len(n):].strip()
        word = re.match(r"[\u4e00-\u9fff]+|[A-Za-z]+", body)
        return None, word.group(0) if word else body[:6], body[len(word.group(0)):] if word else ""

    def suggest(self, word: str) -> str | None:
        if not word:
            return None
        hit = process.extractOne(word, list(self._by_name), score_cutoff=50)
        return hit[0] if hit else None


def has_prefix(text: str | None) -> bool:
    return bool(text) and PREFIX.match(text) is not None  # type: ignore[arg-type]
