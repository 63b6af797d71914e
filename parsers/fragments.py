"""Named pieces the intent patterns are written with, so a rule reads as words, not brackets.

A pattern template names a fragment in angle brackets, and `rx` expands and compiles it::

    rx(r"<we><clause>{0,4}(?:可以|能)去<part>?\\s*<end>")   # 我们这几个可以去吧。

| fragment      | stands for                | meaning                                       |
|---------------|---------------------------|-----------------------------------------------|
| `<clause>`    | `[^，,。]`                 | a character within the clause                 |
| `<clause_nq>` | `[^，,。?？]`              | ... that is no question mark either           |
| `<sentence>`  | `[^。]`                    | a character within the sentence               |
| `<part>`      | `[吧啊呀哈]`               | a sentence-final particle (vocab/particles)   |
| `<end>`       | `[。!！~]*$`               | the end of the message, after its punctuation |
| `<we>`        | `我们?`                    | the speaker: 我 or 我们                       |
| `<count>`     | `\\d+\\s*个人?`            | a count of people: 3个, 3个人                 |

Python's own `(?P<name>…)` groups are left alone.
"""

from __future__ import annotations

import re

from parsers import vocab


def _char_class(name: str) -> str:
    return "[" + "".join(vocab.entries(name)) + "]"


FRAGMENTS: dict[str, str] = {
    "clause": "[^，,。]",
    "clause_nq": "[^，,。?？]",
    "sentence": "[^。]",
    "part": _char_class("particles"),
    "end": "[。!！~]*$",
    "we": "我们?",
    "count": r"\d+\s*个人?",
}
_MARK = re.compile(r"(?<!\?P)<([a-z_]+)>")


def expand(template: str) -> str:
    """The template with every `<name>` replaced by its fragment (KeyError on an unknown one)."""
    return _MARK.sub(lambda m: FRAGMENTS[m.group(1)], template)


def rx(template: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a pattern template."""
    return re.compile(expand(template), flags)


def either(*parts: str) -> str:
    """Alternatives, one a line in the source: `either(r"...", r"...")` is `...|...`.

    (Not `alt`: that is parsers.vocab.alt, the alternatives of a word class.)
    """
    return "|".join(parts)
