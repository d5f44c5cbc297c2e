"""A hub database with a morning still to come, status changes written the way the hub
writes them, and a notifier on it (no broker: the notifier reads what the hub commits)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from hub.day_plan import DayPlan
from hub.notify.contacts import PatientContact
from hub.sample import sample_morning, start_near
from hub.store import HubStore
from sync import messages as m
from tests.support.clock import wall_now, wall_today

FINAL = {"delivered", "sent", "undeliverable", "failed", "opted_out", "no_consent", "merged", "capped"}


def morning_ahead(minutes_ahead: int = 30) -> datetime:
    return start_near(wall_now() + timedelta(minutes=minutes_ahead), 0)


def future_morning(per_provider: int, channel: str = "sms", start: datetime | None = None) -> DayPlan:
    """Every provider's ``per_provider`` visits from ``start`` (half an hour ahead) on; every
    patient consents, by ``channel`` (alternating sms/email for "mixed"), half in Spanish."""
    start = start or morning_ahead()
    plan = sample_morning(wall_today(), start=start, per_provider=per_provider)
    contacts = []
    for n, c in enumerate(plan.contacts):
        chosen = channel if channel != "mixed" else ("sms" if n % 2 else "email")
        contacts.append(replace(c, consent=True, channel=chosen, language="es" if n % 2 else "en"))
    return replace(plan, contacts=contacts)


def open_day(path: Path, plan: DayPlan) -> HubStore:
    store = HubStore.open(path)
    store.load_day(plan)
    return store


def set_status(store: HubStore, provider_id: str, state: str, delay: int = 0) -> m.ProviderStatus:
    """A status change committed as ``HubService`` commits one."""
    status = m.ProviderStatus(
        provider_id,
        store.next_status_version(provider_id),
        state,  # type: ignore[arg-type]
        delay_min=delay,
        reason="sick" if state == "out" else "",
        changed_by="front-desk-1",
        changed_at=wall_now().isoformat(),
        date=store.day(),
    )
    with store.transaction():
        store.set_status(status, uuid.uuid4().hex)
    return status


def affected(plan: DayPlan, *providers: str) -> dict[str, PatientContact]:
    """The consenting patients of ``providers``, by address."""
    ids = {a.id for a in plan.appointments if a.provider_id in providers}
    return {c.address(): c for c in plan.contacts if c.appointment_id in ids and c.address()}


def settle(
    store: HubStore, predicate: Callable[[dict[str, int]], bool], timeout: float = 20.0
) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    counts = store.notify.counts()
    while time.monotonic() < deadline:
        counts = store.notify.counts()
        if predicate(counts):
            return counts
        time.sleep(0.05)
    raise AssertionError(f"notifications did not settle: {counts}")


def all_final(counts: dict[str, int]) -> bool:
    return bool(counts) and set(counts) <= FINAL
