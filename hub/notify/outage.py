"""A channel's outage, seen by staff: its state is written for the CLI, ``kiosk hub
health`` and the dashboard, and an outage longer than ``channel_down_escalate_min``
while messages wait raises one escalation for the whole channel (not one per patient),
resolved when the channel is back.

The messages themselves only wait: a down channel spends no attempt (``Outcomes``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from config.settings import HubNotifySettings
from hub.notify.channel_records import ChannelState
from hub.notify.channels import Channel
from hub.store import HubStore
from sync import staff_messages as sm

_WHAT = {
    "smpp": "SMS (the SMSC)",
    "smtp": "e-mail (the SMTP relay)",
    "webhook": "the site's gateway (webhook)",
}


class OutageWatch:
    def __init__(self, cfg: HubNotifySettings, stats: Counter[str]) -> None:
        self.cfg = cfg
        self.stats = stats
        self._escalated: dict[str, str] = {}  # channel -> the outage (down_since) staff heard of

    def open(self, store: HubStore) -> None:
        """Remember which outages were escalated before a restart (one escalation each)."""
        for state in store.notify.channels.all():
            if state.escalated_for:
                self._escalated[state.name] = state.escalated_for

    def check(self, store: HubStore, channels: dict[str, Channel], now: datetime) -> list[sm.Escalation]:
        """Write every channel's state (inside the caller's transaction); the escalations an
        outage calls for now (``mark`` them once they are raised)."""
        alerts: list[sm.Escalation] = []
        for name, channel in channels.items():
            link = channel.link
            waiting = store.notify.channels.waiting(name)
            since = link.down_since.isoformat() if link.down_since is not None else ""
            escalated_for = self._escalated.get(name, "")
            long_down = link.down_since is not None and now - link.down_since >= timedelta(
                minutes=self.cfg.channel_down_escalate_min
            )
            if long_down and waiting and since != escalated_for and link.down_since is not None:
                alerts.append(_alert(name, link.down_since, waiting, link.reason, now))
            elif link.up and escalated_for:  # back: the escalation staff saw is resolved
                alerts.append(_resolved(name, escalated_for, now))
            store.notify.channels.save(
                ChannelState(
                    name,
                    "up" if link.up else "down",
                    since,
                    link.reason,
                    waiting,
                    link.retry_in_s(),
                    now.isoformat(),
                    escalated_for,
                )
            )
        return alerts

    def mark(self, store: HubStore, alerts: list[sm.Escalation]) -> None:
        """Remember what was raised (or resolved), so each outage is told once."""
        for alert in alerts:
            name, since = alert.id.split("--", 2)[1:3]
            for state in store.notify.channels.all():
                if state.name != name:
                    continue
                if not alert.open:
                    self._escalated.pop(name, None)
                    store.notify.channels.save(replace(state, escalated_for=""))
                elif _stamp(state.down_since) == since:
                    self._escalated[name] = state.down_since
                    store.notify.channels.save(replace(state, escalated_for=state.down_since))
            self.stats["channel_escalations" if alert.open else "channel_escalations_resolved"] += 1


def _stamp(when: str) -> str:
    return datetime.fromisoformat(when).strftime("%Y%m%dT%H%M%S") if when else ""


def _resolved(name: str, escalated_for: str, now: datetime) -> sm.Escalation:
    detail = f"{_WHAT.get(name, name)} is back: the waiting messages are going out"
    return sm.Escalation(
        f"notify--{name}--{_stamp(escalated_for)}",
        now.isoformat(timespec="seconds"),
        "patient",
        False,
        detail=detail,
    )


def _alert(name: str, since: datetime, waiting: int, reason: str, now: datetime) -> sm.Escalation:
    what = _WHAT.get(name, name)
    detail = (
        f"{what} down since {since:%H:%M}: {waiting} patient message(s) wait and go when it is back"
        f" ({reason}); check the connection, or call the patients whose visit is soon"
    )
    return sm.Escalation(
        f"notify--{name}--{_stamp(since.isoformat())}",
        now.isoformat(timespec="seconds"),
        "patient",
        True,
        detail=detail[:200],
    )


__all__ = ["OutageWatch"]
