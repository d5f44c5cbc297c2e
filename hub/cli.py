"""``kiosk hub ...``: run the hub, and act as the practice from a terminal.

``run`` is the service. ``status`` sends a status change to the running hub over MQTT
(the hub stays the single writer) and waits for its answer; ``checkins`` and
``kiosks`` read the hub's database (read-only, safe while it runs).
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from config import load_settings
from config.settings import Settings
from core.clock import SystemClock
from core.errors import ConfigError, KioskError, WireError
from core.logs import setup_logging
from core.systemd import serve_until_stopped
from hub.origin import PRACTICE_CLI_ID
from hub.sample import sample_morning
from hub.schedule_io import load_plan
from hub.service import HubService
from hub.store import HubStore
from sync import messages as m
from sync import staff_messages as sm
from sync.link import LinkEvent, MqttLink
from sync.topics import TopicTree
from sync.wire import decode, encode


def add_commands(subparsers: Any) -> None:
    hub = subparsers.add_parser("hub", help="run or act as the practice hub")
    hub.set_defaults(handler=lambda _args: hub.print_help() or 2)
    sub = hub.add_subparsers(dest="hub_command", metavar="HUB_COMMAND")

    run = sub.add_parser("run", help="run the hub service")
    run.add_argument("--schedule", help="day schedule to load (CSV or JSON)")
    run.add_argument("--sample", action="store_true", help="load today's sample morning")
    run.set_defaults(handler=_run)

    status = sub.add_parser(
        "status", help="change a provider's status: late N | out | leaving HH:MM | on-time"
    )
    status.add_argument("provider", help="provider id or a unique part of the name")
    status.add_argument("state", choices=["late", "out", "leaving", "on-time"])
    status.add_argument("value", nargs="?", help="minutes late, or HH:MM for leaving")
    status.add_argument("--reason", default="", help="e.g. sick, emergency")
    status.add_argument("--by", default="practice", help="who is making the change")
    status.add_argument("--timeout", type=float, default=10.0)
    status.set_defaults(handler=_status)

    checkins = sub.add_parser("checkins", help="list recorded check-ins")
    checkins.add_argument("--json", action="store_true")
    checkins.set_defaults(handler=_checkins)

    audit = sub.add_parser("audit", help="the hash-chained audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="AUDIT_COMMAND", required=True)
    audit_sub.add_parser("verify", help="check that no record was edited or removed").set_defaults(
        handler=_audit_verify
    )
    export = audit_sub.add_parser("export", help="write the trail as CSV")
    export.add_argument("file")
    export.set_defaults(handler=_audit_export)

    esc = sub.add_parser(
        "escalations", help="list open escalations (status not displayed, notices not acknowledged)"
    )
    esc.add_argument("--all", action="store_true", help="resolved ones too")
    esc.set_defaults(handler=_escalations)

    ack = sub.add_parser("ack", help="acknowledge a supervisor notice")
    ack.add_argument("notice")
    ack.add_argument("--by", required=True, help="the supervisor's staff id")
    ack.set_defaults(handler=_ack)

    web_password = sub.add_parser("web-password", help="set a staff member's dashboard password")
    web_password.add_argument("staff_id", help="an id of [staff.members]")
    web_password.add_argument("--stdin", action="store_true", help="read the password from standard input")
    web_password.set_defaults(handler=_web_password)

    kiosks = sub.add_parser("kiosks", help="list kiosks, their availability and what they display")
    kiosks.add_argument("--json", action="store_true")
    kiosks.set_defaults(handler=_kiosks)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def _db_path(settings: Settings) -> Path:
    return Path(settings.hub.state_dir) / "hub.sqlite"


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    setup_logging(settings.kiosk.log_level)
    plan = None
    if args.schedule:
        plan = load_plan(args.schedule)
    elif args.sample or settings.hub.schedule_file:
        plan = load_plan(settings.hub.schedule_file) if not args.sample else sample_morning(date.today())
    HubStore.open(_db_path(settings)).close()  # an unusable store is one clear line, before any thread
    service = HubService(settings)
    service.start(plan)
    checks = {"hub loop": service.responsive, "mqtt supervisor": service.link.supervising}
    dashboard = None
    try:
        if settings.hub.web.enabled:
            from hub.web import DashboardServer  # the web stack is loaded only when asked for

            dashboard = DashboardServer(settings, service)
            dashboard.start()
            checks["dashboard"] = dashboard.running
            print(f"dashboard: {dashboard.url}", flush=True)
        serve_until_stopped(checks)
    finally:
        if dashboard is not None:
            dashboard.stop()
        service.stop()
    return 0


def _web_password(args: argparse.Namespace) -> int:
    """Store a scrypt hash of a new dashboard password for a staff member."""
    from domain.staff import hash_secret, parse_members
    from hub.web.records import set_password

    settings = _settings(args)
    if args.staff_id not in {member.id for member in parse_members(settings.staff.members)}:
        raise ConfigError(
            f"{args.staff_id!r} is not in [staff.members] (`kiosk provision --staff` adds staff)"
        )
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        import getpass

        password = getpass.getpass(f"New dashboard password for {args.staff_id}: ")
        if getpass.getpass("Again: ") != password:
            raise ConfigError("the two passwords differ")
    if len(password) < 10:
        raise ConfigError("a dashboard password has at least 10 characters")
    store = HubStore.open(_db_path(settings))
    try:
        with store.transaction():
            set_password(store, args.staff_id, hash_secret(password), SystemClock().now().isoformat())
    finally:
        store.close()
    print(f"dashboard password set for {args.staff_id}")
    return 0


def resolve_provider(store: HubStore, text: str) -> str:
    providers = store.providers()
    if text in providers:
        return text
    hits = [pid for pid, name in providers.items() if text.lower() in name.lower()]
    if len(hits) != 1:
        known = ", ".join(f"{pid} ({name})" for pid, name in providers.items())
        raise ConfigError(f"provider {text!r} matches {len(hits)} providers; known: {known}")
    return hits[0]


def build_request(
    provider_id: str, state: str, value: str | None, reason: str, by: str
) -> m.StatusChangeRequest:
    wire_state = {"late": "late", "out": "out", "leaving": "leaving_early", "on-time": "on_time"}[state]
    delay, leaving = 0, ""
    if state == "late":
        if value is None or not value.isdigit() or not 0 < int(value) <= 600:
            raise ConfigError("late needs the minutes, 1 to 600: e.g. 'late 20'")
        delay = int(value)
    if state == "leaving":
        if value is None:
            raise ConfigError("leaving needs a time: e.g. 'leaving 15:30'")
        leaving = value
    req = m.StatusChangeRequest(
        key=uuid.uuid4().hex,
        kiosk_id=PRACTICE_CLI_ID,
        provider_id=provider_id,
        state=wire_state,  # type: ignore[arg-type]
        requested_by=by,
        requested_at=SystemClock().now().isoformat(),
        delay_min=delay,
        leaving_at=leaving,
        reason=reason,
        role="practice",
    )
    try:
        req.validate()
    except WireError as exc:
        raise ConfigError(exc.detail) from None
    return req


def _status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = HubStore.open(_db_path(settings), readonly=True)
    try:
        provider_id = resolve_provider(store, args.provider)
    finally:
        store.close()
    req = build_request(provider_id, args.state, args.value, args.reason, args.by)
    result = send_command(settings, req, args.timeout)
    if result is None:
        print(f"The hub did not answer in {args.timeout:.0f} s. The change is queued at the broker and")
        print("applies when the hub is running (`kiosk hub run`).")
        return 3
    if not result.accepted:
        print(f"Rejected: {result.reason}")
        return 1
    print(f"{provider_id}: {args.state} {args.value or ''} (status version {result.status_version})".rstrip())
    return 0


def send_command(settings: Settings, req: m.StatusChangeRequest, timeout: float) -> m.RequestResult | None:
    """Publish ``req`` on the hub's command topic and wait for the hub's answer."""
    tree = TopicTree(settings.kiosk.practice, settings.kiosk.site)
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(
        settings.broker,
        client_id=f"hub-cli-{req.key[:8]}",
        on_event=events.put,
        subscriptions=[tree.request_result(PRACTICE_CLI_ID)],
    )
    link.start()
    try:
        sent = False
        deadline = SystemClock().monotonic() + timeout
        while (left := deadline - SystemClock().monotonic()) > 0:
            try:
                event = events.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if event.kind == "connected" and not sent:
                sent = link.publish(tree.hub_command(), encode(req), qos=1)
            elif event.kind == "refused":
                raise KioskError(f"broker refused the connection: {event.reason}")
            elif event.kind == "message":
                try:
                    result = decode(event.payload, m.RequestResult)
                except WireError:
                    continue
                if result.key == req.key:
                    return result
        return None
    finally:
        link.stop()


@contextmanager
def _read_store(args: argparse.Namespace) -> Iterator[HubStore]:
    """The hub's database, read-only (safe while the hub runs)."""
    store = HubStore.open(_db_path(_settings(args)), readonly=True)
    try:
        yield store
    finally:
        store.close()


