"""A seeded clinic morning in a real (temporary) kiosk cache, with one patient per path.

Screenshots, the benchmark and the UI tests drive the real flow over it. Invented
patients; codes use only the letters and digits a confirmation code can have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from config.settings import StaffSettings
from core.clock import ManualClock
from core.errors import StorageError
from domain.admin import AdminSession
from domain.admin_backend import AdminBackend, SyncStatus
from domain.estimate import ArrivalWindow
from domain.flow import CheckInFlow, FlowSettings, FlowView, Patient
from domain.staff import provision_member
from sync import messages as m
from sync.cache import KioskCache, Provider

DAY = "2026-11-30"
NOW = datetime.fromisoformat(f"{DAY}T09:05")
PROVIDERS = {
    "chen": "Dr. Wei Chen",
    "martinez": "Dr. Ana Martinez",
    "okafor": "Dr. Ngozi Okafor",
    "patel": "Dr. Raj Patel",
}


@dataclass(frozen=True)
class Visitor:
    """One sample patient: what they type and what the screen may show of them."""

    appt_id: str
    provider_id: str
    time: str
    first_name: str
    last_name: str
    dob: str  # ISO
    code: str
    state: str = "booked"
    day: str = DAY

    @property
    def dob_digits(self) -> str:
        y, mo, d = self.dob.split("-")
        return f"{mo}{d}{y}"


VISITORS = {
    "on_time": Visitor("a10", "patel", "09:40", "Diego", "Torres", "1988-02-14", "PATL34"),
    "late": Visitor("a11", "okafor", "09:20", "Grace", "Hill", "1955-09-09", "KAFE22"),
    "out": Visitor("a12", "martinez", "09:45", "Aisha", "Nguyen", "1990-07-21", "ZZ22AA"),
    "twin_a": Visitor("a13", "chen", "09:30", "Maria", "Garcia", "1982-03-04", "K7QX2M"),
    "twin_b": Visitor("a14", "chen", "09:00", "James", "Smith", "1982-03-04", "P3RT9A"),
    "twin_c": Visitor("a15", "chen", "09:10", "Mei", "Garza", "1982-03-04", "TWNN22"),
    "too_early": Visitor("a16", "chen", "12:30", "Liam", "Brown", "1975-12-01", "LATE42"),
    "too_late": Visitor("a17", "chen", "08:00", "Sofia", "Lopez", "1966-05-05", "EARLY8"),
    "already": Visitor("a18", "chen", "09:15", "Noah", "Kim", "2001-01-06", "DNE322", "checked_in"),
    "not_today": Visitor("a19", "patel", "10:00", "Omar", "Adams", "1979-04-04", "TMRW45", day="2026-12-01"),
    "long_name": Visitor("a20", "okafor", "09:50", "Maximiliano", "Wolfeschlegel", "1999-12-31", "WLFE77"),
}

# Sample staff (PINs hashed cheaply: these are not secrets). The badge is Ben's.
STAFF_PINS = {"ana": ("supervisor", "482913"), "ben": ("front_desk", "1234"), "tom": ("technician", "9999")}
BEN_BADGE = "BADGE-77"
_FAST = 2**4


SAMPLE_PRACTICE = "acme"
_BADGE_KEY = bytes(range(32))


def _sample_entries() -> dict[str, tuple[str, str]]:
    return {
        who: provision_member(
            SAMPLE_PRACTICE,
            who,
            role,
            pin,
            badge_id=BEN_BADGE if who == "ben" else "",
            badge_key=_BADGE_KEY,
            n=_FAST,
        )
        for who, (role, pin) in STAFF_PINS.items()
    }


def sample_staff(**settings: object) -> StaffSettings:
    """The kiosk's side of the sample staff (PIN verifiers, the badge index)."""
    members = {who: kiosk for who, (kiosk, _hub) in _sample_entries().items()}
    return StaffSettings(members=members, badge_key=_BADGE_KEY.hex(), **settings)  # type: ignore[arg-type]


def sample_hub_staff(**settings: object) -> StaffSettings:
    """The hub's side of the sample staff (proof keys)."""
    members = {who: hub for who, (_kiosk, hub) in _sample_entries().items()}
    return StaffSettings(members=members, **settings)  # type: ignore[arg-type]


_SAMPLE_LOG = [
    '{"ts": "2026-11-30T09:01:12.004+00:00", "level": "INFO", "logger": "sync.link", "msg": "connected"}',
    '{"ts": "2026-11-30T09:02:40.511+00:00", "level": "WARNING", "logger": "hardware.supervisor", '
    '"msg": "printer error: paper out", "device": "printer"}',
    '{"ts": "2026-11-30T09:03:05.120+00:00", "level": "INFO", "logger": "domain.flow", '
    '"msg": "checked in", "kiosk": "lobby-1", "appointment": "a10"}',
]


