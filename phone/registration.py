"""Registering the line to the practice's PBX or SIP trunk (RFC 3261 §10): a pure state
machine. Time comes in as ``now`` (seconds, any monotonic clock); randomness (jitter,
cnonce, branch) is injected. The shell (``phone.register_loop``) sends what ``poll``
returns and hands every response to ``on_response``.

* REGISTER with Expires; retransmitted T1 doubling up to T2 until a final answer, given up
  after ``transaction_timeout`` (timer F): the registrar is down, retry with capped,
  jittered backoff.
* 401/407: answered with digest credentials at once; refreshes reuse the nonce (nc counts
  up); ``stale=true`` takes the new nonce. A fresh challenge answering our answer to a
  fresh challenge means the password is wrong: *refused*, like 403.
* 200: registered for the granted time (our Contact's ``expires``, else Expires); the
  refresh is sent at ``refresh_fraction`` of it.
* 423: ask again at once with the registrar's Min-Expires.
* 403 / wrong password: *refused*, retried slowly (``refused_retry_s``).
* 503 (and other failures): backoff, at least the Retry-After asked for.
"""

from __future__ import annotations

import random
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from phone import digest, sip

_MAX_EXPIRES = 86400
_MAX_CHALLENGES = 3


class State(StrEnum):
    UNREGISTERED = "unregistered"  # not yet tried
    REGISTERED = "registered"
    FAILED = "failed"  # no answer, or an error: retrying with backoff
    REFUSED = "refused"  # 403 or a wrong password: retrying slowly


@dataclass(frozen=True)
class RegistrationConfig:
    registrar: str  # the Request-URI, e.g. "sip:pbx.example.org" or "sip:10.0.0.5:5060"
    aor: str  # the address of record, in To and From: "sip:line@pbx.example.org"
    contact: str  # our URI, e.g. "sip:line@192.168.10.20:5060"
    sent_by: str  # "host:port" for Via
    credentials: digest.Credentials
    expires: int = 300
    refresh_fraction: float = 0.5
    t1: float = 0.5
    t2: float = 4.0
    transaction_timeout: float = 32.0
    retry_min_s: float = 2.0
    retry_max_s: float = 300.0
    refused_retry_s: float = 600.0


@dataclass
class _Transaction:
    request: sip.SipMessage
    cseq: int
    deadline: float
    next_send: float
    interval: float
    answered_fresh_nonce: bool  # carried credentials for a challenge answered for the first time


