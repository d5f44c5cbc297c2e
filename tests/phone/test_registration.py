"""The registration state machine, stepped with a hand-held clock against a scripted
registrar: challenges, refreshes, a stale nonce, 423, a wrong password, a registrar down."""

from __future__ import annotations

import itertools

from phone import digest, sip
from phone.registration import Registration, RegistrationConfig, State

_CONFIG = RegistrationConfig(
    registrar="sip:pbx.example.org",
    aor="sip:line@pbx.example.org",
    contact="sip:line@192.0.2.10:5060",
    sent_by="192.0.2.10:5060",
    credentials=digest.Credentials("line", "s3cret"),
    expires=120,
)


def _registration() -> Registration:
    return Registration(_CONFIG, 0.0, jitter=lambda: 1.0, token=lambda: "t0k")


def _challenge(
    request: sip.SipMessage, nonce: str, *, stale: bool = False, status: int = 401
) -> sip.SipMessage:
    name = "proxy-authenticate" if status == 407 else "www-authenticate"
    value = f'Digest realm="pbx", nonce="{nonce}", qop="auth"' + (", stale=true" if stale else "")
    return sip.response(request, status, to_tag="r", extra=((name, value),))


def _ok(request: sip.SipMessage, granted: int) -> sip.SipMessage:
    contact = f"<{_CONFIG.contact}>;expires={granted}, <sip:other@192.0.2.99>;expires=7"
    return sip.response(request, 200, to_tag="r", extra=(("contact", contact),))


def _verify(request: sip.SipMessage, password: str = "s3cret") -> bool:
    """What the registrar checks: the response hash over the request's own fields."""
    header = request.header("authorization") or request.header("proxy-authorization")
    fields = dict(part.strip().split("=", 1) for part in header.removeprefix("Digest ").split(","))
    values = {k: v.strip('"') for k, v in fields.items()}
    challenge = digest.Challenge(values["realm"], values["nonce"], values["algorithm"], ("auth",))
    credentials = digest.Credentials(values["username"], password)
    nc = int(values["nc"], 16)
    expected = digest.response_hash(
        challenge, credentials, request.method, values["uri"], "auth", nc, values["cnonce"]
    )
    return values["response"] == expected


def test_challenge_register_and_refresh_at_half_the_granted_time() -> None:
    reg = _registration()
    [first] = reg.poll(0.0)
    assert first.method == "REGISTER" and first.header("expires") == "120"
    assert not first.header("authorization")
    reg.on_response(_challenge(first, "n1"), 0.1)
    [second] = reg.poll(0.1)
    assert _verify(second) and "nc=00000001" in second.header("authorization")
    assert second.cseq[0] == first.cseq[0] + 1 and second.call_id == first.call_id
    reg.on_response(_ok(second, 60), 0.2)
    assert reg.registered(0.2) and reg.granted == 60 and reg.poll(0.3) == []
    assert reg.next_at == 30.2
    [refresh] = reg.poll(30.2)  # the nonce is reused, nc counts up
    assert _verify(refresh) and "nc=00000002" in refresh.header("authorization")
    reg.on_response(_challenge(refresh, "n2", stale=True), 30.3)  # the nonce expired: not a wrong password
    [again] = reg.poll(30.3)
    assert 'nonce="n2"' in again.header("authorization") and _verify(again)
    reg.on_response(_ok(again, 60), 30.4)
    assert reg.state is State.REGISTERED and reg.stats["register_ok"] == 2
    assert reg.stats["register_stale_nonce"] == 1


def test_a_wrong_password_is_refused_and_retried_slowly() -> None:
    reg = _registration()
    [first] = reg.poll(0.0)
    reg.on_response(_challenge(first, "n1"), 0.0)
    [answer] = reg.poll(0.0)
    assert not _verify(answer, "the-right-one")
    reg.on_response(_challenge(answer, "n2"), 0.1)  # a fresh nonce again: the password was wrong
    assert reg.state is State.REFUSED and "refused the password" in reg.reason
    assert "s3cret" not in reg.reason
    assert reg.poll(1.0) == [] and reg.next_at == 0.1 + _CONFIG.refused_retry_s
    [retry] = reg.poll(reg.next_at)
    assert not retry.header("authorization")  # starts over: a challenge first
    reg.on_response(sip.response(retry, 403, to_tag="r"), 700.0)
    assert reg.state is State.REFUSED and reg.stats["register_refused"] == 2


