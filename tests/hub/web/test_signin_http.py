"""The sign-in against a LAN attacker, over real HTTP: bursts of wrong passwords (at the
sign-in and at the supervisor approval), strangers who cannot lock a member's own browser,
per-client throttling, the supervisors' alert, and one answer for every failure."""

from __future__ import annotations

import asyncio
import re
import time
from functools import partial
from pathlib import Path

import httpx

from domain.staff import hash_secret
from hub.web.records import remove_password
from hub.web.signin import FAILURE
from tests.hub.web.conftest import PASSWORDS, Practice, start_practice
from tests.hub.web.signin_client import async_client, attempt, burst, set_new_password, signed_in, until
from tests.support.broker import Broker
from tests.support.site import wait_for


def test_a_burst_of_wrong_passwords_then_the_right_one_does_not_sign_in(practice: Practice) -> None:
    # a real-cost hash, so the burst overlaps the verifications as an attack would
    set_new_password(practice, "boss-bo", hash_secret(PASSWORDS["boss-bo"]), "burst")
    guard = practice.dashboard.dashboard.guard
    assert not guard.held("boss-bo")  # so the wait below waits for this burst

    async def run() -> list[httpx.Response]:
        async with async_client(practice) as client, async_client(practice) as closer:
            return await burst(
                client, closer, "boss-bo", 23, PASSWORDS["boss-bo"], partial(guard.held, "boss-bo")
            )

    answers = asyncio.run(run())

    assert [a.status_code for a in answers] == [401] * 24
    assert not any(signed_in(a) for a in answers)
    assert practice.dashboard.dashboard.guard.verifications <= 5  # max_attempts, not 24
    assert practice.dashboard.dashboard.guard.held("boss-bo")


def test_a_burst_at_the_supervisor_approval_does_not_approve(practice: Practice) -> None:
    set_new_password(practice, "boss-bo", hash_secret(PASSWORDS["boss-bo"]), "burst")
    guard = practice.dashboard.dashboard.guard
    assert not guard.held("boss-bo")  # so the wait below waits for this burst

    async def run() -> list[httpx.Response]:
        async with async_client(practice) as desk:
            assert signed_in(await attempt(desk, "desk-ann", PASSWORDS["desk-ann"]))
            page = await desk.get("/")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf is not None
            form = {"csrf": csrf.group(1), "provider": "chen", "state": "out", "approver": "boss-bo"}

            async def approve(password: str) -> httpx.Response:
                return await desk.post("/status/apply", data={**form, "approver_password": password})

            guesses = [asyncio.create_task(approve(f"guess-{i}")) for i in range(23)]
            # The right password once the hub has counted the guesses (not 20 ms later: under
            # load the guesses' new TLS connections came after the kept-alive one's request).
            await until(lambda: guard.held("boss-bo"), "the hub to count the guesses")
            last = await approve(PASSWORDS["boss-bo"])
            return [*(await asyncio.gather(*guesses)), last]

    answers = asyncio.run(run())

    assert all(a.status_code == 303 for a in answers)
    assert practice.hub.call(lambda store: store.status("chen")) is None
    assert practice.dashboard.dashboard.guard.held("boss-bo")


def test_strangers_cannot_lock_a_members_own_browser_and_supervisors_are_alerted(practice: Practice) -> None:
    async def run() -> tuple[bool, bool, bool]:
        async with async_client(practice, "127.0.0.1") as mine:
            assert signed_in(await attempt(mine, "boss-bo", PASSWORDS["boss-bo"]))  # the device cookie
            mine.cookies.delete("kiosk_dashboard")  # signed out; the device cookie stays
            for n in range(2, 6):  # strangers from four addresses, ten guesses each
                await asyncio.gather(*(_guess(practice, f"127.0.0.{n}", f"guess-{i}") for i in range(10)))
            assert practice.dashboard.dashboard.guard.held("boss-bo")  # the strangers' lane
            async with async_client(practice, "127.0.0.9") as new_browser:
                fresh = signed_in(await attempt(new_browser, "boss-bo", PASSWORDS["boss-bo"]))
            own = signed_in(await attempt(mine, "boss-bo", PASSWORDS["boss-bo"]))
            again = signed_in(await attempt(mine, "boss-bo", PASSWORDS["boss-bo"]))
            return fresh, own, again

    fresh, own, again = asyncio.run(run())

    assert not fresh  # a browser that never signed in as boss-bo waits out the hold
    assert own and again  # the member's own workstation is not locked out
    wait_for(lambda: _alerts(practice), 10, "the supervisors' alert")
    alerts = _alerts(practice)
    assert len(alerts) == 1 and "boss-bo" in str(alerts[0]["detail"]) and alerts[0]["about"] == "lockout"


