"""The messages in which kiosks and the hub report on themselves (see docs/protocol.md):
a kiosk's birth and Last Will (with what its cache holds), its display receipt and its
health; the hub's birth and Last Will. Re-exported by ``sync.messages``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sync.epoch import Epoch
from sync.validate import check, check_id, check_version
from sync.wire import Message, declare


@dataclass(frozen=True)
class CacheSummary:
    """What a kiosk holds, announced in its birth message."""

    schedule_date: str = ""
    schedule_versions: dict[str, int] = field(default_factory=dict)
    status_versions: dict[str, int] = field(default_factory=dict)
    outbox_depth: int = 0


@declare
@dataclass(frozen=True)
class KioskAvailability(Message):
    """Retained at ``kiosk/<id>/availability``: birth (online) on every connect, Last Will offline."""

    KIND = "availability"

    kiosk_id: str
    online: bool
    software_version: str = ""
    at: str = ""
    cache: CacheSummary = field(default_factory=CacheSummary)

    def validate(self) -> None:
        check_id(self.kiosk_id, "kiosk_id")
        for name, versions in (
            ("cache.schedule_versions", self.cache.schedule_versions),
            ("cache.status_versions", self.cache.status_versions),
        ):
            check(len(versions) <= 200, f"{name}: more than 200 providers")
            for provider_id, version in versions.items():
                check_id(provider_id, f"{name} key")
                check_version(version, name, low=0)


@declare
@dataclass(frozen=True)
class DisplayAck(Message):
    """Retained at ``kiosk/<id>/display``: the status version of each provider this kiosk shows.

    ``screen``: true when the versions are those of a frame the kiosk's screen presented;
    false for a kiosk without a screen (or one older than schema 1.1), whose receipt is
    what its cache applied. ``epoch`` (1.2) is the hub epoch the kiosk follows."""

    KIND = "display"
    MINOR = 2  # 1.2: epoch

    kiosk_id: str
    versions: dict[str, int]
    at: str = ""
    screen: bool = False
    epoch: Epoch = field(default_factory=Epoch)  # the hub epoch these versions belong to

    def validate(self) -> None:
        check_id(self.kiosk_id, "kiosk_id")
        self.epoch.check()
        check(len(self.versions) <= 200, "more than 200 providers")
        for provider_id, version in self.versions.items():
            check_id(provider_id, "versions key")
            check_version(version, "versions", low=0)


@dataclass(frozen=True)
class DeviceState:
    state: Literal["ok", "missing", "error"]
    reason: str = ""


@declare
@dataclass(frozen=True)
class KioskHealth(Message):
    """Retained at ``kiosk/<id>/health``: sync lag, outbox depth, rejected input, device health.

    ``outbox_depth`` is everything the hub has not acknowledged (``outbox_queued`` +
    ``outbox_sent``); ages are seconds at ``at``, -1 when there is no such row (1.1).
    """

    KIND = "health"
    MINOR = 1
    MAX_BYTES = 64 * 1024

    kiosk_id: str
    at: str
    connected: bool
    cache_age_s: float
    outbox_depth: int
    software_version: str = ""
    rejected: dict[str, int] = field(default_factory=dict)
    devices: dict[str, DeviceState] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    outbox_queued: int = 0  # committed, the broker has not accepted it yet
    outbox_sent: int = 0  # the broker accepted it (PUBACK), the hub has not acknowledged it
    oldest_unacked_s: float = -1.0  # any kind
    oldest_unacked_checkin_s: float = -1.0
    oldest_unacked_checkin_seq: int = 0  # names the episode (an escalation per stuck check-in)

    def validate(self) -> None:
        check_id(self.kiosk_id, "kiosk_id")


@declare
@dataclass(frozen=True)
class HubAvailability(Message):
    """Retained at ``hub/availability``: the hub's birth and Last Will."""

    KIND = "hub"
    MINOR = 1  # 1.1: epoch

    online: bool
    software_version: str = ""
    at: str = ""
    date: str = ""
    epoch: Epoch = field(default_factory=Epoch)  # the hub's current epoch (its birth says it)

    def validate(self) -> None:
        self.epoch.check()


__all__ = [
    "CacheSummary",
    "DeviceState",
    "DisplayAck",
    "HubAvailability",
    "KioskAvailability",
    "KioskHealth",
]
