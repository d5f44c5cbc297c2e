"""The practice dashboard: a small Starlette app the hub serves on the practice LAN.

Reads come from a read-only connection to the hub's database of its own; every change goes
through the running ``HubService`` (the single writer) with ``RequestOrigin.DASHBOARD`` and
the same policy as a kiosk's admin panel. Pages update from hub events over server-sent
events. See docs/dashboard.md.
"""

from hub.web.server import DashboardServer

__all__ = ["DashboardServer"]
