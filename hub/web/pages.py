"""The pages, their live sections, sign-in and the event stream."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse

from domain.staff import StaffMember, verify_secret
from hub.web import charts, views
from hub.web.auth import csrf_ok
from hub.web.context import COOKIE, LOGIN_CSRF_COOKIE, PAGES, Dashboard
from hub.web.records import password_hash


def section_values(dash: Dashboard, section: str) -> dict[str, Any]:
    now = dash.clock.now()
    store = dash.store
    if section == "board":
        return {"rows": views.board(store, now)}
    if section == "kiosks":
        return {"kiosks": views.kiosks(store, now), "uplinks": dash.hub.uplinks.all()}
    if section == "arrivals":
        return {"arrivals": views.arrivals(store, now)}
    if section == "escalations":
        return views.escalations(store)
    if section == "charts":
        return {"charts": charts.all_charts(views.chart_data(store, now))}
    return {}  # notifications: the seam for the notifications issue


async def page(dash: Dashboard, request: Request) -> Response:
    session = dash.require(request)
    title, sections = PAGES[request.url.path]
    values: dict[str, Any] = {}
    for section in sections:
        values.update(section_values(dash, section))
    return dash.render(
        "page.html",
        request,
        title=title,
        sections=sections,
        csrf=session.csrf,
        providers=dash.store.providers(),
        notice=request.query_params.get("notice", ""),
        **values,
    )


async def part(dash: Dashboard, request: Request) -> Response:
    session = dash.require(request)
    section = request.path_params["section"]
    if section not in {s for _, secs in PAGES.values() for s in secs}:
        return PlainTextResponse("no such section", status_code=404)
    return dash.render(
        f"_{section}.html",
        request,
        csrf=session.csrf,
        providers=dash.store.providers(),
        **section_values(dash, section),
    )


async def events(dash: Dashboard, request: Request) -> Response:
    dash.require(request)
    return StreamingResponse(
        dash.broadcaster.stream(),
        media_type="text/event-stream",
        headers={"x-accel-buffering": "no"},
    )


async def login_form(
    dash: Dashboard, request: Request, message: str = "", status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = dash.render("login.html", request, status_code=status_code, message=message, csrf=token)
    _cookie(dash, response, LOGIN_CSRF_COOKIE, token, max_age=900)
    return response


async def login(dash: Dashboard, request: Request) -> Response:
    form = await request.form()
    staff_id = str(form.get("staff_id", "")).strip()
    password = str(form.get("password", ""))
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie_token or not secrets.compare_digest(cookie_token, str(form.get("csrf", ""))):
        return PlainTextResponse("CSRF check failed: reload the sign-in page", status_code=403)
    member = await verified_member(dash, staff_id, password)
    if member is None:
        locked = dash.lockout.locked(staff_id)
        text = (
            "This account is locked after repeated wrong passwords; try again later."
            if locked
            else ("Wrong staff id or password.")
        )
        return await login_form(dash, request, text, status_code=401)
    session = dash.sessions.open(member)
    response = RedirectResponse("/", status_code=303)
    _cookie(dash, response, COOKIE, session.token, max_age=int(dash.settings.hub.web.session_s))
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


async def verified_member(dash: Dashboard, staff_id: str, password: str) -> StaffMember | None:
    """The staff member whose dashboard password this is, counting failures (and refusing
    a locked account before any hash is computed)."""
    member = dash.members.get(staff_id)
    if member is None:
        return None  # not counted: failures are kept for staff ids only (bounded memory)
    if dash.lockout.locked(staff_id):
        return None
    stored = password_hash(dash.store, staff_id)
    ok = bool(stored) and await run_in_threadpool(verify_secret, password, stored)  # scrypt: off the loop
    if not ok:
        dash.lockout.failed(staff_id)
        return None
    dash.lockout.succeeded(staff_id)
    return member


async def logout(dash: Dashboard, request: Request) -> Response:
    session = dash.require(request)
    form = await request.form()
    if not csrf_ok(session, str(form.get("csrf", ""))):
        return PlainTextResponse("CSRF check failed", status_code=403)
    dash.sessions.close(session.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _cookie(dash: Dashboard, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict", secure=dash.settings.hub.web.tls
    )
