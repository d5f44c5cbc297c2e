"""Status change requests at the hub, the single writer of provider status: each is
checked (known provider, the staff rules of ``hub/desk.py``), given the next version and
recorded with its answer in one transaction, then published. On the hub worker."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from core.clock import Clock
from core.errors import KioskError
from hub.desk import StaffDesk
from hub.origin import RequestOrigin
from hub.store import HubStore
from sync import messages as m
from sync.topics import TopicTree
from sync.wire import Message

log = logging.getLogger(__name__)

Publish = Callable[[str, Message, bool], None]


class HubNotOpen(KioskError):
    """Hub work was asked for before the store opened (or after it closed)."""

    def __init__(self) -> None:
        super().__init__("the hub store is not open")


class StatusRequests:
    def __init__(self, tree: TopicTree, clock: Clock, stats: Counter[str], publish: Publish) -> None:
        self.tree = tree
        self.clock = clock
        self.stats = stats
        self.publish = publish

    def apply(
        self,
        store: HubStore,
        desk: StaffDesk | None,
        requests: list[tuple[m.StatusChangeRequest, RequestOrigin]],
    ) -> list[m.RequestResult]:
        """Decide and record each request in its own transaction, then publish the new
        status and the answer; a replayed request is answered again and changes nothing."""
        results: list[m.RequestResult] = []
        for req, origin in requests:
            earlier = store.request_result(req.key)
            if earlier is not None:  # a replayed request: answer again, change nothing
                self.stats["request_duplicates"] += 1
                if desk is not None:
                    with store.transaction():
                        desk.on_replayed(req, earlier, self.clock.now(), origin)
                results.append(earlier)
                self.publish(self.tree.request_result(req.kiosk_id), earlier, False)
                continue
            result, status = self._decide(store, desk, req, origin)
            if desk is None:
                raise HubNotOpen()
            with store.transaction():
                if status is not None:
                    store.set_status(status, req.key)
                store.record_request(req, result, self.clock.now().isoformat(), origin)
                follow_up = desk.on_decided(req, result, status, self.clock.now(), origin)
            if status is not None:
                self.publish(self.tree.status(status.provider_id), status, True)
                log.info(
                    "provider status changed",
                    extra={"provider": status.provider_id, "state": status.state, "version": status.version},
                )
            self.publish(self.tree.request_result(req.kiosk_id), result, False)
            for topic, msg, retain in follow_up:
                self.publish(topic, msg, retain)
            results.append(result)
        return results

    def _decide(
        self, store: HubStore, desk: StaffDesk | None, req: m.StatusChangeRequest, origin: RequestOrigin
    ) -> tuple[m.RequestResult, m.ProviderStatus | None]:
        reason = ""
        if req.provider_id not in store.provider_ids():
            reason = f"unknown provider {req.provider_id}"
        else:
            if desk is None:
                raise HubNotOpen()
            reason = desk.check(req, origin)
        if reason:
            self.stats["requests_rejected"] += 1
            return m.RequestResult(req.key, req.kiosk_id, False, reason, req.provider_id), None
        version = store.next_status_version(req.provider_id)
        status = m.ProviderStatus(
            provider_id=req.provider_id,
            version=version,
            state=req.state,
            delay_min=req.delay_min if req.state == "late" else 0,
            leaving_at=req.leaving_at if req.state == "leaving_early" else "",
            reason=req.reason,
            changed_by=req.requested_by,
            changed_at=self.clock.now().isoformat(),
            alternative_provider_id=req.alternative_provider_id,
            date=store.day(),
        )
        self.stats["requests_applied"] += 1
        return m.RequestResult(req.key, req.kiosk_id, True, "", req.provider_id, version), status


__all__ = ["HubNotOpen", "StatusRequests"]
