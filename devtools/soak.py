"""The long version of tests/sync/test_broker_crashes.py, for a soak run from a checkout:

    python -m devtools.soak [--broker-kills 200] [--hub-kills 20] [--hub-away-s 180]

Three kiosk processes check patients in while the broker is SIGKILLed and restarted at
random moments (down 0.7-2.8 s, as in issue 19) and the hub is SIGKILLed now and then;
then the hub stays away for ``--hub-away-s`` while the broker is killed again. Prints a
JSON summary; exits 1 when a check-in was lost or doubled, an outbox did not empty, or a
database failed ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from devtools.local_broker import Broker
from tests.support.practice import Practice, assert_exactly_once


def _crashes(practice: Practice, broker_kills: int, hub_kills: int) -> None:
    rng = practice.rng
    hub_at = set(rng.sample(range(broker_kills), min(hub_kills, broker_kills)))
    for cycle in range(broker_kills):
        time.sleep(rng.uniform(0.5, 3.0))
        practice.kill_broker(rng.uniform(0.7, 2.8))
        if cycle in hub_at:
            time.sleep(rng.uniform(0.0, 1.0))
            practice.kill_hub(rng.uniform(0.5, 3.0))


def _hub_away(practice: Practice, away_s: float) -> None:
    rng = practice.rng
    practice.stop_hub_hard()
    practice.events.append(f"hub away {away_s:.0f}s")
    gone = time.monotonic()
    while time.monotonic() - gone < away_s:
        time.sleep(rng.uniform(2.0, 10.0))
        practice.kill_broker(rng.uniform(0.7, 2.8))
    practice.start_hub()
    practice.events.append("hub back")
    time.sleep(5.0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--broker-kills", type=int, default=200)
    parser.add_argument("--hub-kills", type=int, default=20)
    parser.add_argument("--hub-away-s", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as tmp:
        state = Path(tmp)
        broker = Broker(state / "broker")
        broker.start()
        practice = Practice(broker, state, seed)
        summary: dict[str, object] = {"seed": seed}
        try:
            practice.check_in_while(lambda: _crashes(practice, args.broker_kills, args.hub_kills))
            practice.check_in_while(lambda: _hub_away(practice, args.hub_away_s))
            assert_exactly_once(practice, drain_timeout=300)
            summary["result"] = "ok: 0 lost, 0 doubled, every outbox empty, integrity ok"
            code = 0
        except AssertionError as exc:
            summary["result"] = f"FAILED: {exc}"
            code = 1
        finally:
            practice.close()
            broker.stop()
    summary.update(
        committed=len(practice.committed),
        broker_kills=sum(e.startswith("broker down") for e in practice.events),
        hub_kills=sum(e.startswith("hub down") for e in practice.events),
        minutes=round((time.monotonic() - started) / 60, 1),
    )
    print(json.dumps(summary, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(main())
