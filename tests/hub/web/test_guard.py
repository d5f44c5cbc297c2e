"""The sign-in guard on a stepped clock: attempts counted on arrival, one verification in
flight per lane, holds, the hourly budget, per-client throttling, device lanes a stranger
cannot lock, and one alert per hold."""

from __future__ import annotations

from hub.web.guard import Attack, GuardLimits, Refusal, SignInGuard, Ticket


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _guard(clock: Clock, alerts: list[Attack] | None = None, **limits: int) -> SignInGuard:
    values = {"max_attempts": 5, "lockout_s": 60, "guesses_per_hour": 30, "client_attempts_per_hour": 1000}
    values.update(limits)
    sink = alerts if alerts is not None else []
    return SignInGuard(GuardLimits(**values), clock, on_attack=sink.append)


def test_a_burst_gets_one_verification_and_every_attempt_counts_towards_the_hold() -> None:
    guard = _guard(Clock())
    outcomes = [guard.begin("bo", "10.0.0.9") for _ in range(23)]  # all before the first finishes
    tickets = [o for o in outcomes if isinstance(o, Ticket)]
    assert len(tickets) == 1 and guard.verifications == 1
    assert outcomes[1:5] == [Refusal.BUSY] * 4 and set(outcomes[5:]) == {Refusal.HELD}
    guard.finish(tickets[0], ok=False)
    assert guard.begin("bo", "10.0.0.9") is Refusal.HELD  # the right password 20 ms later: not checked
    assert guard.held("bo")


def test_a_success_in_flight_clears_the_count_and_the_hold() -> None:
    guard = _guard(Clock())
    ticket = guard.begin("bo", "a")
    assert isinstance(ticket, Ticket)
    for _ in range(6):
        guard.begin("bo", "a")
    guard.finish(ticket, ok=True)
    assert not guard.held("bo") and isinstance(guard.begin("bo", "a"), Ticket)


def test_a_hold_ends_after_lockout_s_and_the_count_starts_again() -> None:
    clock = Clock()
    guard = _guard(clock)
    for _ in range(5):
        t = guard.begin("bo", "a")
        assert isinstance(t, Ticket)
        guard.finish(t, ok=False)
    assert guard.begin("bo", "a") is Refusal.HELD
    clock.t += 61
    t = guard.begin("bo", "a")
    assert isinstance(t, Ticket)


def test_any_number_of_client_addresses_get_at_most_the_hourly_budget_per_account() -> None:
    clock = Clock()
    guard = _guard(clock, max_attempts=1000, lockout_s=10, guesses_per_hour=30)
    verified = 0
    for second in range(3 * 3600):  # three hours, one guess a second from ever new addresses
        clock.t += 1
        t = guard.begin("bo", f"10.{second // 250}.{second % 250}.1")
        if isinstance(t, Ticket):
            verified += 1
            guard.finish(t, ok=False)
    assert 60 < verified <= 90  # 30 an hour, the window rolling


def test_one_client_address_is_throttled_across_every_id() -> None:
    guard = _guard(Clock(), client_attempts_per_hour=10)
    outcomes = []
    for i in range(12):
        o = guard.begin(f"id-{i}", "10.0.0.66")
        if isinstance(o, Ticket):
            guard.finish(o, ok=False)
        outcomes.append(o)
    assert all(isinstance(o, Ticket) for o in outcomes[:10]) and outcomes[10:] == [Refusal.CLIENT] * 2
    assert isinstance(guard.begin("id-0", "10.0.0.67"), Ticket)  # another address is not


def test_a_known_device_signs_in_while_strangers_hold_the_account() -> None:
    alerts: list[Attack] = []
    guard = _guard(Clock(), alerts, client_attempts_per_hour=3)
    for i in range(40):
        o = guard.begin("bo", f"10.0.1.{i}")
        if isinstance(o, Ticket):
            guard.finish(o, ok=False)
    assert guard.held("bo")
    mine = guard.begin("bo", "10.0.0.5", device="dev-1")  # the member's own workstation
    assert isinstance(mine, Ticket)
    guard.finish(mine, ok=True)
    assert guard.held("bo")  # strangers stay held
    assert [(a.staff_id, a.clients >= 5) for a in alerts] == [("bo", True)]  # told once, not once per guess


def test_a_device_lane_is_held_by_its_own_failures_only() -> None:
    guard = _guard(Clock())
    for _ in range(5):
        t = guard.begin("bo", "a", device="dev-1")
        assert isinstance(t, Ticket)
        guard.finish(t, ok=False)
    assert guard.held("bo", "dev-1") and not guard.held("bo") and not guard.held("bo", "dev-2")


def test_unlock_forgets_the_counts_of_that_account_only() -> None:
    guard = _guard(Clock())
    for sid in ("bo", "ann"):
        for _ in range(5):
            guard.begin(sid, "a")
    guard.unlock("bo")
    assert not guard.held("bo") and guard.held("ann")


def test_memory_stays_bounded_under_a_spray_of_ids_and_members_are_not_forgotten() -> None:
    guard = _guard(Clock(), client_attempts_per_hour=10**6)
    guard.keep = lambda staff_id: staff_id == "bo"
    for _ in range(5):
        guard.begin("bo", "10.9.0.1")
    for i in range(25_000):
        o = guard.begin(f"nobody-{i}", f"10.9.{i % 200}.1")
        if isinstance(o, Ticket):
            guard.finish(o, ok=False)
    assert len(guard._lanes) <= 10_000 and len(guard._clients) <= 10_000
    assert guard.held("bo")


def test_a_member_signing_in_all_day_never_spends_the_hourly_budget() -> None:
    clock = Clock()
    guard = _guard(clock, guesses_per_hour=3)
    for _ in range(50):
        clock.t += 10
        t = guard.begin("bo", "a", device="dev-1")
        assert isinstance(t, Ticket)
        guard.finish(t, ok=True)
