"""The SIP side of the line (a UAS over UDP, RFC 3261): answers INVITEs from the
configured peers (and the registrar it registered to) only, keeps each dialog, reads
keys sent as SIP INFO, and hangs up calls whose RTP stopped.

Requests from any other address get 403 (ACKs are dropped); a datagram that is not SIP
is dropped and counted. A 200 OK is sent again (T1 doubling) until its ACK arrives.
New INVITEs pass a token bucket per source address first: an allowed peer over its rate
gets 503 with Retry-After (a PBX then fails over or waits, where silence would make it
retransmit the INVITE seven times); anyone else over the rate is dropped unanswered (a
403 per spoofed datagram would make the line a reflector). Calls in progress never
pass the bucket: their BYE, INFO and retransmissions are not limited.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import cast

from phone import info_dtmf, sdp, sip
from phone.call import FRAME_S, Call, RtpEndpoint
from phone.flood import InviteLimiter
from phone.offer_answer import negotiate

log = logging.getLogger(__name__)

_ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, NOTIFY"
_T1 = 0.5
_TIMER_H = 32.0

MakeCall = Callable[[str, sdp.Media, str], Call]
ResponseHandler = Callable[[sip.SipMessage, tuple[str, int]], None]


@dataclass(frozen=True)
class LineConfig:
    host: str = "127.0.0.1"
    port: int = 5060
    advertised: str = ""  # the address put in Contact and SDP; empty: ``host``
    allowed: tuple[str, ...] = ()  # addresses or networks that may call
    max_calls: int = 30
    rtp_timeout_s: float = 30.0
    max_call_s: float = 600.0
    rtp_ports: tuple[int, int] = (0, 0)  # (0, 0): any free port
    invite_rate: float = 5.0  # new INVITEs a second per source address, after the burst
    invite_burst: int = 30

    @property
    def address(self) -> str:
        return self.advertised or self.host


@dataclass
class _Dialog:
    call: Call
    invite: sip.SipMessage
    peer: tuple[str, int]
    tag: str
    ok: bytes = b""
    acked: bool = False
    started: float = 0.0
    cseq: int = 100
    info_cseqs: set[int] = field(default_factory=set)  # INFOs read: a retransmission is no new key
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class PhoneLine(asyncio.DatagramProtocol):
    def __init__(self, config: LineConfig, make_call: MakeCall) -> None:
        self.config = config
        self.make_call = make_call
        self.stats: Counter[str] = Counter()
        self.dialogs: dict[str, _Dialog] = {}
        self._allowed = [ipaddress.ip_network(a, strict=False) for a in config.allowed]
        self.trusted_hosts: set[str] = set()  # the registrar's address (phone.register_loop)
        self.response_handlers: dict[str, ResponseHandler] = {}  # by Call-ID: our REGISTERs, REFERs
        self.notify_handlers: dict[str, ResponseHandler] = {}  # by Call-ID: a REFER's progress
        # Peers on a stream (phone.sip_tls): what goes to them is written to their connection.
        self.stream_routes: dict[tuple[str, int], Callable[[bytes], None]] = {}
        self.tls_port = 0  # the TLS listener's port once it runs (Contact of TLS dialogs)
        self._limiter = InviteLimiter(config.invite_rate, config.invite_burst)
        self._transport: asyncio.DatagramTransport | None = None
        self._housekeeping: asyncio.Task[None] | None = None
        self._pacer: asyncio.Task[None] | None = None
        self._next_port = config.rtp_ports[0]

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(self.config.host, self.config.port))
        self._housekeeping = loop.create_task(self._watch_calls())
        self._pacer = loop.create_task(self._pace())

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's own UDP transport does not subclass DatagramTransport (3.11): a cast.
        self._transport = cast(asyncio.DatagramTransport, transport)

    @property
    def port(self) -> int:
        if self._transport is None:
            return 0
        return int(self._transport.get_extra_info("sockname")[1])

    async def stop(self) -> None:
        for call_id in list(self.dialogs):
            self.hang_up(call_id, "stopping")
        for task in (self._housekeeping, self._pacer):
            if task is not None:
                task.cancel()
        if self._transport is not None:
            self._transport.close()

    # --- SIP in -------------------------------------------------------------------------

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        msg = sip.parse(data)
        if isinstance(msg, sip.Malformed):
            self.stats["sip_malformed"] += 1
            self.stats[f"sip_malformed_{msg.reason}"] += 1
            return
        if not msg.is_request:
            handler = self.response_handlers.get(msg.call_id)
            if handler is not None:
                handler(msg, addr)
            else:
                self.stats["sip_responses"] += 1  # to our BYEs; nothing waits for them
            return
        if msg.method == "INVITE" and msg.call_id not in self.dialogs and not self._take_token(msg, addr):
            return
        if not self._allowed_peer(addr[0]):
            self.stats["sip_forbidden"] += 1
            if msg.method != "ACK":
                self.send(sip.response(msg, 403, to_tag=sip.new_tag()), addr)
            return
        handler = {"INVITE": self._on_invite, "ACK": self._on_ack, "BYE": self._on_bye,
                   "CANCEL": self._on_cancel, "OPTIONS": self._on_options,
                   "INFO": self._on_info, "NOTIFY": self._on_notify}.get(msg.method)  # fmt: skip
        if handler is None:
            self.send(sip.response(msg, 405, extra=(("allow", _ALLOW),)), addr)
            return
        handler(msg, addr)

    def _take_token(self, msg: sip.SipMessage, addr: tuple[str, int]) -> bool:
        """False (and answered or dropped, counted) when ``addr`` is over its INVITE rate."""
        if self._limiter.allow(addr[0], asyncio.get_running_loop().time()):
            return True
        self.stats["invite_rate_limited"] += 1
        if self._allowed_peer(addr[0]):
            retry = (("retry-after", str(self._limiter.retry_after(addr[0]))),)
            self.send(sip.response(msg, 503, to_tag=sip.new_tag(), extra=retry), addr)
        else:
            self.stats["invite_rate_limited_dropped"] += 1
        return False

    def _allowed_peer(self, host: str) -> bool:
        if host in self.trusted_hosts:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in net for net in self._allowed)

    def _on_options(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        extra = (("allow", _ALLOW), ("accept", "application/sdp"))
        self.send(sip.response(msg, 200, to_tag=sip.new_tag(), extra=extra), addr)

    def _on_invite(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        known = self.dialogs.get(msg.call_id)
        if known is not None:  # a retransmission, or a re-INVITE: the same answer
            if known.ok:
                self._transport_send(known.ok, addr)
            else:
                self.send(sip.response(msg, 100), addr)  # still answering
            return
        media = negotiate(msg.body, addr in self.stream_routes, self.stats)  # SRTP only over TLS
        if media is None:  # counted, with the reason
            self.send(sip.response(msg, 488, to_tag=sip.new_tag()), addr)
            return
        if len(self.dialogs) >= self.config.max_calls:
            self.stats["invite_busy"] += 1
            self.send(sip.response(msg, 486, to_tag=sip.new_tag()), addr)
            return
        self.send(sip.response(msg, 100), addr)
        call = self.make_call(f"c-{secrets.token_hex(4)}", media, _caller_number(msg.header("from")))
        dialog = _Dialog(call, msg, addr, sip.new_tag(), started=asyncio.get_running_loop().time())
        self.dialogs[msg.call_id] = dialog
        dialog.tasks.append(asyncio.get_running_loop().create_task(self._answer(dialog)))

    async def _answer(self, dialog: _Dialog) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: RtpEndpoint(dialog.call), local_addr=(self.config.host, self._rtp_port())
            )
        except OSError:
            self.stats["rtp_port_unavailable"] += 1
            self.dialogs.pop(dialog.invite.call_id, None)
            self.send(sip.response(dialog.invite, 503, to_tag=dialog.tag), dialog.peer)
            return
        port = int(transport.get_extra_info("sockname")[1])
        body = sdp.answer(dialog.call.media, self.config.address, port, secrets.randbelow(2**31))
        contact = f"<sip:line@{self.config.address}:{self.port}>"
        if dialog.peer in self.stream_routes:  # the caller came over TLS: so must its requests
            contact = f"<sip:line@{self.config.address}:{self.tls_port};transport=tls>"
        ok = sip.response(
            dialog.invite,
            200,
            to_tag=dialog.tag,
            body=body,
            extra=(
                *(("record-route", r) for r in dialog.invite.all("record-route")),
                ("contact", contact),
                ("allow", _ALLOW),
                ("content-type", "application/sdp"),
            ),
        )
        dialog.ok = sip.build(ok)
        dialog.call.start(transport)
        self.stats["calls_answered"] += 1
        log.info("call answered", extra={"call": dialog.call.call_id})
        self._transport_send(dialog.ok, dialog.peer)
        interval = _T1
        waited = 0.0
        while not dialog.acked and waited < _TIMER_H and not dialog.call.ended.is_set():
            await asyncio.sleep(interval)
            waited += interval
            if not dialog.acked and dialog.invite.call_id in self.dialogs:
                self._transport_send(dialog.ok, dialog.peer)
            interval = min(interval * 2, 4.0)
        if not dialog.acked and dialog.invite.call_id in self.dialogs:
            self.stats["calls_no_ack"] += 1
            self.hang_up(dialog.invite.call_id, "no_ack")

    def _rtp_port(self) -> int:
        low, high = self.config.rtp_ports
        if not low:
            return 0
        port = self._next_port
        self._next_port = low if port >= high else port + 1
        return port

    def _on_ack(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        dialog = self.dialogs.get(msg.call_id)
        if dialog is not None:
            dialog.acked = True

    def _on_bye(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        dialog = self.dialogs.pop(msg.call_id, None)
        if dialog is None:
            self.send(sip.response(msg, 481), addr)
            return
        self.send(sip.response(msg, 200), addr)
        self._end(dialog, "caller_hung_up")

    def _on_info(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        """A key sent as SIP INFO (RFC 2976 with the dtmf-relay bodies PBXs use)."""
        dialog = self.dialogs.get(msg.call_id)
        if dialog is None:
            self.send(sip.response(msg, 481), addr)
            return
        # A retransmission (its CSeq seen: our answer was late) is answered again, counted
        # and pressed once (a malformed one was counted twice beside stress-ng).
        first = msg.cseq[0] not in dialog.info_cseqs
        dialog.info_cseqs.add(msg.cseq[0])
        kind = info_dtmf.content_type(msg.header("content-type"))
        key = info_dtmf.parse(kind, msg.body) if kind in info_dtmf.CONTENT_TYPES else None
        if key is None:
            self.stats.update(["info_unsupported"] if first else [])
            self.send(sip.response(msg, 415, extra=(("accept", ", ".join(info_dtmf.CONTENT_TYPES)),)), addr)
        elif isinstance(key, info_dtmf.NotDtmf):
            self.stats.update(["info_malformed", f"info_malformed_{key.reason}"] if first else [])
            self.send(sip.response(msg, 400), addr)
        else:
            self.send(sip.response(msg, 200), addr)
            if first:
                self.stats["info_keys"] += 1
                dialog.call.key_pressed(key)

    def _on_notify(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        """A transfer's progress (RFC 3515): only in a dialog whose REFER is pending."""
        handler = self.notify_handlers.get(msg.call_id)
        if handler is None or msg.call_id not in self.dialogs:
            self.send(sip.response(msg, 481), addr)
            return
        self.send(sip.response(msg, 200), addr)
        handler(msg, addr)

    def _on_cancel(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        dialog = self.dialogs.get(msg.call_id)
        if dialog is None:
            self.send(sip.response(msg, 481), addr)
            return
        self.send(sip.response(msg, 200, to_tag=dialog.tag), addr)
        if not dialog.ok:  # not answered yet: the INVITE ends with 487
            self.dialogs.pop(msg.call_id, None)
            self.send(sip.response(dialog.invite, 487, to_tag=dialog.tag), dialog.peer)
            self._end(dialog, "cancelled")

    # --- hanging up ---------------------------------------------------------------------

    def hang_up(self, sip_call_id: str, why: str) -> None:
        """End a call from our side: BYE to the caller."""
        dialog = self.dialogs.pop(sip_call_id, None)
        if dialog is None:
            return
        if dialog.ok:
            self._request(dialog, "BYE")
        self._end(dialog, why)

    def request(
        self, sip_call_id: str, method: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> tuple[sip.SipMessage, tuple[str, int]] | None:
        """Send ``method`` (REFER) in an answered call's dialog: the message and where it
        went (to send it again), or None when there is no such call."""
        dialog = self.dialogs.get(sip_call_id)
        if dialog is None or not dialog.ok:
            return None
        return self._request(dialog, method, extra)

    def _request(
        self, dialog: _Dialog, method: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> tuple[sip.SipMessage, tuple[str, int]]:
        dialog.cseq += 1
        tls = dialog.peer in self.stream_routes
        via = f"{self.config.address}:{self.tls_port if tls else self.port}"
        msg, addr = sip.in_dialog(dialog.invite, dialog.tag, dialog.cseq, method, via, extra)
        if tls:  # over the caller's TLS connection, as RFC 3261 §18 asks
            addr = dialog.peer
            msg = replace(msg, headers=tuple(_tls_via(h) for h in msg.headers))
        self.send(msg, addr or dialog.peer)
        return msg, addr or dialog.peer

    def sip_call_id(self, call: Call) -> str:
        """The SIP Call-ID of ``call``'s dialog ("" once it ended)."""
        return next((k for k, d in self.dialogs.items() if d.call is call), "")

    def _end(self, dialog: _Dialog, why: str) -> None:
        dialog.call.end()
        for task in dialog.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        self.stats["calls_ended"] += 1
        self.stats[f"calls_ended_{why}"] += 1
        self.stats.update({f"srtp_rejected_{k}": n for k, n in dialog.call.stats.srtp_rejected.items()})
        log.info("call ended", extra={"call": dialog.call.call_id, "why": why})

    async def _watch_calls(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(1.0)
            now = loop.time()
            for call_id, dialog in list(self.dialogs.items()):
                if now - dialog.call.last_heard > self.config.rtp_timeout_s:
                    self.hang_up(call_id, "rtp_timeout")
                elif now - dialog.started > self.config.max_call_s:
                    self.hang_up(call_id, "too_long")

    async def _pace(self) -> None:
        """One timer for every call's RTP: each answered call sends a frame every 20 ms,
        paced against the loop's clock (no drift); after a stall it carries on from now
        rather than sending a burst."""
        loop = asyncio.get_running_loop()
        start, ticks = loop.time(), 0
        while True:
            now = loop.time()
            for dialog in list(self.dialogs.values()):
                dialog.call.send_frame(now)
            ticks += 1
            delay = start + ticks * FRAME_S - loop.time()
            if delay < -0.2:
                start, ticks, delay = loop.time(), 0, 0.0
            await asyncio.sleep(max(0.0, delay))

    # --- SIP out ------------------------------------------------------------------------

    def send(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        self._transport_send(sip.build(msg), addr)

    def _transport_send(self, data: bytes, addr: tuple[str, int]) -> None:
        stream = self.stream_routes.get(addr)
        if stream is not None:
            stream(data)
        elif self._transport is not None:
            self._transport.sendto(data, addr)


def _tls_via(header: tuple[str, str]) -> tuple[str, str]:
    name, value = header
    return (name, value.replace("SIP/2.0/UDP ", "SIP/2.0/TLS ", 1)) if name == "via" else header


def _caller_number(from_value: str) -> str:
    """The caller's number (the From URI's user part, digits and + only), for the callback."""
    user = sip.uri_of(from_value).removeprefix("sips:").removeprefix("sip:").split("@", 1)[0]
    return "".join(ch for ch in user if ch.isdigit() or ch == "+")[:20]


__all__ = ["LineConfig", "PhoneLine"]