def _checkins(args: argparse.Namespace) -> int:
    with _read_store(args) as store:
        rows = store.checkins()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{len(rows)} check-ins")
    for row in rows:
        print(
            f"  {row['arrived_at']}  {row['appointment_id']:<10} {row['provider_id']:<10} "
            f"{row['kiosk_id']:<10} {row['method']:<6} {row['outcome']}"
        )
    return 0


# Where a kiosk's receipt comes from: a presented frame, or (headless) its cache.
_DRAWN: dict[object, str] = {1: "screen", 0: "headless"}


def _kiosks(args: argparse.Namespace) -> int:
    with _read_store(args) as store:
        rows = store.kiosks()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        state = "online" if row.get("online") else "offline"
        drawn = _DRAWN.get(row.get("display_screen"), "-")
        print(
            f"  {row['id']:<12} {state:<8} v{row.get('software_version') or '?':<8} {drawn:<8}"
            f" displays {row['display']}  outbox {_outbox_cell(row['health'])}"
        )
    return 0


def _outbox_cell(health: object) -> str:
    """Queued / sent-not-acknowledged / age of the oldest unacknowledged, as last reported."""
    if not isinstance(health, dict) or "outbox_depth" not in health:
        return "?"
    queued = health.get("outbox_queued", health["outbox_depth"])
    sent = health.get("outbox_sent", 0)
    oldest = float(health.get("oldest_unacked_s", -1.0))
    age = f", oldest {int(oldest)} s" if oldest >= 0 else ""
    return f"{queued} queued, {sent} unacknowledged{age}"


