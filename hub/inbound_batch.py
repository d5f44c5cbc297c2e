"""What kiosks sent, on its way into the hub's store: decoded messages accumulate and are
recorded in one transaction when the hub worker's inbox runs dry (or every ``BATCH``); a
batch that fails is recorded again one message at a time, so one hostile message never
costs the others their place. Rejected messages are counted by (kiosk, reason) and added
to the store at the same moment (``kiosk hub health``). After the commit, one ``HubAck``
per kiosk names what it may now forget (``acknowledgements``)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator

from core.errors import KioskError
from hub.origin import Received, RequestOrigin
from hub.store import HubStore
from sync import messages as m
from sync import staff_messages as sm
from sync.topics import TopicTree

log = logging.getLogger(__name__)

BATCH = 500
_ACKED = (m.CheckIn, sm.StaffEvent, sm.NoticeAck)  # kiosk messages a HubAck settles


class InboundBatch:
    def __init__(self, tree: TopicTree, stats: Counter[str]) -> None:
        self._tree = tree
        self._stats = stats
        self._pending: list[Received] = []  # decoded, not yet recorded
        self._rejections: Counter[tuple[str, str]] = Counter()  # (source, reason), not yet stored

    def add(self, received: Received) -> bool:
        """Hold ``received`` for the next flush; True once a whole batch is waiting."""
        self._pending.append(received)
        return len(self._pending) >= BATCH

    def reject(self, topic: str, reason: str) -> None:
        route = self._tree.route(topic)
        self._rejections[route.kiosk_id if route is not None else "", reason] += 1

    def flush(self, store: HubStore | None, record: Callable[[list[Received]], None], now: str) -> None:
        """Record what has accumulated with ``record``: one transaction, or one each if that
        fails; and the rejections counted since the last flush."""
        self._persist_rejections(store, now)
        messages, self._pending = self._pending, []
        if not messages:
            return
        try:
            record(messages)
        except Exception as exc:  # noqa: BLE001 - retried one by one below
            if len(messages) == 1:
                self._count_store_error(exc)
                return
            for msg in messages:
                try:
                    record([msg])
                except Exception as one:  # noqa: BLE001 - only this message is lost
                    self._count_store_error(one)

    def _persist_rejections(self, store: HubStore | None, now: str) -> None:
        counts, self._rejections = self._rejections, Counter()
        if not counts or store is None:
            return
        try:
            with store.transaction():
                store.count_rejections(counts, now)
        except KioskError as exc:
            self._count_store_error(exc)

    def _count_store_error(self, exc: Exception) -> None:
        self._stats["store_errors"] += 1
        # The type only: the text of an error raised while recording may quote patient data.
        log.error("hub could not record a message: %s", type(exc).__name__)


def acknowledgements(tree: TopicTree, messages: list[Received], at: str) -> Iterator[tuple[str, m.HubAck]]:
    """One ``HubAck`` per kiosk (split at ``MAX_ACK_KEYS``) naming the check-ins, staff
    events and notice acknowledgements it sent in ``messages``, new ones and repeats alike."""
    keys: dict[str, list[str]] = {}
    for msg, origin in messages:
        if isinstance(msg, _ACKED) and origin is RequestOrigin.KIOSK:
            keys.setdefault(msg.kiosk_id, []).append(msg.key)
    for kiosk_id, kiosk_keys in keys.items():
        for i in range(0, len(kiosk_keys), m.MAX_ACK_KEYS):
            chunk = list(dict.fromkeys(kiosk_keys[i : i + m.MAX_ACK_KEYS]))
            yield tree.hub_ack(kiosk_id), m.HubAck(kiosk_id, chunk, at)


__all__ = ["BATCH", "InboundBatch", "acknowledgements"]
