"""Changes from the dashboard: provider status (preview with its impact, then apply) and
acknowledgements. The hub decides with the same ``RolePolicy`` as for a kiosk's admin
panel (``RequestOrigin.DASHBOARD``); the hub thread audits and publishes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from core.errors import ConfigError, KioskError
from domain.impact import impact_sentence, status_impact
from domain.staff import Role
from hub.desk import Out, StaffDesk
from hub.origin import DASHBOARD_ID, RequestOrigin
from hub.status_command import build_request
from hub.store import HubStore
from hub.web import signin
from hub.web.auth import Session, csrf_ok
from hub.web.context import Dashboard
from hub.web.records import ack_escalation, notice_ack
from sync import messages as m

_CHANGERS = (Role.FRONT_DESK, Role.SUPERVISOR)
_CLI_STATES = {"late": "late", "out": "out", "leaving_early": "leaving", "on_time": "on-time"}


async def _checked_form(dash: Dashboard, request: Request, *roles: Role) -> tuple[Session, FormData]:
    session = dash.require(request, *roles)
    form = await request.form()
    if not csrf_ok(session, str(form.get("csrf", ""))):
        raise CsrfRefused
    return session, form


class CsrfRefused(Exception):
    """A state-changing request without this session's CSRF token (answered 403)."""


def _request(session: Session, form: FormData) -> m.StatusChangeRequest:
    state = str(form.get("state", ""))
    if state not in _CLI_STATES:
        raise ConfigError(f"unknown state {state!r}")
    value = str(form.get("delay_min", "")) if state == "late" else str(form.get("leaving_at", "")) or None
    req = build_request(
        str(form.get("provider", "")),
        _CLI_STATES[state],
        value,
        str(form.get("reason", ""))[:80],
        session.staff_id,
    )
    return m.StatusChangeRequest(**{**req.__dict__, "kiosk_id": DASHBOARD_ID, "role": session.role.value})


def _needs_approval(dash: Dashboard, session: Session, req: m.StatusChangeRequest) -> bool:
    return (
        session.role is Role.FRONT_DESK
        and req.state in ("out", "leaving_early")
        and dash.settings.staff.out_requires == "approval"
    )


async def preview(dash: Dashboard, request: Request) -> Response:
    """The confirmation: what the change would do, and (for front desk) the approval."""
    session, form = await _checked_form(dash, request, *_CHANGERS)
    try:
        req = _request(session, form)
    except ConfigError as exc:
        return _back(session, f"Not changed: {exc}")
    if req.provider_id not in dash.store.providers():
        return _back(session, "Not changed: unknown provider")
    needs_approval = _needs_approval(dash, session, req)
    refusal = "" if needs_approval else dash.policy.check(req, RequestOrigin.DASHBOARD)
    now = dash.clock.now()
    appts = [a.to_wire() for a in dash.store.appointments(req.provider_id)]
    impact = status_impact(appts, req.state, now, delay_min=req.delay_min, leaving_at=req.leaving_at)
    name = dash.store.providers()[req.provider_id]
    return dash.render(
        "confirm.html",
        request,
        title="Confirm the change",
        csrf=session.csrf,
        form=dict(form.items()),
        sentence=impact_sentence(name, req.state, impact, req.delay_min, req.leaving_at),
        refusal=refusal,
        needs_approval=needs_approval,
    )


async def apply(dash: Dashboard, request: Request) -> Response:
    session, form = await _checked_form(dash, request, *_CHANGERS)
    try:
        req = _request(session, form)
    except ConfigError as exc:
        return _back(session, f"Not changed: {exc}")
    if _needs_approval(dash, session, req):
        approver = await signin.verify(  # the supervisor's account, on the same accounting
            dash,
            str(form.get("approver", "")).strip()[:64],
            str(form.get("approver_password", ""))[:256],
            signin.client_address(request),
        )
        if approver is None or approver.role is not Role.SUPERVISOR:
            return _back(session, "Not changed: the supervisor's id or password was not accepted")
        req = replace(req, approved_by=approver.id)
    try:
        result: m.RequestResult = await run_in_threadpool(dash.hub.set_status, req, RequestOrigin.DASHBOARD)
    except (TimeoutError, KioskError):
        return _back(session, "Not changed: the hub did not answer; try again")
    if not result.accepted:
        return _back(session, f"Rejected: {result.reason}")
    return _back(session, f"Changed (status version {result.status_version})")


async def _act(dash: Dashboard, fn: Callable[[StaffDesk, HubStore], Out]) -> int | None:
    """Run a staff action on the hub thread; None when the hub did not answer."""
    try:
        return int(await run_in_threadpool(dash.hub.act, fn))
    except (TimeoutError, KioskError):
        return None


async def ack_alert(dash: Dashboard, request: Request) -> Response:
    session, _form = await _checked_form(dash, request, *_CHANGERS)
    esc_id = request.path_params["esc_id"]
    at = dash.clock.now().isoformat(timespec="seconds")

    def act(_desk: StaffDesk, store: HubStore) -> Out:
        return ack_escalation(
            store, dash.hub.tree, esc_id, by=session.staff_id, role=session.role.value, at=at
        )

    done = await _act(dash, act)
    if done is None:
        return _back(session, "Not acknowledged: the hub did not answer; try again", "/escalations")
    return _back(session, "Acknowledged" if done else "Already closed", "/escalations")


async def ack_notice(dash: Dashboard, request: Request) -> Response:
    session, _form = await _checked_form(dash, request, Role.SUPERVISOR)
    ack = notice_ack(
        uuid.uuid4().hex,
        request.path_params["notice_id"],
        session.staff_id,
        dash.clock.now().isoformat(timespec="seconds"),
    )

    def act(desk: StaffDesk, _store: HubStore) -> Out:
        return desk.on_notice_ack(ack, RequestOrigin.DASHBOARD)

    done = await _act(dash, act)
    if done is None:
        return _back(session, "Not acknowledged: the hub did not answer; try again", "/escalations")
    return _back(session, "Acknowledged" if done else "Already acknowledged", "/escalations")


def _back(session: Session, notice: str, path: str = "/") -> Response:
    """Back to ``path`` with the hub's notice, kept in the session (never in the URL)."""
    session.notice = notice
    return RedirectResponse(path, status_code=303)


def refused(kind: str) -> Response:
    texts: dict[str, Any] = {
        "csrf": "CSRF check failed: reload the page and try again",
        "role": "Your role may not do this",
    }
    return PlainTextResponse(texts[kind], status_code=403)
