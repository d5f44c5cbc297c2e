"""The dashboard's Notifications page: today's messages by state, replies waiting for
staff, opt-outs, and each channel's health (staff's changes from it:
``hub.web.notify_actions``). Addresses are masked as in the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.notify.cli import notification_view
from hub.store import HubStore

_ANSWERED = {"keep": "keeps the visit", "reschedule": "wants to reschedule", "other": "wrote something else"}


def notifications(store: HubStore, now: datetime) -> dict[str, Any]:
    view = notification_view(store, limit=100)
    today = now.date().isoformat()
    counts = store.notify.counts_for_day(today)
    waiting = [
        {**r, "said": _ANSWERED.get(str(r["meaning"]), str(r["meaning"]))}
        for r in view["requests"]
        if not r.get("handled_by") and r["meaning"] in ("keep", "reschedule", "other", "refused")
    ]
    return {
        "notify_counts": counts,
        "notify_channels": view["channels"],
        "notify_waiting": waiting,
        "notify_optouts": view["optouts"],
        "notify_messages": [m for m in view["messages"] if m["appointment_start"][:10] == today][:50],
    }


__all__ = ["notifications"]
