"""What the patient-notification benches (``bench_notify``, ``bench_notify_merge``,
``bench_notify_outage``) set up alike: a morning at 10:00 whatever the hour, a hub whose
``[hub.notify]`` is as shipped but for where the SMSC simulator listens, a morning in
which every patient consents to SMS, and a status change committed as the hub commits one."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from config.settings import HubNotifySettings, HubSettings, Settings
from core.clock import CLOCK_SHIFT_ENV
from devtools.bench_sync import bench_settings
from devtools.smsc_sim import SmscSim
from hub.day_plan import DayPlan
from hub.sample import sample_morning
from hub.store import HubStore
from sync import messages as m


def shift_to_ten_am() -> None:
    """Run the bench's clocks at 10:00 today (out of quiet hours, away from midnight),
    unless the caller already set a shift."""
    if CLOCK_SHIFT_ENV not in os.environ:
        real = datetime.now()
        os.environ[CLOCK_SHIFT_ENV] = (
            f"{(real.replace(hour=10, minute=0, second=0) - real).total_seconds():.0f}"
        )


def notify_settings(state: Path, smsc: SmscSim, broker_port: int = 1) -> Settings:
    """A hub's settings with the ``[hub.notify]`` defaults but for the SMSC simulator."""
    base = bench_settings(broker_port, state, "hub")
    notify = HubNotifySettings(
        enabled=True,
        practice_name="Riverside Family Practice",
        smpp_host="127.0.0.1",
        smpp_port=smsc.port,
        smpp_system_id=smsc.system_id,
        smpp_password=smsc.password,
        smpp_source_addr="RIVERSIDE",
    )
    return replace(base, hub=HubSettings(state_dir=base.hub.state_dir, notify=notify))


def sms_morning(start: datetime, per_provider: int) -> DayPlan:
    """The sample morning from ``start``, every patient consenting to SMS."""
    plan = sample_morning(start.date(), start=start, per_provider=per_provider)
    return replace(plan, contacts=[replace(c, consent=True, channel="sms") for c in plan.contacts])


def commit_status(
    store: HubStore,
    provider_id: str,
    state: m.StatusState,
    *,
    at: datetime,
    changed_by: str,
    delay_min: int = 0,
    reason: str = "",
) -> None:
    """A status change committed as the hub commits one: the next version, today's date."""
    status = m.ProviderStatus(
        provider_id,
        store.next_status_version(provider_id),
        state,
        delay_min=delay_min,
        reason=reason,
        changed_by=changed_by,
        changed_at=at.isoformat(),
        date=store.day(),
    )
    with store.transaction():
        store.set_status(status, uuid.uuid4().hex)


__all__ = ["commit_status", "notify_settings", "shift_to_ten_am", "sms_morning"]
