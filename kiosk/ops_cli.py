"""``kiosk provision | doctor | purge | reset``: what a technician runs on a unit."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from config import load_settings
from config.settings import DEFAULT_CONFIG_PATH
from kiosk.checks import (
    check_broker,
    check_clock,
    check_devices,
    check_speech,
    check_speech_es,
    check_speech_out,
    check_state_dir,
    report,
)
from kiosk.ops import doctor, factory_reset, purge, results_json
from kiosk.provision import Answers, fill_in, write_config
from kiosk.wipe import COREDUMP_DIR, SYSTEM_DIRS


def add_commands(subparsers: Any) -> None:
    prov = subparsers.add_parser("provision", help="write this unit's config, then verify it")
    prov.add_argument("--from", dest="base", help="start from this TOML file (e.g. one per practice)")
    prov.add_argument("--kiosk-id", default="")
    prov.add_argument("--practice", default="")
    prov.add_argument("--site", default="")
    prov.add_argument("--broker", default="", help="mqtt://HOST[:PORT] or mqtts://HOST[:PORT]")
    prov.add_argument("--username", default="")
    prov.add_argument("--password-file", default="", help="read the broker password from this file")
    prov.add_argument("--ca", default="", help="the practice's CA certificate (PEM)")
    prov.add_argument("--cert", default="", help="this kiosk's client certificate (PEM)")
    prov.add_argument("--key", default="", help="this kiosk's client key (PEM)")
    prov.add_argument(
        "--staff",
        action="append",
        default=[],
        metavar="ID:ROLE:PIN[:BADGE]",
        help="a staff member (front_desk, supervisor, technician), optionally with a badge id; repeatable",
    )
    prov.add_argument(
        "--hub-staff",
        default="",
        metavar="PATH",
        help="write the hub's [staff.members] (proof keys, mode 0600) here, for the hub's config",
    )
    prov.add_argument("--io-board", default="", help="I/O board serial port or URL")
    prov.add_argument("--printer", default="", help="ticket printer serial port or URL")
    prov.add_argument("--camera", default="", help="camera index or file")
    prov.add_argument("--language", choices=["en", "es"], help="the screen's language for each new patient")
    engines = ["auto", "whisper", "pocketsphinx", "vosk"]
    prov.add_argument("--speech-engine", choices=engines, help="speech recognizer")
    prov.add_argument("--speech-model", default="", help="installed vosk model directory")
    prov.add_argument(
        "--set",
        dest="extra",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="any other setting, e.g. speech.engine=vosk; repeatable",
    )
    prov.add_argument("--output", default=str(DEFAULT_CONFIG_PATH))
    prov.add_argument("--no-verify", action="store_true", help="write the file only")
    prov.set_defaults(handler=_provision)

    doc = subparsers.add_parser(
        "doctor", help="check a running unit: broker, cache, sync lag, devices, disk, clock"
    )
    doc.add_argument("--json", action="store_true")
    doc.set_defaults(handler=_doctor)

    pur = subparsers.add_parser("purge", help="remove patient data older than today (run daily by a timer)")
    pur.set_defaults(handler=_purge)

    reset = subparsers.add_parser("reset", help="wipe this unit")
    reset.add_argument(
        "--factory",
        action="store_true",
        required=True,
        help="remove credentials, keys, caches, logs and all patient data",
    )
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(handler=_reset)


def _ask(question: str, default: str, secret: bool) -> str:
    prompt = f"{question}{f' [{default}]' if default else ''}: "
    answer = getpass.getpass(prompt) if secret else input(prompt)
    return answer or default


def answers_from_args(args: argparse.Namespace) -> Answers:
    password = Path(args.password_file).read_text().strip() if args.password_file else ""
    return Answers(
        kiosk_id=args.kiosk_id,
        practice=args.practice,
        site=args.site,
        broker=args.broker,
        username=args.username,
        password=password,
        ca=args.ca,
        cert=args.cert,
        key=args.key,
        staff=args.staff,
        hub_staff=args.hub_staff,
        io_board=args.io_board,
        printer=args.printer,
        camera=args.camera,
        language=args.language or "",
        speech_engine=args.speech_engine or "",
        speech_model=args.speech_model,
        extra=args.extra,
    )


def build_answers(argv: list[str]) -> Answers:
    """Parse ``kiosk provision`` arguments into answers (for tests and scripts)."""
    parser = argparse.ArgumentParser(prog="kiosk")
    add_commands(parser.add_subparsers())
    return answers_from_args(parser.parse_args(["provision", *argv]))


def _provision(args: argparse.Namespace) -> int:
    answers = answers_from_args(args)
    interactive = sys.stdin is not None and sys.stdin.isatty()
    fill_in(answers, _ask if interactive else None)
    output = Path(args.output)
    settings = write_config(answers, output, Path(args.base) if args.base else None)
    print(f"wrote {output} (mode 0640)")
    for secret in (settings.broker.password_file, settings.kiosk.cache_key_file):
        if secret:
            print(f"kept a secret in {secret} (mode 0600)")
    if answers.staff:
        print(
            f"wrote the hub's staff list to {answers.hub_staff} (mode 0600): merge it into the hub's config"
            if answers.hub_staff
            else "the hub needs this staff list too: run again with --hub-staff PATH (once per practice)"
        )
    if args.no_verify:
        return 0
    results = [
        check_state_dir(Path(settings.kiosk.state_dir)),
        check_clock(),
        check_broker(settings.broker, settings.kiosk.id),
    ]
    results += check_devices(settings)
    results.append(check_speech(settings))
    results.append(check_speech_es(settings))
    results.append(check_speech_out(settings))
    print(report(results))
    return 0 if all(r.ok for r in results) else 1


def _doctor(args: argparse.Namespace) -> int:
    results = doctor(load_settings(args.config))
    print(results_json(results) if args.json else report(results))
    return 0 if all(r.ok for r in results) else 1


def _purge(args: argparse.Namespace) -> int:
    removed = purge(load_settings(args.config))
    print(f"purged {removed} appointments older than today")
    return 0


def _reset(args: argparse.Namespace) -> int:
    config_file = Path(args.config or os.environ.get("KIOSK_CONFIG", DEFAULT_CONFIG_PATH))
    settings = load_settings(config_file if config_file.exists() else None, env={}, read_secrets=False)
    if not args.yes:
        if not (sys.stdin and sys.stdin.isatty()):
            print("refusing without --yes (no terminal to confirm)", file=sys.stderr)
            return 2
        if input("Remove credentials, caches and all patient data? Type 'reset': ") != "reset":
            return 1
    for path in factory_reset(settings, config_file, SYSTEM_DIRS, COREDUMP_DIR):
        print(f"removed {path}")
    print("unit reset: provision it again with `kiosk provision`")
    return 0
