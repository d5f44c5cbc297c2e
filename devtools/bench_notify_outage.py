"""``notify_outage_lost`` / ``notify_outage_doubled``: an SMSC outage of several minutes at
the documented defaults (``[hub.notify]`` as shipped: 2 s merge window, 0.5..60 s retry
back-off, 8 attempts, 30 s in doubt) must lose nothing and double nothing.

The notifier and its SMPP link run on a clock 20 times faster than the wall (every timer
of theirs, back-off and in-doubt included, reads it); the SMSC is the real simulator on
loopback. Two outages per length: one that starts before the change (every message
waits) and one that starts mid-burst (the SMS in flight are in doubt; their receipts wait
at the SMSC). ``lost``: patients never told; ``doubled``: extra copies at the SMSC.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.clock import SystemClock
from devtools.bench_notify_setup import commit_status, notify_settings, shift_to_ten_am, sms_morning
from devtools.bench_support import wait_for
from devtools.smsc_sim import SmscSim
from hub.notify.notifier import Notifier
from hub.sample import start_near
from hub.store import HubStore

SPEED = 20.0
PROVIDERS = ("martinez", "chen")
_PER_PROVIDER = 30


class FastClock:
    """Wall and monotonic time running ``speed`` times faster than real time."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._wall = SystemClock().now()
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        return (time.monotonic() - self._origin) * self.speed

    def now(self) -> datetime:
        return self._wall + timedelta(seconds=self.monotonic())

    def real_s(self, fast_s: float) -> float:
        return fast_s / self.speed


def _delivered(store: HubStore) -> int:
    return store.notify.counts().get("delivered", 0)


def _outage(state: Path, outage_s: float, mid_burst: bool) -> tuple[int, int]:
    """One outage of ``outage_s`` (fast) seconds: (lost, doubled)."""
    clock = FastClock(SPEED)
    smsc = SmscSim().start()
    start = start_near(clock.now() + timedelta(seconds=outage_s + 1800), 0)
    plan = sms_morning(start, _PER_PROVIDER)
    ids = {a.id for a in plan.appointments if a.provider_id in PROVIDERS}
    expected = {c.phone for c in plan.contacts if c.appointment_id in ids}
    db = state / "hub" / "hub.sqlite"
    store = HubStore.open(db)
    store.load_day(plan)
    notifier = Notifier(notify_settings(state, smsc), db_path=db, clock=clock)
    try:
        if not mid_burst:
            smsc.go_down()
        notifier.start()
        for provider_id in PROVIDERS:
            commit_status(store, provider_id, "out", at=clock.now(), changed_by="bench", reason="sick")
        if mid_burst:
            smsc.cut_after(len(expected) // 3)  # one SMS arrives unanswered: in doubt
            wait_for(lambda: len(smsc.received()) >= len(expected) // 3, 30)
            smsc.go_down()
        time.sleep(clock.real_s(outage_s))
        smsc.come_up()
        wait_for(lambda: _delivered(store) >= len(expected), 120)
        time.sleep(clock.real_s(2 * notifier.cfg.in_doubt_s))  # a wrong resend would have come by now
        got = Counter(msg.destination for msg in smsc.received())
        return len(expected - set(got)), sum(n - 1 for n in got.values() if n > 1)
    finally:
        notifier.stop()
        store.close()
        smsc.stop()


def run_bench(quick: bool) -> dict[str, Any]:
    shift_to_ten_am()
    lengths = (180.0,) if quick else (180.0, 600.0)
    lost = doubled = runs = 0
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-outage-") as tmp:
        for outage_s in lengths:
            for mid_burst in (False, True):
                runs += 1
                run_lost, run_doubled = _outage(Path(tmp) / f"run{runs}", outage_s, mid_burst)
                lost += run_lost
                doubled += run_doubled
    return {
        "notify_outage_lost": lost,
        "notify_outage_doubled": doubled,
        "notify_outage": {
            "outages_s": list(lengths),
            "runs": runs,
            "patients_per_run": len(PROVIDERS) * _PER_PROVIDER,
            "clock_speed": SPEED,
            "settings": "[hub.notify] defaults",
            "goal": "0 lost, 0 doubled",
        },
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run_bench("--quick" in sys.argv)))