def _audit_verify(args: argparse.Namespace) -> int:
    with _read_store(args) as store:
        ok, summary = store.audit.verify()
    print(("ok: " if ok else "BROKEN: ") + summary)
    return 0 if ok else 1


def _audit_export(args: argparse.Namespace) -> int:
    with _read_store(args) as store:
        count = store.audit.export_csv(Path(args.file))
    print(f"wrote {count} records to {args.file}")
    return 0


def _escalations(args: argparse.Namespace) -> int:
    with _read_store(args) as store:
        rows = store.staff.escalations(only_open=not args.all)
    print(f"{len(rows)} {'escalations' if args.all else 'open escalations'}")
    for row in rows:
        state = "open" if row["open"] else f"resolved {row['resolved_at']}"
        print(f"  {row['at']}  {row['id']:<28} {state:<28} {row['detail']}")
    return 0


def _ack(args: argparse.Namespace) -> int:
    settings = _settings(args)
    tree = TopicTree(settings.kiosk.practice, settings.kiosk.site)
    msg = sm.NoticeAck(
        uuid.uuid4().hex, PRACTICE_CLI_ID, args.notice, args.by, SystemClock().now().isoformat()
    )
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(settings.broker, client_id=f"hub-cli-{msg.key[:8]}", on_event=events.put)
    link.start()
    try:
        while True:
            event = events.get(timeout=10)
            if event.kind == "connected":
                link.publish(tree.hub_command_ack(), encode(msg), qos=1, token=msg.key)
            elif event.kind == "published" and event.token == msg.key:
                if not event.ok:
                    raise KioskError(f"broker refused the acknowledgement: {event.reason}")
                print(f"acknowledged {args.notice}")
                return 0
            elif event.kind == "refused":
                raise KioskError(f"broker refused the connection: {event.reason}")
    except queue.Empty:
        print("the broker did not answer in 10 s")
        return 3
    finally:
        link.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """``kiosk-hub ...``: the commands of ``kiosk hub ...`` for a hub-only install (``.[hub]``)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config", default=None)
    known, rest = pre.parse_known_args(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="kiosk-hub", description="The practice hub.")
    parser.add_argument("--config", default=None, help="settings file (default: $KIOSK_CONFIG)")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args([*(["--config", known.config] if known.config else []), "hub", *rest])
    try:
        return int(args.handler(args) or 0)
    except KioskError as exc:
        print(f"kiosk-hub: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
