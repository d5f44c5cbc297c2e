"""The day a call is worded from is read on the line's loop (phone/day_snapshot.py): no
round trip to the sync worker at the answer, and a status change made at the real hub is
in the next call's day (real mosquitto, the real hub, the line's own cache)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hub.service import HubService
from phone.service import PhoneService
from tests.phone.support import phone_settings, until
from tests.support.broker import Broker
from tests.support.site import start_hub, status_request


async def _scenario(hub: HubService, settings_dir: Path, broker: Broker) -> None:
    service = PhoneService(phone_settings(broker, settings_dir))
    await service.start()
    try:

        async def day_loaded() -> bool:
            return service.snapshot.board is not None and len((await service.day()).providers) == 4

        await until(day_loaded, "the day's snapshot on the line's loop")
        asked: list[int] = []
        real_call = service.sync.call

        def counted(fn: Any, timeout: float = 10.0) -> Any:
            asked.append(1)
            return real_call(fn, timeout)

        service.sync.call = counted  # type: ignore[method-assign]
        for _ in range(10):
            assert len((await service.day()).providers) == 4
        assert asked == []  # no worker round trip for a call's day

        assert hub.set_status(status_request("martinez", "late", delay=25)).accepted

        async def late() -> bool:
            status = (await service.day()).statuses.get("martinez")
            return status is not None and status.state == "late" and status.delay_min == 25

        await until(late, "the hub's change in the line's day")
        assert asked == [] and service.snapshot.updates >= 2
    finally:
        await service.stop()


def test_the_day_is_read_on_the_loop_and_follows_the_hub(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    try:
        asyncio.run(_scenario(hub, tmp_path / "phone", broker))
    finally:
        hub.stop()
