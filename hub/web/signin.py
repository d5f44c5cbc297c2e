"""Checking a password at the dashboard (the sign-in and a supervisor's approval): through
the ``SignInGuard``, one answer for every failure.

Every refusal looks the same from outside: the same text (``FAILURE``) and the same time.
An unknown id and a member without a dashboard password are checked against a dummy hash of
the same cost as a real one; a held account or a spent budget computes no hash (that is the
point of holding it), and every refusal is answered ``failure_answer_ms`` after the attempt
arrived, whatever it cost. A success is answered at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from domain.staff import SCRYPT_N, StaffMember, hash_secret, verify_secret
from hub.desk import Out
from hub.store import HubStore
from hub.web.context import Dashboard
from hub.web.devices import Device
from hub.web.guard import Attack, Ticket
from hub.web.records import open_escalation, password_hash, stored_cost
from sync import staff_messages as sm

log = logging.getLogger(__name__)

FAILURE = (
    "Not signed in: the staff id or password was not accepted, or this account is held after"
    " repeated wrong passwords. Try again later or ask a supervisor."
)
_dummies: dict[int, str] = {}


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


async def verify(
    dash: Dashboard, staff_id: str, password: str, client: str, device: Device | None = None
) -> StaffMember | None:
    """The member whose dashboard password this is, or None (answered late, see above)."""
    arrived = time.monotonic()  # real time: the answer's delay is real whatever dash's clock
    known = device is not None and staff_id in device.staff_ids
    outcome = dash.guard.begin(staff_id, client, device.id if known and device else "")
    if isinstance(outcome, Ticket):
        ok = await _check(dash, staff_id, password, outcome, stranger=not known)
        if ok:
            return dash.members[staff_id]
    delay = dash.settings.hub.web.failure_answer_ms / 1000 - (time.monotonic() - arrived)
    if delay > 0:
        await asyncio.sleep(delay)
    return None


async def _check(dash: Dashboard, staff_id: str, password: str, ticket: Ticket, stranger: bool) -> bool:
    ok = False
    try:
        member = dash.members.get(staff_id)
        stored = password_hash(dash.store, staff_id) if member is not None else ""
        cost = 0 if stored else stored_cost(dash.store) or SCRYPT_N
        if stranger:
            async with dash.stranger_slots:  # strangers' hashes queue; known devices do not
                ok = await run_in_threadpool(_matches, password, stored, cost)  # scrypt: off the loop
        else:
            ok = await run_in_threadpool(_matches, password, stored, cost)
    finally:
        dash.guard.finish(ticket, ok)
    return ok


def _matches(password: str, stored: str, dummy_cost: int) -> bool:
    """Whether ``password`` is the stored one; with none stored, the same work against a
    dummy hash of the real ones' cost, and False."""
    if stored:
        return verify_secret(password, stored)
    dummy = _dummies.get(dummy_cost)
    if dummy is None:  # made once per cost (a benign race between threads: both are valid)
        dummy = _dummies[dummy_cost] = hash_secret(uuid.uuid4().hex, n=dummy_cost)
    verify_secret(password, dummy)
    return False


def alert_supervisors(dash: Dashboard, attack: Attack) -> None:
    """Open an escalation (supervisors' pagers, the Escalations page) for a member's account
    whose strangers' lane was held; called on the web loop, the hub thread writes it."""
    if attack.staff_id not in dash.members:
        return  # unknown ids are accounted alike but nobody is paged about them
    at = dash.clock.now().isoformat(timespec="seconds")
    alert = sm.Escalation(
        f"signin-{uuid.uuid4().hex[:12]}",
        at,
        "lockout",
        True,
        detail=(
            f"dashboard sign-in for {attack.staff_id} held after {attack.attempts} attempts from"
            f" {attack.clients} client address(es); the member's own browsers still sign in"
        ),
    )
    log.warning("dashboard account under attack", extra={"staff": attack.staff_id})

    def act(_desk: object, store: HubStore) -> Out:
        return open_escalation(store, dash.hub.tree, alert)

    async def send() -> None:
        try:
            await run_in_threadpool(dash.hub.act, act)
        except Exception:  # an alert that could not be written must not fail a sign-in
            log.exception("the sign-in alert was not recorded")

    task = asyncio.get_running_loop().create_task(send())
    dash.background.add(task)
    task.add_done_callback(dash.background.discard)
