"""``kiosk hub ...`` subcommands."""

from __future__ import annotations

from typing import Any


def add_commands(subparsers: Any) -> None:
    hub = subparsers.add_parser("hub", help="run or act as the practice hub")
    hub.set_defaults(handler=lambda args: hub.print_help() or 2)
