"""`kiosk hub revoke`: against a real mosquitto with passwords and the generated ACL, a hub
and two kiosks. The connected kiosk reads the hub's retained revocation and erases its
cache and keys; the one that was away is refused when it comes back and erases itself
too, well within a minute. Both stop with EXIT_WIPED."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import Settings
from core.systemd import EXIT_WIPED
from hub.revoke import acl_without, revoke
from hub.store import HubStore
from kiosk.enrollment import EnrollmentGuard
from sync.acl import render_acl
from sync.kiosk_sync import KioskSync
from sync.revocation import EnrollmentWatch, KioskRevoked
from sync.topics import TopicTree
from tests.support.broker import Broker, Credentials
from tests.support.site import site_settings, start_hub, wait_for

TREE = TopicTree("acme", "main")
USERS = {"hub": "hub-secret", "lobby-1": "k1-secret", "lobby-2": "k2-secret"}


@pytest.fixture
def secure_broker(tmp_path: Path) -> Iterator[Broker]:
    creds = Credentials(users=USERS, acl=render_acl(TREE, "hub", ["lobby-1", "lobby-2"]))
    b = Broker(tmp_path / "broker", creds=creds)
    b.start()
    yield b
    b.stop()


class GuardedKiosk:
    """A kiosk's sync with the same enrollment guard ``KioskApp`` builds."""

    def __init__(self, broker: Broker, state: Path, kiosk_id: str) -> None:
        password_file = state / kiosk_id / "mqtt.password"
        password_file.parent.mkdir(parents=True)
        password_file.write_text(USERS[kiosk_id])
        base = site_settings(broker.settings(kiosk_id, USERS[kiosk_id]), state / kiosk_id, kiosk_id)
        self.settings = dataclasses.replace(
            base,
            kiosk=dataclasses.replace(base.kiosk, revoked_wipe_s=2),
            broker=dataclasses.replace(base.broker, password_file=str(password_file)),
        )
        self.exits: list[int] = []
        self.sync = KioskSync(self.settings)
        self.guard = EnrollmentGuard(self.settings, self.sync, self.exits.append)
        self.sync.add_listener(self.guard.on_change)
        self.state = Path(self.settings.kiosk.state_dir)

    def day(self) -> int:
        return int(self.sync.call(lambda cache: len(cache.appointments_for("chen"))))

    def wiped(self) -> bool:
        return bool(self.exits) and not any(self.state.iterdir())


def _hub_settings(broker: Broker, state: Path) -> Settings:
    return site_settings(broker.settings("hub", USERS["hub"]), state, "hub-side")


def test_a_revoked_kiosk_erases_itself_connected_or_coming_back(
    secure_broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(secure_broker.settings("hub", USERS["hub"]), tmp_path)
    one, two = (
        GuardedKiosk(secure_broker, tmp_path, "lobby-1"),
        GuardedKiosk(secure_broker, tmp_path, "lobby-2"),
    )
    try:
        for kiosk in (one, two):
            kiosk.sync.start()
            wait_for(lambda k=kiosk: k.day() > 0, what="the day on each kiosk")  # type: ignore[misc]
        two.sync.stop()  # lobby-2 is away when the practice revokes it
        assert (two.state / "kiosk.sqlite").exists() and (two.state / "cache.key").exists()

        reload = f"kill -HUP {secure_broker.proc.pid}"  # type: ignore[union-attr]
        done = revoke(
            _hub_settings(secure_broker, tmp_path),
            "lobby-1",
            "stolen from the lobby",
            broker_dir=secure_broker.workdir,
            reload_command=reload,
        )
        assert done.newly and done.published and done.reloaded
        wait_for(one.wiped, timeout=60, what="lobby-1 wiped by the hub's revocation")
        assert one.exits == [EXIT_WIPED] and "stolen" in one.guard.wiped

        revoke(
            _hub_settings(secure_broker, tmp_path),
            "lobby-2",
            "lost",
            broker_dir=secure_broker.workdir,
            reload_command=reload,
        )
        back = time.monotonic()
        two.sync = KioskSync(two.settings)  # the unit is switched on again
        two.guard.sync = two.sync
        two.sync.add_listener(two.guard.on_change)
        two.sync.start()
        wait_for(two.wiped, timeout=60, what="lobby-2 wiped after its login was refused")
        assert time.monotonic() - back < 60 and "refused" in two.guard.wiped
        assert "lobby-2:" not in (secure_broker.workdir / "passwords").read_text()
    finally:
        for kiosk in (one, two):
            kiosk.sync.stop()
        hub.stop()
    store = HubStore.open(tmp_path / "hub" / "hub.sqlite", readonly=True)
    try:
        assert [r.kiosk_id for r in store.revocations.all()] == ["lobby-1", "lobby-2"]
        assert [r.action for r in store.audit.records()].count("kiosk_revoked") == 2
    finally:
        store.close()


def test_the_enrollment_rule() -> None:
    watch = EnrollmentWatch(revoked_wipe_s=60, lease_s=3600)
    watch.refused("Not authorized", 100.0)
    assert watch.due(159.0, -1) == "" and "refused" in watch.due(160.0, -1)
    watch.accepted(161.0)  # one accepted connection and the clock starts over
    assert watch.due(500.0, -1) == ""
    watch.refused("Server unavailable", 600.0)  # not about the credential: no refusal clock
    assert watch.due(5000.0, 0) == ""
    assert "lease" in watch.due(161.0 + 3600, 4000)
    assert EnrollmentWatch(60, 0).due(10**9, 10**9) == ""  # 0 turns the lease off
    told = EnrollmentWatch(0, 0)
    told.revoked(KioskRevoked("lobby-2", "2026-01-01T00:00:00"), "lobby-1")
    assert told.due(0, -1) == ""  # another kiosk's revocation
    told.revoked(KioskRevoked("lobby-1", "2026-01-01T00:00:00", "stolen"), "lobby-1")
    assert told.due(0, -1) == "revoked: stolen"


def test_the_acl_loses_exactly_the_revoked_kiosk() -> None:
    acl = render_acl(TREE, "hub", ["lobby-1", "lobby-2"])
    kept = "\n".join(acl_without(acl, "lobby-1"))
    assert "user lobby-1" not in kept and "kiosk/lobby-1/" not in kept
    assert "user lobby-2" in kept and "kiosk/lobby-2/#" in kept and "user hub" in kept
