"""``kiosk hub web-password``: set or remove a staff member's dashboard password (a scrypt
hash in the hub database). The running dashboard sees a change within a second: it ends
the member's sessions and lifts any hold on the account."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from config import load_settings
from config.settings import Settings
from core.clock import SystemClock
from core.errors import ConfigError
from domain.staff import hash_secret, parse_members
from hub.store import HubStore
from hub.web.records import remove_password, set_password
from sync.vault import store_key_source


def add_command(sub: Any) -> None:
    web_password = sub.add_parser(
        "web-password",
        help="set (or --remove) a staff member's dashboard password; a new one also lifts a hold",
    )
    web_password.add_argument("staff_id", help="an id of [staff.members]")
    web_password.add_argument("--stdin", action="store_true", help="read the password from standard input")
    web_password.add_argument(
        "--remove", action="store_true", help="remove the password: the member's dashboard sessions end"
    )
    web_password.set_defaults(handler=_web_password)


def _web_password(args: argparse.Namespace) -> int:
    """Store a scrypt hash of a new dashboard password for a staff member."""
    settings = load_settings(args.config)
    if args.staff_id not in {member.id for member in parse_members(settings.staff.members)}:
        raise ConfigError(
            f"{args.staff_id!r} is not in [staff.members] (`kiosk provision --staff` adds staff)"
        )
    if args.remove:
        return _web_password_removed(settings, args.staff_id)
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        import getpass

        password = getpass.getpass(f"New dashboard password for {args.staff_id}: ")
        if getpass.getpass("Again: ") != password:
            raise ConfigError("the two passwords differ")
    if len(password) < 10:
        raise ConfigError("a dashboard password has at least 10 characters")
    store = HubStore.open(Path(settings.hub.state_dir) / "hub.sqlite", key=store_key_source(settings))
    try:
        with store.transaction():
            set_password(store, args.staff_id, hash_secret(password), SystemClock().now().isoformat())
    finally:
        store.close()
    sys.stdout.write(f"dashboard password set for {args.staff_id}\n")
    return 0


def _web_password_removed(settings: Settings, staff_id: str) -> int:
    store = HubStore.open(Path(settings.hub.state_dir) / "hub.sqlite", key=store_key_source(settings))
    try:
        with store.transaction():
            removed = remove_password(store, staff_id)
    finally:
        store.close()
    sys.stdout.write(f"dashboard password of {staff_id} {'removed' if removed else 'was not set'}\n")
    return 0
