"""``kiosk hub notifications``: what was sent, delivered, replied and failed, and what
patients asked for (read-only; safe while the hub runs). Addresses are shown masked. A
front-desk command: read from the hub's database on the hub machine, asked of the running
hub elsewhere (``hub.desk_cli.show``)."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from hub.notify.contacts import mask
from hub.notify.staff_opt import staff_opt
from hub.store import HubStore

# the hub's database, writable, with the staff member's role and the time
WriteStore = Callable[[argparse.Namespace], AbstractContextManager[tuple[HubStore, str, str]]]
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


def add_staff_commands(sub: Any, write_store: WriteStore) -> None:
    for name, opt_out in (("notify-opt-out", True), ("notify-opt-in", False)):
        cmd = sub.add_parser(
            name,
            help=f"record that a patient {'no longer wants' if opt_out else 'wants again'} notifications"
            " (by appointment id; audited)",
        )
        cmd.add_argument("appointment_id")
        cmd.add_argument("--by", required=True, help="your staff id (from [staff.members])")
        cmd.set_defaults(handler=lambda args, o=opt_out: _staff_opt(args, write_store, o))


def _staff_opt(args: argparse.Namespace, write_store: WriteStore, opt_out: bool) -> int:
    with write_store(args) as (store, role, at), store.transaction():
        changed = staff_opt(store, args.appointment_id, opt_out=opt_out, staff_id=args.by, role=role, at=at)
    what = "opted out" if opt_out else "opted back in"
    print(f"{args.appointment_id}: {what} ({changed} address(es) changed; audited)")  # noqa: T201
    return 0


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
    optouts = [{"address": mask(str(r[0])), "at": r[1], "via": r[2]} for r in records.optouts(limit)]
    channels = [dataclasses.asdict(c) | {"text": c.describe()} for c in records.channels.all()]
    return {
        "counts": records.counts(),
        "channels": channels,
        "requests": replies,
        "optouts": optouts,
        "messages": messages,
    }


def render_notifications(view: dict[str, Any]) -> str:
    counts = view["counts"]
    lines = ["notifications: " + (", ".join(f"{state} {n}" for state, n in counts.items()) or "none")]
    lines += [f"channel {c['text']}" for c in view.get("channels", [])]
    lines.append(f"{len(view['requests'])} replies from patients")
    for r in view["requests"]:
        said = _REQUESTS.get(str(r["meaning"]), f"wrote {r['meaning']}")
        note = f"  [{r['note']}]" if r.get("note") else ""
        who = f"{r['appointment_id'] or '?':<10} {r['channel']:<6} {r['address']:<16}"
        lines.append(f"  {r['at'][:19]}  {who} {said}{note}")
    lines.append(f"{len(view['optouts'])} opted out")
    lines += [f"  {o['at'][:19]}  {o['address']:<16} via {o['via']}" for o in view["optouts"]]
    lines.append(f"{len(view['messages'])} newest messages")
    for m in view["messages"]:
        outcome = m["receipt"] or m["error"] or ""
        answer = f" answered {m['answer']}" if m["answer"] else ""
        lines.append(
            f"  {m['created_at'][:19]}  {m['appointment_id']:<10} {m['change']:<14} {m['kind']:<8}"
            f" {m['channel']:<6} {m['address']:<16} {m['state']:<13} {outcome}{answer}".rstrip()
        )
    return "\n".join(lines)
