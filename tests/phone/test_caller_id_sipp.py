"""Caller-ID matching end to end: SIPp calls the line from a booked patient's number (her
contact at the real hub, over a real mosquitto), keys 3 and her birth date only, and
pocketsphinx hears her appointment in the RTP the line sent: the hub matched the number,
the date is hers, no letters were asked for. The same number keying a date that is not
hers is asked for the letters like any caller; with them it gets the one sentence for no
match (the letters' lookup is what counts as a failure)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from hub.service import HubService
from phone.service import PhoneService
from sync.messages import Appointment
from tests.phone.support import Ear, dtmf_pcap, phone_settings, recognize, until
from tests.phone.test_own_sipp import _FIRST, _OTHER, TEMPLATE, _words
from tests.phone.test_sipp import DTMF_0, sipp
from tests.support.broker import Broker
from tests.support.clock import wall_now
from tests.support.site import start_hub

TEMPLATE_NUMBER = "+15550199"  # the From of sipp_keys.xml

pytestmark = pytest.mark.skipif(not DTMF_0.exists(), reason="SIPp is not installed (deps/apt-phone.txt)")


def _scenario(workdir: Path, number: str, date_keys: str, ear_port: int) -> Path:
    """Key 3, a pause (the hub's answer arrives meanwhile; the caller would be listening to
    the date question), then ``date_keys`` 400 ms apart, from ``number``."""
    n = len(list(workdir.glob("caller_*.xml")))
    three = dtmf_pcap(workdir / f"three_{n}.pcap", "3")
    rest = dtmf_pcap(workdir / f"rest_{n}.pcap", date_keys, timestamp=80000)  # a press of its own
    play = f'<nop><action><exec play_pcap_audio="{three}"/></action></nop>\n'
    # SIPp cannot wait for the hub: 10 s is the ceiling for an answer whose p99 was 13 ms at
    # load 9 (a date keyed before it comes is asked for the letters, and the test fails).
    play += '  <pause milliseconds="10000"/>\n'
    play += f'  <nop><action><exec play_pcap_audio="{rest}"/></action></nop>\n'
    play += f'  <pause milliseconds="{len(date_keys) * 400 + 500}"/>'
    xml = TEMPLATE.read_text().replace("<!-- KEYS -->", play).replace("EAR_PORT", str(ear_port))
    path = workdir / f"caller_{n}.xml"
    path.write_text(xml.replace("LISTEN_MS", "16000").replace(TEMPLATE_NUMBER, number))
    return path


async def _call(service: PhoneService, workdir: Path, number: str, keys: str, stat: str) -> list[np.ndarray]:
    """The utterances the line sends once ``stat`` is counted (the answer to the lookup)."""
    ear, port = await Ear.open()
    try:
        before = service.line.stats[stat]
        run = asyncio.create_task(
            # The scenario is ~30 s (10 s for the hub, the keys, 16 s of listening): SIPp's
            # default 30 s for the whole run ended it while it listened (run 3 of this stop).
            sipp(
                service.line.port, ["-sf", str(_scenario(workdir, number, keys, port))], workdir, timeout_s=90
            ),
        )

        async def looked_up() -> bool:
            return service.line.stats[stat] > before or run.done()

        await until(looked_up, f"the line's lookup ({stat})", timeout=90)
        mark = len(ear.heard.frames)
        while mark > 0 and ear.heard.speech[mark - 1]:  # the answer may have begun
            mark -= 1
        code, out = await run
        assert code == 0, out
        assert service.line.stats[stat] > before, dict(service.line.stats)
        return list(ear.heard.utterances(mark))
    finally:
        ear.close()


def _patient(hub: HubService, day: list[Appointment]) -> tuple[Appointment, str]:
    """A Martinez patient later this morning, booked, whose number no other booking has."""
    now = wall_now()
    contacts = hub.call(lambda s: {a.id: s.notify.contact(a.id) for a in s.appointments()})
    numbers = [c.phone for c in contacts.values() if c is not None]
    for appt in day:
        contact = contacts.get(appt.id)
        if (
            contact is not None
            and numbers.count(contact.phone) == 1
            and appt.state == "booked"
            and appt.first_name.lower() in _FIRST
            and datetime.fromisoformat(appt.start) >= now + timedelta(minutes=15)
        ):
            return appt, contact.phone
    raise AssertionError("no Martinez patient to call as")


async def _calls(hub: HubService, service: PhoneService, workdir: Path) -> None:
    await service.start()
    try:

        async def day_loaded() -> bool:
            return len((await service.day()).providers) == 4 and service.sync.is_live()

        await until(day_loaded, "the phone's cache to hold the day", timeout=90)
        day = await asyncio.to_thread(service.sync.call, lambda c: c.appointments_for("martinez"), 5.0)
        patient, number = _patient(hub, day)
        start = datetime.fromisoformat(patient.start).time()
        born = datetime.fromisoformat(patient.dob).strftime("%m%d%Y")

        heard = await _call(service, workdir, number, born, "own_lookup_caller_id_found")
        assert service.line.stats["caller_matched"] == 1, dict(service.line.stats)
        first = patient.first_name.lower()
        yours = tuple(
            f"{n} your appointment with doctor {p} is at {_words(start)}"
            for n in {first, *_FIRST[:5]} for p in ("martinez", *_OTHER)
        )  # fmt: skip
        assert heard, dict(service.line.stats)
        assert (
            recognize(heard[0], yours)
            == f"{first} your appointment with doctor martinez is at {_words(start)}"
        )
        assert service.line.stats["own_lookup_found"] == 1

        # Her number, a date that is not hers: the letters are asked for, then no match.
        heard = await _call(service, workdir, number, "02291904" + "62", "own_lookup_not_found")
        assert service.line.stats["own_lookup_caller_id_other_date"] == 1, dict(service.line.stats)
        sorry = ("i could not find that appointment", "i could not find your appointment", *yours[:6])
        assert recognize(heard[0], sorry) == "i could not find that appointment"
        assert service.line.stats["own_lookup_found"] == 1  # nothing more was found
    finally:
        await service.stop()


def test_a_matched_caller_keys_only_her_birth_date_and_hears_her_appointment(
    broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    try:
        asyncio.run(_calls(hub, PhoneService(phone_settings(broker, tmp_path / "phone")), tmp_path))
    finally:
        hub.stop()
