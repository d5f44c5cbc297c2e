from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from core.clock import CLOCK_SHIFT_ENV
from tests.support.broker import BROKER_MODES, Broker
from tests.support.clock import shift_to_morning

# Every clock of the run (this process, the hub, kiosks, the Xvfb kiosk) reads 10:00 today
# onward, whatever the hour CI starts: a suite must not fail because it ran over midnight.
os.environ.setdefault(CLOCK_SHIFT_ENV, f"{shift_to_morning(datetime.now()):.0f}")


@pytest.fixture(params=BROKER_MODES)
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    """A private mosquitto, once plain and once over TLS: a transport fault (two writers on
    one TLS socket) must never pass on plain TCP alone. The CA and server certificate are
    made once per session (``devtools.local_broker``) and copied."""
    b = Broker(tmp_path / "broker", tls=request.param == "tls")
    b.start()
    yield b
    b.stop()
