"""What a workers' group saw in a replayed scenario, checked against what it must never see.

Read from the database the replay wrote (the outbox holds every reply as screened), so the
check covers every scenario without knowing its story: no unmasked phone number (other than
the union's published ones), no part of a request's text, no unconsenting opinion author and
no wish author, in any group that is not the cadre group.
"""

from __future__ import annotations

import re

from sqlalchemy import create_engine, inspect, text

from parsers.fields.phone import mask_phones

# A request's words repeated in a group: any run of this many characters of its text
# (punctuation and spaces dropped) found in a group message.
RUN = 8
_PUNCT = re.compile(r"[\s，,。.！!？?：:；;、“”\"'（）()【】\[\]「」…~～-]+")


def _plain(s: str) -> str:
    return _PUNCT.sub("", s or "")


def workers_group_texts(conn) -> list[str]:  # type: ignore[no-untyped-def]
    return [t for (t,) in conn.execute(text(
        "select o.text from outbox o join groups g on g.id = o.group_id"
        " where not g.is_cadre_group"))]


def leaks(db_url: str, public_numbers: frozenset[str] = frozenset()) -> list[str]:
    """Each thing a workers' group was shown that it must not see, as a readable line."""
    eng = create_engine(db_url)
    found: list[str] = []
    try:
        with eng.connect() as conn:
            said = workers_group_texts(conn)
            plain = [_plain(t) for t in said]
            for t in said:
                if mask_phones(t, keep=public_numbers) != t:
                    found.append(f"phone number in a group: {t!r}")
            tables = set(inspect(conn).get_table_names())
            if "requests" in tables:
                for rid, body in conn.execute(text("select id, text from requests")):
                    words = _plain(body)
                    runs = {words[i:i + RUN] for i in range(max(0, len(words) - RUN + 1))}
                    for t, p in zip(said, plain, strict=True):
                        if any(r in p for r in runs):
                            found.append(f"R{rid}'s words in a group: {t!r}")
            # An opinion's author (unless they agreed to be named) and a wish's author are
            # never named in a workers' group: not in a results message, not in an
            # acknowledgement, not in the wall.
            if "opinions" in tables:
                for seq, name in conn.execute(text(
                        "select seq, author_name from opinions where not named")):
                    found += [f"opinion {seq}'s author {name} in a group: {t!r}"
                              for t in said if name and name in t]
            if "wishes" in tables:
                for wid, name in conn.execute(text("select id, wisher_name from wishes")):
                    found += [f"wish {wid}'s author {name} in a group: {t!r}"
                              for t in said if name and name in t]
    finally:
        eng.dispose()
    return found