async def _guess(practice: Practice, source: str, password: str) -> None:
    """One stranger's guess from ``source`` with a cookie jar of its own: ten guesses through
    one client replaced each other's sign-in token cookie, so most were refused as forged
    before the guard counted them, and under load too few counted to hold the account."""
    async with async_client(practice, source) as stranger:
        await attempt(stranger, "boss-bo", password)


def _alerts(practice: Practice) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = practice.hub.call(lambda store: store.staff.escalations(only_open=True))
    return [r for r in rows if str(r["id"]).startswith("signin-")]


def test_one_client_address_gets_a_bounded_number_of_attempts(broker: Broker, tmp_path: Path) -> None:
    practice = start_practice(broker, tmp_path, client_attempts_per_hour=8)
    try:

        async def run() -> tuple[bool, bool]:
            async with async_client(practice, "127.0.0.7") as sprayer:
                for i in range(8):
                    await attempt(sprayer, f"nobody-{i}", "guess")
                blocked = signed_in(await attempt(sprayer, "desk-ann", PASSWORDS["desk-ann"]))
            async with async_client(practice, "127.0.0.8") as other:
                ok = signed_in(await attempt(other, "desk-ann", PASSWORDS["desk-ann"]))
            return blocked, ok

        blocked, ok = asyncio.run(run())
        assert not blocked and ok
    finally:
        practice.dashboard.stop()
        practice.hub.stop()


def test_every_failure_has_the_same_answer_and_takes_the_same_time(broker: Broker, tmp_path: Path) -> None:
    floor_ms = 300
    practice = start_practice(broker, tmp_path, failure_answer_ms=floor_ms)
    try:
        practice.hub.call(lambda store: remove_password(store, "tech-ted"))  # a member without one
        dash = practice.dashboard.dashboard
        wait_for(lambda: "tech-ted" not in (dash._password_times or {"tech-ted": ""}), 5, "the removal seen")

        async def run() -> dict[str, list[tuple[float, httpx.Response]]]:
            async with async_client(practice, "127.0.0.20") as locker:
                for i in range(5):
                    await attempt(locker, "desk-ann", f"guess-{i}")
            kinds = {
                "unknown id": ("nobody-here", "whatever-1"),
                "no password": ("tech-ted", PASSWORDS["tech-ted"]),
                "locked": ("desk-ann", PASSWORDS["desk-ann"]),
                "wrong password": ("boss-bo", "not-the-password"),
            }
            seen: dict[str, list[tuple[float, httpx.Response]]] = {}
            for n, (kind, (sid, pw)) in enumerate(kinds.items(), start=21):
                async with async_client(practice, f"127.0.0.{n}") as client:
                    seen[kind] = []
                    for _ in range(2):  # below max_attempts: boss-bo is not held meanwhile
                        start = time.monotonic()
                        answer = await attempt(client, sid, pw)
                        seen[kind].append((time.monotonic() - start, answer))
            return seen

        seen = asyncio.run(run())
    finally:
        practice.dashboard.stop()
        practice.hub.stop()

    bodies = set()
    for kind, answers in seen.items():
        for took, answer in answers:
            assert answer.status_code == 401, kind
            assert FAILURE in answer.text, kind
            assert took >= floor_ms / 1000, kind  # nothing answers sooner than the floor
            bodies.add(re.sub(r'value="[^"]+"', "", answer.text))
            names = sorted(c.split("=", 1)[0] for c in answer.headers.get_list("set-cookie"))
            assert names == ["kiosk_dashboard_login"], kind
    assert len(bodies) == 1  # byte for byte the same page, whatever the failure


def test_the_benchs_attacker_reaches_the_sign_in_and_gets_only_a_few_guesses(practice: Practice) -> None:
    """A slice of ``make bench``'s attack (devtools/bench_signin.py): 50 connections from 250
    addresses for two seconds; it would raise if the sign-in refused it before the guard."""
    from devtools.bench_signin import _attack

    attempts = asyncio.run(_attack(practice.dashboard.port, "boss-bo", 2.0, lambda: None))

    guard = practice.dashboard.dashboard.guard
    assert attempts > 100
    assert guard.held("boss-bo") and guard.verified("boss-bo") <= 5
