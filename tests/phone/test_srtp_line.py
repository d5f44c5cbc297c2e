"""The line's SRTP against the test's own SRTP peer (``phone.srtp``, keys in the SDP),
signalling over real TLS (``openssl s_client``, as tests/phone/test_sip_tls.py): the line
answers ``RTP/SAVP`` with its own key; its prompt decrypts under that key; a key pressed
through SRTP is heard; a forged packet, a replay and plain RTP are dropped and counted by
reason, and keep nothing; a malformed ``a=crypto`` gets 488 over the TLS connection."""

from __future__ import annotations

import asyncio
import re
import secrets
import shutil
from pathlib import Path
from typing import cast

import pytest

from devtools.local_broker import copy_certs
from phone import g711, rtp, sdp, sip
from phone.line import LineConfig
from phone.sdes import Crypto, parse_crypto
from phone.sip_tls import SipTlsListener, server_context
from phone.srtp import AES_CM_128_HMAC_SHA1_80, Rejected, SrtpContext
from tests.phone.support import bare_line, until
from tests.phone.test_sip_tls import _Peer, _request

_WAIT = 60.0
OUR_KEY = Crypto(3, AES_CM_128_HMAC_SHA1_80, secrets.token_bytes(16), secrets.token_bytes(14))


class _SrtpEar(asyncio.DatagramProtocol):
    """The caller's media socket: what the line sends, decrypted with the line's key."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.receiver: SrtpContext | None = None
        self.speech = 0
        self.rejected: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.receiver is None:
            return
        plain = self.receiver.unprotect(data)
        if isinstance(plain, Rejected):
            self.rejected.append(plain.reason)
            return
        packet = rtp.unpack(plain)
        assert packet is not None
        self.speech += packet.payload != bytes([g711.silence_code(packet.payload_type)]) * len(packet.payload)


async def _scenario(tmp: Path) -> None:
    ca = copy_certs(tmp / "certs")
    line, calls, _ = bare_line(LineConfig(port=0, allowed=("127.0.0.0/8",)))
    await line.start()
    context = server_context(str(tmp / "certs/server.crt"), str(tmp / "certs/server.key"))
    tls = SipTlsListener(line, "127.0.0.1", 0, context, 4)
    await tls.start()
    ear = _SrtpEar()
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: ear, local_addr=("127.0.0.1", 0)
    )
    ear_port = int(transport.get_extra_info("sockname")[1])
    peer = await _Peer.connect(tls.port, ca)
    try:
        call_id, tag = secrets.token_hex(8), sip.new_tag()
        offer = sdp.offer("127.0.0.1", ear_port, 1, crypto=OUR_KEY)
        peer.send(_request("INVITE", 1, call_id, tag, tls.port, body=offer))
        seen = await peer.response(rb"SIP/2\.0 200 OK.*?CSeq: 1 INVITE.*?a=crypto:[^\r]+\r\n", _WAIT)
        ok = seen[seen.index(b"SIP/2.0 200 OK") :].decode()
        answer = sdp.parse_offer(ok[ok.index("\r\n\r\n") + 4 :].encode())
        assert isinstance(answer, sdp.Offer) and answer.profile == "RTP/SAVP" and len(answer.crypto) == 1
        theirs = parse_crypto(answer.crypto[0])
        assert isinstance(theirs, Crypto)
        assert (theirs.tag, theirs.suite) == (3, AES_CM_128_HMAC_SHA1_80) and theirs.key != OUR_KEY.key
        ear.receiver = SrtpContext(theirs.suite, theirs.key, theirs.salt)
        to = re.search(r"\r\nTo: ([^\r]+)", ok, re.I)
        assert to is not None
        peer.send(_request("ACK", 1, call_id, tag, tls.port, to=to.group(1)))

        async def hearing() -> bool:
            return ear.speech >= 25

        await until(hearing, "the line's prompt, decrypted with the key it answered", _WAIT)
        assert ear.rejected == []

        # What the caller sends: a key through SRTP, then a replay, a forgery and plain RTP.
        sender = SrtpContext(OUR_KEY.suite, OUR_KEY.key, OUR_KEY.salt)
        where = (answer.address, answer.port)
        protected = [sender.protect(rtp.pack(p)) for p in rtp.event_packets("1", 500, 8000, 0xC0FFEE, 101)]
        forged = bytearray(sender.protect(rtp.pack(rtp.RtpPacket(0, 510, 8800, 0xC0FFEE, b"\xff" * 160))))
        forged[-1] ^= 0xFF  # a new packet whose tag is wrong (a wrong old one would be a replay)
        plain = rtp.pack(rtp.RtpPacket(0, 520, 9000, 0xC0FFEE, b"\xff" * 160))
        for data in [*protected, protected[0], bytes(forged), plain]:
            transport.sendto(data, where)
        call = calls[0]

        async def counted() -> bool:
            return call.stats.srtp_rejected == {"replay": 1, "auth": 2}

        await until(counted, "the replay, the forgery and the plain packet rejected", _WAIT)
        assert call.stats.keys == ["1"]
        assert call.stats.packets_heard == len(protected)  # nothing rejected counts as heard

        peer.send(_request("BYE", 2, call_id, tag, tls.port, to=to.group(1)))
        await peer.response(rb"SIP/2\.0 200 OK[^\r]*\r\n(?:[^\r]+\r\n)*?CSeq: 2 BYE", _WAIT)
        assert (line.stats["srtp_rejected_auth"], line.stats["srtp_rejected_replay"]) == (
            2,
            1,
        )  # the line's sum

        # A malformed a=crypto line: 488 on the same connection, counted with its reason.
        bad = offer.replace(b"inline:", b"inline:*")
        peer.send(_request("INVITE", 1, secrets.token_hex(8), tag, tls.port, body=bad))
        await peer.response(rb"SIP/2\.0 488 ", _WAIT)
        assert line.stats["invite_not_acceptable_crypto_key_base64"] == 1
        assert line.stats["calls_answered"] == 1
    finally:
        await peer.close()
        transport.close()
        await tls.stop()
        await line.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command line")
def test_the_line_speaks_and_hears_srtp_and_rejects_what_fails_it(tmp_path: Path) -> None:
    asyncio.run(_scenario(tmp_path))
