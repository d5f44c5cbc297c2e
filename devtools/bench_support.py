"""What several bench areas share: waiting on a condition, and one kiosk's (or the hub's)
settings on a local broker with the shipped defaults."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from config.settings import BrokerSettings, HubSettings, KioskSettings, Settings


def wait_for(predicate: Callable[..., object], timeout: float) -> bool:
    """Poll ``predicate`` every 5 ms; whether it held within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def local_settings(port: int, state: Path, kiosk_id: str) -> Settings:
    """The shipped broker defaults (back-off included), only the address changed."""
    return Settings(
        kiosk=KioskSettings(
            id=kiosk_id, practice="bench", site="main", state_dir=str(state / kiosk_id), log_level="WARNING"
        ),
        broker=BrokerSettings(host="127.0.0.1", port=port),
        hub=HubSettings(state_dir=str(state / "hub")),
    )


__all__ = ["local_settings", "wait_for"]
