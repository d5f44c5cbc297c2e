"""The notifier beside a running hub: it hears of each committed status change through
``HubService.add_listener`` and opens escalations through ``HubService.act`` (one
transaction on the hub thread, then the alert is published like any other)."""

from __future__ import annotations

from config.settings import Settings
from hub.desk import Out, StaffDesk
from hub.notify.notifier import Escalate, Notifier
from hub.service import HubService
from hub.store import HubStore
from sync import staff_messages as sm


def escalator(service: HubService) -> Escalate:
    def escalate(alerts: list[sm.Escalation]) -> None:
        def open_them(desk: StaffDesk, store: HubStore) -> Out:
            out: Out = []
            for alert in alerts:
                if not alert.open:  # resolved by the notifier (a channel that is back)
                    closed = store.staff.resolve_escalation(alert.id, alert.at)
                    if closed is not None:
                        store.audit.append(alert.at, "hub", "", "", "escalation_resolved", id=alert.id)
                        out.append((desk.tree.alert(alert.id), closed, True))
                    continue
                if store.staff.escalation_known(alert.id):
                    continue  # raised before (a restart between raising and marking it)
                store.staff.open_escalation(alert)
                store.audit.append(
                    alert.at, "hub", "", "", "escalation", id=alert.id, about=alert.about, detail=alert.detail
                )
                out.append((desk.tree.alert(alert.id), alert, True))
            return out

        service.act(open_them)

    return escalate


def start_notifier(settings: Settings, service: HubService) -> Notifier | None:
    """Start notifications for ``service`` when ``[hub.notify] enabled``; call before
    ``service.start`` so no change committed at start is missed."""
    if not settings.hub.notify.enabled:
        return None
    notifier = Notifier(settings, db_path=service.db_path, escalate=escalator(service))
    notifier.start()
    service.add_listener(notifier.on_hub_event)
    return notifier
