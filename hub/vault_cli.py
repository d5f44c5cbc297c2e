"""``kiosk hub rekey`` (the store moves to a new key) and ``kiosk hub revoke ID`` (a kiosk
is no longer enrolled: ``hub.revoke``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from config import load_settings
from sync.cipher import rotate
from sync.vault import KeySource, store_key_source


def add_commands(sub: Any) -> None:
    rekey = sub.add_parser("rekey", help="re-encrypt the hub's database under a new key (hub stopped)")
    rekey.add_argument(
        "--old-key-command",
        default="",
        help="with [hub] store_key_command: the command that gives the old key",
    )
    rekey.set_defaults(handler=_rekey)

    revoke = sub.add_parser("revoke", help="revoke a kiosk: it erases its data; its broker login is removed")
    revoke.add_argument("kiosk_id")
    revoke.add_argument("--reason", default="revoked by the practice")
    revoke.add_argument("--broker-dir", default="", help="the broker's files (default: [hub] broker_dir)")
    revoke.add_argument(
        "--reload-command",
        default="",
        help="how to make the broker reload, e.g. 'systemctl reload mosquitto'",
    )
    revoke.add_argument("--wait", type=float, default=10.0, help="seconds to wait for the hub to publish it")
    revoke.set_defaults(handler=_revoke)


def _rekey(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    path = Path(settings.hub.state_dir) / "hub.sqlite"
    previous = KeySource(command=args.old_key_command) if args.old_key_command else None
    _say(f"{path}: {rotate(path, store_key_source(settings), previous)}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from hub.revoke import revoke

    settings = load_settings(args.config)
    where = args.broker_dir or settings.hub.broker_dir
    done = revoke(
        settings,
        args.kiosk_id,
        args.reason,
        broker_dir=Path(where) if where else None,
        reload_command=args.reload_command,
        wait_s=args.wait,
    )
    _say(f"{done.kiosk_id}: {'revoked' if done.newly else 'already revoked'}")
    _say(
        "  the hub published the revocation (a connected kiosk erases itself now)"
        if done.published
        else "  the hub has not published it yet: it does when it runs (`kiosk hub run`)"
    )
    if not where:
        _say(f"  remove {done.kiosk_id} from the broker's password file and ACL, then reload the broker")
    else:
        _say(f"  removed from the broker's files: {', '.join(done.broker_files) or 'nothing (not there)'}")
        if not done.reloaded:
            _say("  reload the broker now (e.g. `systemctl reload mosquitto`) so the login stops working")
    return 0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
