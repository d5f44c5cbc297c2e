"""The TLS soak (issue 20): a practice's every side publishing at once over TLS with
passwords and the ACL, for ``seconds``:

- the hub applies its own status changes (okafor) from another thread;
- kiosks lobby-1 and lobby-2 submit check-ins through their outboxes;
- lobby-2's staff panel (``AdminSession``) confirms status changes (patel) through
  ``KioskSync.submit``;
- the practice's CLI sends ``kiosk hub status`` requests (chen), one after the other.

Then everything must arrive, and the broker's log must show no dropped connection
(two writers on one TLS socket make mosquitto log "bad record mac" or "protocol error").
``make bench`` runs it for 60 s; ``make test`` for a few seconds.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.settings import BrokerSettings, HubSettings, KioskSettings, Settings, StaffSettings
from core.clock import SystemClock
from core.worker import Worker
from devtools.local_broker import Broker, Credentials
from domain.admin import AdminSession
from domain.staff import provision_member
from hub.sample import sample_morning
from hub.service import HubService
from hub.status_command import send_command
from sync import messages as m
from sync.acl import render_acl
from sync.kiosk_sync import KioskSync, SyncChange
from sync.topics import TopicTree

TREE = TopicTree("acme", "main")
USERS = {"hub": "hub-secret", "lobby-1": "k1-secret", "lobby-2": "k2-secret", "desk": "desk-secret"}
SUPERVISOR_PIN = "482913"
CLI_TIMEOUT_S = 8.0  # what `kiosk hub status` waits for the hub's answer
_BAD_LOG = re.compile(
    r"protocol error|bad record mac|decryption failed|disconnected|closed its connection", re.I
)
_CLEAN_CLI_EXIT = re.compile(r"Client hub-cli-\w+ disconnected\.$")  # the CLI's own goodbye


@dataclass
class SoakReport:
    seconds: float
    troubles: list[str]  # broker log lines of dropped connections
    cli_timeouts: int
    cli_answered: int
    cli_refused: int
    checkins_sent: int
    checkins_recorded: int
    staff_sent: int
    staff_answered: int
    hub_changes: int
    connects: dict[str, int]  # client -> connects (1 = never dropped)
    load_errors: dict[str, int] = field(default_factory=dict)  # load worker -> handler errors

    def figures(self) -> dict[str, Any]:
        """The ``tls_soak`` figure of ``make bench``."""
        return {
            "seconds": round(self.seconds, 1),
            "disconnects": len(self.troubles),
            "cli_timeouts": self.cli_timeouts,
        }


def _settings(broker: BrokerSettings, state: Path, kiosk_id: str, staff: StaffSettings) -> Settings:
    return Settings(
        kiosk=KioskSettings(
            id=kiosk_id,
            practice=TREE.practice,
            site=TREE.site,
            state_dir=str(state / kiosk_id),
            health_interval_s=2,
            log_level="WARNING",
        ),
        broker=broker,
        hub=HubSettings(state_dir=str(state / "hub")),
        staff=staff,
    )


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _request(provider: str, delay: int, kiosk_id: str) -> m.StatusChangeRequest:
    return m.StatusChangeRequest(
        key=uuid.uuid4().hex,
        kiosk_id=kiosk_id,
        provider_id=provider,
        state="late",
        requested_by="front-desk-1",
        requested_at=SystemClock().now().isoformat(),
        delay_min=delay,
    )


class _Site:
    """The TLS broker, the hub, two kiosks and a staff panel on lobby-2."""

    def __init__(self, workdir: Path) -> None:
        self.broker = Broker(
            workdir / "broker",
            tls=True,
            creds=Credentials(USERS, render_acl(TREE, "hub", ["lobby-1", "lobby-2"], ["desk"])),
        )
        kiosk_entry, hub_entry = provision_member("acme", "ana", "supervisor", SUPERVISOR_PIN, n=2**4)
        self.staff = StaffSettings(members={"ana": kiosk_entry})  # what the kiosks verify a PIN with
        self.hub_staff = StaffSettings(members={"ana": hub_entry})  # what the hub checks proofs with
        self.workdir = workdir
        self.results: dict[str, bool] = {}  # staff request key -> accepted

    def start(self) -> None:
        self.broker.start()
        self.hub = HubService(self._for("hub", "hub-side"))
        self.hub.start(sample_morning(SystemClock().now().date()))
        self.kiosks = [KioskSync(self._for(k, k)) for k in ("lobby-1", "lobby-2")]
        self.kiosks[1].add_listener(self._on_change)
        for kiosk in self.kiosks:
            kiosk.start()
        self.cli = self._for("desk", "cli")
        self.panel = AdminSession(self.staff, "lobby-2", SystemClock(), self.kiosks[1].submit)
        if self.panel.login_pin("ana", SUPERVISOR_PIN) != "ok":
            raise RuntimeError("the soak's supervisor could not sign in")

    def _for(self, user: str, kiosk_id: str) -> Settings:
        staff = self.hub_staff if user == "hub" else self.staff
        return _settings(self.broker.settings(user, USERS[user]), self.workdir, kiosk_id, staff)

    def _on_change(self, change: SyncChange) -> None:
        if change.result is not None:
            self.results[change.result.key] = change.result.accepted

    def stop(self) -> None:
        for kiosk in getattr(self, "kiosks", []):
            kiosk.stop()
        if hasattr(self, "hub"):
            self.hub.stop()
        self.broker.stop()

    def troubles(self) -> list[str]:
        lines = (self.broker.workdir / "mosquitto.log").read_text(errors="replace").splitlines()
        return [ln for ln in lines if _BAD_LOG.search(ln) and not _CLEAN_CLI_EXIT.search(ln)]

    def appointments(self, kiosk: KioskSync) -> list[m.Appointment]:
        providers = ("martinez", "chen", "patel", "okafor")
        return list(kiosk.call(lambda c: [a for p in providers for a in c.appointments_for(p)]))


class _Load:
    """The load of every side but the CLI, each on a worker of its own (its tick sends one)."""

    def __init__(self, site: _Site) -> None:
        self.site = site
        self.checkins = [0, 0]
        self.staff_keys: list[str] = []
        self.hub_changes = 0
        self._clock = SystemClock()
        self._days = [site.appointments(k) for k in site.kiosks]
        self._patel = [a for a in self._days[1] if a.provider_id == "patel"]
        self.workers = [
            Worker("soak-lobby-1", tick_s=0.02, on_tick=lambda: self._checkin(0)),
            Worker("soak-lobby-2", tick_s=0.02, on_tick=lambda: self._checkin(1)),
            Worker("soak-staff", tick_s=0.2, on_tick=self._staff),
            Worker("soak-hub", tick_s=0.1, on_tick=self._hub),
        ]

    def _checkin(self, i: int) -> None:
        kiosk, day = self.site.kiosks[i], self._days[i]
        appt = day[self.checkins[i] % len(day)]
        msg = m.CheckIn(
            uuid.uuid4().hex, kiosk.kiosk_id, appt.id, appt.provider_id, self._clock.now().isoformat(), "dob"
        )
        kiosk.submit(msg)
        self.checkins[i] += 1

    def _staff(self) -> None:
        delay = len(self.staff_keys) % 50 + 1
        proposal = self.site.panel.propose("patel", "Dr. Raj Patel", "late", self._patel, delay_min=delay)
        pending = self.site.panel.confirm(proposal)
        if pending is None:
            raise RuntimeError("the supervisor's change was not allowed")
        self.staff_keys.append(pending.key)

    def _hub(self) -> None:
        self.hub_changes += 1
        self.site.hub.set_status(_request("okafor", self.hub_changes % 50 + 1, "cli"))

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def stop(self) -> dict[str, int]:
        for worker in self.workers:
            worker.stop(10)
        return {w.name: w.health().errors for w in self.workers}


def run_soak(workdir: Path, seconds: float) -> SoakReport:
    """The soak; raises if a side's messages did not all arrive once it ended."""
    site = _Site(workdir)
    try:
        site.start()
        if not _wait(lambda: all(k.call(lambda c: len(c.providers())) == 4 for k in site.kiosks), 30):
            raise RuntimeError("the kiosks did not receive the day over TLS")
        load = _Load(site)
        load.start()
        started = time.monotonic()
        timeouts = answered = refused = 0
        delay = 0
        while time.monotonic() - started < seconds:
            delay = delay % 60 + 1
            result = send_command(site.cli, _request("chen", delay, "cli"), timeout=CLI_TIMEOUT_S)
            if result is None:
                timeouts += 1
            elif result.accepted:
                answered += 1
            else:
                refused += 1
        load_errors = load.stop()
        elapsed = time.monotonic() - started
        _settle(site, load, delay)
        return SoakReport(
            seconds=elapsed,
            troubles=site.troubles(),  # before stopping: a clean stop disconnects
            cli_timeouts=timeouts,
            cli_answered=answered,
            cli_refused=refused,
            checkins_sent=sum(load.checkins),
            checkins_recorded=int(site.hub.call(lambda s: s.checkin_count())),
            staff_sent=len(load.staff_keys),
            staff_answered=sum(1 for k in load.staff_keys if k in site.results),
            hub_changes=load.hub_changes,
            connects={"hub": site.hub.link.connects} | {k.kiosk_id: k.link.connects for k in site.kiosks},
            load_errors=load_errors,
        )
    finally:
        site.stop()


def _outbox_depth(kiosk: KioskSync) -> int:
    return int(kiosk.call(lambda _cache: kiosk.outbox.depth()))


def _settle(site: _Site, load: _Load, last_delay: int) -> None:
    """Wait (bounded) for every check-in, staff answer and the CLI's last status to land."""
    total = sum(load.checkins)
    _wait(lambda: site.hub.call(lambda s: s.checkin_count()) >= total, 60)
    _wait(lambda: all(_outbox_depth(k) == 0 for k in site.kiosks), 30)
    _wait(lambda: all(k in site.results for k in load.staff_keys), 30)
    _wait(
        lambda: all(
            (s := k.call(lambda c: c.status("chen"))) is not None and s.delay_min == last_delay
            for k in site.kiosks
        ),
        15,
    )
