"""Pure decisions about incoming state: apply it, or why not.

State is ordered by (epoch, version), never by arrival: a repeated or older message never
overwrites what a kiosk already holds. Within the epoch a kiosk follows, versions order
it; a newer epoch (a hub restored from a backup, or reinstalled) is followed and what the
older one left is dropped; an older epoch is ignored, so old retained messages arriving
late never flip a kiosk back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.messages import Epoch

APPLY = "apply"
DUPLICATE = "duplicate"
STALE = "stale"
OLDER_DAY = "older_day"
OTHER_DAY = "other_day"
GAP = "gap"

# How a message's epoch compares with the one a kiosk follows.
SAME_EPOCH = "same_epoch"
NEW_EPOCH = "new_epoch"  # follow it: drop what the older epoch left, then apply
OLD_EPOCH = "old_epoch"  # ignored and counted
FUTURE_EPOCH = "future_epoch"  # stamped more than EPOCH_AHEAD_S past this kiosk's clock: ignored
# A hub stamps an epoch with its clock; one a day ahead of the kiosk's is a forgery or a
# broken clock, and following it would pin the kiosk (no real epoch could be newer).
EPOCH_AHEAD_S = 86400
EPOCH_SEQ_PER_S = 1000  # an epoch's seq counts milliseconds


def epoch_believable(epoch: Epoch, now_s: float) -> bool:
    """Not stamped more than ``EPOCH_AHEAD_S`` past ``now_s`` (Unix seconds)."""
    return epoch.seq <= (now_s + EPOCH_AHEAD_S) * EPOCH_SEQ_PER_S


@dataclass(frozen=True)
class Held:
    """What the cache holds for one provider's schedule."""

    date: str
    version: int


def decide_schedule(held: Held | None, date: str, version: int) -> str:
    """A whole day for one provider: newer day or newer version replaces it."""
    if held is None or date > held.date:
        return APPLY
    if date < held.date:
        return OLDER_DAY
    return _by_version(held.version, version)


def decide_appointment_change(held: Held | None, date: str, version: int) -> str:
    """One appointment: applies to the held day only.

    ``GAP`` (a change skipped ahead) is applied without advancing the held version, so
    the retained full schedule at that version still replaces the day and fills the gap.
    """
    if held is None or date != held.date:
        return OTHER_DAY
    if version == held.version + 1:
        return APPLY
    if version > held.version + 1:
        return GAP
    return _by_version(held.version, version)


def decide_status(held_version: int | None, version: int) -> str:
    if held_version is None:
        return APPLY
    return _by_version(held_version, version)


def _by_version(held: int, incoming: int) -> str:
    if incoming > held:
        return APPLY
    return DUPLICATE if incoming == held else STALE


def decide_epoch(held: Epoch, incoming: Epoch, now_s: float | None = None) -> str:
    """``incoming`` against the epoch a kiosk follows (``now_s``: the kiosk's clock, Unix
    seconds; None skips the bound). ``Epoch()`` is a sender older than epochs: the same
    as a kiosk that never saw one, older than any real epoch."""
    if incoming == held:
        return SAME_EPOCH
    if incoming < held:
        return OLD_EPOCH
    if now_s is not None and not epoch_believable(incoming, now_s):
        return FUTURE_EPOCH
    return NEW_EPOCH
