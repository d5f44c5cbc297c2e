"""``kiosk hub notifications``: what was sent, delivered, replied and failed, and what
patients asked for (read-only; safe while the hub runs). Addresses are shown masked. A
front-desk command: read from the hub's database on the hub machine, asked of the running
hub elsewhere (``hub.desk_cli.show``)."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any

from hub.notify.contacts import mask
from hub.store import HubStore

# (args, view, render) -> exit code: prints the view, from wherever it can be read.
Show = Callable[[argparse.Namespace, Any, Callable[[Any], str]], int]
_REQUESTS = {"reschedule": "wants to reschedule", "keep": "keeps the visit", "stop": "opted out (STOP)"}


def add_command(sub: Any, show: Show) -> None:
    cmd = sub.add_parser(
        "notifications", help="patient notifications: sent, delivered, replies, failures (front desk)"
    )
    cmd.add_argument("--json", action="store_true")
    cmd.add_argument("--limit", type=int, default=50, help="newest messages to list (default 50)")
    cmd.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the hub's answer")
    cmd.set_defaults(handler=lambda args: show(args, "notifications", render_notifications))


def notification_view(store: HubStore, limit: int = 50) -> dict[str, Any]:
    records = store.notify
    messages = []
    for row in records.rows(limit):
        item = dataclasses.asdict(row)
        item["address"] = mask(row.address)
        item.pop("text")
        item.pop("subject")
        messages.append(item)
    replies = [{**r, "address": mask(str(r["address"]))} for r in records.replies(limit)]
    return {"counts": records.counts(), "requests": replies, "messages": messages}


def render_notifications(view: dict[str, Any]) -> str:
    counts = view["counts"]
    lines = ["notifications: " + (", ".join(f"{state} {n}" for state, n in counts.items()) or "none")]
    lines.append(f"{len(view['requests'])} replies from patients")
    for r in view["requests"]:
        said = _REQUESTS.get(str(r["meaning"]), f"wrote {r['meaning']}")
        lines.append(
            f"  {r['at']}  {r['appointment_id'] or '?':<10} {r['channel']:<6} {r['address']:<16} {said}"
        )
    lines.append(f"{len(view['messages'])} newest messages")
    for m in view["messages"]:
        outcome = m["receipt"] or m["error"] or ""
        answer = f" answered {m['answer']}" if m["answer"] else ""
        lines.append(
            f"  {m['created_at'][:19]}  {m['appointment_id']:<10} {m['change']:<14} {m['kind']:<8}"
            f" {m['channel']:<6} {m['address']:<16} {m['state']:<13} {outcome}{answer}".rstrip()
        )
    return "\n".join(lines)
