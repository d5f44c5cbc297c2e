"""The ``kiosk`` command: one entry point, a subcommand per job.

Each area registers its own subcommands through an ``add_commands(subparsers)``
function listed in ``_COMMAND_MODULES``; a handler takes the parsed arguments and
returns the process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from core.errors import KioskError
from core.version import __version__

_COMMAND_MODULES = (
    "kiosk.commands",
    "hub.cli",
    "kiosk.ops_cli",
    "kiosk.vault_cli",
    "hardware.cli",
    "speech.cli",
    "phone.cli",
)


_OWN_PACKAGES = frozenset(
    {"core", "config", "sync", "domain", "hub", "hardware", "speech", "ui", "kiosk", "phone"}
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Robot receptionist kiosk and practice hub.")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config", help="settings file (default: $KIOSK_CONFIG or /etc/kiosk/kiosk.toml)", default=None
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A hub server installs ``.[hub]`` only: the kiosk's device and speech commands
            # need packages it does not have, and are left out rather than breaking ``kiosk hub``.
            if exc.name is None or exc.name.split(".")[0] in _OWN_PACKAGES:
                raise
            continue
        module.add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
