"""Check-in intake shared by several workers: ``kiosk hub intake``.

A hub records check-ins itself by default. Where one process is not enough (a group's
central hubs taking a morning's backlog from many sites at once), check-ins go to a pool
of intake workers instead: each subscribes to the sites' check-in topics through one MQTT
5 shared subscription (``$share/<group>/clinic/v1/<practice>/<site>/kiosk/+/checkin``), so
the broker hands every check-in to exactly one worker of the group, and more workers (on
more cores or machines) take more. The site's hub then runs with ``[hub] intake = "pool"``
(it no longer subscribes to check-ins) and stays the single writer of statuses and of the
retained schedule: it republishes a schedule the pool changed within a tick
(``schedules_to_republish``).

A worker records what it got in the site's hub database (one transaction per site per
batch, the same ``HubStore.record_checkin``: a key is recorded once, whichever worker has
it, because SQLite serialises the writers of one file and the key is the primary key),
then acknowledges (``hub_ack``) and publishes the ``appointment`` change, exactly as the
hub would. Workers connect with a clean session: a worker that is gone takes no share of
the check-ins (mosquitto would queue a share for an absent member's persistent session),
and what it held unacknowledged the kiosks send again after their timeout.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from config.settings import BrokerSettings
from core.clock import Clock, SystemClock
from core.errors import ConfigError, KioskError
from core.worker import Worker
from hub.epoch import stamp
from hub.publish_guard import PublishGuard
from hub.store import HubStore
from sync import messages as m
from sync.inbound import InboundDecoder
from sync.link import LinkEvent, MqttLink
from sync.topics import TopicTree
from sync.vault import KeySource
from sync.wire import Message, encode

log = logging.getLogger(__name__)

_BATCH = 500
GROUP = "intake"


def shared_checkins(tree: TopicTree, group: str = GROUP) -> str:
    """The shared subscription of a site's check-ins."""
    return f"$share/{group}/{tree.kiosk('+', 'checkin')}"


