"""The ``notify`` worker: plans notifications from committed status changes, sends them
through the channels, applies receipts and replies, and raises escalations.

It owns its own connection to the hub's SQLite file (WAL: the hub worker keeps writing
its tables meanwhile) and every channel's socket. A row is marked ``sending`` in a
commit before it leaves and settled in a commit after; a row a crash leaves ``sending``
is ``in_doubt`` at the next start: an SMS is sent again only when no receipt for it has
come within ``in_doubt_s`` (the SMSC sends unanswered receipts again after a bind).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.settings import HubNotifySettings, Settings
from core.clock import Clock, SystemClock
from core.errors import KioskError
from core.worker import Worker, WorkerStopped
from hub.notify.channels import Channel, Outgoing, RateLimit, Retry, Unavailable
from hub.notify.outage import OutageWatch
from hub.notify.outcomes import Outcomes
from hub.notify.planner import Planner, stamp
from hub.notify.records import OutboxRow
from hub.notify.rules import answer_overdue, in_quiet_hours, over_cap
from hub.store import HubStore
from sync import staff_messages as sm
from sync.vault import store_key_source
from sync.wire import Message

if TYPE_CHECKING:
    from hub.notify.imap import ImapReplies

log = logging.getLogger(__name__)

_TICK_S = 0.05
_BATCH = 50  # messages claimed (and pipelined to the SMSC) per commit
_HOUSEKEEP_S = 1.0
Escalate = Callable[[list[sm.Escalation]], None]


class Notifier:
    def __init__(
        self,
        settings: Settings,
        *,
        db_path: str | Path | None = None,
        escalate: Escalate | None = None,
        clock: Clock | None = None,
        channels: list[Channel] | None = None,
    ) -> None:
        self.cfg = settings.hub.notify
        self.clock = clock or SystemClock(precise=True)  # holds and windows to the microsecond
        self.db_path = Path(db_path or Path(settings.hub.state_dir) / "hub.sqlite")
        self.store_key = store_key_source(settings, self.db_path)
        self.stats: Counter[str] = Counter()
        self._escalate = escalate
        built = channels if channels is not None else build_channels(settings, self.clock)
        self._channels = {c.name: c for c in built}
        self._limits = {name: RateLimit(c.rate_per_s, self.clock) for name, c in self._channels.items()}
        self._paused: dict[str, tuple[float, int]] = {}  # channel -> (until monotonic, throttled in a row)
        self.planner = Planner(self.cfg, self.cfg.practice_name or settings.ui.practice_name, self._routes())
        self.outcomes = Outcomes(self.cfg, self.stats)
        self.outages = OutageWatch(self.cfg, self.stats)
        self.store: HubStore | None = None
        self._housekept = 0.0
        self.listeners: list[Callable[[], None]] = []  # told when what staff see changed
        self._seen: object = None
        self._worker = Worker(
            "notify", tick_s=_TICK_S, on_tick=self._tick, on_start=self._open, on_stop=self._close, stall_s=30
        )

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        self._worker.start()
        if self._worker.start_error is not None:
            raise self._worker.start_error

    def stop(self) -> None:
        self._worker.stop(15)

    def call(self, fn: Callable[[HubStore], Any], timeout: float = 10.0) -> Any:
        return self._worker.call(lambda: fn(self._store()), timeout=timeout)

    def responsive(self) -> bool:
        return self._worker.responsive()

    def on_hub_event(self, event: str, _msg: Message) -> None:
        """``HubService.add_listener``: a committed status change is planned at once."""
        if event == "status":
            self._worker.post(self._plan)

    @property
    def channels(self) -> dict[str, Channel]:
        return dict(self._channels)

    def _routes(self) -> dict[str, str]:
        have = self._channels
        sms = "smpp" if "smpp" in have else "webhook" if "webhook" in have else ""
        email = "smtp" if "smtp" in have else "webhook" if "webhook" in have else ""
        return {k: v for k, v in {"sms": sms, "email": email}.items() if v}

    def _open(self) -> None:
        self.store = HubStore.open(self.db_path, key=self.store_key)
        self.planner.open(self.store)
        self.outages.open(self.store)
        now = self.clock.now().isoformat()
        with self.store.transaction():
            for row in self.store.notify.in_state("sending"):  # a crash cut these off mid-send
                self.store.notify.update(row.key, state="in_doubt", in_doubt_since=now)
                self.stats["recovered_in_doubt"] += 1

    def _close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        if self.store is not None:
            self.store.close()
            self.store = None

    def _store(self) -> HubStore:
        if self.store is None:
            raise KioskError("the notifier is not running")
        return self.store

    # --- the loop ---------------------------------------------------------------------

    def _tick(self) -> float:
        self._plan()
        self._events()
        if self.clock.monotonic() - self._housekept >= _HOUSEKEEP_S:
            self._housekept = self.clock.monotonic()
            self._housekeep()
        return 0.0 if self._send() else _TICK_S

    def _plan(self) -> None:
        added = self.planner.plan(self._store(), self.clock.now())
        if added:
            log.info("notifications planned", extra={"rows": added})

    def _events(self) -> None:
        store = self._store()
        for name, channel in self._channels.items():
            events = channel.poll()
            if not events:
                continue
            with store.transaction():
                self.outcomes.apply(store, name, events, self.clock.now())
            channel.settle()  # committed: now the SMSC may forget them

    def _send(self) -> bool:
        """Send what is due on every channel; True when more is due right away."""
        now = self.clock.now()
        if in_quiet_hours(now, self.cfg.quiet_start, self.cfg.quiet_end):
            return False
        # Plan after reading ``now``: a correction committed before a held message fell
        # due is planned (and merges it) before that message can be claimed.
        self._plan()
        more = False
        for name, channel in self._channels.items():
            until, _ = self._paused.get(name, (0.0, 0))
            if self.clock.monotonic() < until or not channel.link.may_try():
                continue  # throttled, or down and not yet to be dialled again: nothing is claimed
            # A down channel is probed with one message; it spends no attempt if still down.
            room = min(self._limits[name].available(), _BATCH if channel.link.up else 1)
            if room <= 0:
                continue
            rows = self._store().notify.due(name, stamp(now), room)
            ready = self._claim(rows, now)
            if ready:
                results = channel.submit(
                    [Outgoing(r.key, r.address, r.subject, r.text, r.language) for r in ready]
                )
                self._limits[name].take(sum(not isinstance(r, Unavailable) for r in results))
                self._pace(name, results)
                store = self._store()
                with store.transaction():
                    self.outcomes.record(store, ready, results, self.clock.now())
            more = more or (len(rows) == room and channel.link.up)
        return more

    def _pace(self, name: str, results: list[Any]) -> None:
        """A channel that throttles waits (capped, jittered) before the next try; one that is
        down waits for its link's reconnect back-off (``Link.may_try``)."""
        if results and all(isinstance(r, Retry) and r.throttled for r in results):
            _, attempts = self._paused.get(name, (0.0, 0))
            self._paused[name] = (self.clock.monotonic() + self.outcomes.retry_delay(attempts), attempts + 1)
            self.stats[f"{name}_paused"] += 1
        else:
            self._paused.pop(name, None)

    def _claim(self, rows: list[OutboxRow], now: datetime) -> list[OutboxRow]:
        """In one commit: drop what must not go any more, mark the rest ``sending``."""
        if not rows:
            return []
        store = self._store()
        ready: list[OutboxRow] = []
        with store.transaction():
            for row in rows:
                why = self._hold(store, row, now)
                if why:
                    self._drop(store, row, *why)
                    continue
                store.notify.update(row.key, state="sending")  # attempts count answers (``Outcomes``)
                ready.append(row)
        return ready

    def _drop(self, store: HubStore, row: OutboxRow, state: str, error: str) -> None:
        """``row`` will not be sent. A patient who was to hear of a change (not an on-time
        reminder) and whose message was capped or came too late is for staff to call."""
        call = row.kind != "on_time" and state in ("capped", "expired")
        store.notify.update(
            row.key, state=state, error=error, escalate=f"{row.channel} {state}: {error}" if call else ""
        )
        self.stats[state] += 1

    def _hold(self, store: HubStore, row: OutboxRow, now: datetime) -> tuple[str, str] | None:
        appt = store.appointment(row.appointment_id)
        if appt is not None and appt.start == row.appointment_start and appt.state == "checked_in":
            return "skipped", "the patient checked in first"
        if datetime.fromisoformat(row.appointment_start) <= now:
            return "expired", "not sent before the visit began"
        if store.notify.opted_out(row.address):
            return "opted_out", "the patient replied STOP"
        since = (now - timedelta(days=7)).isoformat()
        times = [datetime.fromisoformat(t) for t in store.notify.sent_times(row.address, since)]
        cap = over_cap(times, now, self.cfg.max_per_day, self.cfg.max_per_week)
        if cap:
            return "capped", f"the patient had the most messages a {cap} allows"
        return None

    # --- once a second ----------------------------------------------------------------

    def _housekeep(self) -> None:
        store = self._store()
        now = self.clock.now()
        with store.transaction():
            for row in store.notify.in_state("in_doubt"):
                since = datetime.fromisoformat(row.in_doubt_since or now.isoformat())
                if now - since >= timedelta(seconds=self.cfg.in_doubt_s) and self._heard_back(row.transport):
                    # No receipt came: the SMSC never had it. Send it again.
                    store.notify.update(row.key, state="pending", due_at=stamp(now))
                    self.stats["in_doubt_resent"] += 1
            for row in store.notify.pending_past(now.isoformat()):
                # Its visit began while it waited (for quiet hours to end, or a channel to return).
                self._drop(store, row, "expired", "not sent before the visit began")
            for row in store.notify.awaiting_answer():
                if answer_overdue(row.appointment_start, row.sent_at, now, self.cfg.no_answer_min):
                    store.notify.update(row.key, escalate=f"no answer to the {row.channel} message")
                    self.stats["no_answer"] += 1
            outage_alerts = self.outages.check(store, self._channels, now)
        self._raise_escalations(store, now)
        self._raise_outages(store, outage_alerts)
        self._tell_listeners(store)

    def _tell_listeners(self, store: HubStore) -> None:
        """Once a second at most: the dashboard refreshes its Notifications page when the
        counts, the replies or a channel's state changed."""
        seen = (
            store.notify.counts(),
            [(c.state, c.waiting) for c in store.notify.channels.all()],
            store.db.execute("SELECT count(*), max(id) FROM notify_replies").fetchone(),
            store.db.execute("SELECT count(*) FROM notify_optouts").fetchone(),
        )
        if seen == self._seen:
            return
        self._seen = seen
        for listener in self.listeners:
            try:
                listener()
            except Exception:  # a listener's fault never stops sending
                log.warning("a notifications listener failed", exc_info=True)

    def _heard_back(self, transport: str) -> bool:
        """An in-doubt message's channel has been up ``in_doubt_s``: long enough for the
        carrier to send again a receipt it kept while the channel (or the hub) was down."""
        channel = self._channels.get(transport)
        return channel is None or channel.link.up_for_s() >= self.cfg.in_doubt_s

    def _escalated(self, alerts: list[sm.Escalation]) -> bool:
        """Hand ``alerts`` to the hub; False when they wait for a later second."""
        if not alerts or self._escalate is None:
            return False
        try:
            self._escalate(alerts)
        except (KioskError, TimeoutError, WorkerStopped) as exc:
            log.warning("escalation deferred: %s", type(exc).__name__)
            return False
        return True

    def _raise_outages(self, store: HubStore, alerts: list[sm.Escalation]) -> None:
        if not self._escalated(alerts):
            return
        with store.transaction():
            self.outages.mark(store, alerts)

    def _raise_escalations(self, store: HubStore, now: datetime) -> None:
        rows = store.notify.to_escalate()
        if not rows or self._escalate is None:
            return
        at = now.isoformat(timespec="seconds")
        alerts = [
            sm.Escalation(
                f"patient-{row.appointment_id}-{row.change}",
                at,
                "patient",
                True,
                row.provider_id,
                row.status_version,
                f"call the patient of {row.appointment_id} ({row.appointment_start[11:16]}): {row.escalate}"[
                    :200
                ],
            )
            for row in rows
        ]
        if not self._escalated(alerts):
            return
        with store.transaction():
            for row in rows:
                store.notify.update(row.key, escalated=1)
        self.stats["escalations"] += len(rows)


