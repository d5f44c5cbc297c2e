"""The line's side of caller-ID matching: at key 3 it asks the hub whether the caller's
number (the From user part, made E.164 by ``sync.caller_number``) belongs to today's one
booked appointment (``sync.messages.CallerLookup`` on its own branch), and keeps the
answer (``CallerMatch``, which only this line's login may read) for that call.

The answer only spares the caller the two letter keys when the birth date they key is the
matched appointment's (``phone.own_appointment``): a caller ID can be forged, so it never
replaces the birth date and alone reveals nothing. No answer by the time the date is
keyed (the hub offline, slow, or over its rate), a withheld or unusable number: the call
goes on exactly as without caller ID. The number is never logged or kept past the call;
the counters say what happened (``caller_lookup_*`` in the line's stats).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from typing import Protocol

from core.errors import KioskError
from sync.caller_number import e164
from sync.messages import CallerLookup, CallerMatch
from sync.sync_change import SyncChange
from sync.topics import TopicTree
from sync.wire import encode

log = logging.getLogger(__name__)

EXPIRY_S = 10  # the broker drops a question the hub did not take by then (MQTT 5)
MAX_PENDING = 256  # questions without an answer kept (the oldest forgotten first)


class Publisher(Protocol):
    """``sync.link.MqttLink``: hands a message to the broker from any thread."""

    def publish(
        self, topic: str, payload: bytes, qos: int = 1, retain: bool = False, token: object = None, *,
        expiry_s: int = 0,
    ) -> bool: ...  # fmt: skip


class CallerId:
    """On the line's event loop, except ``on_change`` (the sync worker's thread)."""

    def __init__(self, link: Publisher, tree: TopicTree, line_id: str, stats: Counter[str]) -> None:
        self._link = link
        self._tree = tree
        self._line_id = line_id
        self._stats = stats
        self._pending: dict[str, str] = {}  # the question's key -> the line's call id
        self._matched: dict[str, str] = {}  # call id -> appointment id ("" when none)
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop answers are handed to (the line's, once it runs)."""
        self._loop = loop

    def ask(self, call_id: str, caller: str) -> None:
        """Key 3: ask once per call (a second key 3 keeps the first answer)."""
        if self.asked(call_id):
            return
        try:
            number = e164(caller)
        except ValueError as exc:  # the reason only: never the digits
            self._stats[f"caller_lookup_skipped_{str(exc).replace(' ', '_')}"] += 1
            return
        key = uuid.uuid4().hex
        try:
            sent = self._link.publish(
                self._tree.caller_lookup(self._line_id),
                encode(CallerLookup(key, self._line_id, number)),
                qos=1,
                expiry_s=EXPIRY_S,
            )
        except KioskError as exc:
            log.warning("caller lookup not sent", extra={"call": call_id, "error": type(exc).__name__})
            sent = False
        if not sent:  # offline: the call goes on as without caller ID
            self._stats["caller_lookup_unsent"] += 1
            return
        self._stats["caller_lookup_sent"] += 1
        self._pending[key] = call_id
        while len(self._pending) > MAX_PENDING:
            del self._pending[next(iter(self._pending))]

    def asked(self, call_id: str) -> bool:
        """A question about this call's number went out (answered or not)."""
        return call_id in self._matched or call_id in self._pending.values()

    def matched(self, call_id: str) -> str:
        """The appointment the hub matched to this call's number ("" for none, or no answer yet)."""
        return self._matched.get(call_id, "")

    def forget(self, call_id: str) -> None:
        """The call ended: its answer, and a question still unanswered, go."""
        self._matched.pop(call_id, None)
        for key in [k for k, c in self._pending.items() if c == call_id]:
            del self._pending[key]

    def on_change(self, change: SyncChange) -> None:
        """A sync listener (on the sync worker): hand an answer to the line's loop."""
        if change.kind != "caller" or not isinstance(change.message, CallerMatch) or self._loop is None:
            return
        try:
            self._loop.call_soon_threadsafe(self._answered, change.message)
        except RuntimeError:  # the loop has closed: the line is stopping
            return

    def _answered(self, answer: CallerMatch) -> None:
        call_id = self._pending.pop(answer.key, None)
        if call_id is None:  # not ours, a repeat, or its call has ended
            self._stats["caller_match_unasked"] += 1
            return
        self._matched[call_id] = answer.appointment_id
        outcome = "matched" if answer.appointment_id else "unmatched"
        self._stats[f"caller_{outcome}"] += 1
        log.info("caller lookup answered", extra={"call": call_id, "outcome": outcome})


__all__ = ["EXPIRY_S", "CallerId", "Publisher"]
