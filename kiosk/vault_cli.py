"""``kiosk rekey``: re-encrypt this kiosk's cache under a new key (the service stopped)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from config import load_settings
from kiosk.ops import cache_path
from sync.cipher import rotate
from sync.vault import KeySource, cache_key_source


def add_commands(subparsers: Any) -> None:
    rekey = subparsers.add_parser(
        "rekey", help="re-encrypt the cache under a new key (stop the kiosk service first)"
    )
    rekey.add_argument(
        "--old-key-command",
        default="",
        help="with [kiosk] cache_key_command: the command that gives the old key",
    )
    rekey.set_defaults(handler=_rekey)


def _rekey(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    path = cache_path(settings)
    previous = KeySource(command=args.old_key_command) if args.old_key_command else None
    _say(f"{path}: {rotate(path, cache_key_source(settings, path), previous)}")
    return 0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
