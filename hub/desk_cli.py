"""The front desk's ``kiosk hub`` commands: ``status``, ``ack``, ``kiosks``, ``health``,
``escalations`` (and ``notifications``, declared by ``hub.notify.cli``).

They run on any PC that holds the practice's MQTT login, the broker's address and its CA
- a front-desk terminal (docs/security.md) - as well as on the hub machine. Changes are
commands to the running hub (``hub.command_client``); what they show is read from the
hub's database when this machine has it (read-only, safe while the hub runs), and
otherwise asked of the running hub over MQTT (``sync.query_messages``): the same view
either way. Every other ``kiosk hub`` command needs the hub machine itself.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from config import load_settings
from config.settings import Settings
from core.clock import SystemClock
from core.errors import ConfigError, KioskError, WireError
from hub.command_client import EXIT_CODES, Answer, Command, Outcome, cli_identity, deliver
from hub.epoch import parse_epoch
from hub.health_view import render_health
from hub.origin import PRACTICE_CLI_ID
from hub.queries import view_of
from hub.status_command import build_request, deliver_status_change, match_provider, outcome_said
from hub.store import HubStore
from sync import staff_messages as sm
from sync.link import LinkEvent
from sync.query_messages import HubQuery, HubQueryAnswer, QueryView
from sync.schedule_rows import SCHEDULE_ROW
from sync.topics import TopicTree
from sync.vault import store_key_source
from sync.wire import decode, encode

FRONT_DESK = ("status", "ack", "kiosks", "health", "escalations", "notifications")
_TIMEOUT_HELP = "seconds to wait for the hub's answer"


class NotAnswered(KioskError):
    """The running hub did not answer a question (no broker, no hub, refused)."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        super().__init__(outcome_said(outcome))


def add_commands(sub: Any) -> None:
    status = sub.add_parser(
        "status", help="change a provider's status: late N | out | leaving HH:MM | on-time (front desk)"
    )
    status.add_argument("provider", help="provider id or a unique part of the name")
    status.add_argument("state", choices=["late", "out", "leaving", "on-time"])
    status.add_argument("value", nargs="?", help="minutes late, or HH:MM for leaving")
    status.add_argument("--reason", default="", help="e.g. sick, emergency")
    status.add_argument("--by", default="practice", help="who is making the change")
    status.add_argument("--timeout", type=float, default=10.0, help=_TIMEOUT_HELP)
    status.set_defaults(handler=_status)

    esc = sub.add_parser(
        "escalations",
        help="list open escalations (status not displayed, notices not acknowledged) (front desk)",
    )
    esc.add_argument("--all", action="store_true", help="resolved ones too")
    esc.add_argument("--timeout", type=float, default=10.0, help=_TIMEOUT_HELP)
    esc.set_defaults(handler=lambda args: show(args, "escalations", _render_escalations))

    ack = sub.add_parser("ack", help="acknowledge a supervisor notice (front desk)")
    ack.add_argument("notice")
    ack.add_argument("--by", required=True, help="the supervisor's staff id")
    ack.add_argument("--timeout", type=float, default=10.0, help=_TIMEOUT_HELP)
    ack.set_defaults(handler=_ack)

    kiosks = sub.add_parser(
        "kiosks", help="list kiosks, their availability and what they display (front desk)"
    )
    kiosks.add_argument("--json", action="store_true")
    kiosks.add_argument("--timeout", type=float, default=10.0, help=_TIMEOUT_HELP)
    kiosks.set_defaults(handler=lambda args: show(args, "kiosks", _render_kiosks, lambda v: v["kiosks"]))

    health = sub.add_parser(
        "health", help="rejected messages (hub and kiosks) and the kiosks' health (front desk)"
    )
    health.add_argument("--json", action="store_true")
    health.add_argument("--timeout", type=float, default=10.0, help=_TIMEOUT_HELP)
    health.set_defaults(handler=lambda args: show(args, "health", render_health))


def hub_database(settings: Settings) -> Path:
    return Path(settings.hub.state_dir) / "hub.sqlite"


def fetch_view(args: argparse.Namespace, view: QueryView) -> Any:
    """``view`` from the hub's database when this machine has it, else from the running hub
    (``NotAnswered`` when it does not answer)."""
    settings = load_settings(args.config)
    limit, include_resolved = int(getattr(args, "limit", 50)), bool(getattr(args, "all", False))
    path = hub_database(settings)
    if path.is_file():
        store = HubStore.open(path, readonly=True, key=store_key_source(settings))
        try:
            return view_of(store, view, limit=limit, include_resolved=include_resolved)
        finally:
            store.close()
    query = HubQuery(uuid.uuid4().hex, view, limit, include_resolved)
    return ask_hub(settings, query, float(getattr(args, "timeout", 10.0)))


def show(
    args: argparse.Namespace,
    view: QueryView,
    render: Callable[[Any], str],
    as_json: Callable[[Any], Any] = lambda v: v,
) -> int:
    """Print ``view`` (``--json``: as JSON) and exit 0, or say why the hub did not answer."""
    try:
        got = fetch_view(args, view)
    except NotAnswered as exc:
        print(str(exc))
        return exc.outcome.exit_code
    print(json.dumps(as_json(got), indent=2) if getattr(args, "json", False) else render(got))
    return 0


