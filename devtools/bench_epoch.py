"""How fast kiosks follow a hub that lost its future (docs/protocol.md, "Epochs"):

- ``epoch_follow_s.restore``: the hub is stopped and started again on a copy of its store
  taken earlier (two status changes ago) → every kiosk follows the hub's new epoch and
  shows the restored state (versions below what it held);
- ``epoch_follow_s.reinstall``: the same with no store at all (a reinstalled hub).

Seconds from the new hub's ``start()`` until the last of ``_KIOSKS`` kiosks shows it, over
a real mosquitto with the shipped defaults; p50 and max over the runs (goal <= 2 s).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from core.clock import SystemClock
from devtools.bench_support import local_settings, wait_for
from devtools.local_broker import Broker
from hub.sample import sample_morning
from hub.service import HubService
from sync import messages as m
from sync.kiosk_sync import KioskSync

_KIOSKS = 3
_GOAL_S = 2.0




def _request(provider: str, state: str, delay: int = 0) -> m.StatusChangeRequest:
    return m.StatusChangeRequest(
        key=f"bench-{time.monotonic_ns()}",
        kiosk_id="cli",
        provider_id=provider,
        state=state,  # type: ignore[arg-type]
        requested_by="bench",
        requested_at=SystemClock().now().isoformat(timespec="minutes"),
        delay_min=delay,
        reason="sick" if state == "out" else "",
    )


def _shows(kiosks: list[KioskSync], epoch: m.Epoch, version: int, state: str) -> bool:
    def one(kiosk: KioskSync) -> bool:
        followed, status = kiosk.call(lambda c: (c.epoch(), c.status("chen")), 2.0)
        return followed == epoch and status is not None and (status.version, status.state) == (version, state)

    return all(one(k) for k in kiosks)


def follow_once(state: Path, restore: bool) -> float:
    """One run: seconds until every kiosk follows the new hub."""
    broker = Broker(state / "broker")
    broker.start()
    plan = sample_morning(SystemClock().now().date())
    hub = HubService(local_settings(broker.port, state, "hub"))
    hub.start(plan)
    kiosks = [KioskSync(local_settings(broker.port, state, f"k{i}")) for i in range(_KIOSKS)]
    for kiosk in kiosks:
        kiosk.start()
    try:
        hub.set_status(_request("chen", "late", 10))
        if not wait_for(lambda: _shows(kiosks, hub.own.epoch, 1, "late"), 20):
            raise RuntimeError("the kiosks did not take the first status")
        hub_dir, backup = state / "hub", state / "backup"
        backup.mkdir()
        for name in ("hub.sqlite", "hub.sqlite-wal", "store.key"):
            if (hub_dir / name).exists():
                shutil.copy2(hub_dir / name, backup / name)
        hub.set_status(_request("chen", "late", 20))
        hub.set_status(_request("chen", "out"))
        if not wait_for(lambda: _shows(kiosks, hub.own.epoch, 3, "out"), 20):
            raise RuntimeError("the kiosks did not take the later statuses")
        hub.stop()
        shutil.rmtree(hub_dir)
        if restore:
            shutil.copytree(backup, hub_dir)
        hub = HubService(local_settings(broker.port, state, "hub"))
        started = time.monotonic()
        hub.start(plan)
        version, expect = (1, "late") if restore else (0, "on_time")
        if not wait_for(lambda: _shows(kiosks, hub.own.epoch, version, expect) and hub.own.epoch.id, 30):
            raise RuntimeError("the kiosks did not follow the new epoch")
        return time.monotonic() - started
    finally:
        for kiosk in kiosks:
            kiosk.stop()
        hub.stop()
        broker.stop()


def bench_epoch_follow(state: Path, runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {"kiosks": _KIOSKS, "runs": runs, "goal_s": _GOAL_S}
    for name, restore in (("restore", True), ("reinstall", False)):
        samples = [follow_once(state / f"{name}-{i}", restore) for i in range(runs)]
        out[name] = {"p50": round(statistics.median(samples), 3), "max": round(max(samples), 3)}
    return {"epoch_follow_s": out}


def run_bench(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-epoch-") as tmp:
        return bench_epoch_follow(Path(tmp), runs=2 if quick else 5)