class CheckinIntake:
    """One worker of the pool: the check-ins of ``sites`` (name -> hub database path)."""

    def __init__(
        self,
        broker: BrokerSettings,
        client_id: str,
        practice: str,
        sites: dict[str, Path],
        *,
        group: str = GROUP,
        clock: Clock | None = None,
        keys: dict[str, KeySource] | None = None,
    ) -> None:
        if not sites:
            raise ConfigError("an intake worker needs at least one site: --site NAME=HUB_DATABASE")
        self.clock = clock or SystemClock()
        self.trees = {site: TopicTree(practice, site) for site in sites}
        self._paths = dict(sites)
        self._keys = keys or {}  # site -> its store's key (default: store.key beside the file)
        self._decoders = {site: InboundDecoder(tree) for site, tree in self.trees.items()}
        # What kiosks read leaves only if their own decoder takes it (hub/publish_guard.py);
        # what it holds back is counted and logged here (the site hub escalates its own).
        self._guards = {site: PublishGuard(tree) for site, tree in self.trees.items()}
        self._stores: dict[str, HubStore] = {}
        self._pending: dict[str, list[m.CheckIn]] = {}
        self.stats: Counter[str] = Counter()
        self._worker = Worker(
            f"intake-{client_id}", on_idle=self._flush, on_start=self._open, on_stop=self._close
        )
        self.link = MqttLink(
            broker,
            client_id=client_id,
            on_event=self._post,
            subscriptions=[shared_checkins(tree, group) for tree in self.trees.values()],
        )

    def start(self) -> None:
        self._worker.start()
        if self._worker.start_error is not None:
            raise self._worker.start_error
        self.link.start()

    def stop(self) -> None:
        self.link.stop()
        self._worker.stop(10)

    def responsive(self) -> bool:
        return self._worker.responsive() and self.link.supervising()

    def _post(self, event: LinkEvent) -> None:
        """On the link's thread: hand the event over, nothing else."""
        self._worker.post(self._on_link, event)

    def _open(self) -> None:
        self._stores = {
            site: HubStore.open(path, key=self._keys.get(site)) for site, path in self._paths.items()
        }

    def _close(self) -> None:
        self._flush()
        for store in self._stores.values():
            store.close()

    def _on_link(self, event: LinkEvent) -> None:
        if event.kind != "message":
            return
        site = next((s for s, t in self.trees.items() if t.route(event.topic) is not None), None)
        if site is None:
            self.stats["foreign_topic"] += 1
            return
        msg = self._decoders[site].decode(event.topic, event.payload)
        if not isinstance(msg, m.CheckIn):
            self.stats["rejected"] += 1  # counted by reason in the decoder
            return
        pending = self._pending.setdefault(site, [])
        pending.append(msg)
        if len(pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        batches, self._pending = self._pending, {}
        for site, checkins in batches.items():
            self._record(site, checkins)

    def _record(self, site: str, checkins: list[m.CheckIn]) -> None:
        store, tree = self._stores[site], self.trees[site]
        now = self.clock.now().isoformat()
        changes: list[m.AppointmentChange] = []
        try:
            with store.transaction():
                for msg in checkins:
                    change = store.record_checkin(msg, now)
                    if change is False:
                        self.stats["checkin_duplicates"] += 1
                        continue
                    self.stats["checkins"] += 1
                    if isinstance(change, m.AppointmentChange):
                        changes.append(change)
        except KioskError as exc:
            # Not acknowledged, so not lost: the kiosks send these again.
            self.stats["store_errors"] += 1
            log.error("intake could not record a batch: %s", type(exc).__name__, extra={"site": site})
            return
        keys: dict[str, list[str]] = {}
        for msg in checkins:
            keys.setdefault(msg.kiosk_id, []).append(msg.key)
        for kiosk_id, kiosk_keys in keys.items():
            unique = list(dict.fromkeys(kiosk_keys))
            for i in range(0, len(unique), m.MAX_ACK_KEYS):
                self._publish(tree.hub_ack(kiosk_id), m.HubAck(kiosk_id, unique[i : i + m.MAX_ACK_KEYS], now))
        epoch = store.epochs.current() if changes else None  # the site hub's (hub/epoch.py)
        for change in changes:
            topic, stamped = tree.appointment(change.provider_id), stamp(change, epoch or m.Epoch())
            if self._guards[site].check(topic, stamped, encode(stamped)) is None:
                self.stats["published_held_back"] += 1
                continue
            self._publish(topic, stamped)

    def _publish(self, topic: str, msg: Message) -> None:
        if not self.link.publish(topic, encode(msg), qos=1):
            self.stats["publish_deferred"] += 1  # the kiosk sends again; its ack comes then


def schedules_to_republish(
    store: HubStore, tree: TopicTree, published: dict[str, int]
) -> list[tuple[str, Message, bool]]:
    """For a hub whose check-ins the pool records: the schedules that changed since it last
    published them (``published``: provider -> version, updated here)."""
    out: list[tuple[str, Message, bool]] = []
    for provider_id, version in store.schedule_versions().items():
        if published.get(provider_id, 0) >= version:
            continue
        schedule = store.wire_schedule(provider_id)
        if schedule is not None:
            out.append((tree.schedule(provider_id), schedule, True))
            published[provider_id] = schedule.version
    return out


def add_command(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    cmd = sub.add_parser("intake", help="record check-ins for the sites' hubs (a shared subscription)")
    cmd.add_argument(
        "--site", action="append", default=[], metavar="NAME=HUB_DATABASE", help="a site and its hub's file"
    )
    cmd.add_argument("--group", default=GROUP, help="the shared subscription's group (all workers alike)")
    cmd.set_defaults(handler=handler)


def sites_from_args(values: Sequence[str]) -> dict[str, Path]:
    sites: dict[str, Path] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise ConfigError(f"--site wants NAME=HUB_DATABASE, got {value!r}")
        sites[name] = Path(path)
    return sites


__all__ = [
    "GROUP",
    "CheckinIntake",
    "add_command",
    "schedules_to_republish",
    "shared_checkins",
    "sites_from_args",
]
