"""The hub epoch every versioned stream carries (docs/protocol.md, "Epochs"): a value on
the wire, re-exported by ``sync.messages``."""

from __future__ import annotations

from dataclasses import dataclass

from sync.validate import check_epoch


@dataclass(frozen=True, order=True)
class Epoch:
    """The hub store's epoch (docs/protocol.md, "Epochs"): made when a hub store is created,
    and again when a hub finds the broker or a kiosk holding state it never issued (it was
    restored from a backup, or reinstalled). Every versioned stream carries it; versions
    are ordered within one epoch, and a newer epoch replaces what an older one left.

    Ordered by ``(seq, id)``: ``seq`` is the hub's clock (Unix ms) when it started the
    epoch, or one above the newest epoch it had seen, so a later epoch always sorts higher
    and two kiosks never disagree about which of two epochs is newer. ``Epoch()`` (seq 0,
    no id) is what a message from a sender older than epochs decodes to: any real epoch
    is newer."""

    seq: int = 0
    id: str = ""

    def check(self) -> None:
        check_epoch(self.seq, self.id)

    def __str__(self) -> str:
        return f"{self.seq}-{self.id}" if self.id else "-"


__all__ = ["Epoch"]
