"""From a frame's bytes to its verdict: read and mapped on the EHR thread (``read_frame``),
then stored with its effect on the hub thread (``Intake.take``), many frames to one
transaction (a group commit: each sender still gets its ACK only after the commit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import hl7

from core.errors import WireError
from hub.ehr import hl7v2, siu
from hub.ehr.records import EhrRecords
from hub.store import HubStore


@dataclass(frozen=True)
class Frame:
    """One frame as read on the EHR thread."""

    raw: str  # the normalized text ('' when it was no readable message)
    message: hl7.Message | None
    head: siu.Header | None
    verdict: siu.Event | siu.Refusal


@dataclass(frozen=True)
class Verdict:
    code: str  # AA, AE, AR
    reason: str
    effect: str  # applied, orphan (kept, not shown), stale, duplicate, refused, unreadable


def read_frame(block: bytes, rules: siu.Rules, encoding: str) -> Frame:
    try:
        text = hl7v2.normalize(hl7v2.decode(block, encoding))
        message = hl7v2.parse(text, siu.READS)
    except WireError as exc:
        return Frame("", None, None, siu.Refusal("AR", f"unreadable: {exc.detail}"))
    head = siu.header(message, rules.zone)
    if isinstance(head, siu.Refusal):
        return Frame(text, message, None, head)
    refused = siu.refusal_of_type(head)
    if refused is not None:
        return Frame(text, message, head, refused)
    return Frame(text, message, head, siu.event(message, head, rules, text))


class Intake:
    """The hub-thread half: repeats, refusals and effects, recorded and counted."""

    def __init__(self, mapping: Mapping[str, str], zone: tzinfo | None) -> None:
        self.mapping = dict(mapping)
        self.zone = zone
        self._records: EhrRecords | None = None

    def records(self, store: HubStore) -> EhrRecords:
        if self._records is None or self._records.store is not store:
            self._records = EhrRecords(store)
        return self._records

    def take(self, store: HubStore, frames: list[Frame], now: datetime) -> tuple[list[Verdict], set[str]]:
        """Record ``frames`` in one transaction; their verdicts and the providers touched."""
        records = self.records(store)
        counts: Counter[str] = Counter()
        verdicts: list[Verdict] = []
        touched: set[str] = set()
        today = now.date().isoformat()
        arrival_utc = hl7v2.aware(now, self.zone).astimezone(UTC).isoformat(timespec="microseconds")
        with store.transaction():
            for frame in frames:
                verdict, changed = self._one(records, frame, now.isoformat(), arrival_utc, today)
                touched |= changed
                counts[verdict.code] += 1
                if verdict.effect in ("duplicate", "stale", "unreadable", "orphan"):
                    counts[verdict.effect] += 1
                verdicts.append(verdict)
            records.count(counts)
        return verdicts, touched

    def _one(
        self, records: EhrRecords, frame: Frame, at: str, arrival_utc: str, today: str
    ) -> tuple[Verdict, frozenset[str]]:
        head = frame.head
        if head is None:  # unreadable, or no MSH-10: nothing to key it by, nothing stored
            reason = frame.verdict.reason if isinstance(frame.verdict, siu.Refusal) else "unreadable"
            code = frame.verdict.code if isinstance(frame.verdict, siu.Refusal) else "AR"
            return Verdict(code, reason, "unreadable"), frozenset()
        type_refused = isinstance(frame.verdict, siu.Refusal) and frame.verdict.code == "AR"
        if not type_refused and records.earlier(head.sender, head.control_id, head.message_type):
            return Verdict("AA", "", "duplicate"), frozenset()  # type first: AR whatever its MSH-10
        touched: frozenset[str] = frozenset()
        appointment_id = ""
        if isinstance(frame.verdict, siu.Refusal):
            verdict = Verdict(frame.verdict.code, frame.verdict.reason, "refused")
        else:
            applied = records.apply(frame.verdict, self.mapping, at, arrival_utc, today)
            verdict = Verdict(applied.code, applied.reason, applied.effect)
            touched, appointment_id = applied.touched, frame.verdict.booking.id
        records.record(
            {
                "sender": head.sender,
                "control_id": head.control_id,
                "received_at": at,
                "sent_at": head.sent_at,
                "type": head.message_type,
                "version": head.version,
                "outcome": verdict.code,
                "effect": verdict.effect,
                "reason": verdict.reason,
                "appointment_id": appointment_id,
                "raw": frame.raw,
            }
        )
        return verdict, touched
