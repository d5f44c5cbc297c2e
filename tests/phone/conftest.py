from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.broker import Broker


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A private mosquitto, plain only: the line's MQTT is the kiosks' own ``KioskSync``,
    which tests/sync runs over TLS too; here a TLS run would only double the suite's time."""
    b = Broker(tmp_path / "broker", tls=False)
    b.start()
    yield b
    b.stop()
