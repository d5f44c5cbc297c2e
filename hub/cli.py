"""``kiosk hub ...``: run the hub, and act as the practice from a terminal.

``run`` is the service. The front desk's commands (``status``, ``ack``, ``kiosks``,
``health``, ``escalations``, ``notifications``) are ``hub.desk_cli``'s: they work from any
PC with the practice's MQTT login. The rest here (``checkins``, ``audit``,
``web-password``...) read or write the hub's database and run on the hub machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from config import load_settings
from config.settings import Settings
from core.clock import SystemClock
from core.errors import ConfigError, KioskError
from core.logs import setup_logging
from core.systemd import serve_until_stopped
from hub import broker_config, broker_probe, desk_cli, fleet_config, intake, restore_cli, vault_cli, web_cli
from hub.ehr import cli as ehr_cli
from hub.notify import cli as notify_cli
from hub.notify.hub_link import start_notifier
from hub.sample import sample_morning
from hub.schedule_io import load_plan
from hub.service import HubService
from hub.store import HubStore
from sync.vault import store_key_source


def add_commands(subparsers: Any) -> None:
    hub = subparsers.add_parser(
        "hub",
        help="run or act as the practice hub",
        description=(
            "Front desk (any PC with the practice's MQTT login, the broker's address and CA): "
            + ", ".join(desk_cli.FRONT_DESK)
            + ". Every other command needs the hub machine itself (its database, keys or broker files)."
        ),
    )
    hub.set_defaults(handler=lambda _args: hub.print_help() or 2)
    sub = hub.add_subparsers(dest="hub_command", metavar="HUB_COMMAND")

    run = sub.add_parser("run", help="run the hub service (hub machine)")
    run.add_argument("--schedule", help="day schedule to load (CSV or JSON)")
    run.add_argument("--sample", action="store_true", help="load today's sample morning")
    run.set_defaults(handler=_run)

    checkins = sub.add_parser("checkins", help="list recorded check-ins (hub machine)")
    checkins.add_argument("--json", action="store_true")
    checkins.set_defaults(handler=_checkins)

    audit = sub.add_parser("audit", help="the hash-chained audit trail (hub machine)")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="AUDIT_COMMAND", required=True)
    audit_sub.add_parser("verify", help="check that no record was edited or removed").set_defaults(
        handler=_audit_verify
    )
    export = audit_sub.add_parser("export", help="write the trail as CSV")
    export.add_argument("file")
    export.set_defaults(handler=_audit_export)

    web_cli.add_command(sub)  # web-password

    desk_cli.add_commands(sub)  # status, ack, kiosks, health, escalations
    broker_config.add_command(sub, _broker_config)
    notify_cli.add_command(sub, desk_cli.show)
    notify_cli.add_staff_commands(sub, _staff_store)
    ehr_cli.add_command(sub)
    vault_cli.add_commands(sub)  # rekey, revoke
    restore_cli.add_command(sub)
    fleet_config.add_command(sub, _fleet_config)
    intake.add_command(sub, _intake)
    broker_probe.add_command(sub)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def _db_path(settings: Settings) -> Path:
    return desk_cli.hub_database(settings)


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    setup_logging(settings.kiosk.log_level)
    plan = None
    if args.schedule:
        plan = load_plan(args.schedule)
    elif args.sample or settings.hub.schedule_file:
        today = SystemClock().now().date()
        plan = load_plan(settings.hub.schedule_file) if not args.sample else sample_morning(today)
    for refusal in plan.refused if plan is not None else []:  # names file, row and column, never the value
        print(
            f"schedule: {refusal}: that patient's contact is left out; the rest of the day loads",
            file=sys.stderr,
        )
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
            if notifier is not None:  # the Notifications page refreshes live
                notifier.listeners.append(lambda: dashboard.dashboard.broadcaster.changed("notification"))
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


@contextmanager
def _read_store(args: argparse.Namespace) -> Iterator[HubStore]:
    """The hub's database, read-only (safe while the hub runs); on the hub machine only."""
    settings = _settings(args)
    if not _db_path(settings).is_file():
        raise ConfigError(
            f"`kiosk hub {args.hub_command}` reads the hub's database, which is not on this machine"
            f" ({_db_path(settings)}): run it on the hub machine. A front-desk terminal has"
            f" {', '.join(desk_cli.FRONT_DESK)}."
        )
    store = HubStore.open(_db_path(settings), readonly=True, key=store_key_source(settings))
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _staff_store(args: argparse.Namespace) -> Iterator[tuple[HubStore, str, str]]:
    """The hub's database, writable (a staff member's change from the command line), with
    the role of ``args.by`` and the time; an unknown staff id is refused."""
    from domain.staff import parse_members

    settings = _settings(args)
    members = {member.id: member for member in parse_members(settings.staff.members)}
    if args.by not in members:
        raise ConfigError(f"{args.by!r} is not in [staff.members]")
    store = HubStore.open(_db_path(settings), key=store_key_source(settings))
    try:
        yield store, members[args.by].role.value, SystemClock().now().isoformat()
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
