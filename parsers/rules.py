"""A small engine for named rules: the first rule that fires decides, and says why.

A rule is a record: its name, the intent it says, the facts that must all hold (`when`),
the facts any one of which vetoes it (`unless`), and examples it must decide and
counter-examples it must not fire on. Facts are named boolean properties of a facts object
(parsers.intent.Facts reads them off the message); the engine only looks them up by name, so
a rule reads like its sentence: "a short message that says it withdraws, unless it is a
strong job post, is quiet". A fact that is a number or a string (how many ad words, the text
with the posting's number cut off) is read by other facts, never by a rule: `check` refuses it.

Rules are ordered (the table is the precedence); `decide` stops at the first that fires,
`explain` goes on and lists the ones that also fired and were overruled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Rule:
    """One named rule. `name` is `group.what` (claim.self, quiet.weather); `says` an intent."""

    name: str
    says: str
    when: tuple[str, ...]
    unless: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter: tuple[str, ...] = ()
    why: str = ""
    # The intent model is not asked to overrule what this rule decides (it reads the words of
    # a line, not their sense: 曼哈顿请熟手炒锅 is "other" to it for the place it never saw).
    final: bool = False

    def fires(self, facts: object) -> bool:
        """All of `when` hold and none of `unless` (plain loops: this runs a few dozen times
        a message, and a generator each time cost more than the facts it read)."""
        for w in self.when:
            if not getattr(facts, w):
                return False
        for u in self.unless:
            if getattr(facts, u):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Decision:
    """The intent, the rule that decided it, and (when explained) the rules overruled."""

    intent: str
    rule: str
    overruled: tuple[str, ...] = ()
    final: bool = False  # the deciding rule's `final`: the model is not asked


FALLBACK = "quiet.nothing_fired"


class fact:  # noqa: N801 - used as a decorator, like property
    """A named fact of a message: worked out on first read, then kept on the instance.

    As functools.cached_property, without the lock it takes on every first read in Python
    3.11: the rules read dozens of facts per message, and a lock each cost a sixth of the
    parser's throughput. Python 3.12 dropped that lock: when 3.11 is no longer supported
    (pyproject's requires-python), go back to functools.cached_property.
    """

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


def _is_boolean(facts_type: type, name: str) -> bool | None:
    """Whether `name` is a boolean fact of `facts_type`; None if it is no fact of it.

    A fact is a `fact` or property annotated `-> bool`, a class attribute that is a bool, or
    one of the type's `GIVEN` names (booleans set per instance).
    """
    if name in getattr(facts_type, "GIVEN", ()):
        return True
    if not hasattr(facts_type, name):
        return None
    attr = getattr(facts_type, name)
    fn = getattr(attr, "fn", None) or getattr(attr, "fget", None)
    if fn is not None:
        returns = fn.__annotations__.get("return")
        return returns in ("bool", bool)
    return isinstance(attr, bool)


def check(rules: Sequence[Rule], facts_type: type) -> None:
    """Raise ValueError on a rule that repeats a name, has no condition, or names a fact that
    is unknown or not a boolean (see `_is_boolean`)."""
    seen: set[str] = set()
    for r in rules:
        if r.name in seen:
            raise ValueError(f"rule {r.name} is defined twice")
        seen.add(r.name)
        if not r.when:
            raise ValueError(f"rule {r.name} has no condition")
        kinds = {f: _is_boolean(facts_type, f) for f in r.when + r.unless}
        unknown = [f for f, k in kinds.items() if k is None]
        if unknown:
            raise ValueError(f"rule {r.name} reads unknown facts {unknown}")
        not_boolean = [f for f, k in kinds.items() if k is False]
        if not_boolean:
            raise ValueError(f"rule {r.name} reads facts that are not booleans {not_boolean}")


def decide(rules: Sequence[Rule], facts: object, *, default: str = "other") -> Decision:
    """The first rule that fires decides; when none does, the default intent."""
    for r in rules:
        if r.fires(facts):
            return Decision(r.says, r.name, final=r.final)
    return Decision(default, FALLBACK)


def explain(rules: Sequence[Rule], facts: object, *, default: str = "other") -> Decision:
    """As `decide`, and every later rule that fired too is listed as overruled."""
    fired = [r for r in rules if r.fires(facts)]
    if not fired:
        return Decision(default, FALLBACK)
    return Decision(fired[0].says, fired[0].name, tuple(r.name for r in fired[1:]),
                    final=fired[0].final)
