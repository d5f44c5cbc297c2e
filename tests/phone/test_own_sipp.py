"""Key 3 end to end: SIPp (Debian's sip-tester) calls the line and keys 3, a booked
patient's birth date and the first two letters of her first name with RFC 4733 events;
the line looks her up in its own sync cache (a real hub over a real mosquitto) and says
her appointment and what Dr. Martinez's live status means for it; pocketsphinx hears it
in the RTP the line sent. A date nobody has gets "I could not find that appointment"."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest

from config.settings import Settings
from hub.service import HubService
from phone.service import PhoneService
from speech.phrases import say_time
from sync.messages import Appointment
from tests.phone.support import Ear, dtmf_pcap, phone_settings, recognize, until
from tests.phone.test_sipp import DTMF_0, sipp
from tests.support.broker import Broker
from tests.support.clock import wall_now
from tests.support.site import start_hub, status_request

TEMPLATE = Path(__file__).with_name("sipp_keys.xml")
_KEYPAD = {c: k for k, letters in {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS",
                                   "8": "TUV", "9": "WXYZ"}.items() for c in letters}  # fmt: skip
_FIRST = ("maria", "james", "aisha", "liam", "sofia", "noah", "omar", "grace", "nora", "rosa")
_OTHER = ("okafor", "patel", "chen")

pytestmark = pytest.mark.skipif(not DTMF_0.exists(), reason="SIPp is not installed (deps/apt-phone.txt)")


def scenario(workdir: Path, keys: str, ear_port: int, listen_ms: int) -> Path:
    """The template with these keys pressed, 400 ms apart, then ``listen_ms`` of listening."""
    n = len(list(workdir.glob("sipp_*.xml")))
    pcap = dtmf_pcap(workdir / f"keys_{n}.pcap", keys)
    play = f'<nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n'
    play += f'  <pause milliseconds="{len(keys) * 400 + 500}"/>'
    xml = TEMPLATE.read_text().replace("<!-- KEYS -->", play).replace("EAR_PORT", str(ear_port))
    path = workdir / f"sipp_{n}.xml"
    path.write_text(xml.replace("LISTEN_MS", str(listen_ms)))
    return path


def _words(t: time) -> str:
    return say_time(t).replace("-", " ")


def _patient(appointments: list[Appointment], now: datetime) -> Appointment:
    """A Martinez patient later this morning whose birth date nobody else has."""
    dobs = [a.dob for a in appointments]
    return next(
        a
        for a in appointments
        if dobs.count(a.dob) == 1
        and a.first_name.lower() in _FIRST
        and datetime.fromisoformat(a.start) >= now + timedelta(minutes=15)
    )


async def _call_and_listen(service: PhoneService, keys: str, workdir: Path, stat: str) -> list[np.ndarray]:
    """SIPp keys ``keys``; the utterances the line sends once its lookup counted ``stat``."""
    ear, port = await Ear.open()
    try:
        before = service.line.stats[stat]
        sipp_run = asyncio.create_task(
            sipp(service.line.port, ["-sf", str(scenario(workdir, keys, port, 16000))], workdir)
        )

        async def looked_up() -> bool:
            return service.line.stats[stat] > before or sipp_run.done()

        await until(looked_up, f"the line's lookup ({stat})", timeout=60)
        mark = len(ear.heard.frames)
        while mark > 0 and ear.heard.speech[mark - 1]:  # the answer may have begun: silence came before it
            mark -= 1
        code, out = await sipp_run
        assert code == 0, out
        return list(ear.heard.utterances(mark))
    finally:
        ear.close()


async def _scenario(hub: HubService, settings: Settings, workdir: Path) -> None:
    service = PhoneService(settings)
    await service.start()
    try:

        async def day_loaded() -> bool:
            return len((await service.day()).providers) == 4

        await until(day_loaded, "the phone's cache to hold the day")
        assert hub.set_status(status_request("martinez", "late", delay=20)).accepted

        async def late_at_the_phone() -> bool:
            status = (await service.day()).statuses.get("martinez")
            return status is not None and status.state == "late"

        await until(late_at_the_phone, "the late status at the phone")
        day = await asyncio.to_thread(service.sync.call, lambda c: c.appointments_for("martinez"), 5.0)
        patient = _patient(day, wall_now())
        born = datetime.fromisoformat(patient.dob)
        keys = "3" + born.strftime("%m%d%Y") + "".join(_KEYPAD[c] for c in patient.first_name.upper()[:2])
        start = datetime.fromisoformat(patient.start)
        come = (start + timedelta(minutes=20)).time()
        # The times the line could say: booked, pushed by the delay, and an hour either side
        # (not "fifteen" beside "fifty": 8 kHz espeak is not that clear to any recognizer).
        hour = timedelta(hours=1)
        others = [start.time(), come, (start + hour).time(), (start - hour).time()]

        heard = await _call_and_listen(service, keys, workdir, "own_lookup_found")
        assert len(heard) >= 4, (len(heard), dict(service.line.stats))
        first = patient.first_name.lower()
        yours = tuple(
            f"{n} your appointment with doctor {p} is at {_words(t)}"
            for n in {first, *_FIRST[:5]} for p in ("martinez", *_OTHER) for t in others
        )  # fmt: skip
        assert (
            recognize(heard[0], yours)
            == f"{first} your appointment with doctor martinez is at {_words(start.time())}"
        )
        # The kiosk's sentence pauses at its semicolon: the ear may hear it as one or two
        # utterances, so each is recognized among the sentences and their halves.
        late = tuple(f"doctor {p} is running about {d} minutes late" for p in ("martinez", *_OTHER)
                     for d in ("ten", "twenty", "thirty"))  # fmt: skip
        estimated = tuple(f"your new estimated time is {_words(t)}" for t in others)
        come_at = tuple(f"please come at {_words(t)}" for t in others)
        pieces = (*late, *estimated, *(f"{a} {b}" for a in late for b in estimated), *come_at,
                  "to hear this again press one")  # fmt: skip
        said = " ".join(recognize(u, pieces) for u in heard[1:5])
        expected = (
            f"doctor martinez is running about twenty minutes late your new estimated time is {_words(come)} "
            f"please come at {_words(come)}"
        )
        assert said.startswith(expected), said

        # A date of birth nobody has: the one sentence for "none" and "several", then the offer.
        nobody = "3" + "02291904" + "62"
        heard = await _call_and_listen(service, nobody, workdir, "own_lookup_not_found")
        sorry = ("i could not find that appointment", "i could not find your appointment", *yours[:6])
        assert recognize(heard[0], sorry) == "i could not find that appointment"
        assert service.line.stats["own_lookup_found"] == 1 and service.line.stats["own_lookup_not_found"] == 1
    finally:
        await service.stop()


def test_sipp_keys_a_birth_date_and_hears_her_appointment_and_the_live_delay(
    broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    try:
        asyncio.run(_scenario(hub, phone_settings(broker, tmp_path / "phone"), tmp_path))
    finally:
        hub.stop()
