"""The hub's epoch (docs/protocol.md, "Epochs"; docs/security.md).

An epoch is made when a hub store is created (the migration below) and again whenever the
hub learns that the broker or a kiosk holds state it never issued: a status or schedule of
its own epoch with a version above any it issued, or any newer epoch. That is what a hub
restored from a backup (or reinstalled beside an old broker) finds: versions restarted
below what kiosks hold, which they would ignore as stale forever. A new epoch, above
every one seen, makes every kiosk take the hub's state again (``sync.state.decide_epoch``).
``kiosk hub restore`` starts one too.

Pure: the decision (``lost_future``; what kiosks display is judged in
``hub/escalation.py``) and the stamp the hub service puts on what it publishes; the
``epochs`` table is ``hub/epoch_records.py``'s.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime
from typing import TypeVar

from sync import messages as m
from sync.state import EPOCH_SEQ_PER_S, epoch_believable
from sync.wire import Message

M = TypeVar("M", bound=Message)

# The kinds that carry the hub's epoch (the versioned streams and the hub's birth).
STAMPED = (m.ProviderStatus, m.ProviderSchedule, m.AppointmentChange, m.HubAvailability)

NEWER_EPOCH = "newer_epoch"  # a retained message or a kiosk holds an epoch above ours
UNISSUED_VERSION = "unissued_version"  # ours, with a version we never issued
RESTORED = "restored"  # `kiosk hub restore`
CREATED = "created"


def new_epoch(now: datetime, floor: m.Epoch) -> m.Epoch:
    """An epoch newer than ``floor``: stamped with ``now`` (Unix ms), or one above it."""
    return m.Epoch(max(int(now.timestamp() * EPOCH_SEQ_PER_S), floor.seq + 1), secrets.token_hex(8))


def stamp(msg: M, epoch: m.Epoch) -> M:
    """``msg`` carrying ``epoch`` when it is of a kind that carries one."""
    if isinstance(msg, STAMPED) and msg.epoch != epoch:
        return dataclasses.replace(msg, epoch=epoch)
    return msg


def epoch_text(epoch: m.Epoch) -> str:
    """How the store names an epoch (``kiosks.display_epoch``); '' before epochs."""
    return f"{epoch.seq}:{epoch.id}" if epoch.id else ""


def parse_epoch(text: object) -> m.Epoch:
    seq, _, epoch_id = str(text or "").partition(":")
    return m.Epoch(int(seq), epoch_id) if seq.isdigit() and epoch_id else m.Epoch()


def believable(seen: m.Epoch, now_s: float) -> bool:
    """Not stamped further ahead of our clock than a kiosk would accept: such an epoch is
    forged (or from a broken clock) and no epoch of ours could ever be made newer."""
    return epoch_believable(seen, now_s)


def lost_future(own: m.Epoch, seen: m.Epoch, version: int, issued: int, now_s: float) -> str:
    """Why a status or schedule seen on our own retained topic says the broker (and so the
    kiosks) hold a future this store does not have - a newer epoch, or a version of ours we
    never issued - or "" when it does not."""
    if seen > own and believable(seen, now_s):
        return NEWER_EPOCH
    if seen == own and version > issued:
        return UNISSUED_VERSION
    return ""


class EpochRequests:
    """New epochs asked for by what kiosks *say* they display, at most one per
    ``min_interval_s``: a kiosk's own receipt is its word only, and every new epoch makes
    every kiosk drop its statuses and send today's check-ins again, so one stolen kiosk
    credential claiming a new future each second must not turn into an epoch each second.
    A request inside the interval waits (the newest kept), so a real restore still ends in
    a new epoch, at most ``min_interval_s`` later. Pure: the caller passes the time."""

    def __init__(self, min_interval_s: float = 60.0) -> None:
        self.min_interval_s = min_interval_s
        self.deferred = 0  # requests that had to wait (counted for health)
        self._pending: tuple[str, m.Epoch] | None = None
        self._last_s: float | None = None

    def want(self, reason: str, above: m.Epoch, now_s: float) -> None:
        if self._pending is not None and self._pending[1] > above:
            above = self._pending[1]  # never ask for less than an earlier request did
        self._pending = (reason, above)
        if self._last_s is not None and now_s - self._last_s < self.min_interval_s:
            self.deferred += 1

    def due(self, now_s: float) -> tuple[str, m.Epoch] | None:
        """The request to act on now, if any (then the interval starts again)."""
        if self._pending is None:
            return None
        if self._last_s is not None and now_s - self._last_s < self.min_interval_s:
            return None
        wanted, self._pending, self._last_s = self._pending, None, now_s
        return wanted


__all__ = [
    "CREATED",
    "NEWER_EPOCH",
    "RESTORED",
    "STAMPED",
    "UNISSUED_VERSION",
    "EpochRequests",
    "believable",
    "epoch_text",
    "lost_future",
    "new_epoch",
    "parse_epoch",
    "stamp",
]
