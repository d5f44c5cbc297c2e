"""A hub SIGKILLed in the middle of a burst of SMS, then started again: nobody is left
out and nobody hears it twice (an SMS whose submission the kill cut off is sent again
only when the SMSC has no receipt for it)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from devtools.local_broker import Broker
from devtools.smsc_sim import SmscSim
from hub.store import HubStore
from tests.hub.notify.rig import affected, all_final, future_morning, morning_ahead, settle
from tests.support.procs import Proc


def test_a_hub_killed_mid_burst_loses_and_doubles_nothing(tmp_path: Path, smsc: SmscSim) -> None:
    broker = Broker(tmp_path / "broker")
    broker.start()
    start = morning_ahead().isoformat()
    args = (str(broker.port), str(tmp_path), str(smsc.port), start, "12")
    expected = affected(future_morning(15, start=morning_ahead()), "martinez", "chen")
    hub = Proc("tests.support.notify_hub_proc", *args)
    try:
        assert hub.ask("martinez out") == "applied"
        assert hub.ask("chen out") == "applied"
        deadline = time.monotonic() + 60
        while len(smsc.received()) < 14 and time.monotonic() < deadline:
            time.sleep(0.005)
        hub.kill()
        sent_before = len(smsc.received())
        assert 0 < sent_before < len(expected)  # killed mid-burst
        hub = Proc("tests.support.notify_hub_proc", *args)
        reader = HubStore.open(tmp_path / "hub" / "hub.sqlite", readonly=True)
        settle(reader, lambda c: all_final(c) and c.get("delivered", 0) == len(expected), timeout=30)
        reader.close()
        time.sleep(1.5)  # past in_doubt_s: a wrongly resent message would have arrived by now
        got = Counter(m.destination for m in smsc.received())
        assert got == Counter(dict.fromkeys(expected, 1))
    finally:
        hub.close()
        broker.stop()
