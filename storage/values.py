"""Values every database we run on can store, made from whatever a sender or a file gave us.

A message from outside may hold what one of our databases refuses: PostgreSQL takes no NUL
character in text, no driver can encode a lone surrogate (a JSON "\\ud800", a console line
read with surrogateescape) as UTF-8, and PostgreSQL enforces the length of a VARCHAR column
that SQLite ignores. Any of these inside a message's transaction fails the statement, and on
PostgreSQL the whole transaction. So what is stored is cleaned first, the same way on every
database, and the original is kept exactly, escaped, in the raw archive (`dump`).

Nothing here knows of the bot: callers say which column a value goes to (`limit`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
CUT = "…"  # marks a value cut to its column's length


def clean(text: str) -> str:
    """`text` without what no database here can store: NUL removed, surrogates paired where
    they pair and a lone one replaced by U+FFFD. Unchanged (the same object) when clean."""
    if not _UNSTORABLE.search(text):  # the common case: one scan, no copy
        return text
    text = text.replace("\x00", "")
    # A round trip through UTF-16 joins a high and a low surrogate into the character they
    # encode and turns a lone one into U+FFFD; "-le" so that no byte-order mark is involved.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def limit(column: Any) -> int:
    """The length a string column takes (its VARCHAR length), from the model's column."""
    n = getattr(column.type, "length", None)
    if not n:
        raise ValueError(f"{column} has no length limit")
    return int(n)


def fit(text: str, n: int) -> str:
    """`text` cleaned and cut to `n` characters: for a display value (a name), where a cut
    copy is still the same name to a reader."""
    text = clean(text)
    return text if len(text) <= n else text[:n - 1] + CUT


def fit_key(text: str, n: int) -> str:
    """`text` cleaned and within `n` characters, for a value that identifies something (a
    message id, a sender id, a group): a cut value ends in a hash of the whole, so two long
    values that begin alike stay two, and the same value always fits the same way."""
    text = clean(text)
    if len(text) <= n:
        return text
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()
    return text[:n - len(digest) - 1] + CUT + digest


def dump(value: Any) -> str:
    """`value` as JSON that any database stores and `json.loads` gives back exactly.

    Readable (non-ASCII as it is) as a rule; JSON always escapes NUL (\\u0000), and a value
    holding a lone surrogate is written all escaped, since such a character has no UTF-8.
    """
    out = json.dumps(value, ensure_ascii=False, default=str)
    if _SURROGATE.search(out):
        out = json.dumps(value, ensure_ascii=True, default=str)
    return out
