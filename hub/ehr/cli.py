"""``kiosk hub ehr status`` (what the interface has done, from the hub's database, read-only)
and ``kiosk hub ehr replay FILE`` (a technician feeds a file of messages to the running
hub's listener, over MLLP like the practice system, and sees each ACK)."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import load_settings
from core.clock import SystemClock
from core.errors import ConfigError, KioskError, WireError
from hub.store import HubStore
from sync.vault import store_key_source

if TYPE_CHECKING:
    from hub.ehr.acks import AckReply

# python-hl7 is imported by the commands that use it: `kiosk hub --help` needs none of it.

_OUTCOMES = ("AA", "AE", "AR", "duplicate", "stale", "orphan", "unreadable")


def add_command(sub: Any) -> None:
    ehr = sub.add_parser("ehr", help="the practice system's feed (HL7 v2 SIU over MLLP)")
    ehr_sub = ehr.add_subparsers(dest="ehr_command", metavar="EHR_COMMAND", required=True)
    status = ehr_sub.add_parser("status", help="connections, last message, counts by outcome, lag, arrivals")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)
    replay = ehr_sub.add_parser("replay", help="send a file of HL7 messages to the running hub's listener")
    replay.add_argument("file")
    replay.add_argument("--host", default="", help="default: [hub.ehr] host (127.0.0.1 for 0.0.0.0)")
    replay.add_argument("--port", type=int, default=0, help="default: [hub.ehr] port")
    replay.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each ACK")
    replay.set_defaults(handler=_replay)


# --- status ---------------------------------------------------------------------------


def status_view(store: HubStore, now: datetime) -> dict[str, Any]:
    db = store.db
    counters = store.counters()
    last = db.execute(
        "SELECT received_at, sent_at, type, outcome, control_id, reason FROM ehr_messages"
        " ORDER BY received_at DESC LIMIT 1"
    ).fetchone()
    connections = [
        {"peer": r[0], "direction": r[1], "since": r[2], "messages": r[3]}
        for r in db.execute(
            "SELECT peer, direction, opened_at, messages FROM ehr_connections"
            " WHERE closed_at = '' ORDER BY id"
        )
    ]
    arrivals = {
        r[0]: {"count": r[1], "oldest": r[2]}
        for r in db.execute("SELECT state, count(*), min(created_at) FROM ehr_outbound GROUP BY state")
    }
    failing = db.execute(
        "SELECT last_code, last_error, attempts FROM ehr_outbound WHERE state = 'pending' AND attempts > 0"
        " ORDER BY created_at LIMIT 1"
    ).fetchone()
    view: dict[str, Any] = {
        "connections": connections,
        "counts": {name: counters.get(f"ehr_{name}", 0) for name in _OUTCOMES},
        "last_message": None,
        "arrivals": {
            "pending": arrivals.get("pending", {}).get("count", 0),
            "acked": arrivals.get("acked", {}).get("count", 0),
            "oldest_pending_s": _age(arrivals.get("pending", {}).get("oldest"), now),
            "last_error": f"{failing[0] or '-'} {failing[1]} ({failing[2]} attempts)".strip()
            if failing
            else "",
        },
    }
    watermark = db.execute("SELECT value FROM ehr_state WHERE name = 'fhir_watermark'").fetchone()
    view["fhir_watermark"] = watermark[0] if watermark else ""
    if last is not None:
        view["last_message"] = {
            "received_at": last[0],
            "type": last[2],
            "outcome": last[3],
            "control_id": last[4],
            "reason": last[5],
            "lag_s": _lag(last[1], last[0]),
        }
    return view


def _age(stamp: object, now: datetime) -> float | None:
    if not isinstance(stamp, str) or not stamp:
        return None
    return round((now - datetime.fromisoformat(stamp)).total_seconds(), 1)


def _lag(sent_utc: str, received_local: str) -> float | None:
    """Seconds from MSH-7 (the sender's clock) to the hub's receipt."""
    if not sent_utc:
        return None
    received = datetime.fromisoformat(received_local).astimezone()
    return round((received - datetime.fromisoformat(sent_utc)).total_seconds(), 1)


def render_status(view: dict[str, Any]) -> str:
    lines = [f"connections: {len(view['connections'])}"]
    lines += [f"  {c['direction']:<3} {c['peer']}  since {c['since']}" for c in view["connections"]]
    lines.append("messages: " + ", ".join(f"{name} {n}" for name, n in view["counts"].items()))
    last = view["last_message"]
    if last is None:
        lines.append("last message: none yet")
    else:
        lag = "?" if last["lag_s"] is None else f"{last['lag_s']} s"
        reason = f" ({last['reason']})" if last["reason"] else ""
        lines.append(
            f"last message: {last['received_at']} {last['type']} {last['control_id']} "
            f"{last['outcome']}{reason}, lag {lag}"
        )
    a = view["arrivals"]
    oldest = "" if a["oldest_pending_s"] is None else f", oldest {a['oldest_pending_s']} s"
    error = f", last error: {a['last_error']}" if a["last_error"] else ""
    lines.append(f"arrivals: {a['acked']} acknowledged, {a['pending']} pending{oldest}{error}")
    if view.get("fhir_watermark"):
        lines.append(f"fhir: changes taken up to {view['fhir_watermark']}")
    return "\n".join(lines)


def _status(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    store = HubStore.open(
        Path(settings.hub.state_dir) / "hub.sqlite", readonly=True, key=store_key_source(settings)
    )
    try:
        view = status_view(store, SystemClock().now())
    finally:
        store.close()
    print(json.dumps(view, indent=2) if args.json else render_status(view))
    return 0


# --- replay ---------------------------------------------------------------------------


def split_messages(data: bytes) -> list[bytes]:
    """The messages of a file: MLLP frames, or text with a line per segment (CR, LF or
    CRLF), messages starting at each MSH."""
    import hl7

    if b"\x0b" in data:
        return [f.strip(b"\x0b\r\n") for f in data.split(b"\x1c") if f.strip(b"\x0b\r\n \x1c")]
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\r").replace("\n", "\r")
    return [msg.encode() for msg in hl7.split_file(text)]


async def _send_all(
    host: str,
    port: int,
    frames: Sequence[bytes],
    timeout: float,
    report: Callable[[int, AckReply | str], None],
) -> None:
    from hl7.mllp import open_hl7_connection

    from hub.ehr.acks import read_ack

    reader, writer = await open_hl7_connection(host, port)
    try:
        for number, frame in enumerate(frames, start=1):
            writer.writeblock(frame)
            await writer.drain()
            try:
                report(number, read_ack(await asyncio.wait_for(reader.readblock(), timeout)))
            except TimeoutError:
                report(number, "no ACK in time")
                return
            except WireError as exc:
                report(number, f"unreadable ACK: {exc.detail}")
    finally:
        writer.close()


def _replay(args: argparse.Namespace) -> int:
    settings = load_settings(args.config).hub.ehr
    try:
        frames = split_messages(Path(args.file).read_bytes())
    except OSError as exc:
        raise ConfigError(f"{args.file}: cannot read: {exc.strerror}") from exc
    if not frames:
        raise ConfigError(f"{args.file}: no HL7 message (none starts with MSH)")
    host = args.host or ("127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host)  # noqa: S104
    port = args.port or settings.port
    codes: list[str] = []

    def report(number: int, reply: AckReply | str) -> None:
        if isinstance(reply, str):
            codes.append("none")
            print(f"{number:>5}  -   {reply}")
            return
        codes.append(reply.code)
        text = f"  {reply.text}" if reply.text else ""
        print(f"{number:>5}  {reply.code}  {reply.control_id}{text}")

    try:
        asyncio.run(_send_all(host, port, frames, args.timeout, report))
    except OSError as exc:
        raise KioskError(f"cannot reach the hub's MLLP listener at {host}:{port}: {exc.strerror}") from None
    print(f"{len(frames)} messages: " + ", ".join(f"{c} {codes.count(c)}" for c in dict.fromkeys(codes)))
    if len(codes) < len(frames) or "none" in codes:
        return 4
    return 0 if set(codes) <= {"AA", "CA"} else 3
