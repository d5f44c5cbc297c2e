"""``notify_burst``: two providers out, 500 patients still to come, every one consenting
to SMS. How long from the change until the last SMS reached the SMSC (``notify_burst_s``,
the goal: 10 s at the default 100 SMS/s, the 2 s merge window inside it), and, over that
run and a second one in which the hub is SIGKILLed mid-burst and started again, how many
patients heard it twice (``duplicates``) or not at all (``lost``); the goal for both is 0.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from config.settings import HubNotifySettings
from core.clock import SystemClock
from devtools.bench_notify_setup import notify_settings, shift_to_ten_am, sms_morning
from devtools.bench_support import wait_for
from devtools.local_broker import Broker
from devtools.smsc_sim import SmscSim, most_in_one_second
from hub.day_plan import DayPlan
from hub.notify.hub_link import start_notifier
from hub.sample import start_near
from hub.service import HubService
from hub.store import HubStore
from sync import messages as m

PROVIDERS = ("martinez", "chen")
_PER_PROVIDER = 250
_ROOT = Path(__file__).resolve().parents[1]


def _expected(plan: DayPlan) -> set[str]:
    ids = {a.id for a in plan.appointments if a.provider_id in PROVIDERS}
    return {c.phone for c in plan.contacts if c.appointment_id in ids}


def _request(provider_id: str) -> m.StatusChangeRequest:
    return m.StatusChangeRequest(
        key=uuid.uuid4().hex,
        kiosk_id="cli",
        provider_id=provider_id,
        state="out",
        requested_by="bench",
        requested_at=SystemClock().now().isoformat(),
        reason="sick",
    )


def _burst(
    state: Path, broker: Broker, smsc: SmscSim, start: datetime
) -> tuple[float, Counter[str], set[str]]:
    settings = notify_settings(state, smsc, broker.port)
    plan = sms_morning(start, _PER_PROVIDER)
    expected = _expected(plan)
    hub = HubService(settings)
    notifier = start_notifier(settings, hub)
    hub.start(plan)
    try:
        changed = time.monotonic()
        for provider_id in PROVIDERS:
            hub.set_status(_request(provider_id))
        wait_for(lambda: len(smsc.received()) >= len(expected), 30)
        time.sleep(1.0)  # anything sent twice arrives by now
        received = smsc.received()
        last = max((msg.at for msg in received), default=changed)
        return last - changed, Counter(msg.destination for msg in received), expected
    finally:
        hub.stop()
        if notifier is not None:
            notifier.stop()


def _killed(state: Path, broker: Broker, smsc: SmscSim, start: datetime) -> tuple[Counter[str], set[str]]:
    """The same burst, with the hub (and its notifier) SIGKILLed when a third has gone."""
    args = [str(broker.port), str(state), str(smsc.port), start.isoformat(), "100", str(_PER_PROVIDER)]
    expected = _expected(sms_morning(start, _PER_PROVIDER))

    def spawn() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.notify_hub_proc", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=_ROOT,
        )
        if proc.stdout is None or proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the bench hub did not start")
        return proc

    proc = spawn()
    if proc.stdin is None:
        raise RuntimeError("no stdin")
    for provider_id in PROVIDERS:
        proc.stdin.write(f"{provider_id} out\n")
        proc.stdin.flush()
    wait_for(lambda: len(smsc.received()) >= len(expected) // 3, 30)
    proc.kill()
    proc.wait(10)
    proc = spawn()
    db = state / "hub" / "hub.sqlite"
    try:
        wait_for(lambda: _delivered(db) >= len(expected), 60)
        time.sleep(2.0)  # past in_doubt_s of the test settings: a wrong resend shows
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(20)
    return Counter(msg.destination for msg in smsc.received()), expected


def _delivered(db: Path) -> int:
    store = HubStore.open(db, readonly=True)
    try:
        return store.notify.counts().get("delivered", 0)
    finally:
        store.close()


def run_bench(quick: bool) -> dict[str, Any]:
    shift_to_ten_am()
    start = start_near(SystemClock().now() + timedelta(minutes=30), 0)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-notify-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        try:
            smsc = SmscSim().start()
            try:
                seconds, got, expected = _burst(state / "burst", broker, smsc, start)
                rate_max = most_in_one_second([msg.at for msg in smsc.received()])
            finally:
                smsc.stop()
            dup = sum(n - 1 for n in got.values() if n > 1)
            lost = len(expected - set(got))
            killed_dup = killed_lost = 0
            if not quick:
                smsc = SmscSim().start()
                try:
                    got_k, expected_k = _killed(state / "killed", broker, smsc, start)
                finally:
                    smsc.stop()
                killed_dup = sum(n - 1 for n in got_k.values() if n > 1)
                killed_lost = len(expected_k - set(got_k))
        finally:
            broker.stop()
    return {
        "notify_burst_s": round(seconds, 3),
        "notify_rate_max_1s": rate_max,
        "notify_rate_set_per_s": HubNotifySettings().smpp_rate_per_s,
        "notify_burst": {
            "patients": len(expected),
            "seconds_to_last_submit": round(seconds, 3),
            "duplicates": dup + killed_dup,
            "lost": lost + killed_lost,
            "killed_run": "skipped (quick)" if quick else {"duplicates": killed_dup, "lost": killed_lost},
            "goal": "<= 10 s, 0 duplicates, 0 lost",
        },
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run_bench("--quick" in sys.argv)))