def test_proxy_challenge_is_answered_in_proxy_authorization() -> None:
    reg = _registration()
    [first] = reg.poll(0.0)
    reg.on_response(_challenge(first, "n1", status=407), 0.0)
    [second] = reg.poll(0.0)
    assert second.header("proxy-authorization") and not second.header("authorization") and _verify(second)


def test_423_asks_again_with_min_expires() -> None:
    reg = _registration()
    [first] = reg.poll(0.0)
    reg.on_response(sip.response(first, 423, to_tag="r", extra=(("min-expires", "600"),)), 0.0)
    [second] = reg.poll(0.0)
    assert second.header("expires") == "600"
    reg.on_response(sip.response(second, 200, to_tag="r", extra=(("expires", "600"),)), 0.1)
    assert reg.granted == 600 and reg.stats["register_interval_too_brief"] == 1
    # A 423 that does not raise the time is a failure, not a loop.
    reg2 = _registration()
    [r] = reg2.poll(0.0)
    reg2.on_response(sip.response(r, 423, to_tag="r", extra=(("min-expires", "60"),)), 0.0)
    assert reg2.state is State.FAILED and reg2.poll(0.0) == []


def test_a_registrar_that_is_down_gets_retransmissions_then_capped_backoff() -> None:
    reg = _registration()
    [first] = reg.poll(0.0)
    sent_at = [0.0]
    now = 0.0
    while reg.state is not State.FAILED:
        now = reg.next_at
        for request in reg.poll(now):
            assert request is first  # the same request, retransmitted
            sent_at.append(now)
    assert now == _CONFIG.transaction_timeout and reg.stats["register_timeouts"] == 1
    gaps = [b - a for a, b in itertools.pairwise(sent_at)]
    assert gaps[:4] == [0.5, 1.0, 2.0, 4.0] and max(gaps) == _CONFIG.t2
    waits = []
    for timeouts in range(1, 13):  # keeps failing: backoff doubles up to the cap
        failed_at = now
        now = reg.next_at
        waits.append(now - failed_at)
        assert len(reg.poll(now)) == 1  # a new REGISTER
        while reg.stats["register_timeouts"] == timeouts:
            now = reg.next_at
            reg.poll(now)
    assert waits[0] == 2.0 and waits[1] == 4.0 and max(waits) == _CONFIG.retry_max_s


def test_503_retry_after_is_honoured_and_a_lost_refresh_keeps_the_registration_until_it_expires() -> None:
    reg = _registration()
    [first] = reg.poll(0.0)
    reg.on_response(_ok(first, 100), 0.0)
    [refresh] = reg.poll(50.0)
    reg.on_response(sip.response(refresh, 503, to_tag="r", extra=(("retry-after", "20"),)), 50.0)
    assert reg.state is State.REGISTERED and reg.registered(60.0) and reg.next_at == 70.0
    assert reg.poll(100.0)
    assert str(reg.state) == "failed" and "expired" in reg.reason


def test_stray_and_provisional_responses() -> None:
    reg = _registration()
    [first] = reg.poll(0.0)
    reg.on_response(sip.response(first, 100), 0.1)
    assert reg.next_at == 0.1 + _CONFIG.t2  # proceeding: retransmit at T2
    other = sip.SipMessage(status=200, reason="OK", headers=(("call-id", "x"), ("cseq", "1 REGISTER")))
    reg.on_response(other, 0.2)
    assert reg.stats["register_stray_responses"] == 1 and reg.state is State.UNREGISTERED
    reg.on_response(sip.response(first, 401), 0.3)  # a 401 with no challenge at all
    assert str(reg.state) == "failed" and "cannot be answered" in reg.reason
