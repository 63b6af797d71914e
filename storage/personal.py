"""Personal data (PIPL art. 45 and 47): what is stored about one person, handed to them
(`person_data`) or erased (`erase_person`), and how long the raw archive is kept
(`purge_archive`).

Erasure keeps every figure the union reports. Rows are not deleted: the person's stable id
is replaced everywhere by one pseudonym (`erased:` and a short keyed hash), so requests,
placements, workers and enterprises still count and group as before, and every number,
time, status and rating stays as it was. What goes is what identifies them or what they
said: their messages' text, raw payload and parse, names, phone numbers, request texts and
the notes on their requests, their contact bindings, the bot's private messages to them,
and their name, phone number and words wherever they turn up in other rows (a cadre's
`#确认 1 NAME`, a claim notice, an audit entry, an echo of their text).

The pseudonym is an HMAC of the id under a random key kept in this database (state
`privacy:key`): the same person always gets the same pseudonym here, so a second erasure
finds nothing left and counts never split, while the id cannot be recovered from the
pseudonym without that database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, Table, bindparam, delete, or_, select, update
from sqlalchemy.engine import Connection

from parsers.fields.phone import is_public, mask_phones, phone_spans
from parsers.normalize import clean
from storage.base import StoreBase
from storage.models import (
    Allocation,
    AuditLog,
    Binding,
    Claim,
    Consultation,
    Group,
    Media,
    Member,
    Message,
    Opinion,
    Outbox,
    Posting,
    Request,
    RequestEvent,
    Reward,
    Share,
    ShareConfirmation,
    State,
    Wish,
    WishLine,
)

log = logging.getLogger(__name__)

ERASED = "erased:"  # the pseudonym's prefix
MARK = "***"  # what stands where a name, a number or a text was
_KEY = "privacy:key"  # the HMAC key of pseudonyms (hex)
_PENDING = "forget:"  # + pseudonym: a self-service erasure asked for, awaiting confirmation
_DONE = "erased:"  # + pseudonym (state key): when that person was erased
_MIN_NAME = 2  # shorter names are not looked for in other rows' text (一 character is a word)
# In what other people wrote (their messages, requests, postings) a name is looked for only
# this long: Chinese has no word boundaries, and a two-character name (保安, 张三) is also a
# word inside other people's sentences (保安队长拖欠…). The bot's own replies and the audit
# log lose every name of the person.
_MIN_NAME_IN_OTHERS = 3
_MIN_ID = 4  # nor are shorter ids
_MIN_TEXT = 10  # a text of theirs shorter than this is not looked for in the bot's replies
_NEEDLES_PER_QUERY = 40  # LIKE conditions per query (SQLite's expression depth is limited)
_SETTLE_DAYS = 30  # how long an erasure's last private confirmation is watched for

_M: Table = Message.__table__  # type: ignore[assignment]
_R: Table = Request.__table__  # type: ignore[assignment]
_E: Table = RequestEvent.__table__  # type: ignore[assignment]
_C: Table = Claim.__table__  # type: ignore[assignment]
_A: Table = Allocation.__table__  # type: ignore[assignment]
_P: Table = Posting.__table__  # type: ignore[assignment]
_MB: Table = Member.__table__  # type: ignore[assignment]
_B: Table = Binding.__table__  # type: ignore[assignment]
_O: Table = Outbox.__table__  # type: ignore[assignment]
_L: Table = AuditLog.__table__  # type: ignore[assignment]
_S: Table = State.__table__  # type: ignore[assignment]
_OP: Table = Opinion.__table__  # type: ignore[assignment]
_CO: Table = Consultation.__table__  # type: ignore[assignment]
_W: Table = Wish.__table__  # type: ignore[assignment]
_WL: Table = WishLine.__table__  # type: ignore[assignment]
_SH: Table = Share.__table__  # type: ignore[assignment]
_SC: Table = ShareConfirmation.__table__  # type: ignore[assignment]
_MD: Table = Media.__table__  # type: ignore[assignment]
_RW: Table = Reward.__table__  # type: ignore[assignment]
# Where a person's id stands beside a name they were seen under.
_NAMED_BY = ((_MB.c.sender_id, _MB.c.display_name), (_M.c.sender_id, _M.c.sender_name),
             (_C.c.claimant_id, _C.c.claimant_name), (_A.c.worker_id, _A.c.worker_name),
             (_R.c.requester_id, _R.c.requester_name), (_P.c.poster_id, _P.c.poster_name),
             (_OP.c.author_id, _OP.c.author_name), (_W.c.wisher_id, _W.c.wisher_name),
             (_SH.c.poster_id, _SH.c.poster_name), (_SC.c.provider_id, _SC.c.provider_name),
             (_RW.c.person_id, _RW.c.person_name))
# Where else a person's id is filed (issue 28's records): each gets the pseudonym on erasure.
_FILED_UNDER = (_OP.c.author_id, _W.c.wisher_id, _SH.c.poster_id, _SC.c.provider_id,
                _MD.c.person_id, _RW.c.person_id)

Needles = list[tuple[str, str]]  # (what to look for, what to put in its place)


class PersonalStore(StoreBase):
    """Verbs on one person's data across every aggregate: find, export, erase; retention."""

    # -- who ---------------------------------------------------------------------------------
    def _erasure_key(self, *, create: bool) -> bytes | None:
        row = self.s.get(State, _KEY)
        if row is None:
            if not create:
                return None
            row = State(key=_KEY, value=secrets.token_hex(16))
            self.s.add(row)
            self.s.flush()
        return bytes.fromhex(row.value)

    def pseudonym(self, person_id: str, *, create: bool = True) -> str | None:
        """The id an erased person's rows carry: `erased:` and 12 hex digits of an HMAC.

        None when no key exists yet and `create` is false (nobody was ever erased here).
        """
        key = self._erasure_key(create=create)
        if key is None:
            return None
        return ERASED + hmac.new(key, person_id.encode(), hashlib.sha256).hexdigest()[:12]

    def _connection(self) -> Connection:
        self.s.flush()  # the unit of work in hand is written first: statements below see it
        return self.s.connection()

    def stored_under(self, person_id: str) -> bool:
        """Whether any row is filed under this stable id."""
        conn = self._connection()
        for col in (_MB.c.sender_id, _M.c.sender_id, _C.c.claimant_id, _R.c.requester_id,
                    _P.c.poster_id, _A.c.worker_id, _A.c.confirmed_by, _O.c.to_id,
                    _L.c.actor_id, _E.c.actor_id, *_FILED_UNDER):
            if conn.execute(select(col).where(col == person_id).limit(1)).first():
                return True
        return conn.execute(select(_B.c.id).where(_B.c.kind == "contact",
                                                  _B.c.local_id == person_id)).first() is not None

    def was_erased(self, person_id: str) -> bool:
        """Whether this id was erased here before (its pseudonym is on record)."""
        z = self.pseudonym(person_id, create=False)
        if z is None:
            return False
        conn = self._connection()
        return any(conn.execute(select(col).where(col == z).limit(1)).first() is not None
                   for col in (_MB.c.sender_id, _M.c.sender_id, _C.c.claimant_id,
                               _R.c.requester_id, _A.c.worker_id, *_FILED_UNDER))

    def people(self, ref: str) -> list[str]:
        """The stable ids `ref` may mean: `ref` itself when rows are filed under it, else
        everyone ever seen under that display name (a member's names, a message's sender
        name, a claim, a placement, a request, a posting). Erased pseudonyms are left out."""
        ref = ref.strip()
        if not ref:
            return []
        if self.stored_under(ref):
            return [ref]
        conn = self._connection()
        found: set[str] = set()
        for id_col, name_col in _NAMED_BY:
            found.update(r[0] for r in conn.execute(
                select(id_col).where(name_col == ref).distinct()))
        for sid, seen in conn.execute(select(_MB.c.sender_id, _MB.c.names_seen).where(
                _MB.c.names_seen.contains(ref, autoescape=True))):
            if ref in (seen or "").split("\n"):
                found.add(sid)
        return sorted(x for x in found if not x.startswith(ERASED))

    def names_of(self, person_id: str) -> list[str]:
        """Every name this person was seen under, longest first."""
        conn = self._connection()
        names: set[str] = set()
        for id_col, name_col in _NAMED_BY:
            names.update(r[0] for r in conn.execute(
                select(name_col).where(id_col == person_id).distinct()))
        for (seen,) in conn.execute(select(_MB.c.names_seen).where(_MB.c.sender_id == person_id)):
            names.update((seen or "").split("\n"))
        for name, weixin in conn.execute(select(_B.c.name, _B.c.weixin).where(
                _B.c.kind == "contact", _B.c.local_id == person_id)):
            names.update((name, weixin))
        if person_id.startswith("name:"):
            names.add(person_id[len("name:"):])
        names = {n.strip() for n in names if n and n.strip()}
        return sorted(names, key=lambda n: (-len(n), n))

    # -- export (PIPL art. 45) ---------------------------------------------------------------
    def person_data(self, person_id: str) -> dict[str, Any]:
        """Everything stored about one person, as plain values (times are aware datetimes)."""
        conn = self._connection()

        def rows(q: Any) -> list[dict[str, Any]]:
            return [dict(r._mapping) for r in conn.execute(q)]

        groups = {g: n for g, n in conn.execute(select(Group.__table__.c.id,
                                                       Group.__table__.c.name))}
        member = rows(select(_MB.c.display_name, _MB.c.names_seen, _MB.c.role,
                             _MB.c.created_at).where(_MB.c.sender_id == person_id))
        if member:
            member[0]["names_seen"] = [n for n in member[0]["names_seen"].split("\n") if n]
        messages = rows(select(_M.c.time, _M.c.group_id, _M.c.is_group, _M.c.type, _M.c.text,
                               _M.c.sender_name).where(_M.c.sender_id == person_id)
                        .order_by(_M.c.time, _M.c.id))
        for m in messages:
            group_id, is_group = m.pop("group_id"), m.pop("is_group")
            m["group"] = groups.get(group_id) if is_group else None
        postings = rows(select(_P.c.id, _P.c.kind, _P.c.created_at, _P.c.group_id, _P.c.status,
                               _P.c.employer, _P.c.job, _P.c.task, _P.c.location,
                               _P.c.headcount, _P.c.pay_min, _P.c.pay_max, _P.c.pay_unit,
                               _P.c.settlement, _P.c.contact, _P.c.text, _P.c.poster_name)
                        .where(_P.c.poster_id == person_id).order_by(_P.c.id))
        for p in postings:
            p["group"] = groups.get(p.pop("group_id"))
        claims = rows(select(_C.c.posting_id, _C.c.claimant_name, _C.c.headcount, _C.c.status,
                             _C.c.source, _C.c.created_at, _C.c.updated_at)
                      .where(_C.c.claimant_id == person_id).order_by(_C.c.id))
        placements = rows(select(_A.c.posting_id, _P.c.employer, _P.c.job, _A.c.worker_name,
                                 _A.c.days, _A.c.pay_total, _A.c.time)
                          .join(_P, _P.c.id == _A.c.posting_id)
                          .where(_A.c.worker_id == person_id).order_by(_A.c.id))
        requests = rows(select(_R.c.id, _R.c.created_at, _R.c.via, _R.c.group_id, _R.c.text,
                               _R.c.requester_name, _R.c.category, _R.c.urgency, _R.c.status,
                               _R.c.department, _R.c.deadline, _R.c.resolution,
                               _R.c.resolved_at, _R.c.rating)
                        .where(_R.c.requester_id == person_id).order_by(_R.c.id))
        for r in requests:
            r["group"] = groups.get(r.pop("group_id"))
            r["events"] = rows(select(_E.c.time, _E.c.status, _E.c.note)
                               .where(_E.c.request_id == r["id"]).order_by(_E.c.id))
        sent = rows(select(_O.c.created_at, _O.c.text).where(_O.c.to_id == person_id,
                                                               _O.c.group_id.is_(None))
                    .order_by(_O.c.id))
        bindings = rows(select(_B.c.transport, _B.c.name, _B.c.weixin, _B.c.seen_at).where(
            _B.c.kind == "contact", _B.c.local_id == person_id))
        audit = rows(select(_L.c.time, _L.c.action, _L.c.target, _L.c.allowed)
                     .where(_L.c.actor_id == person_id).order_by(_L.c.id))
        opinions = rows(select(_OP.c.consultation_id, _CO.c.title, _OP.c.seq, _OP.c.text,
                               _OP.c.named, _OP.c.outcome, _OP.c.owner, _OP.c.created_at)
                        .join(_CO, _CO.c.id == _OP.c.consultation_id)
                        .where(_OP.c.author_id == person_id).order_by(_OP.c.id))
        wishes = rows(select(_W.c.line_id, _WL.c.topic, _W.c.text, _W.c.wisher_name,
                             _W.c.via, _W.c.created_at, _W.c.told_at)
                      .join(_WL, _WL.c.id == _W.c.line_id)
                      .where(_W.c.wisher_id == person_id).order_by(_W.c.id))
        for w in wishes:  # as the wall shows a line: W2
            w["line"], w["name"] = f"W{w.pop('line_id')}", w.pop("wisher_name")
        shares = rows(select(_SH.c.id, _SH.c.kind, _SH.c.unit, _SH.c.resource,
                             _SH.c.quantity_text, _SH.c.contact, _SH.c.text, _SH.c.status,
                             _SH.c.created_at).where(_SH.c.poster_id == person_id)
                      .order_by(_SH.c.id))
        photos = rows(select(_MD.c.kind, _MD.c.status, _MD.c.path, _MD.c.bytes,
                             _MD.c.request_id, _MD.c.time).where(_MD.c.person_id == person_id)
                      .order_by(_MD.c.id))
        rewards = rows(select(_RW.c.request_id, _RW.c.amount, _RW.c.place, _RW.c.created_at)
                       .where(_RW.c.person_id == person_id).order_by(_RW.c.id))
        return {"person": person_id, "names": self.names_of(person_id),
                "member": member[0] if member else None, "messages": messages,
                "postings": postings, "claims": claims, "placements": placements,
                "requests": requests, "messages_to_them": sent, "gateway_contacts": bindings,
                "admin_actions": audit, "opinions": opinions, "wishes": wishes,
                "shares": shares, "photos": photos, "rewards": rewards}

    # -- erasure (PIPL art. 47) --------------------------------------------------------------
    def erase_person(self, person_id: str, *, now: datetime,
                     keep_numbers: frozenset[str] = frozenset()) -> dict[str, int]:
        """Erase or anonymise everything about one person (see the module docstring).

        Rows changed per table. Idempotent: a second run finds nothing filed under the id.
        `keep_numbers` are published numbers (digits), never taken for the person's own.
        Written in the caller's transaction; objects of the session are expired afterwards,
        so nothing read before shows the old values.
        """
        conn = self._connection()
        z = self.pseudonym(person_id)
        assert z is not None
        names = [n for n in self.names_of(person_id) if len(n) >= _MIN_NAME]
        phones = self._phones_of(conn, person_id, keep_numbers)
        texts = self._texts_of(conn, person_id)
        about = self._about(conn, person_id)
        needles: Needles = []
        if len(person_id) >= _MIN_ID and person_id not in names:
            needles.append((person_id, z))
        needles += [(n, MARK) for n in names] + [(p, MARK) for p in phones]
        # Their grievances and the cadres' notes on them go wherever they were repeated (a
        # cadre's `#办结 R1 …` in the archive and the audit log); anything else they wrote
        # only where the bot repeated it (a jielong line of theirs holds other people's
        # names, and is left in those people's own messages).
        quoting = _forms(needles + [(t, MARK) for t in (*about, *texts)])
        grievances = _forms(needles + [(t, MARK) for t in about])
        needles = _forms(needles)
        # In what other people wrote a short name is taken out only standing alone (see
        # _MIN_NAME_IN_OTHERS): `#确认 1 张三`, a roster's `2. 张三`, not 张三丰 or 保安队长.
        alone = frozenset(f for n in names if len(n) < _MIN_NAME_IN_OTHERS
                          for f, _ in _forms([(n, MARK)]))
        n: Counter[str] = Counter()

        # messages: their own lose every word; others' lose their name, number and id
        n["messages"] += conn.execute(update(_M).where(_M.c.sender_id == person_id).values(
            sender_id=z, sender_name="", text=None, raw=None, parse=None, error=None)).rowcount
        # (not the messages of someone else of the same name: their payload names them)
        n["messages"] += self._scrub(conn, _M, ("text", "raw", "parse", "error"), grievances,
                                     where=_M.c.sender_name.not_in(names) if names else None,
                                     alone=alone)

        # requests: theirs keep category, urgency, times and rating; text and notes go
        mine = [r[0] for r in conn.execute(select(_R.c.id).where(_R.c.requester_id == person_id))]
        if mine:
            n["requests"] += conn.execute(update(_R).where(_R.c.id.in_(mine)).values(
                requester_id=z, requester_name="", text="", resolution=None)).rowcount
            n["request_events"] += conn.execute(update(_E).where(
                _E.c.request_id.in_(mine), _E.c.note.is_not(None)).values(note=None)).rowcount
        n["request_events"] += conn.execute(update(_E).where(_E.c.actor_id == person_id)
                                            .values(actor_id=z, note=None)).rowcount
        n["requests"] += self._scrub(conn, _R, ("text", "resolution"), grievances, alone=alone)
        n["request_events"] += self._scrub(conn, _E, ("note",), grievances, alone=alone)

        # claims and placements: the pseudonym in place of the id, no name
        for cid, posting in conn.execute(select(_C.c.id, _C.c.posting_id)
                                         .where(_C.c.claimant_id == person_id)).all():
            taken = conn.execute(select(_C.c.id).where(_C.c.posting_id == posting,
                                                       _C.c.claimant_id == z)).first()
            conn.execute(update(_C).where(_C.c.id == cid).values(
                claimant_id=f"{z}.{cid}" if taken else z, claimant_name=""))
            n["claims"] += 1
        n["allocations"] += conn.execute(update(_A).where(_A.c.worker_id == person_id)
                                         .values(worker_id=z, worker_name="")).rowcount
        # A worker confirmed by a name nobody had claimed under is filed as "name:NAME": a
        # pseudonym of its own, so the number of workers stays what it was.
        for name in names:
            other = self.pseudonym(f"name:{name}")
            n["allocations"] += conn.execute(update(_A).where(_A.c.worker_id == f"name:{name}")
                                             .values(worker_id=other, worker_name="")).rowcount
        n["allocations"] += conn.execute(update(_A).where(_A.c.confirmed_by == person_id)
                                         .values(confirmed_by=z)).rowcount

        # postings: theirs keep what the job was; text and contact go, and an open one
        # closes (nobody could be put in touch with them any more)
        conn.execute(update(_P).where(_P.c.poster_id == person_id, _P.c.status == "open")
                     .values(status="closed", updated_at=now))
        n["postings"] += conn.execute(update(_P).where(_P.c.poster_id == person_id).values(
            poster_id=z, poster_name="", text="", contact=None)).rowcount
        n["postings"] += self._scrub(conn, _P, ("text", "task"), needles, alone=alone)

        # the member record: kept under the pseudonym (its role too), without names
        if conn.execute(select(_MB.c.id).where(_MB.c.sender_id == z)).first():
            n["members"] += conn.execute(delete(_MB).where(_MB.c.sender_id == person_id)).rowcount
        else:
            n["members"] += conn.execute(update(_MB).where(_MB.c.sender_id == person_id).values(
                sender_id=z, display_name="", names_seen="")).rowcount

        # gateway bindings: their contact goes; rooms forget them among their members
        n["bindings"] += conn.execute(delete(_B).where(_B.c.kind == "contact",
                                                       _B.c.local_id == person_id)).rowcount
        for bid, members in conn.execute(select(_B.c.id, _B.c.members).where(
                _B.c.members.contains(person_id, autoescape=True))).all():
            kept = [m for m in (members or "").split("\n") if m != person_id]
            if "\n".join(kept) != members:
                conn.execute(update(_B).where(_B.c.id == bid).values(members="\n".join(kept)))
                n["bindings"] += 1

        # outbox: what the bot told them privately goes (what is still queued is dropped);
        # mentions carry the pseudonym; their name, number and words leave every reply
        conn.execute(update(_O).where(_O.c.to_id == person_id, _O.c.sent_at.is_(None),
                                      _O.c.failed_at.is_(None))
                     .values(failed_at=now, error="erased"))
        n["outbox"] += conn.execute(update(_O).where(_O.c.to_id == person_id).values(
            to_id=z, text=MARK)).rowcount
        for oid, mentions in conn.execute(select(_O.c.id, _O.c.mentions).where(
                _O.c.mentions.contains(person_id, autoescape=True))).all():
            ids = [z if m == person_id else m for m in (mentions or "").split("\n")]
            if "\n".join(ids) != mentions:
                conn.execute(update(_O).where(_O.c.id == oid).values(mentions="\n".join(ids)))
                n["outbox"] += 1
        n["outbox"] += self._scrub(conn, _O, ("text",), quoting)

        # the audit log: every action stays, done by the pseudonym
        n["audit_log"] += conn.execute(update(_L).where(_L.c.actor_id == person_id)
                                       .values(actor_id=z)).rowcount
        n["audit_log"] += conn.execute(update(_L).where(_L.c.target == person_id)
                                       .values(target=z)).rowcount
        n["audit_log"] += self._scrub(conn, _L, ("target", "before", "after"), quoting)

        # issue 28's records: opinions, wishes and shares lose their words, names and
        # contact (outcomes, counts and quantities stay); photos lose their file; rewards
        # keep their amount (the ledger's totals) under the pseudonym
        n["opinions"] += conn.execute(update(_OP).where(_OP.c.author_id == person_id).values(
            author_id=z, author_name="", text="", named=False)).rowcount
        n["opinions"] += self._scrub(conn, _OP, ("text", "note"), grievances, alone=alone)
        n["consultations"] += conn.execute(update(_CO).where(_CO.c.created_by == person_id)
                                           .values(created_by=z, created_by_name="")).rowcount
        n["wishes"] += conn.execute(update(_W).where(_W.c.wisher_id == person_id).values(
            wisher_id=z, wisher_name="", text="")).rowcount
        n["shares"] += conn.execute(update(_SH).where(_SH.c.poster_id == person_id).values(
            poster_id=z, poster_name="", contact=None, text="")).rowcount
        n["shares"] += conn.execute(update(_SC).where(_SC.c.provider_id == person_id).values(
            provider_id=z, provider_name="")).rowcount
        for (path,) in conn.execute(select(_MD.c.path).where(_MD.c.person_id == person_id,
                                                             _MD.c.path.is_not(None))).all():
            _remove_file(path)
        n["media"] += conn.execute(update(_MD).where(_MD.c.person_id == person_id).values(
            person_id=z, path=None, status="erased")).rowcount
        n["rewards"] += conn.execute(update(_RW).where(_RW.c.person_id == person_id).values(
            person_id=z, person_name="")).rowcount

        n["state"] += self._erase_from_rosters(conn, person_id, names)
        conn.execute(delete(_S).where(_S.c.key == _PENDING + z[len(ERASED):]))
        self._set(conn, _DONE + z[len(ERASED):], now.isoformat())
        self.s.expire_all()  # rows loaded before must not show what was erased
        return {k: n[k] for k in _TABLES}

    @staticmethod
    def _erase_from_rosters(conn: Connection, person_id: str, names: Sequence[str]) -> int:
        """Take the person's lines out of every stored 接龙 roster (bot.handlers.roster keeps
        `roster:N` = {name: {"n": count, "id": owner}}): their claim stays counted on the
        posting under the pseudonym, the roster no longer shows them."""
        changed = 0
        for key, value in conn.execute(select(_S.c.key, _S.c.value).where(
                _S.c.key.startswith("roster:", autoescape=True))).all():
            try:
                lines = json.loads(value or "{}")
            except ValueError:
                continue
            kept = {name: line for name, line in lines.items()
                    if name not in names and not (isinstance(line, dict)
                                                  and line.get("id") == person_id)}
            if kept != lines:
                conn.execute(update(_S).where(_S.c.key == key).values(
                    value=json.dumps(kept, ensure_ascii=False)))
                changed += 1
        return changed

    def settle_erasures(self, now: datetime) -> int:
        """Finish erasures whose last private message went out afterwards.

        The confirmation of a self-service erasure is queued after the erasure, addressed to
        the person's id (the transport needs it to deliver). Once sent, it gets the pseudonym
        too. Returns the rows changed. Erasures older than `_SETTLE_DAYS` are forgotten.
        """
        conn = self._connection()
        done = {k[len(_DONE):]: datetime.fromisoformat(v) for k, v in conn.execute(
            select(_S.c.key, _S.c.value).where(_S.c.key.startswith(_DONE, autoescape=True)))}
        if not done:
            return 0
        changed = 0
        recipients = [r[0] for r in conn.execute(select(_O.c.to_id).where(
            _O.c.to_id.is_not(None), _O.c.sent_at.is_not(None),
            ~_O.c.to_id.startswith(ERASED, autoescape=True)).distinct())]
        for to in recipients:
            z = self.pseudonym(to)
            assert z is not None
            when = done.get(z[len(ERASED):])
            if when is not None:
                changed += conn.execute(update(_O).where(
                    _O.c.to_id == to, _O.c.sent_at.is_not(None), _O.c.created_at <= when)
                    .values(to_id=z, text=MARK)).rowcount
        for key, when in done.items():
            if now - when > timedelta(days=_SETTLE_DAYS):
                conn.execute(delete(_S).where(_S.c.key == _DONE + key))
        if changed:
            self.s.expire_all()
        return changed

    # -- self-service requests ---------------------------------------------------------------
    def ask_erasure(self, person_id: str, *, now: datetime) -> None:
        """Remember that this person asked to be erased (they must still confirm)."""
        z = self.pseudonym(person_id)
        assert z is not None
        self._set(self._connection(), _PENDING + z[len(ERASED):], now.isoformat())

    def erasure_asked(self, person_id: str) -> datetime | None:
        """When this person asked to be erased and has not confirmed yet, if they did."""
        z = self.pseudonym(person_id, create=False)
        if z is None:
            return None
        row = self._connection().execute(select(_S.c.value).where(
            _S.c.key == _PENDING + z[len(ERASED):])).first()
        return datetime.fromisoformat(row[0]) if row else None

    # -- retention ---------------------------------------------------------------------------
    def purge_archive(self, before: datetime) -> dict[str, int]:
        """Drop what the archive no longer needs from messages older than `before`.

        Every such message loses its raw payload and its parse. Its text goes too, unless a
        posting, claim or request was made from it or attached it as evidence: those keep
        the words they stand on. Time, sender, group, type and status stay (counts and the
        once-only check by message id still work).
        """
        conn = self._connection()
        raw = conn.execute(update(_M).where(
            _M.c.time < before, or_(_M.c.raw.is_not(None), _M.c.parse.is_not(None)))
            .values(raw=None, parse=None)).rowcount
        attached: set[int] = set()
        for (ids,) in conn.execute(select(_R.c.attachments).where(_R.c.attachments != "")):
            attached.update(int(x) for x in re.findall(r"\d+", ids or ""))
        cited = (select(_P.c.source_message_id).where(_P.c.source_message_id.is_not(None))
                 .union(select(_C.c.message_id).where(_C.c.message_id.is_not(None)),
                        select(_R.c.message_id).where(_R.c.message_id.is_not(None))))
        q = update(_M).where(_M.c.time < before, _M.c.text.is_not(None),
                             _M.c.id.not_in(cited.scalar_subquery()))
        if attached:
            q = q.where(_M.c.id.not_in(bindparam("attached", sorted(attached), expanding=True)))
        text = conn.execute(q.values(text=None)).rowcount
        if raw or text:
            self.s.expire_all()
        return {"raw": raw, "text": text}

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _set(conn: Connection, key: str, value: str) -> None:
        if conn.execute(update(_S).where(_S.c.key == key).values(value=value)).rowcount == 0:
            conn.execute(_S.insert().values(key=key, value=value))

    @staticmethod
    def _phones_of(conn: Connection, person_id: str, keep: frozenset[str]) -> list[str]:
        """The person's phone numbers as they wrote them, as digits and as masked in groups.

        Numbers found in their own texts, less published ones and other people's posting
        contacts (a worker may repeat an employer's number)."""
        texts = [r[0] for r in conn.execute(select(_M.c.text).where(
            _M.c.sender_id == person_id, _M.c.text.is_not(None)))]
        texts += [r[0] for r in conn.execute(select(_R.c.text).where(_R.c.requester_id == person_id))]
        for text, contact in conn.execute(select(_P.c.text, _P.c.contact).where(
                _P.c.poster_id == person_id)):
            texts += [text, contact or ""]
        texts += [r[0] for r in conn.execute(select(_MB.c.names_seen).where(
            _MB.c.sender_id == person_id))]
        others = {re.sub(r"\D", "", r[0] or "") for r in conn.execute(
            select(_P.c.contact).where(_P.c.poster_id != person_id, _P.c.contact.is_not(None)))}
        forms: set[str] = set()
        for text in texts:
            for a, b, digits in phone_spans(text or ""):
                if len(digits) < 7 or is_public(digits, keep) or digits in others:
                    continue
                forms.update((text[a:b].strip(), digits, digits[:3] + "****" + digits[-4:]))
        return sorted((f for f in forms if len(f) >= 7), key=lambda f: (-len(f), f))

    @staticmethod
    def _texts_of(conn: Connection, person_id: str) -> list[str]:
        """Their longer texts, to be found where the bot repeated them."""
        texts = {r[0] for r in conn.execute(select(_M.c.text).where(
            _M.c.sender_id == person_id, _M.c.text.is_not(None)))}
        texts |= {r[0] for r in conn.execute(select(_R.c.text).where(
            _R.c.requester_id == person_id))}
        texts |= {r[0] for r in conn.execute(select(_P.c.text).where(_P.c.poster_id == person_id))}
        out = {t.strip() for t in texts if t and len(t.strip()) >= _MIN_TEXT
               and not re.match(r"\s*[#/＃]", t)}
        return sorted(out, key=lambda t: (-len(t), t))

    @staticmethod
    def _about(conn: Connection, person_id: str) -> list[str]:
        """Their requests' texts and what cadres wrote on them (resolutions, notes)."""
        mine = select(_R.c.id).where(_R.c.requester_id == person_id).scalar_subquery()
        texts = {t for r in conn.execute(select(_R.c.text, _R.c.resolution).where(
            _R.c.requester_id == person_id)) for t in r}
        texts |= {r[0] for r in conn.execute(select(_E.c.note).where(_E.c.request_id.in_(mine)))}
        out = {t.strip() for t in texts if t and len(t.strip()) >= _MIN_TEXT}
        return sorted(out, key=lambda t: (-len(t), t))

    @staticmethod
    def _scrub(conn: Connection, table: Table, columns: Sequence[str], needles: Needles,
               where: Any = None, alone: frozenset[str] = frozenset()) -> int:
        """Replace every needle in these text columns of every row (that `where` admits),
        the needles in `alone` only where no Chinese character touches them; rows changed."""
        if not needles:
            return 0
        ids: set[int] = set()
        for i in range(0, len(needles), _NEEDLES_PER_QUERY):
            part = needles[i:i + _NEEDLES_PER_QUERY]
            conds = [table.c[c].contains(n, autoescape=True) for c in columns for n, _ in part]
            q = select(table.c.id).where(or_(*conds))
            if where is not None:
                q = q.where(where)
            ids.update(r[0] for r in conn.execute(q))
        changed = 0
        for chunk in _chunks(sorted(ids), 500):
            for row in conn.execute(select(table.c.id, *(table.c[c] for c in columns))
                                    .where(table.c.id.in_(chunk))).all():
                new = {}
                for c in columns:
                    value = row._mapping[c]
                    if not value:
                        continue
                    out = value
                    for needle, replacement in needles:
                        if needle in alone:
                            out = re.sub(rf"(?<![\u4e00-\u9fff]){re.escape(needle)}"
                                         r"(?![\u4e00-\u9fff])", replacement, out)
                        else:
                            out = out.replace(needle, replacement)
                    if out != value:
                        length = getattr(table.c[c].type, "length", None)
                        new[c] = out[:length] if isinstance(table.c[c].type, String) and length \
                            else out
                if new:
                    conn.execute(update(table).where(table.c.id == row.id).values(**new))
                    changed += 1
        return changed


_TABLES = ("messages", "requests", "request_events", "claims", "allocations", "postings", "state",
           "members", "bindings", "outbox", "audit_log", "opinions", "consultations", "wishes",
           "shares", "media", "rewards")


def _remove_file(path: str) -> None:
    """Delete a stored photo or file of an erased person (gone already: nothing to do)."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as e:  # the row forgets the path either way; say what was left behind
        log.warning("erasure could not delete %s: %s", path, e)


def _forms(needles: Needles) -> Needles:
    """The needles, plus each as the parser normalised it (half-width, simplified: parses
    and stored texts hold that form), with its phone numbers masked (as a group message
    quoting it was stored: a cadre alert repeats a request whole) and as written inside a
    JSON string (raw payloads, parses); longest first, so a longer needle is replaced
    before a part of it."""
    out = dict(needles)
    for needle, replacement in needles:
        for form in {clean(needle), needle, mask_phones(clean(needle)), mask_phones(needle)}:
            for variant in (form, json.dumps(form, ensure_ascii=False)[1:-1]):
                out.setdefault(variant, replacement)
    return sorted(out.items(), key=lambda kv: (-len(kv[0]), kv[0]))


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
