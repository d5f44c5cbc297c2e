"""The own-appointment limit across calls, end to end: SIPp (Debian's sip-tester) calls the
line again and again from one number keying birth dates nobody has; past the number's
failed lookups, its next call's key 3 is refused with the desk/callback offer (pocketsphinx
hears the refusal in the line's RTP) while another number still gets its lookup. The line
is the real service on a real hub's cache over a real mosquitto."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hub.service import HubService
from phone.service import PhoneService
from tests.phone.support import Ear, phone_settings, recognize, until
from tests.phone.test_own_sipp import scenario
from tests.phone.test_sipp import DTMF_0, sipp
from tests.support.broker import Broker
from tests.support.site import start_hub

pytestmark = pytest.mark.skipif(not DTMF_0.exists(), reason="SIPp is not installed (deps/apt-phone.txt)")

NOBODY = "3" + "02291904" + "62"  # a birth date no patient has, then "MA"
SIPP_NUMBER = "+15550199"  # the From of sipp_keys.xml
SAID = (
    "sorry i cannot look up more appointments for this phone number now",
    "sorry i cannot look up more appointments on this call",
    "i could not find that appointment",
    "please enter your date of birth as eight digits",
)


async def _call(service: PhoneService, keys: str, workdir: Path, stat: str, number: str) -> list[np.ndarray]:
    """SIPp from ``number`` keys ``keys``; what the line says once ``stat`` was counted."""
    ear, port = await Ear.open()
    try:
        path = scenario(workdir, keys, port, 9000)
        path.write_text(path.read_text().replace(SIPP_NUMBER, number))
        before = service.line.stats[stat]
        run = asyncio.create_task(sipp(service.line.port, ["-sf", str(path)], workdir))

        async def counted() -> bool:
            return service.line.stats[stat] > before or run.done()

        await until(counted, stat, timeout=60)
        assert service.line.stats[stat] == before + 1, dict(service.line.stats)
        mark = len(ear.heard.frames)
        while mark > 0 and ear.heard.speech[mark - 1]:
            mark -= 1
        code, out = await run
        assert code == 0, out
        return list(ear.heard.utterances(mark))
    finally:
        ear.close()


async def _scenario(settings_dir: Path, broker: Broker, workdir: Path) -> None:
    settings = phone_settings(broker, settings_dir)
    settings = replace(settings, phone=replace(settings.phone, own_lookup_failures=2))
    service = PhoneService(settings)
    await service.start()
    try:

        async def day_loaded() -> bool:
            return len((await service.day()).providers) == 4

        await until(day_loaded, "the phone's cache to hold the day")
        for _ in range(2):  # two calls, one failed lookup each: the number's two
            heard = await _call(service, NOBODY, workdir, "own_lookup_not_found", SIPP_NUMBER)
            assert recognize(heard[0], SAID) == "i could not find that appointment"

        heard = await _call(service, "3", workdir, "own_lookup_refused_number", SIPP_NUMBER)
        assert recognize(heard[0], SAID) == SAID[0]
        assert service.line.stats["own_lookup_not_found"] == 2  # nothing was looked up

        # Another number is not held by the first one's failures.
        heard = await _call(service, NOBODY, workdir, "own_lookup_not_found", "+15550123")
        assert recognize(heard[0], SAID) == "i could not find that appointment"
        assert service.line.stats["own_lookup_refused_number"] == 1
    finally:
        await service.stop()


def test_a_number_past_its_failed_lookups_is_refused_on_its_next_call(broker: Broker, tmp_path: Path) -> None:
    hub: HubService = start_hub(broker.settings(), tmp_path)
    try:
        asyncio.run(_scenario(tmp_path / "phone", broker, tmp_path))
    finally:
        hub.stop()
