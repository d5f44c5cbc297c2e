"""``kiosk hub ...``: run the hub, and act as the practice from a terminal.

``run`` is the service. ``status`` and ``ack`` send a command to the running hub over MQTT
(the hub stays the single writer), resending it until the hub answers, and exit with the
outcome's code (``hub.command_client.EXIT_CODES``); ``checkins`` and
``kiosks`` read the hub's database (read-only, safe while it runs).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from config import load_settings
from config.settings import Settings
from core.clock import SystemClock
from core.errors import ConfigError, KioskError, WireError
from core.logs import setup_logging
from core.systemd import serve_until_stopped
from hub import broker_config, broker_probe, fleet_config, intake, restore_cli, vault_cli
from hub.command_client import EXIT_CODES, Answer, Command, cli_identity, deliver
from hub.ehr import cli as ehr_cli
from hub.epoch import parse_epoch
from hub.health_view import health_rows, render_health
from hub.notify import cli as notify_cli
from hub.notify.hub_link import start_notifier
from hub.origin import PRACTICE_CLI_ID
from hub.sample import sample_morning
from hub.schedule_io import load_plan
from hub.service import HubService
from hub.status_command import build_request, deliver_status_change, outcome_said, resolve_provider
from hub.store import HubStore
from sync import staff_messages as sm
from sync.link import LinkEvent
from sync.topics import TopicTree
from sync.vault import store_key_source
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
    status.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the hub's answer")
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
    ack.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the hub's answer")
    ack.set_defaults(handler=_ack)

    web_password = sub.add_parser("web-password", help="set a staff member's dashboard password")
    web_password.add_argument("staff_id", help="an id of [staff.members]")
    web_password.add_argument("--stdin", action="store_true", help="read the password from standard input")
    web_password.set_defaults(handler=_web_password)

    kiosks = sub.add_parser("kiosks", help="list kiosks, their availability and what they display")
    kiosks.add_argument("--json", action="store_true")
    kiosks.set_defaults(handler=_kiosks)

    health = sub.add_parser("health", help="rejected messages (hub and kiosks) and the kiosks' health")
    health.add_argument("--json", action="store_true")
    health.set_defaults(handler=_health)

    broker_config.add_command(sub, _broker_config)
    notify_cli.add_command(sub, _read_store)
    ehr_cli.add_command(sub)
    vault_cli.add_commands(sub)  # rekey, revoke
    restore_cli.add_command(sub)
    fleet_config.add_command(sub, _fleet_config)
    intake.add_command(sub, _intake)
    broker_probe.add_command(sub)


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
        today = SystemClock().now().date()
        plan = load_plan(settings.hub.schedule_file) if not args.sample else sample_morning(today)
    # An unusable store (or a wrong key) is one clear line, before any thread.
    HubStore.open(_db_path(settings), key=store_key_source(settings)).close()
    service = HubService(settings)
    notifier = start_notifier(settings, service)  # before the hub: no change at start is missed
    service.start(plan)
    checks = {"hub loop": service.responsive, "mqtt supervisor": service.link.supervising}
    if notifier is not None:
        checks["notifier"] = notifier.responsive
    dashboard = interfaces = None
    try:
        if settings.hub.ehr.enabled or settings.hub.fhir.enabled:
            from hub.ehr.service import start_interfaces  # HL7/FHIR libraries only when asked for

            interfaces = start_interfaces(settings, service)
            checks.update(interfaces.checks)
            print("\n".join(interfaces.lines), flush=True)
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
        if interfaces is not None:
            interfaces.stop()
        service.stop()
        if notifier is not None:
            notifier.stop()
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
    store = HubStore.open(_db_path(settings), key=store_key_source(settings))
    try:
        with store.transaction():
            set_password(store, args.staff_id, hash_secret(password), SystemClock().now().isoformat())
    finally:
        store.close()
    print(f"dashboard password set for {args.staff_id}")
    return 0


def _status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = HubStore.open(_db_path(settings), readonly=True, key=store_key_source(settings))
    try:
        provider_id = resolve_provider(store, args.provider)
    finally:
        store.close()
    req = build_request(provider_id, args.state, args.value, args.reason, args.by)
    outcome, result = deliver_status_change(settings, req, args.timeout)
    if outcome.kind == "applied" and result is not None:
        change = f"{provider_id}: {args.state} {args.value or ''}".rstrip()
        print(f"Applied: {change} (status version {result.status_version})")
    else:
        print(outcome_said(outcome))
    return outcome.exit_code


@contextmanager
def _read_store(args: argparse.Namespace) -> Iterator[HubStore]:
    """The hub's database, read-only (safe while the hub runs)."""
    settings = _settings(args)
    store = HubStore.open(_db_path(settings), readonly=True, key=store_key_source(settings))
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
        epoch = store.epochs.current()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"hub epoch {epoch}")
    for row in rows:
        state = "online" if row.get("online") else "offline"
        drawn = _DRAWN.get(row.get("display_screen"), "-")
        follows = parse_epoch(row.get("display_epoch"))
        print(
            f"  {row['id']:<12} {state:<8} v{row.get('software_version') or '?':<8} {drawn:<8}"
            f" displays {row['display']} of epoch {'this' if follows == epoch else follows}"
            f"  outbox {_outbox_cell(row['health'])}"
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


def _health(args: argparse.Namespace) -> int:
    with _read_store(args) as store:
        view = health_rows(store)
    print(json.dumps(view, indent=2) if args.json else render_health(view))
    return 0


def _broker_config(args: argparse.Namespace) -> int:
    print(broker_config.write_from_args(args, _settings(args)))
    return 0


def _intake(args: argparse.Namespace) -> int:
    """An intake worker: [broker] is its own login at the central broker (docs/scale.md)."""
    settings = _settings(args)
    setup_logging(settings.kiosk.log_level)
    sites = intake.sites_from_args(args.site)
    keys = {site: store_key_source(settings, path) for site, path in sites.items()}
    for site, path in sites.items():
        HubStore.open(path, key=keys[site]).close()  # an unusable store is one clear line, first
    worker = intake.CheckinIntake(
        settings.broker,
        settings.broker.username or "intake",
        settings.kiosk.practice,
        sites,
        group=args.group,
        keys=keys,
    )
    worker.start()
    try:
        serve_until_stopped({"intake": worker.responsive})
    finally:
        worker.stop()
    return 0


def _fleet_config(args: argparse.Namespace) -> int:
    print(fleet_config.write_from_args(args))
    return 0


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
    path = _db_path(settings)
    if not path.exists():
        return None
    store = HubStore.open(path, readonly=True, key=store_key_source(settings))
    try:
        return store.staff.notice(notice_id)
    finally:
        store.close()


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