def ask_hub(settings: Settings, query: HubQuery, timeout: float) -> Any:
    """The running hub's answer to ``query`` (the view, decoded from its JSON)."""
    try:
        query.validate()
    except WireError as exc:
        raise ConfigError(exc.detail) from None
    tree = TopicTree(settings.kiosk.practice, settings.kiosk.site)
    answered: list[HubQueryAnswer] = []

    def answer(event: LinkEvent) -> Answer | None:
        try:
            got = decode(event.payload, HubQueryAnswer)
        except WireError:
            return None
        if got.key != query.key:
            return None  # another terminal's answer: the topic is the practice CLI's, shared
        answered.append(got)
        return Answer(not got.error, got.error or "answered")

    command = Command(tree.hub_query(), encode(query), query.key, [tree.hub_answer(PRACTICE_CLI_ID)], answer)
    outcome = deliver(*cli_identity(settings), command, timeout)
    if outcome.kind != "applied" or not answered:
        raise NotAnswered(_asked(outcome, query.view))
    try:
        return json.loads(answered[-1].body)
    except ValueError:
        raise KioskError(f"the hub's answer about {query.view} is not JSON") from None


def _asked(outcome: Outcome, view: str) -> Outcome:
    """A question's outcome, saying what was asked."""
    if outcome.kind == "not_delivered":
        return replace(outcome, detail=f"no answer from the hub about {view}: {outcome.detail}")
    return outcome


def _status(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    try:
        providers = fetch_view(args, "providers")
    except NotAnswered as exc:
        print(f"{exc} (the hub names the providers; nothing was changed)")
        return exc.outcome.exit_code
    provider_id = match_provider(providers, args.provider)
    req = build_request(provider_id, args.state, args.value, args.reason, args.by)
    outcome, result = deliver_status_change(settings, req, args.timeout)
    if outcome.kind == "applied" and result is not None:
        change = f"{provider_id}: {args.state} {args.value or ''}".rstrip()
        print(f"Applied: {change} (status version {result.status_version})")
    else:
        print(outcome_said(outcome))
    return outcome.exit_code


def _ack(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    known = _known_notice(settings, args.notice)
    if known is not None and known.acked_by:
        print(f"Refused by the hub: notice {args.notice} was acknowledged before, by {known.acked_by}")
        return EXIT_CODES["refused"]
    tree = TopicTree(settings.kiosk.practice, settings.kiosk.site)
    msg = sm.NoticeAck(
        uuid.uuid4().hex, PRACTICE_CLI_ID, args.notice, args.by, SystemClock().now().isoformat()
    )

    def answer(event: LinkEvent) -> Answer | None:
        """The hub republishes the notice once acknowledged; a retained copy is older news."""
        try:
            notice = decode(event.payload, sm.SupervisorNotice)
        except WireError:
            return None
        if not notice.acked_by:
            return None
        if event.retained or notice.acked_by != args.by:
            return Answer(False, f"notice {args.notice} was acknowledged before, by {notice.acked_by}")
        return Answer(True, f"acknowledged {args.notice}")

    command = Command(tree.hub_command_ack(), encode(msg), msg.key, [tree.notice(args.notice)], answer)
    outcome = deliver(*cli_identity(settings), command, args.timeout)
    if outcome.kind == "not_delivered" and known is None:
        outcome = replace(
            outcome, detail=f"{outcome.detail} (is {args.notice!r} a notice? `kiosk hub escalations`)"
        )
    print(outcome_said(outcome))
    return outcome.exit_code


def _known_notice(settings: Settings, notice_id: str) -> sm.SupervisorNotice | None:
    """The notice as the hub's database holds it, when this machine has the database."""
    path = hub_database(settings)
    if not path.exists():
        return None
    store = HubStore.open(path, readonly=True, key=store_key_source(settings))
    try:
        return store.staff.notice(notice_id)
    finally:
        store.close()


# Where a kiosk's receipt comes from: a presented frame, or (headless) its cache.
_DRAWN: dict[object, str] = {1: "screen", 0: "headless"}


def _render_kiosks(view: dict[str, Any]) -> str:
    epoch = str(view["epoch"])
    lines = [f"hub epoch {epoch}"]
    for row in view["kiosks"]:
        state = "online" if row.get("online") else "offline"
        drawn = _DRAWN.get(row.get("display_screen"), "-")
        follows = parse_epoch(row.get("display_epoch"))
        lines.append(
            f"  {row['id']:<12} {state:<8} v{row.get('software_version') or '?':<8} {drawn:<8}"
            f" displays {row['display']} of epoch {'this' if str(follows) == epoch else follows}"
            f"  outbox {_outbox_cell(row['health'])}{_rows_cell(row['health'])}"
        )
    return "\n".join(lines)


def _rows_cell(health: object) -> str:
    """Schedule rows the kiosk left out (it took the rest of the day), as last reported."""
    rejected = health.get("rejected") if isinstance(health, dict) else None
    n = rejected.get(SCHEDULE_ROW, 0) if isinstance(rejected, dict) else 0
    return f"  schedule rows left out {n}" if n else ""


def _outbox_cell(health: object) -> str:
    """Queued / sent-not-acknowledged / age of the oldest unacknowledged, as last reported."""
    if not isinstance(health, dict) or "outbox_depth" not in health:
        return "?"
    queued = health.get("outbox_queued", health["outbox_depth"])
    sent = health.get("outbox_sent", 0)
    oldest = float(health.get("oldest_unacked_s", -1.0))
    age = f", oldest {int(oldest)} s" if oldest >= 0 else ""
    return f"{queued} queued, {sent} unacknowledged{age}"


def _render_escalations(view: dict[str, Any]) -> str:
    rows = view["escalations"]
    lines = [f"{len(rows)} {'escalations' if view.get('all') else 'open escalations'}"]
    for row in rows:
        state = "open" if row["open"] else f"resolved {row['resolved_at']}"
        lines.append(f"  {row['at']}  {row['id']:<28} {state:<28} {row['detail']}")
    return "\n".join(lines)


__all__ = ["FRONT_DESK", "NotAnswered", "add_commands", "ask_hub", "fetch_view", "hub_database", "show"]
