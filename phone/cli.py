"""``kiosk phone run``: the practice's phone line (docs/phone.md)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from config import load_settings
from core.logs import setup_logging
from core.systemd import ServiceLoop


def add_commands(subparsers: Any) -> None:
    phone = subparsers.add_parser("phone", help="the practice's phone line (SIP)")
    sub = phone.add_subparsers(dest="phone_command", metavar="ACTION")
    run = sub.add_parser("run", help="answer the practice's calls with the live provider status")
    run.set_defaults(handler=_run)
    phone.set_defaults(handler=lambda _args: phone.print_help() or 2)


def _run(args: argparse.Namespace) -> int:
    from phone.service import PhoneService

    settings = load_settings(args.config)
    setup_logging()
    service = PhoneService(settings)
    asyncio.run(_serve(service))
    return 0


async def _serve(service: object) -> None:
    from phone.service import PhoneService

    if not isinstance(service, PhoneService):  # pragma: no cover - typed entry
        return
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await service.start()
    try:
        with ServiceLoop({"sync": service.alive}):
            await stop.wait()
    finally:
        await service.stop()
