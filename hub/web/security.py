"""Security headers on every response, and the Host and Origin checks (pure ASGI
middlewares: cheap, and they leave the event stream unbuffered)."""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", _CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make our own POSTs "Origin: null"
    (b"cache-control", b"no-store"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, tls: bool) -> None:
        self.app = app
        self.headers = HEADERS + ([_HSTS] if tls else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers)


class HostAndOrigin:
    """Answer only for our own names, and take state-changing requests only from our pages.

    * ``Host`` must be an IP address, ``localhost`` or one of ``allowed_hosts``: a page on
      an attacker's name that rebinds to the hub's address (DNS rebinding) is refused.
    * Every request but GET/HEAD/OPTIONS (the sign-in, every form) must carry an ``Origin``
      equal to the address it was sent to (scheme, host and port): a page on another port
      or host cannot post, with or without the cookies (browsers always send Origin on a
      POST; a client that sends none is refused too).
    """

    def __init__(self, app: ASGIApp, tls: bool, host_names: frozenset[str]) -> None:
        self.app = app
        self.scheme = "https" if tls else "http"
        self.host_names = host_names | {"localhost"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k: v for k, v in scope.get("headers", []) if k in (b"host", b"origin")}
        host = headers.get(b"host", b"").decode("latin-1").lower()
        problem = ""
        if not self._host_ok(host):
            problem = "this dashboard does not answer to that host name"
        elif scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get(b"origin", b"").decode("latin-1").lower()
            if _origin_key(origin) != _origin_key(f"{self.scheme}://{host}"):
                problem = "refused: this request did not come from the dashboard's own page"
        if problem:
            await _refuse(send, 421 if problem.startswith("this dashboard") else 403, problem)
            return
        await self.app(scope, receive, send)

    def _host_ok(self, host: str) -> bool:
        name, _port = _split(host)
        if not name:
            return False
        if name in self.host_names:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True


def _split(host: str) -> tuple[str, str]:
    """``name[:port]`` or ``[v6][:port]`` as (name, port); ("", "") when malformed."""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return "", ""
        rest = host[end + 1 :]
        return host[1:end], rest[1:] if rest.startswith(":") else ""
    name, _, port = host.partition(":")
    return name, port


def _origin_key(origin: str) -> tuple[str, str, str] | None:
    """(scheme, host, port) of an origin, the default port filled in; None when unusable."""
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in ("http", "https") or not rest or "/" in rest:
        return None
    name, port = _split(rest)
    return scheme, name, port or ("443" if scheme == "https" else "80")


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})
