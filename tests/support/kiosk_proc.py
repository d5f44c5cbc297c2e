"""A kiosk in its own process, driven over stdin, so a test can SIGKILL it mid-flight.

    python -m tests.support.kiosk_proc PORT STATE_DIR [KIOSK_ID [CA_FILE]]
(with CA_FILE, over TLS to ``localhost``, as ``Broker(tls=True).settings()`` would)
stdin:  ``checkin <appointment_id> <key>``  →  stdout: ``committed <key>``
        ``connected?``  →  ``connected True|False``
        ``appointments?``  →  ``appointments <how many the cache holds>``
        ``outbox?``  →  ``outbox <queued> <sent>`` (what the hub has not acknowledged)
        ``status? <provider>``  →  ``status <version> <state> <epoch>`` (``status none <epoch>``)
"""

from __future__ import annotations

import sys
from pathlib import Path

from config.settings import BrokerSettings
from devtools.local_broker import Broker
from sync.kiosk_sync import KioskSync
from sync.messages import Appointment
from tests.support.site import checkin, site_settings


def _appointment(sync: KioskSync, appointment_id: str) -> Appointment:
    appt = sync.call(lambda cache: cache.appointment(appointment_id))
    if appt is None:
        raise SystemExit(f"kiosk_proc: no appointment {appointment_id} in the kiosk cache")
    return appt


def command(broker: Broker, state_dir: Path, kiosk_id: str = "lobby-1") -> list[str]:
    """The command line of a kiosk process that reaches ``broker`` (plain or TLS)."""
    target = broker.settings()
    ca = [target.ca_file] if target.tls else []
    return [sys.executable, "-m", "tests.support.kiosk_proc", str(target.port), str(state_dir), kiosk_id, *ca]


def _answer(sync: KioskSync, parts: list[str]) -> str:
    if parts[:1] == ["checkin"]:
        sync.submit(checkin(_appointment(sync, parts[1]), kiosk_id=sync.kiosk_id, key=parts[2]))
        return f"committed {parts[2]}"
    if parts[:1] == ["connected?"]:
        return f"connected {sync.link.connected}"
    if parts[:1] == ["appointments?"]:
        count = sync.call(lambda c: c.db.execute("SELECT count(*) FROM appointments").fetchone()[0])
        return f"appointments {count}"
    if parts[:1] == ["outbox?"]:
        depths = sync.call(lambda _c: sync.outbox.depths())
        return f"outbox {depths.queued} {depths.sent}"
    if parts[:1] == ["status?"]:
        status, epoch = sync.call(lambda c: (c.status(parts[1]), c.epoch()))
        held = f"{status.version} {status.state}" if status is not None else "none"
        return f"status {held} {epoch}"
    return f"unknown {' '.join(parts)}"


def main() -> None:
    port, state_dir = int(sys.argv[1]), Path(sys.argv[2])
    kiosk_id = sys.argv[3] if len(sys.argv) > 3 else "lobby-1"
    ca_file = sys.argv[4] if len(sys.argv) > 4 else ""
    broker = BrokerSettings(
        host="localhost" if ca_file else "127.0.0.1",
        port=port,
        ca_file=ca_file,
        reconnect_min_s=0.1,
        reconnect_max_s=0.5,
        keepalive_s=5,
    )
    sync = KioskSync(site_settings(broker, state_dir, kiosk_id))
    sync.start()
    print("ready", flush=True)
    for line in sys.stdin:
        print(_answer(sync, line.split()), flush=True)
    sync.stop()


if __name__ == "__main__":
    main()
