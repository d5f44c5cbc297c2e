from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.broker import BROKER_MODES, Broker


@pytest.fixture(params=BROKER_MODES)
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    """A private mosquitto, once plain and once over TLS: a transport fault (two writers on
    one TLS socket) must never pass on plain TCP alone. The CA and server certificate are
    made once per session (``devtools.local_broker``) and copied."""
    b = Broker(tmp_path / "broker", tls=request.param == "tls")
    b.start()
    yield b
    b.stop()
