"""Sessions expire (absolute and idle), wrong passwords lock an id for a while, CSRF
tokens compare exactly: pure, on a stepped clock."""

from __future__ import annotations

import pytest

from domain.staff import Role, StaffMember
from hub.web.auth import Lockout, Sessions, csrf_ok


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


ANN = StaffMember("ann", Role.FRONT_DESK, legacy_pin="scrypt$x")


def test_a_session_ends_after_its_idle_time_and_after_its_lifetime() -> None:
    clock = Clock()
    sessions = Sessions(max_s=100, idle_s=30, clock=clock)
    s = sessions.open(ANN)
    for _ in range(4):  # used every 25 s: idle never reached
        clock.t += 25
        assert sessions.get(s.token) is s
    clock.t += 25  # 125 s after sign-in
    assert sessions.get(s.token) is None
    fresh = sessions.open(ANN)
    clock.t += 31
    assert sessions.get(fresh.token) is None


def test_unknown_and_closed_tokens_have_no_session() -> None:
    sessions = Sessions(max_s=100, idle_s=30, clock=Clock())
    s = sessions.open(ANN)
    assert sessions.get(None) is None and sessions.get("") is None and sessions.get("forged") is None
    sessions.close(s.token)
    assert sessions.get(s.token) is None


def test_lockout_after_max_attempts_for_that_id_only_until_it_expires() -> None:
    clock = Clock()
    lockout = Lockout(max_attempts=3, lockout_s=60, clock=clock)
    assert [lockout.failed("ann") for _ in range(3)] == [False, False, True]
    assert lockout.locked("ann") and not lockout.locked("bo")
    clock.t += 59
    assert lockout.locked("ann")
    clock.t += 2
    assert not lockout.locked("ann")
    assert not lockout.failed("ann")  # the count started again


def test_a_success_resets_the_count() -> None:
    lockout = Lockout(max_attempts=2, lockout_s=60, clock=Clock())
    lockout.failed("ann")
    lockout.succeeded("ann")
    assert not lockout.failed("ann")


@pytest.mark.parametrize(("sent", "ok"), [("right", True), ("wrong", False), ("", False), (None, False)])
def test_csrf_token_must_match(sent: str | None, ok: bool) -> None:
    s = Sessions(100, 30, Clock()).open(ANN)
    s.csrf = "right"
    assert csrf_ok(s, sent) is ok


def test_every_sql_statement_of_the_dashboard_is_in_its_repository() -> None:
    import re
    from pathlib import Path

    web = Path(__file__).resolve().parents[3] / "hub" / "web"
    sql = re.compile(r"\.execute\(|\.table\(|\.db\b|\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA)\b|sqlite3")
    found = [
        f"{path.name}:{n}"
        for path in sorted(web.glob("*.py"))
        if path.name != "records.py"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if sql.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []
