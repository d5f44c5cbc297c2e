"""The hub never publishes what a kiosk would refuse.

Every schedule, appointment change and provider status the hub is about to publish is
decoded first by the kiosks' own decoder (``sync.inbound.InboundDecoder``, the very code a
kiosk runs; which day a kiosk serves is its own clock's to judge, so the day window is
not checked here). A schedule goes out without the rows that
decoder leaves out; an appointment change or status it refuses does not go out at all.
Each held-back row is counted with its field and kept for an escalation that names the
appointment id and the field, never the value (``escalations``, opened by the hub's tick).

Without this a single row the hub stored without a patient (a cancel for an appointment
it never booked) made every kiosk refuse that provider's whole day, silently.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass

from core.errors import WireError
from sync import messages as m
from sync import staff_messages as sm
from sync.inbound import InboundDecoder, Rejected
from sync.schedule_rows import field_of
from sync.topics import TopicTree
from sync.validate import check_id
from sync.wire import Message, encode

log = logging.getLogger(__name__)

GUARDED = (m.ProviderSchedule, m.AppointmentChange, m.ProviderStatus)  # what kiosks read from the hub
SOURCE = "hub-publish"  # the rejection counts' source (``kiosk hub health``)
_MAX_PENDING = 1000  # held back and not escalated yet (a pool worker never escalates)


@dataclass(frozen=True)
class Held:
    kind: str  # schedule, appointment, status
    provider_id: str
    appointment_id: str  # '' for a status, or a row whose id is itself unreadable
    field: str
    reason: str  # the wire reason (bad_value, wrong_day, ...)


class PublishGuard:
    def __init__(self, tree: TopicTree) -> None:
        self._decoder = InboundDecoder(tree)
        self._held: list[Held] = []  # not escalated yet
        self.counts: Counter[tuple[str, str]] = Counter()  # (SOURCE, kind.field), not stored yet
        self.held_total = 0

    def check(self, topic: str, msg: Message, data: bytes) -> tuple[Message, bytes] | None:
        """What may leave on ``topic``: ``(msg, data)`` as they are, a schedule without the
        rows a kiosk would leave out (re-encoded), or None (held back whole)."""
        if not isinstance(msg, GUARDED):
            return msg, data
        decoded, bad = self._decoder.decode_rows(topic, data)
        provider_id = str(getattr(msg, "provider_id", ""))
        if isinstance(decoded, Rejected):
            field = field_of(decoded.detail)
            self._hold(Held(msg.KIND, provider_id, _appointment_of(msg), field, decoded.reason))
            return None
        if not bad:
            return msg, data
        for row in bad:
            self._hold(Held(msg.KIND, provider_id, row.appointment_id, row.field, row.reason))
        try:
            return decoded, encode(decoded)
        except WireError:  # cannot be larger than what it was cut from; held back if it were
            return None

    def _hold(self, held: Held) -> None:
        if len(self._held) < _MAX_PENDING:  # one escalation per row and field is enough
            self._held.append(held)
        self.held_total += 1
        self.counts[SOURCE, f"{held.kind}.{held.field}"] += 1
        log.error(
            "held back from kiosks: they would refuse it",
            extra={
                "kind": held.kind,
                "provider": held.provider_id,
                "appointment": held.appointment_id,
                "field": held.field,
                "reason": held.reason,
            },
        )

    def take(self) -> tuple[list[Held], Counter[tuple[str, str]]]:
        """What was held back since the last call (to escalate and to store)."""
        held, self._held = self._held, []
        counts, self.counts = self.counts, Counter()
        return held, counts


def escalations(held: list[Held], at: str) -> list[sm.Escalation]:
    """One escalation per appointment (or status) and field held back."""
    out: dict[str, sm.Escalation] = {}
    for h in held:
        subject = h.appointment_id or h.provider_id or "unknown"
        esc_id = _escalation_id(f"held-{h.kind}-{subject}-{h.field}")
        what = f"appointment {h.appointment_id}" if h.appointment_id else f"the {h.kind}"
        detail = (
            f"{what} of provider {h.provider_id or '?'} held back from the kiosks: field {h.field}"
            f" ({h.reason}) would make them refuse it; correct it in the practice system"
        )
        out.setdefault(esc_id, sm.Escalation(esc_id, at, "feed", True, h.provider_id, 0, detail[:300]))
    return list(out.values())


def _escalation_id(text: str) -> str:
    try:
        check_id(text, "id")
    except WireError:
        return "held-" + hashlib.sha256(text.encode()).hexdigest()[:24]
    return text


def _appointment_of(msg: Message) -> str:
    if isinstance(msg, m.AppointmentChange):
        try:
            check_id(msg.appointment.id, "id")
        except WireError:
            return ""
        return msg.appointment.id
    return ""
