"""``kiosk hub health``: what the hub and its kiosks rejected, and each kiosk's last
health report. Read from the hub's database (the hub's counts survive its restarts)."""

from __future__ import annotations

from typing import Any

from hub.store import HubStore


def health_rows(store: HubStore) -> dict[str, Any]:
    kiosks = []
    for row in store.kiosks():
        health = row.get("health") or {}
        if not isinstance(health, dict):
            health = {}
        kiosks.append(
            {
                "id": row["id"],
                "online": bool(row.get("online")),
                "last_seen": row.get("last_seen") or "",
                "connected": health.get("connected"),
                "cache_age_s": health.get("cache_age_s"),
                "rejected": health.get("rejected") or {},
            }
        )
    channels = [{"name": c.name, "state": c.state, "text": c.describe()} for c in store.notify.channels.all()]
    return {"hub_rejected": store.rejections(), "kiosks": kiosks, "notify_channels": channels}


def render_health(view: dict[str, Any]) -> str:
    lines = ["Messages the hub rejected (by sender and reason; kept across restarts):"]
    rejected = view["hub_rejected"]
    lines += [
        f"  {r['source'] or '(no kiosk)':<14} {r['reason']:<16} {r['count']:>6}  last {r['last_at']}"
        for r in rejected
    ]
    if not rejected:
        lines.append("  none")
    lines.append("Kiosks (from their last health report):")
    for k in view["kiosks"]:
        state = "online" if k["online"] else "offline"
        kiosk_rejected = ", ".join(f"{reason} {n}" for reason, n in sorted(k["rejected"].items())) or "none"
        age = "-" if k["cache_age_s"] is None else f"{int(k['cache_age_s'])} s"
        seen = k["last_seen"] or "-"
        lines.append(
            f"  {k['id']:<14} {state:<8} cache age {age:<8} rejected: {kiosk_rejected}  (seen {seen})"
        )
    if not view["kiosks"]:
        lines.append("  no kiosk has reported yet")
    channels = view.get("notify_channels", [])
    if channels:
        lines.append("Notification channels (as the notifier last saw them):")
        lines += [f"  {c['text']}" for c in channels]
    return "\n".join(lines)


__all__ = ["health_rows", "render_health"]