class Registration:
    def __init__(
        self,
        config: RegistrationConfig,
        now: float,
        *,
        jitter: Callable[[], float] = random.random,
        token: Callable[[], str] = lambda: secrets.token_hex(8),
    ) -> None:
        self.config = config
        self.state = State.UNREGISTERED
        self.reason = ""  # why the last attempt failed, for the one log line
        self.granted = 0
        self.expires_at = 0.0
        self.stats: Counter[str] = Counter()
        self.call_id = f"{token()}@kiosk-phone"
        self._jitter = jitter
        self._token = token
        self._tag = token()
        self._cseq = 0
        self._asked = min(max(config.expires, 1), _MAX_EXPIRES)
        self._due = now
        self._tx: _Transaction | None = None
        self._challenge: digest.Challenge | None = None
        self._nc = 0
        self._failures = 0
        self._challenges_in_row = 0

    @property
    def next_at(self) -> float:
        """When ``poll`` next has something to do."""
        times = [self._due] if self._tx is None else [self._tx.next_send, self._tx.deadline]
        if self.state is State.REGISTERED:
            times.append(self.expires_at)
        return min(times)

    def registered(self, now: float) -> bool:
        return self.state is State.REGISTERED and now < self.expires_at

    # --- out ------------------------------------------------------------------------

    def poll(self, now: float) -> list[sip.SipMessage]:
        """The requests to send now (a new REGISTER, or a retransmission)."""
        if self.state is State.REGISTERED and now >= self.expires_at:
            self._set(State.FAILED, "the registration expired before a refresh succeeded")
        tx = self._tx
        if tx is not None:
            if now >= tx.deadline:
                self._tx = None
                self.stats["register_timeouts"] += 1
                self._fail(now, "the registrar did not answer")
            elif now >= tx.next_send:
                tx.interval = min(tx.interval * 2, self.config.t2)
                tx.next_send = now + tx.interval
                self.stats["register_retransmits"] += 1
                return [tx.request]
        if self._tx is None and now >= self._due:
            return [self._new_request(now, self._asked)]
        return []

    def unregister(self) -> sip.SipMessage:
        """A REGISTER with Expires 0 (sent once when the line stops; nothing waits for it)."""
        self._tx = None
        return self._build(0)

    def _new_request(self, now: float, expires: int) -> sip.SipMessage:
        request = self._build(expires)
        fresh = self._challenge is not None and self._nc == 1
        config = self.config
        self._tx = _Transaction(
            request, self._cseq, now + config.transaction_timeout, now + config.t1, config.t1, fresh
        )
        self.stats["register_sent"] += 1
        return request

    def _build(self, expires: int) -> sip.SipMessage:
        self._cseq += 1
        config = self.config
        headers = [
            ("via", f"SIP/2.0/UDP {config.sent_by};branch=z9hG4bK{self._token()};rport"),
            ("max-forwards", "70"),
            ("from", f"<{config.aor}>;tag={self._tag}"),
            ("to", f"<{config.aor}>"),
            ("call-id", self.call_id),
            ("cseq", f"{self._cseq} REGISTER"),
            ("contact", f"<{config.contact}>"),
            ("expires", str(expires)),
            ("allow", "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO"),
            ("user-agent", "kiosk-phone"),
        ]
        if self._challenge is not None:
            self._nc += 1
            answer = digest.authorization(
                self._challenge, config.credentials, "REGISTER", config.registrar, self._nc, self._token()
            )
            headers.append((self._challenge.answer_header, answer))
        return sip.SipMessage(method="REGISTER", uri=config.registrar, headers=tuple(headers))

    # --- in -------------------------------------------------------------------------

    def on_response(self, msg: sip.SipMessage, now: float) -> None:
        tx = self._tx
        if tx is None or msg.call_id != self.call_id or msg.cseq != (tx.cseq, "REGISTER"):
            self.stats["register_stray_responses"] += 1  # a late answer to an earlier try
            return
        if msg.status < 200:
            tx.interval = self.config.t2  # proceeding: retransmit at T2 only
            tx.next_send = now + tx.interval
            return
        self._tx = None
        status = msg.status
        if 200 <= status < 300:
            self._registered(msg, now)
        elif status in (401, 407):
            self._challenged(msg, now, tx)
        elif status == 423:
            self._too_brief(msg, now)
        elif status == 403:
            self._refuse(now, "the registrar refused the line (403 Forbidden): check the user and password")
        else:
            self._fail(now, f"the registrar answered {status}", _retry_after(msg))

    def _registered(self, msg: sip.SipMessage, now: float) -> None:
        granted = _granted(msg, self.config.contact, self._asked)
        if granted <= 0:
            self._fail(now, "the registrar granted no time")
            return
        self.granted = granted
        self.expires_at = now + granted
        self._due = now + max(1.0, granted * self.config.refresh_fraction)
        self._failures = 0
        self._challenges_in_row = 0
        self.stats["register_ok"] += 1
        self._set(State.REGISTERED, "")

    def _challenged(self, msg: sip.SipMessage, now: float, tx: _Transaction) -> None:
        self.stats["register_challenged"] += 1
        proxy = msg.status == 407
        values = msg.all("proxy-authenticate" if proxy else "www-authenticate")
        parsed = [digest.parse_challenge(v, proxy=proxy) for v in values]
        challenge = digest.strongest([c for c in parsed if isinstance(c, digest.Challenge)])
        if challenge is None:
            errors = [str(c) for c in parsed if isinstance(c, digest.DigestError)]
            self._fail(now, f"the registrar's challenge cannot be answered ({'; '.join(errors) or 'none'})")
            return
        if challenge.stale:
            self.stats["register_stale_nonce"] += 1
        elif tx.answered_fresh_nonce:
            self._refuse(now, f"the registrar refused the password ({msg.status} again for user "
                              f"{self.config.credentials.user!r}, realm {challenge.realm!r})")  # fmt: skip
            return
        self._challenges_in_row += 1
        if self._challenges_in_row > _MAX_CHALLENGES:
            self._fail(now, "the registrar keeps challenging")
            return
        self._challenge, self._nc = challenge, 0
        self._due = now

    def _too_brief(self, msg: sip.SipMessage, now: float) -> None:
        self.stats["register_interval_too_brief"] += 1
        text = msg.header("min-expires").strip()
        if not text.isdigit() or not self._asked < int(text) <= _MAX_EXPIRES:
            self._fail(now, f"423 with an unusable Min-Expires {text[:12]!r}")
            return
        self._asked = int(text)
        self._due = now

    # --- failures -------------------------------------------------------------------

    def _fail(self, now: float, reason: str, at_least: float = 0.0) -> None:
        self.stats["register_failures"] += 1
        self._failures += 1
        self._challenge = None
        config = self.config
        backoff = min(config.retry_max_s, config.retry_min_s * 2 ** min(self._failures - 1, 16))
        self._due = now + max(backoff * (0.5 + self._jitter() / 2), min(at_least, config.retry_max_s))
        if self.state is State.REGISTERED and now < self.expires_at:
            self.reason = reason  # still registered until it expires; the next try may yet refresh it
            return
        self._set(State.FAILED, reason)

    def _refuse(self, now: float, reason: str) -> None:
        self.stats["register_refused"] += 1
        self._challenge = None
        self._challenges_in_row = 0
        self._due = now + self.config.refused_retry_s
        self._set(State.REFUSED, reason)

    def _set(self, state: State, reason: str) -> None:
        self.state, self.reason = state, reason


def _granted(msg: sip.SipMessage, contact: str, asked: int) -> int:
    """Seconds the registrar granted our contact: its ``expires`` parameter in the 200's
    Contact list, else the Expires header, else what we asked for."""
    for value in msg.all("contact"):
        for uri, params in re.findall(r"<([^>]*)>([^,]*)", value):
            if uri == contact:
                match = re.search(r";\s*expires=(\d{1,9})", params)
                if match:
                    return min(int(match.group(1)), _MAX_EXPIRES)
    text = msg.header("expires").strip()
    return min(int(text), _MAX_EXPIRES) if text.isdigit() and len(text) < 10 else asked


def _retry_after(msg: sip.SipMessage) -> float:
    text = msg.header("retry-after").split(";", 1)[0].split("(", 1)[0].strip()
    return float(text) if text.isdigit() and len(text) < 7 else 0.0


__all__ = ["Registration", "RegistrationConfig", "State"]
