"""A sample morning for the demo and the benchmarks: invented patients, real shapes.

Four providers and fifty appointments; Dr. Martinez has fourteen before noon (the
practice's story: she calls in sick at 7:43). Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from hub.day_plan import DayPlan, HubAppointment
from hub.notify.contacts import PatientContact

PROVIDERS = {
    "martinez": "Dr. Ana Martinez",
    "chen": "Dr. Wei Chen",
    "okafor": "Dr. Ngozi Okafor",
    "patel": "Dr. Raj Patel",
}
_FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Liam",
    "Sofia",
    "Noah",
    "Mei",
    "Lucas",
    "Amara",
    "Ethan",
    "Olivia",
    "Mateo",
    "Hana",
    "Daniel",
    "Chloe",
    "Omar",
    "Grace",
    "Diego",
    "Leila",
    "Samuel",
    "Nora",
    "Victor",
    "Isabel",
    "Kwame",
    "Elena",
    "Tomas",
    "Priya",
    "Jonah",
    "Rosa",
    "Felix",
]
_LAST = [
    "Garcia",
    "Smith",
    "Johnson",
    "Nguyen",
    "Brown",
    "Lopez",
    "Kim",
    "Wilson",
    "Hernandez",
    "Davis",
    "Moore",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Reyes",
]
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud and typed by patients


_COLUMN = 14  # the longest provider's column in the sample morning
_SLOTS_MIN = (15, 10, 5, 3, 2, 1)


def _slot_fitting(first_slot: datetime, slots: int) -> int:
    """The longest slot (15 min at most) that keeps ``slots`` appointments on the first
    slot's date: a morning running past midnight would be another day's schedule, refused."""
    left_min = datetime.combine(first_slot.date(), datetime.min.time()) + timedelta(days=1) - first_slot
    for minutes in _SLOTS_MIN:
        if minutes * (slots + 1) <= left_min.total_seconds() / 60:
            return minutes
    return 1


def start_near(now: datetime, minutes_ago: int = 20) -> datetime:
    """A sample morning's first slot a little before ``now`` (arrival windows open) and on
    ``now``'s date. Late in the evening the morning's slots shrink to fit the rest of the
    day (``sample_morning``) and it starts closer to ``now``; in the last quarter hour
    before midnight no morning fits."""
    midnight = datetime.combine(now.date(), datetime.min.time())
    for slot in _SLOTS_MIN:
        start = max(now - timedelta(minutes=min(minutes_ago, 4 * slot)), midnight)
        start = start.replace(second=0, microsecond=0)
        start = start.replace(minute=start.minute - start.minute % slot)
        if _slot_fitting(start, _COLUMN) >= slot:
            return start
    return now.replace(second=0, microsecond=0)


def sample_morning(
    day: date, start: datetime | None = None, seed: int = 743, per_provider: int = 0
) -> DayPlan:
    """Fifty appointments from ``start`` (default 08:00 on ``day``) in 15-minute slots,
    shorter ones when 15 minutes would carry the morning past midnight.

    ``per_provider`` > 0 gives every provider that many instead (for benchmarks).
    """
    rng = random.Random(seed)
    first_slot = start or datetime.combine(day, datetime.min.time()).replace(hour=8)
    counts = {"martinez": _COLUMN, "chen": 13, "okafor": 12, "patel": 11}
    if per_provider:
        counts = dict.fromkeys(PROVIDERS, per_provider)
    slot_min = _slot_fitting(first_slot, min(max(counts.values()), 64)) if start is not None else 15
    appointments: list[HubAppointment] = []
    codes: set[str] = set()
    for provider_id, count in counts.items():
        for slot in range(count):
            when = first_slot + timedelta(minutes=(slot_min * slot) % (slot_min * 64))
            code = _code(rng, codes)
            appointments.append(
                HubAppointment(
                    id=f"{provider_id[:3]}-{slot + 1:04d}",
                    provider_id=provider_id,
                    start=when.strftime("%Y-%m-%dT%H:%M"),
                    duration_min=slot_min,
                    first_name=rng.choice(_FIRST),
                    last_name=rng.choice(_LAST),
                    dob=_dob(rng),
                    code=code,
                )
            )
    return DayPlan(day.isoformat(), dict(PROVIDERS), appointments, sample_contacts(appointments, seed))


def sample_contacts(appointments: list[HubAppointment], seed: int = 743) -> list[PatientContact]:
    """Invented contacts: +1 555 numbers (fictional) and example.org addresses;
    about one patient in eight gave no consent, one in five prefers e-mail, one in four Spanish."""
    rng = random.Random(seed + 1)  # its own stream: the names and codes stay what they were
    contacts = []
    for n, appt in enumerate(appointments):
        roll = rng.random()
        channel = "none" if roll < 0.12 else "email" if roll < 0.32 else "sms"
        contacts.append(
            PatientContact(
                appt.id,
                phone=f"+1555{n:07d}",
                email=f"patient{n}@example.org",
                consent=channel != "none",
                channel=channel,
                language="es" if rng.random() < 0.25 else "en",
            )
        )
    return contacts


def _dob(rng: random.Random) -> str:
    born = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 85))
    return born.isoformat()


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(rng.choice(_CODE_LETTERS) for _ in range(6))
        if code not in taken:
            taken.add(code)
            return code
