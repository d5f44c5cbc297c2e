"""When a kiosk sends an unacknowledged outbox row again - so that a check-in crosses a
site's uplink a bounded number of times however long the uplink is cut.

The kiosk sends a row, its broker accepts it (PUBACK), and it waits for the hub's
acknowledgement. A row not acknowledged in time goes again, but:

* **with back-off**: the n-th copy waits ``ack_timeout_s * 2**n`` after the one before,
  up to ``ceiling_s`` (``RESEND_CEILING_S``): a hub that is merely slow, or a path that is
  broken in a way nobody announces, costs a copy every few minutes, not every timeout;
* **never while the path is known down**: a site broker that bridges to a central hub
  publishes its bridge's state (``sync.bridge_state``). While a bridge is down, what its
  broker accepted is queued there for the bridge, so a copy would only queue beside it;
  nothing is sent again until the bridge is back, and then the hub first gets a full
  timeout (from the bridge's return) to work through the queue;
* as before, not while the hub is offline, nor what the broker has not yet accepted.

A kiosk still keeps every row until the hub acknowledges it, and replays them all on each
new connection (a broker that lost its queue loses nothing). Pure: time is passed in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sync.bridge_state import BridgeStates

RESEND_CEILING_S = 300.0  # the longest wait between two copies of one row
BUSY_FACTOR = 3  # a hub acknowledging others is working through a backlog: wait longer


@dataclass
class _Handed:
    at: float  # monotonic time the newest copy was handed to the broker
    resends: int  # copies after the first on this connection


class ResendPolicy:
    def __init__(self, ack_timeout_s: float, ceiling_s: float = RESEND_CEILING_S) -> None:
        self.ack_timeout_s = ack_timeout_s
        self.ceiling_s = max(ceiling_s, ack_timeout_s)
        self.bridges = BridgeStates()
        self._handed: dict[int, _Handed] = {}

    # --- what happened ------------------------------------------------------------------

    def handed(self, seq: int, now: float) -> None:
        """A copy of ``seq`` went to the broker (first, replayed or again)."""
        before = self._handed.get(seq)
        self._handed[seq] = _Handed(now, before.resends + 1 if before is not None else 0)

    def done(self, seq: int) -> None:
        """Acknowledged, or refused (retried on the next connection): no more resends."""
        self._handed.pop(seq, None)

    def forget_all(self) -> None:
        """A new connection: everything is replayed, back-offs start again."""
        self._handed.clear()

    def restart_clocks(self, now: float) -> None:
        """The hub (or the path to it) is back: each row gets its wait again from now."""
        for handed in self._handed.values():
            handed.at = now

    def note_bridge(self, topic: str, payload: bytes, heard_at: str, now: float) -> bool:
        """A bridge's state; True when ``topic`` was one. Its return restarts the clocks."""
        was_down = self.bridges.any_down()
        if not self.bridges.note(topic, payload, heard_at):
            return False
        if was_down and not self.bridges.any_down():
            self.restart_clocks(now)
        return True

    # --- what to send ---------------------------------------------------------------------

    @property
    def path_down(self) -> bool:
        return self.bridges.any_down()

    def wait_s(self, resends: int, busy: bool = False) -> float:
        base = self.ack_timeout_s * (BUSY_FACTOR if busy else 1)
        return float(min(base * 2.0 ** min(resends, 32), max(self.ceiling_s, base)))

    def overdue(
        self, now: float, *, hub_online: bool, busy: bool = False, waiting: Collection[int] = ()
    ) -> list[int]:
        """The rows to send again now (``waiting``: handed, not yet accepted by the broker)."""
        if not hub_online or self.path_down:
            return []
        return sorted(
            seq
            for seq, h in self._handed.items()
            if seq not in waiting and now - h.at >= self.wait_s(h.resends, busy)
        )


__all__ = ["BUSY_FACTOR", "RESEND_CEILING_S", "ResendPolicy"]
