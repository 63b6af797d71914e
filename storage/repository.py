"""The Repository: domain verbs over one session. The caller decides when to commit.

One object, composed of one class per aggregate, each in its own module over the shared base:

    storage.base        StoreBase: the connection, the session, commit/rollback/close and the
                        prepared-statement fast path (storage.prepared)
    storage.messages    the archive of inbound messages (seen, archive, ...; Archived)
    storage.groups      groups and members (ensure_group, ensure_member, save_member, ...)
    storage.postings    postings, claims, allocations, match records (Candidate)
    storage.requests    requests and their events
    storage.outbox      queued replies and their marks (Queued)
    storage.state       audit log, key/value state, digest log, count/all
    storage.identities  gateway bindings (Identities, StoreUnavailable): own sessions, own thread
    storage.personal    one person's data across all of them: export, erasure; retention
    storage.wishes      the wish wall: wishes, lines of the needs list, their supply
    storage.opinions    consultations (征求意见) and their opinions; participation

The classes share one session and one transaction, so they are mixed into one object rather
than held as separate repositories: a handler's verbs on several aggregates commit together,
and callers keep one `repo`. The classes define no verb twice and only StoreBase has state.
"""

from __future__ import annotations

from storage.base import StoreBase
from storage.groups import GroupStore
from storage.identities import Identities, StoreUnavailable
from storage.media import HazardStore
from storage.messages import Archived, MessageStore
from storage.opinions import OpinionStore
from storage.outbox import OutboxStore, Queued
from storage.personal import PersonalStore
from storage.postings import Candidate, PostingStore
from storage.requests import RequestStore
from storage.sharing import ShareStore
from storage.state import StateStore
from storage.wishes import WishStore

__all__ = ["Archived", "Candidate", "Identities", "Queued", "Repository", "StoreUnavailable"]


class Repository(ShareStore, WishStore, HazardStore, OpinionStore,
                 MessageStore, GroupStore, PostingStore, RequestStore, OutboxStore, StateStore,
                 PersonalStore, StoreBase):
    """All reads and writes of the bot's state go through here."""
