"""The admin panel's logic: who may do what, lockout, idle logout, approval, impact."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from config.settings import StaffSettings
from core.clock import ManualClock
from domain.admin import AdminSession
from domain.impact import status_impact
from hub.policy import RolePolicy
from hub.sample import sample_morning
from sync import messages as m
from sync import staff_messages as sm
from tests.support.staff import FAST, PINS, proof_key, signed, staff_pair

NOW = datetime(2026, 11, 30, 7, 43)


def staff(**kw: object) -> StaffSettings:
    return staff_pair(None, None, FAST, **kw)[0]


def hub_policy(**kw: object) -> RolePolicy:
    return RolePolicy.from_settings(staff_pair(None, None, FAST, **kw)[1], ManualClock(NOW))


def who_has(pin: str) -> str:
    return next(who for who, (_role, p) in PINS.items() if p == pin)


class Panel:
    def __init__(self, **kw: int) -> None:
        self.clock = ManualClock(NOW)
        self.sent: list[object] = []
        self.session = AdminSession(staff(**kw), "lobby-1", self.clock, self.sent.append)

    def events(self, action: str) -> list[sm.StaffEvent]:
        return [e for e in self.sent if isinstance(e, sm.StaffEvent) and e.action == action]


DAY = [a.to_wire() for a in sample_morning(date(2026, 11, 30)).appointments if a.provider_id == "martinez"]


@pytest.mark.parametrize(
    ("pin", "state", "delay", "allowed", "needs_approval"),
    [
        ("482913", "out", 0, True, False),  # supervisor: anything
        ("482913", "late", 200, True, False),
        ("1234", "late", 20, True, False),  # front desk: late up to the limit
        ("1234", "late", 61, False, True),
        ("1234", "on_time", 0, True, False),
        ("1234", "out", 0, False, True),  # out needs a supervisor's approval
        ("1234", "leaving_early", 0, False, True),
        ("9999", "late", 5, False, False),  # technicians manage devices, not providers
    ],
)
def test_role_matrix_on_the_kiosk(
    pin: str, state: m.StatusState, delay: int, allowed: bool, needs_approval: bool
) -> None:
    p = Panel()
    assert p.session.login_pin(who_has(pin), pin) == "ok"
    proposal = p.session.propose(
        "martinez", "Dr. Ana Martinez", state, DAY, delay_min=delay, leaving_at="10:00"
    )
    assert (proposal.allowed, proposal.needs_approval) == (allowed, needs_approval)


@pytest.mark.parametrize(
    ("who", "role", "state", "delay", "approved_by", "allowed"),
    [
        ("ana", "supervisor", "out", 0, "", True),
        ("ben", "front_desk", "late", 30, "", True),
        ("ben", "front_desk", "late", 90, "", False),
        ("ben", "front_desk", "out", 0, "", False),
        ("ben", "front_desk", "out", 0, "ana", True),
        ("ben", "front_desk", "out", 0, "ben", False),  # only a supervisor approves
        ("ben", "supervisor", "out", 0, "", False),  # claiming a role one does not have
        ("tom", "technician", "on_time", 0, "", False),
        ("eve", "supervisor", "out", 0, "", False),  # not on the staff list
    ],
)
def test_role_matrix_at_the_hub(
    who: str, role: str, state: m.StatusState, delay: int, approved_by: str, allowed: bool
) -> None:
    req = m.StatusChangeRequest(
        "k" * 16,
        "lobby-1",
        "martinez",
        state,
        who,
        "2026-11-30T07:43",
        delay_min=delay,
        role=role,
        approved_by=approved_by,
    )
    key = proof_key(who) if who in PINS else b"k" * 32
    req = signed(req, key, proof_key(approved_by) if approved_by else b"")
    reason = hub_policy().check(req)
    assert (reason == "") == allowed, reason
    if not allowed:
        assert reason  # the panel shows why


def test_supervisor_only_mode_refuses_approval() -> None:
    req = m.StatusChangeRequest(
        "k" * 16,
        "lobby-1",
        "martinez",
        "out",
        "ben",
        "2026-11-30T07:43",
        role="front_desk",
        approved_by="ana",
    )
    req = signed(req, proof_key("ben"), proof_key("ana"))
    assert hub_policy().check(req) == ""
    assert hub_policy(out_requires="supervisor").check(req) == "out today needs a supervisor"


def test_five_wrong_pins_lock_the_entry_then_it_unlocks() -> None:
    p = Panel()
    for who in ("ana", "ben", "tom", "eve"):  # one counter, whoever was picked
        assert p.session.login_pin(who, "0000") == "wrong"
    assert p.session.login_pin("ana", "0000") == "locked"
    assert p.session.login_pin("ana", "482913") == "locked"  # even the right PIN, while locked
    assert len(p.events("lockout")) == 1 and len(p.events("login_failed")) == 5
    p.clock.advance(299)
    assert p.session.locked and p.session.lock_seconds_left() == 1
    p.clock.advance(2)
    assert p.session.login_pin("ana", "482913") == "ok"
    assert p.events("login")[0].actor == "ana"
    assert [e.detail for e in p.events("login_failed")] == [f"attempt {i}" for i in range(1, 6)]
    assert all(e.actor == "" and e.proof == "" for e in p.events("login_failed"))


def test_a_badge_signs_in_like_a_pin() -> None:
    p = Panel()
    assert p.session.login_badge("BADGE-77") == "ok" and p.session.member.id == "ben"  # type: ignore[union-attr]
    assert Panel().session.login_badge("BADGE-00") == "wrong"


def test_the_session_ends_after_60_s_idle() -> None:
    p = Panel()
    p.session.login_pin("ben", "1234")
    p.clock.advance(59)
    p.session.tick()
    assert p.session.member is not None
    p.session.touch()
    p.clock.advance(60)
    p.session.tick()
    assert p.session.member is None and p.events("logout")[0].detail == "idle"


def test_front_desk_out_with_a_supervisors_approval_sends_a_request_naming_both() -> None:
    p = Panel()
    p.session.login_pin("ben", "1234")
    proposal = p.session.propose("martinez", "Dr. Ana Martinez", "out", DAY, reason="sick")
    assert p.session.confirm(proposal) is None  # not without approval
    assert not p.session.approve("ben", "1234")  # a front-desk PIN is no approval
    assert not p.session.approve("ana", "1234")  # nor another member's PIN under ana's name
    assert p.session.approve("ana", "482913")
    pending = p.session.confirm(proposal)
    assert pending is not None and pending.status == "pending"
    req = next(e for e in p.sent if isinstance(e, m.StatusChangeRequest))
    assert (req.requested_by, req.role, req.approved_by, req.reason) == ("ben", "front_desk", "ana", "sick")
    assert hub_policy().check(req) == ""  # both proofs hold at the hub
    assert req.proof != req.approval_proof
    p.session.on_result(m.RequestResult(req.key, "lobby-1", False, "needs a supervisor", "martinez"))
    assert (pending.status, pending.reason) == ("rejected", "needs a supervisor")


def test_an_answer_that_comes_back_before_confirm_returns_is_not_lost() -> None:
    # The kiosk's sync thread calls on_result as soon as the hub answers, which on a busy
    # machine can be before the thread that sent the request is scheduled again.
    clock = ManualClock(NOW)

    def hub_answers_at_once(msg: object) -> None:
        if isinstance(msg, m.StatusChangeRequest):
            session.on_result(m.RequestResult(msg.key, "lobby-1", True, "", msg.provider_id, 1))

    session = AdminSession(staff(), "lobby-1", clock, hub_answers_at_once)
    session.login_pin("ben", "1234")
    pending = session.confirm(session.propose("chen", "Dr. Wei Chen", "late", DAY, delay_min=20))
    assert pending is not None and (pending.status, pending.version) == ("applied", 1)


def test_a_request_that_could_not_be_queued_is_not_left_pending() -> None:
    clock = ManualClock(NOW)

    def full_disk(msg: object) -> None:
        if isinstance(msg, m.StatusChangeRequest):
            raise OSError("disk full")

    session = AdminSession(staff(), "lobby-1", clock, full_disk)
    session.login_pin("ben", "1234")
    with pytest.raises(OSError, match="disk full"):
        session.confirm(session.propose("chen", "Dr. Wei Chen", "late", DAY, delay_min=20))
    assert session.pending == {}


def test_confirmation_shows_the_impact_on_the_real_morning() -> None:
    # 7:43: fourteen appointments 08:00 to 11:15, none over, none checked in; the arrival window
    # (60 min before) is open for 08:00, 08:15 and 08:30.
    now = datetime(2026, 11, 30, 7, 43)
    impact = status_impact(DAY, "out", now)
    assert (impact.affected, impact.checked_in, impact.on_their_way) == (
        14,
        0,
        3,
    )
    checked = [
        a if a.id != DAY[0].id else m.Appointment(**{**a.__dict__, "state": "checked_in"}) for a in DAY
    ]
    assert status_impact(checked, "out", now).checked_in == 1
    p = Panel()
    p.session.login_pin("ana", "482913")
    proposal = p.session.propose("martinez", "Dr. Ana Martinez", "out", DAY)
    assert proposal.sentence == (
        "Dr. Ana Martinez out today: 14 appointments affected, 0 patients already checked in, "
        "3 on their way (arrival window open)"
    )
    late = status_impact(DAY, "leaving_early", datetime(2026, 11, 30, 9, 0), leaving_at="10:00")
    assert late.affected == 6  # 10:00 … 11:15 end after 10:00; 09:45 ends at 10:00
