"""The dashboard in the hub's process: uvicorn's server on one ``core.worker.Worker``.

Uvicorn runs its own asyncio loop; ``Server.run`` is the one (long) item posted to a worker
named "dashboard" (``stall_s`` is infinite for it: serving is its job, not a hang). The loop
thread owns the dashboard's read-only database connection and its sessions; changes reach
the hub thread through ``HubService.call``/``act`` from Starlette's thread pool. ``stop()``
ends the event streams, asks uvicorn to exit and joins the worker.
"""

from __future__ import annotations

import asyncio
import logging
import math
import socket
import threading
from typing import Any

import uvicorn

from config.settings import Settings
from core.clock import Clock, SystemClock
from core.errors import KioskError
from core.worker import Worker
from hub.service import HubService
from hub.web.app import build_app
from hub.web.context import Dashboard

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """Uvicorn's server that says when its sockets listen (no polling of ``started``)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()
        self.sockets: list[socket.socket] = []

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.sockets = [s for srv in self.servers for s in (srv.sockets or [])]
        self.listening.set()


class DashboardServer:
    def __init__(self, settings: Settings, hub: HubService, clock: Clock | None = None) -> None:
        self.settings = settings
        self.dashboard = Dashboard(settings, hub, clock or SystemClock())
        web = settings.hub.web
        config = uvicorn.Config(
            build_app(self.dashboard),
            host=web.host,
            port=web.port,
            ssl_certfile=web.cert_file or None,
            ssl_keyfile=web.key_file or None,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(config)
        self._worker = Worker("dashboard", stall_s=math.inf)
        hub.add_listener(self.dashboard.broadcaster.on_hub_event)

    @property
    def port(self) -> int:
        return int(self._server.sockets[0].getsockname()[1]) if self._server.sockets else 0

    @property
    def url(self) -> str:
        web = self.settings.hub.web
        host = "127.0.0.1" if web.host in ("0.0.0.0", "") else web.host  # noqa: S104 - a name to print
        return f"{'https' if web.tls else 'http'}://{host}:{self.port}/"

    def start(self, timeout: float = 15.0) -> None:
        self._worker.start()
        self._worker.post(self._server.run)
        if not self._server.listening.wait(timeout):
            self.stop()
            raise KioskError(
                f"the dashboard did not listen on {self.settings.hub.web.host} in {timeout:.0f} s"
            )
        log.info("dashboard listening", extra={"url": self.url})

    def running(self) -> bool:
        return self._server.listening.is_set() and self._worker.running and not self._server.should_exit

    def stop(self) -> None:
        loop: Any = self.dashboard.broadcaster.loop
        if isinstance(loop, asyncio.AbstractEventLoop) and not loop.is_closed():
            loop.call_soon_threadsafe(self.dashboard.broadcaster.close_all)
        self._server.should_exit = True
        self._worker.stop(timeout=10)
