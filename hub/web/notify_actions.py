"""The staff's changes from the Notifications page: opt a patient out or back in (by
appointment id), mark a reply handled. On the hub thread (``HubService.act``), audited;
the CSRF check and the roles are the dashboard's own (``hub.web.actions``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from domain.staff import Role
from hub.desk import Out, StaffDesk
from hub.notify.staff_opt import NoSuchPatient, mark_handled, staff_opt
from hub.store import HubStore
from hub.web.actions import _act, _back, _checked_form
from hub.web.context import Dashboard

_STAFF = (Role.FRONT_DESK, Role.SUPERVISOR)
_PAGE = "/notifications"


async def opt(dash: Dashboard, request: Request) -> Response:
    session, form = await _checked_form(dash, request, *_STAFF)
    appointment_id = str(form.get("appointment_id", "")).strip()[:64]
    opt_out = request.url.path.endswith("opt-out")
    at = dash.clock.now().isoformat(timespec="seconds")
    refused: list[str] = []

    def act(_desk: StaffDesk, store: HubStore) -> Out:
        try:
            staff_opt(
                store,
                appointment_id,
                opt_out=opt_out,
                staff_id=session.staff_id,
                role=session.role.value,
                at=at,
            )
        except NoSuchPatient as exc:
            refused.append(str(exc))
        return []

    if not appointment_id:
        return _back(session, "Not changed: give the appointment id", _PAGE)
    if await _act(dash, act) is None:
        return _back(session, "Not changed: the hub did not answer; try again", _PAGE)
    if refused:
        return _back(session, f"Not changed: {refused[0]}", _PAGE)
    done = "opted out of" if opt_out else "opted back in to"
    return _back(session, f"The patient of {appointment_id} is {done} notifications (audited)", _PAGE)


async def handled(dash: Dashboard, request: Request) -> Response:
    session, _form = await _checked_form(dash, request, *_STAFF)
    try:
        reply_id = int(request.path_params["reply_id"])
    except ValueError:
        return _back(session, "No such reply", _PAGE)
    at = dash.clock.now().isoformat(timespec="seconds")
    done: list[bool] = []

    def act(_desk: StaffDesk, store: HubStore) -> Out:
        done.append(mark_handled(store, reply_id, session.staff_id, at))
        return []

    if await _act(dash, act) is None:
        return _back(session, "Not marked: the hub did not answer; try again", _PAGE)
    return _back(session, "Marked handled" if done and done[0] else "Already handled", _PAGE)


__all__ = ["handled", "opt"]
