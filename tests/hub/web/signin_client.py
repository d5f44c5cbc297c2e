"""Sign-in attempts over real HTTP from chosen loopback addresses (127.0.0.x), concurrently:
what an attacker on the LAN does, and what a member's own browser (with its device cookie)
does."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import httpx

from hub.web.records import set_password
from tests.hub.web.conftest import Practice


def async_client(practice: Practice, source: str = "127.0.0.1", connections: int = 50) -> httpx.AsyncClient:
    base = practice.url.rstrip("/")
    transport = httpx.AsyncHTTPTransport(
        local_address=source, limits=httpx.Limits(max_connections=connections)
    )
    return httpx.AsyncClient(
        base_url=base, headers={"origin": base}, transport=transport, follow_redirects=False, timeout=30
    )


async def login_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    return token.group(1)


async def attempt(client: httpx.AsyncClient, staff_id: str, password: str, **extra: str) -> httpx.Response:
    token = await login_token(client)
    return await client.post(
        "/login", data={"staff_id": staff_id, "password": password, "csrf": token, **extra}
    )


def signed_in(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and any(
        c.startswith(("kiosk_dashboard=", "__Host-kiosk_dashboard="))
        for c in answer.headers.get_list("set-cookie")
    )


async def burst(
    client: httpx.AsyncClient,
    closer: httpx.AsyncClient,
    staff_id: str,
    wrong: int,
    right: str,
    counted: Callable[[], bool],
) -> list[httpx.Response]:
    """``wrong`` wrong passwords at once from ``client``, then the right one from ``closer`` as
    soon as ``counted()`` says the hub has counted the burst (while its answers still come).
    ``closer`` is a second client at the same address: each wrong answer sets a new sign-in
    token cookie in ``client``'s jar, which would fail the right one's CSRF check (403)."""
    token = await login_token(client)
    closing_token = await login_token(closer)

    def form(password: str, csrf: str) -> dict[str, str]:
        return {"staff_id": staff_id, "password": password, "csrf": csrf}

    posts = [client.post("/login", data=form(f"wrong-{n}", token)) for n in range(wrong)]
    guesses = [asyncio.create_task(post) for post in posts]
    await until(counted, "the hub to count the burst")
    last = await closer.post("/login", data=form(right, closing_token))
    return [*(await asyncio.gather(*guesses)), last]


async def until(predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """``tests.support.site.wait_for`` inside a running loop: the loop keeps sending meanwhile.
    The order of a burst's requests depends on its connections (new TLS handshakes for the
    guesses, a kept-alive one for the right password), so it is awaited, never assumed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.005)


def set_new_password(practice: Practice, staff_id: str, password_hash: str, at: str) -> None:
    """A password set at the hub (as ``kiosk hub web-password`` does), and seen by the dashboard."""
    from tests.support.site import wait_for

    practice.hub.call(lambda store: set_password(store, staff_id, password_hash, at))
    dash = practice.dashboard.dashboard
    wait_for(lambda: (dash._password_times or {}).get(staff_id) == at, 5, "the dashboard to see the password")
