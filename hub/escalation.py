"""When to escalate, derived from stored state (so a hub restart forgets nothing):

* a status change not displayed by every online kiosk within ``display_deadline_s``;
* a supervisor notice not acknowledged within ``notice_ack_min``;
* a check-in a kiosk reports unacknowledged by the hub for ``unacked_checkin_s``
  (``backlog_escalations``: the patient may be waiting unseen);
* a kiosk displaying a status version the hub never issued, or following a newer hub
  epoch than the hub's (``unissued_displays``: a forged message reached it, or the hub
  was restored from a backup; the hub starts a new epoch, which every kiosk follows);
* (a staff lockout is escalated when it happens, by the desk).

Pure: statuses, kiosks, notices, backlogs and ``now`` in; the escalations that should be open out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync.messages import Epoch, ProviderStatus
from sync.staff_messages import EscalationKind
from sync.state import epoch_believable

_NO_EPOCH = Epoch()  # hubs and kiosks older than epochs


@dataclass(frozen=True)
class KioskView:
    id: str
    online: bool
    display: dict[str, int]
    screen: bool = True  # False: the receipt is the kiosk's cache's (no screen drew it)
    epoch: Epoch = field(default_factory=Epoch)  # the hub epoch its receipt names (its versions count in it)


@dataclass(frozen=True)
class OpenNotice:
    id: str
    at: str
    provider_id: str
    status_version: int


@dataclass(frozen=True)
class Due:
    id: str
    about: EscalationKind
    provider_id: str
    status_version: int
    detail: str


@dataclass(frozen=True)
class Backlog:
    """A kiosk's oldest unacknowledged check-in, from its last health report."""

    kiosk_id: str
    checkin_age_s: float  # at the report; -1: none
    checkin_seq: int  # its outbox seq: one escalation per stuck check-in
    reported_at: str  # when the hub received the report (hub clock)


def backlog_escalations(backlogs: list[Backlog], now: datetime, *, unacked_checkin_s: int) -> list[Due]:
    """A kiosk holding a check-in the hub has not acknowledged for too long. The age grows
    from the report on (a kiosk that stopped reporting still holds it)."""
    due: list[Due] = []
    for b in backlogs:
        if b.checkin_age_s < 0 or not b.reported_at:
            continue
        try:
            since = (now - datetime.fromisoformat(b.reported_at)).total_seconds()
        except ValueError:
            continue
        age = b.checkin_age_s + max(0.0, since)
        if age > unacked_checkin_s:
            due.append(
                Due(
                    f"unacked-{b.kiosk_id}-{b.checkin_seq}",
                    "outbox",
                    "",
                    0,
                    f"kiosk {b.kiosk_id} holds a check-in the hub has not received for {int(age)} s",
                )
            )
    return due


def shows(kiosk: KioskView, status: ProviderStatus, epoch: Epoch = _NO_EPOCH) -> bool:
    """The kiosk displays ``status`` (of the hub's ``epoch``) or newer, in that epoch."""
    return kiosk.epoch == epoch and kiosk.display.get(status.provider_id, 0) >= status.version


def waiting_kiosks(status: ProviderStatus, kiosks: list[KioskView], epoch: Epoch = _NO_EPOCH) -> list[str]:
    return sorted(k.id for k in kiosks if k.online and not shows(k, status, epoch))


def due_escalations(
    statuses: list[ProviderStatus],
    kiosks: list[KioskView],
    notices: list[OpenNotice],
    now: datetime,
    *,
    display_deadline_s: int,
    notice_ack_min: int,
    epoch: Epoch = _NO_EPOCH,
) -> list[Due]:
    due: list[Due] = []
    for status in statuses:
        if not status.changed_at or status.version == 0:
            continue
        waiting = waiting_kiosks(status, kiosks, epoch)
        late = now - datetime.fromisoformat(status.changed_at) > timedelta(seconds=display_deadline_s)
        if waiting and late:
            due.append(
                Due(
                    f"display-{status.provider_id}-v{status.version}",
                    "display",
                    status.provider_id,
                    status.version,
                    f"not displayed by {', '.join(waiting)}",
                )
            )
    for notice in notices:
        if now - datetime.fromisoformat(notice.at) > timedelta(minutes=notice_ack_min):
            due.append(
                Due(
                    f"notice-{notice.id}",
                    "notice",
                    notice.provider_id,
                    notice.status_version,
                    f"supervisor notice {notice.id} not acknowledged in {notice_ack_min} min",
                )
            )
    return due


def unissued_displays(
    statuses: list[ProviderStatus],
    kiosks: list[KioskView],
    epoch: Epoch = _NO_EPOCH,
    now_s: float | None = None,
) -> list[Due]:
    """Kiosks whose screen (or cache) shows, in the hub's ``epoch``, a version above the
    newest the hub holds for that provider (nobody at the practice made that change), or
    that follow a newer epoch than the hub's (the hub lost a future: restored from a
    backup). One escalation per kiosk and provider and shown version (per kiosk and epoch),
    until the kiosk reports what the hub issued. A kiosk on an older epoch is only behind."""
    newest = {s.provider_id: s.version for s in statuses}
    due: list[Due] = []
    for k in kiosks:
        if k.epoch > epoch and (now_s is None or epoch_believable(k.epoch, now_s)):
            due.append(
                Due(
                    f"display-unissued-{k.id}-e{k.epoch.seq}",
                    "display",
                    "",
                    0,
                    f"kiosk {k.id} follows hub epoch {k.epoch}, newer than the hub's {epoch}:"
                    " the hub started a new epoch",
                )
            )
            continue
        if k.epoch != epoch:
            continue
        for provider_id, shown in sorted(k.display.items()):
            issued = newest.get(provider_id, 0)
            if shown > issued:
                due.append(
                    Due(
                        f"display-unissued-{k.id}-{provider_id}-v{shown}",
                        "display",
                        provider_id,
                        issued,
                        f"kiosk {k.id} shows version {shown} of {provider_id}'s status; the hub issued"
                        f" up to {issued}: the hub started a new epoch",
                    )
                )
    return due
