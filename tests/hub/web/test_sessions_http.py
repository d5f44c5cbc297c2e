"""Sessions end everywhere, over real HTTP: an open event stream closes within a second of
sign-out, expiry, a password change or the password's removal; a new sign-in can end the
old sessions; a session holds a bounded number of streams."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from domain.staff import hash_secret
from hub.web.records import remove_password
from tests.hub.web.conftest import PASSWORDS, Practice
from tests.hub.web.signin_client import async_client, attempt, set_new_password, signed_in

Ender = Callable[[httpx.AsyncClient], Awaitable[None]]


async def _open_stream(client: httpx.AsyncClient) -> tuple[asyncio.Task[float], asyncio.Event]:
    """An event stream read until it ends; the task's result is when it ended."""
    hello = asyncio.Event()

    async def read() -> float:
        async with client.stream("GET", "/events") as answer:
            assert answer.status_code == 200
            async for line in answer.aiter_lines():
                if "event: hello" in line:
                    hello.set()
        return time.monotonic()

    task = asyncio.create_task(read())
    await asyncio.wait_for(hello.wait(), 10)
    return task, hello


def _stream_end_after(practice: Practice, staff_id: str, end: Ender) -> float:
    """Seconds from ``end`` until the signed-in member's open stream closed."""

    async def run() -> float:
        async with async_client(practice) as client:
            assert signed_in(await attempt(client, staff_id, PASSWORDS[staff_id]))
            task, _hello = await _open_stream(client)
            start = time.monotonic()
            await end(client)
            ended = await asyncio.wait_for(task, 10)  # a generous ceiling; the figure is asserted below
            assert (await client.get("/part/board")).status_code == 401  # and the session is gone
            return ended - start

    return asyncio.run(run())


def test_signing_out_closes_the_sessions_event_stream(practice: Practice) -> None:
    async def sign_out(client: httpx.AsyncClient) -> None:
        page = await client.get("/")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        assert (await client.post("/logout", data={"csrf": csrf})).status_code == 303

    assert _stream_end_after(practice, "desk-ann", sign_out) < 1.0


def test_a_password_change_closes_the_members_streams(practice: Practice) -> None:
    async def change(_client: httpx.AsyncClient) -> None:
        await asyncio.to_thread(
            set_new_password, practice, "desk-ann", hash_secret("new-password-1", n=2**4), "x"
        )

    assert _stream_end_after(practice, "desk-ann", change) < 1.0


def test_removing_the_members_password_closes_their_streams(practice: Practice) -> None:
    async def remove(_client: httpx.AsyncClient) -> None:
        await asyncio.to_thread(practice.hub.call, lambda store: remove_password(store, "desk-ann"))

    assert _stream_end_after(practice, "desk-ann", remove) < 1.0


def test_an_expired_session_is_swept_and_its_stream_closed(practice: Practice) -> None:
    sessions = practice.dashboard.dashboard.sessions

    async def expire(_client: httpx.AsyncClient) -> None:
        skew = practice.dashboard.dashboard.settings.hub.web.session_idle_s + 1
        sessions.clock = lambda: time.monotonic() + skew  # half an hour unused, in an instant

    assert _stream_end_after(practice, "desk-ann", expire) < 1.0
    assert len(sessions) == 0  # swept, not merely refused when reused


def test_a_new_sign_in_can_end_the_old_sessions(practice: Practice) -> None:
    async def run() -> tuple[int, int]:
        async with (
            async_client(practice) as old,
            async_client(practice) as kept,
            async_client(practice) as new,
        ):
            assert signed_in(await attempt(old, "desk-ann", PASSWORDS["desk-ann"]))
            assert signed_in(await attempt(kept, "desk-ann", PASSWORDS["desk-ann"]))
            task, _ = await _open_stream(old)
            assert signed_in(await attempt(new, "desk-ann", PASSWORDS["desk-ann"], end_others="1"))
            await asyncio.wait_for(task, 5)
            return (await old.get("/part/board")).status_code, (await new.get("/part/board")).status_code

    assert asyncio.run(run()) == (401, 200)


def test_a_session_holds_a_bounded_number_of_streams(practice: Practice) -> None:
    cap = practice.dashboard.dashboard.settings.hub.web.max_streams_per_session

    async def run() -> int:
        async with async_client(practice) as client:
            assert signed_in(await attempt(client, "desk-ann", PASSWORDS["desk-ann"]))
            tasks = [(await _open_stream(client))[0] for _ in range(cap)]
            refused = (await client.get("/events")).status_code
            for task in tasks:
                task.cancel()
            return refused

    assert asyncio.run(run()) == 429
