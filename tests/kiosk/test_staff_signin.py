"""Sign-in among a real staff list: the member is picked (or found by badge), one derivation
follows; the proof the PIN makes holds at the hub, and nothing else does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from unittest import mock

import pytest

from config.settings import StaffSettings
from core.clock import ManualClock
from core.errors import ConfigError
from domain.admin import AdminSession
from domain.staff import StaffDirectory, Stretch, parse_members, pin_weakness
from hub.policy import RolePolicy
from sync import messages as m
from sync import staff_messages as sm
from tests.support.staff import proof_key, signed, staff_pair

NOW = datetime(2026, 11, 30, 7, 43)
SIXTY = {f"m{i:02d}": ("front_desk" if i % 3 else "supervisor", f"{500_000 + 37 * i}") for i in range(60)}
StaffPair = tuple[StaffSettings, StaffSettings]  # (the kiosks' [staff], the hub's)
BADGES = {f"m{i:02d}": f"CARD-{9000 + i}" for i in range(60)}


@pytest.fixture(scope="module")
def sixty() -> StaffPair:
    return staff_pair(SIXTY, BADGES)


def session(staff: StaffSettings) -> tuple[AdminSession, list[object]]:
    sent: list[object] = []
    return AdminSession(staff, "lobby-1", ManualClock(NOW), sent.append), sent


def test_the_picked_member_signs_in_with_one_derivation_among_60(sixty: StaffPair) -> None:
    kiosk, hub = sixty
    panel, sent = session(kiosk)
    policy = RolePolicy.from_settings(hub, ManualClock(NOW))
    real = Stretch.derive
    calls: list[bytes] = []

    def counting(self: Stretch, secret: str) -> bytes:
        calls.append(self.salt)
        return real(self, secret)

    with mock.patch.object(Stretch, "derive", counting):
        for who in ("m00", "m31", "m59"):
            calls.clear()
            assert panel.login_pin(who, SIXTY[who][1]) == "ok"
            assert panel.member is not None and panel.member.id == who
            assert len(calls) == 1  # one PIN derivation, not one per member
            login = [e for e in sent if isinstance(e, sm.StaffEvent) and e.action == "login"][-1]
            assert login.actor == who and policy.check_proof(who, login, login.proof) == ""
            panel.logout()
        calls.clear()
        assert panel.login_pin("m31", SIXTY["m30"][1]) == "wrong"  # m30's PIN is not m31's
        assert panel.login_pin("nobody", SIXTY["m30"][1]) == "wrong"
        assert len(calls) == 2  # an unknown name costs the same derivation as a wrong PIN


def test_a_badge_finds_its_member_by_the_keyed_index_among_60(sixty: StaffPair) -> None:
    kiosk, _hub = sixty
    panel, _sent = session(kiosk)
    with mock.patch.object(Stretch, "derive", side_effect=Stretch.derive, autospec=True) as derive:
        assert panel.login_badge("CARD-9044") == "ok"
        assert panel.member is not None and panel.member.id == "m44"
        assert derive.call_count == 1  # the badge's proof key; the lookup itself is one HMAC
        derive.reset_mock()
        panel.logout()
        assert panel.login_badge("CARD-1234") == "wrong"
        assert derive.call_count == 0


def test_a_badge_proof_holds_at_the_hub() -> None:
    kiosk, hub = staff_pair()
    panel, sent = session(kiosk)
    assert panel.login_badge("BADGE-77") == "ok"
    proposal = panel.propose("chen", "Dr. Wei Chen", "late", [], delay_min=10)
    panel.confirm(proposal)
    req = next(e for e in sent if isinstance(e, m.StatusChangeRequest))
    assert RolePolicy.from_settings(hub, ManualClock(NOW)).check(req) == ""


def test_the_kiosk_config_holds_no_proof_key_and_the_hub_no_verifier() -> None:
    kiosk, hub = staff_pair()
    for value in kiosk.members.values():
        assert "proof$" not in value
    key = proof_key("ana").hex()
    assert key not in " ".join(kiosk.members.values())
    assert key in hub.members["ana"]
    assert all(m.pin is None and m.proof_keys for m in parse_members(hub.members))


def test_a_badge_index_without_the_units_key_is_refused() -> None:
    kiosk, _hub = staff_pair()
    with pytest.raises(ConfigError, match="badge key"):
        StaffDirectory(kiosk.members, "")


@pytest.mark.parametrize(
    "value",
    [
        "boss:pin$16$8$1$00$00",
        "supervisor:pin$15$8$1$00$00",  # N not a power of two
        "supervisor:pin$16$8$1$zz$00",
        "supervisor:",
    ],
)
def test_bad_member_entries_are_config_errors(value: str) -> None:
    with pytest.raises(ConfigError, match=r"staff\.members\.ana"):
        parse_members({"ana": value})


@pytest.mark.parametrize(
    ("pin", "why"),
    [
        ("1234", "consecutive"),
        ("9876", "consecutive"),
        ("0000", "repeats one digit"),
        ("777777", "repeats one digit"),
        ("1985", "year"),
        ("2011", "year"),
        ("123", "4 to 12 digits"),
        ("12a456", "4 to 12 digits"),
        ("4747", "repeats itself"),
    ],
)
def test_trivial_pins_are_named(pin: str, why: str) -> None:
    assert why in pin_weakness(pin)


@pytest.mark.parametrize("pin", ["482913", "5827", "1397", "840215"])
def test_ordinary_pins_pass(pin: str) -> None:
    assert pin_weakness(pin) == ""


# --- forged requests at the hub ------------------------------------------------------


def _req(**kw: object) -> m.StatusChangeRequest:
    fields: dict[str, object] = {
        "key": "k" * 16,
        "kiosk_id": "lobby-1",
        "provider_id": "martinez",
        "state": "out",
        "requested_by": "ana",
        "requested_at": NOW.isoformat(timespec="seconds"),
        "role": "supervisor",
        "reason": "sick",
        **kw,
    }
    return m.StatusChangeRequest(**fields)  # type: ignore[arg-type]


def _policy(now: datetime = NOW) -> RolePolicy:
    return RolePolicy.from_settings(staff_pair(proof_max_age_s=3600)[1], ManualClock(now))


def test_a_signed_request_is_allowed() -> None:
    assert _policy().check(signed(_req(), proof_key("ana"))) == ""


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (_req, "no staff proof from ana"),  # the forgery: a name, no PIN
        (lambda: signed(_req(), proof_key("ana", "111111")), "does not match"),  # a wrong PIN
        (lambda: signed(_req(), proof_key("ben")), "does not match"),  # another member's key
        (
            lambda: replace(signed(_req(state="late", delay_min=5), proof_key("ana")), state="out"),
            "does not match",
        ),
        (lambda: replace(signed(_req(), proof_key("ana")), key="n" * 16), "does not match"),  # replayed proof
        (lambda: replace(signed(_req(), proof_key("ana")), kiosk_id="lobby-9"), "does not match"),
        (lambda: signed(_req(requested_at="2026-11-30T06:00:00"), proof_key("ana")), "older than 1 h"),
        (lambda: signed(_req(requested_at="2026-11-30T08:00:00"), proof_key("ana")), "in the future"),
    ],
)
def test_forged_requests_are_refused_with_a_reason(
    forge: Callable[[], m.StatusChangeRequest], reason: str
) -> None:
    assert reason in _policy().check(forge())


def test_an_approval_needs_the_supervisors_own_proof() -> None:
    front = _req(requested_by="ben", role="front_desk", approved_by="ana")
    ok = signed(front, proof_key("ben"), proof_key("ana"))
    assert _policy().check(ok) == ""
    assert "approval: no staff proof from ana" in _policy().check(signed(front, proof_key("ben")))
    wrong = signed(front, proof_key("ben"), proof_key("ben"))  # ben approving as ana
    assert "approval: the staff proof for ana does not match" in _policy().check(wrong)


def test_an_offline_request_inside_the_window_still_applies() -> None:
    req = signed(_req(), proof_key("ana"))
    assert _policy(NOW + timedelta(minutes=59)).check(req) == ""  # queued 59 min offline
    assert "older than" in _policy(NOW + timedelta(minutes=61)).check(req)


def test_a_hub_without_proof_keys_says_so() -> None:
    kiosk, _hub = staff_pair()
    policy = RolePolicy.from_settings(kiosk, ManualClock(NOW))  # given the kiosks' list by mistake
    assert "holds no proof key for ana" in policy.check(signed(_req(), proof_key("ana")))


def test_an_old_style_entry_signs_in_but_its_requests_carry_no_proof() -> None:
    from config.settings import StaffSettings
    from domain.staff import hash_secret

    old = StaffSettings(members={"ana": f"supervisor:{hash_secret('482913', n=2**4)}"})
    panel, sent = session(old)
    assert panel.login_pin("ana", "000000") == "wrong"
    assert panel.login_pin("ana", "482913") == "ok"
    panel.confirm(panel.propose("chen", "Dr. Wei Chen", "late", [], delay_min=10))
    req = next(e for e in sent if isinstance(e, m.StatusChangeRequest))
    assert req.proof == ""
    policy = RolePolicy.from_settings(old, ManualClock(NOW))  # a hub still on the old list
    assert policy.check(req) == "no staff proof from ana (PIN or badge) with the request"
    assert "holds no proof key for ana" in policy.check(signed(req, proof_key("ana")))


def test_the_practice_terminal_needs_no_staff_proof_but_keeps_the_id_rule() -> None:
    from hub.origin import RequestOrigin

    policy = _policy()
    assert policy.check(_req(), RequestOrigin.PRACTICE_CLI) == ""
    assert "only the practice's terminal" in policy.check(_req(kiosk_id="cli"))
