"""The Starlette application: routes, static files, security headers and the answers to
"not signed in", "not your role" and "no CSRF token"."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from hub.web import actions, notify_actions, pages, signin
from hub.web.context import PAGES, Dashboard, Forbidden, SignInNeeded
from hub.web.security import HostAndOrigin, SecurityHeaders

Handler = Callable[[Dashboard, Request], Awaitable[Response]]
_STATIC = Path(__file__).parent / "static"
_SWEEP_S = 0.25
log = logging.getLogger(__name__)


def build_app(dash: Dashboard) -> ASGIApp:
    def bound(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(dash, request)
            except SignInNeeded:
                if request.url.path in ("/events",) or request.url.path.startswith("/part/"):
                    return PlainTextResponse("sign in first", status_code=401)
                return RedirectResponse("/login", status_code=303)
            except Forbidden:
                return actions.refused("role")
            except actions.CsrfRefused:
                return actions.refused("csrf")

        return endpoint

    async def login_form(request: Request) -> Response:
        return await pages.login_form(dash, request)

    routes: list[BaseRoute] = [
        *(Route(path, bound(pages.page)) for path in PAGES),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", bound(pages.login), methods=["POST"]),
        Route("/logout", bound(pages.logout), methods=["POST"]),
        Route("/part/{section}", bound(pages.part)),
        Route("/events", bound(pages.events)),
        Route("/status/preview", bound(actions.preview), methods=["POST"]),
        Route("/status/apply", bound(actions.apply), methods=["POST"]),
        Route("/escalations/{esc_id}/ack", bound(actions.ack_alert), methods=["POST"]),
        Route("/notices/{notice_id}/ack", bound(actions.ack_notice), methods=["POST"]),
        Route("/notifications/opt-out", bound(notify_actions.opt), methods=["POST"]),
        Route("/notifications/opt-in", bound(notify_actions.opt), methods=["POST"]),
        Route("/notifications/replies/{reply_id}/handled", bound(notify_actions.handled), methods=["POST"]),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]

    dash.guard.on_attack = lambda attack: signin.alert_supervisors(dash, attack)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        dash.broadcaster.bind(asyncio.get_running_loop())
        sweeper = asyncio.get_running_loop().create_task(_sweep(dash))
        try:
            yield
        finally:
            sweeper.cancel()
            dash.broadcaster.bind(None)
            dash.close()

    web = dash.settings.hub.web
    app = Starlette(routes=routes, lifespan=lifespan)
    return SecurityHeaders(HostAndOrigin(app, web.tls, web.host_names), tls=web.tls)


async def _sweep(dash: Dashboard) -> None:
    """Four times a second: expired sessions end, and a changed or removed password ends its
    member's sessions, so their event streams close within a second."""
    while True:
        try:
            dash.sweep()
        except Exception:  # a failed sweep (database busy) is retried, never fatal
            log.exception("the session sweep failed")
        await asyncio.sleep(_SWEEP_S)