class SampleDay:
    """The day in a temporary SQLite cache, a manual clock, and a record of what was sent."""

    def __init__(self, state_dir: Path) -> None:
        self.clock = ManualClock(NOW)
        self.staff_sent: list[object] = []  # what the admin panel emitted (requests, events, acks)
        self.commands: list[tuple[str, ...]] = []
        self.exits: list[int] = []
        self.cache = KioskCache.open(state_dir / "kiosk.sqlite")
        self.age_s = 0.0
        self.printer_ok: bool | None = True  # None: no printer configured
        self.fail_submit = False
        self.sent: list[m.CheckIn] = []
        self._versions: dict[str, int] = {}
        for pid, name in PROVIDERS.items():
            appts = [self._appt(v) for v in VISITORS.values() if v.provider_id == pid]
            self.cache.apply_schedule(m.ProviderSchedule(pid, name, DAY, 1, appts), NOW.isoformat())
        self.restore()

    def restore(self) -> None:
        """Back to the morning as seeded: clock, statuses, freshness, nobody checked in yet."""
        self.clock.set(NOW)
        self.age_s = 0.0
        self.printer_ok = True
        self.fail_submit = False
        self.sent.clear()
        self.staff_sent.clear()
        self.commands.clear()
        self.exits.clear()
        self.set_status("chen", "on_time")
        self.set_status("patel", "on_time")
        self.set_status("okafor", "late", delay_min=20)
        self.set_status("martinez", "out", reason="sick", alternative_provider_id="patel")
        booked = [v.appt_id for v in VISITORS.values() if v.state == "booked"]
        marks = ", ".join("?" for _ in booked)
        self.cache.db.execute(
            f"UPDATE appointments SET state = 'booked' WHERE id IN ({marks})",  # noqa: S608 - placeholders only
            booked,
        )

    @staticmethod
    def _appt(v: Visitor) -> m.Appointment:
        return m.Appointment(
            v.appt_id,
            v.provider_id,
            f"{v.day}T{v.time}",
            15,
            v.first_name,
            v.last_name[:3].upper(),
            v.dob,
            v.code,
            v.state,  # type: ignore[arg-type]
        )

    def set_status(self, provider_id: str, state: str, **fields: object) -> None:
        version = self._versions.get(provider_id, 0) + 1
        self._versions[provider_id] = version
        status = m.ProviderStatus(provider_id, version, state, date=DAY, **fields)  # type: ignore[arg-type]
        self.cache.apply_status(status, self.clock.now().isoformat())

    def submit(self, msg: m.CheckIn) -> bool:
        if self.fail_submit:
            raise StorageError("database or disk is full")
        self.sent.append(msg)
        if msg.outcome in m.ARRIVED:
            self.cache.mark_checked_in(msg.appointment_id)
        return True

    def print_ticket(self, _patient: Patient, _view: FlowView) -> bool | None:
        return self.printer_ok

    def board(self) -> tuple[list[Provider], dict[str, m.ProviderStatus]]:
        return self.cache.providers(), self.cache.statuses()

    def flow(self, settings: FlowSettings | None = None, **kwargs: object) -> CheckInFlow:
        settings = settings or FlowSettings(window=ArrivalWindow(60, 20))
        return CheckInFlow(
            self.cache,
            self.submit,
            self.clock,
            "lobby-1",
            cache_age=lambda: self.age_s,
            print_ticket=self.print_ticket,
            settings=settings,
            **kwargs,  # type: ignore[arg-type]
        )

    def admin(self, staff: StaffSettings | None = None) -> AdminBackend:
        """The staff panel over this day: sample staff, devices, sync and a log tail."""
        staff = staff or sample_staff()
        session = AdminSession(staff, "lobby-1", self.clock, self.staff_sent.append)
        return AdminBackend(
            session,
            self.clock,
            self.board,
            self.cache.appointments_for,
            idle_s=staff.session_idle_s,
            sync_status=lambda: SyncStatus(True, False, 240.0, 3),
            device_health=lambda: {
                "io_board": {"state": "ok", "reason": ""},
                "printer": {"state": "error", "reason": "paper out"},
                "camera": {"state": "missing", "reason": "no /dev/video0"},
            },
            log_lines=lambda: list(_SAMPLE_LOG),
            run_command=self._run,
            exit_app=self.exits.append,
        )

    def _run(self, argv: Sequence[str]) -> int:
        self.commands.append(tuple(argv))
        return 0

    def later(self, minutes: float) -> datetime:
        return NOW + timedelta(minutes=minutes)

    def close(self) -> None:
        self.cache.close()