def build_channels(settings: Settings, clock: Clock | None = None) -> list[Channel]:
    """The channels ``[hub.notify]`` configures (a host or URL each)."""
    cfg = settings.hub.notify
    out: list[Channel] = []
    if cfg.smpp_host:
        from hub.notify.smpp import SmppChannel

        out.append(
            SmppChannel(
                cfg.smpp_host,
                cfg.smpp_port,
                system_id=cfg.smpp_system_id,
                password=cfg.smpp_password,
                source_addr=cfg.smpp_source_addr,
                rate_per_s=cfg.smpp_rate_per_s,
                clock=clock,
            )
        )
    if cfg.smtp_host:
        from hub.notify.email import SmtpChannel

        out.append(
            SmtpChannel(
                cfg.smtp_host,
                cfg.smtp_port,
                cfg.smtp_from,
                cfg.smtp_rate_per_s,
                starttls=cfg.smtp_starttls,
                ca_file=cfg.smtp_ca_file,
                username=cfg.smtp_username,
                password=cfg.smtp_password,
                clock=clock,
                reply_to=cfg.smtp_reply_to,
                replies=_imap(cfg),
            )
        )
    if cfg.webhook_url:
        from hub.notify.webhook import WebhookChannel

        out.append(WebhookChannel(cfg.webhook_url, cfg.webhook_secret, cfg.webhook_rate_per_s, clock=clock))
    return out


def _imap(cfg: HubNotifySettings) -> ImapReplies | None:
    if not cfg.imap_host:
        return None
    from hub.notify.imap import ImapReplies

    return ImapReplies(
        cfg.imap_host,
        cfg.imap_port,
        cfg.imap_username,
        cfg.imap_password,
        security=cfg.imap_security,
        ca_file=cfg.imap_ca_file,
        mailbox=cfg.imap_mailbox,
        poll_s=cfg.imap_poll_s,
    )
