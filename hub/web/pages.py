"""The pages, their live sections, sign-in and the event stream."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse

from hub.web import charts, notify_view, signin, views
from hub.web.auth import Session, csrf_ok
from hub.web.context import COOKIE, DEVICE_COOKIE, LOGIN_CSRF_COOKIE, PAGES, Dashboard
from hub.web.devices import DEVICE_MAX_AGE_S


def section_values(dash: Dashboard, section: str) -> dict[str, Any]:
    now = dash.clock.now()
    store = dash.store
    if section == "board":
        return {"rows": views.board(store, now)}
    if section == "calls":
        return views.calls(store, now)
    if section == "kiosks":
        return {"kiosks": views.kiosks(store, now), "uplinks": dash.hub.uplinks.all()}
    if section == "arrivals":
        return {"arrivals": views.arrivals(store, now)}
    if section == "escalations":
        return views.escalations(store)
    if section == "charts":
        return {"charts": charts.all_charts(views.chart_data(store, now))}
    if section == "notifications":
        return notify_view.notifications(store, now)
    return {}


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
        notice=_pop_notice(session),
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


def _pop_notice(session: Session) -> str:
    """The hub's own notice for this page, shown once (the URL's text never is)."""
    notice, session.notice = session.notice, ""
    return notice


async def events(dash: Dashboard, request: Request) -> Response:
    session = dash.require(request)
    cap = dash.settings.hub.web.max_streams_per_session
    if dash.broadcaster.of_session(session.token) >= cap:
        return PlainTextResponse("too many open pages for this sign-in", status_code=429)
    return StreamingResponse(
        dash.broadcaster.stream(session.token, cap, lambda: session.token in dash.sessions),
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
    staff_id = str(form.get("staff_id", "")).strip()[:64]
    password = str(form.get("password", ""))[:256]
    cookie_token = request.cookies.get(dash.cookie(LOGIN_CSRF_COOKIE))
    if not cookie_token or not secrets.compare_digest(cookie_token, str(form.get("csrf", ""))):
        return PlainTextResponse("CSRF check failed: reload the sign-in page", status_code=403)
    device = dash.devices.read(request.cookies.get(dash.cookie(DEVICE_COOKIE)))
    member = await signin.verify(dash, staff_id, password, signin.client_address(request), device)
    if member is None:
        return await login_form(dash, request, signin.FAILURE, status_code=401)
    if form.get("end_others"):
        dash.sessions.close_member(member.id)
    session = dash.sessions.open(member)
    response = RedirectResponse("/", status_code=303)
    _cookie(dash, response, COOKIE, session.token, max_age=int(dash.settings.hub.web.session_s))
    _cookie(dash, response, DEVICE_COOKIE, dash.devices.issue(device, member.id), max_age=DEVICE_MAX_AGE_S)
    response.delete_cookie(dash.cookie(LOGIN_CSRF_COOKIE), secure=dash.settings.hub.web.tls)
    return response


async def logout(dash: Dashboard, request: Request) -> Response:
    session = dash.require(request)
    form = await request.form()
    if not csrf_ok(session, str(form.get("csrf", ""))):
        return PlainTextResponse("CSRF check failed", status_code=403)
    dash.sessions.close(session.token)  # its event streams close with it
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(dash.cookie(COOKIE), secure=dash.settings.hub.web.tls)
    return response


def _cookie(dash: Dashboard, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        dash.cookie(name),
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=dash.settings.hub.web.tls,
        path="/",
    )
