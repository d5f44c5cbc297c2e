"""Sessions expire (absolute and idle) and tell who closes their streams, CSRF tokens
compare exactly: pure, on a stepped clock."""

from __future__ import annotations

import pytest

from domain.staff import Role, StaffMember
from hub.web.auth import Sessions, csrf_ok


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


def test_every_way_a_session_ends_is_told_once() -> None:
    clock = Clock()
    ended: list[str] = []
    sessions = Sessions(max_s=100, idle_s=30, clock=clock, on_end=ended.append)
    out, old, other, stale = (sessions.open(ANN) for _ in range(4))
    sessions.close(out.token)
    sessions.close(out.token)  # twice: told once
    assert ended == [out.token]
    assert sessions.close_member("ann", keep=stale.token) == 2
    assert set(ended[1:]) == {old.token, other.token}
    clock.t += 31
    assert sessions.sweep() == 1 and ended[-1] == stale.token and len(sessions) == 0


def test_unknown_and_closed_tokens_have_no_session() -> None:
    sessions = Sessions(max_s=100, idle_s=30, clock=Clock())
    s = sessions.open(ANN)
    assert sessions.get(None) is None and sessions.get("") is None and sessions.get("forged") is None
    sessions.close(s.token)
    assert sessions.get(s.token) is None


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
