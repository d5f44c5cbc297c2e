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

from kiosk import __version__
from kiosk.errors import KioskError

_COMMAND_MODULES = (
    "kiosk.commands",
    "sync.hub.cli",
    "kiosk.ops_cli",
    "hardware.cli",
    "speech.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Robot receptionist kiosk and practice hub.")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config", help="settings file (default: $KIOSK_CONFIG or /etc/kiosk/kiosk.toml)", default=None
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).add_commands(subparsers)
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
