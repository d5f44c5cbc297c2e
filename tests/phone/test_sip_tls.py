"""SIP over TLS: the stream framer (phone/sip_stream.py, pure) and a real TLS peer,
OpenSSL's own client (``openssl s_client``, verifying the line's certificate against the
CA), calling the line over TLS: INVITE, 200 with a ``transport=tls`` Contact, ACK, the
line's RTP arriving over UDP, BYE and its 200, all on the one connection; and a stream
that cannot be framed is closed and counted. (SIPp here is built without OpenSSL, and
kamailio's TLS module is not installed.)"""

from __future__ import annotations

import asyncio
import re
import secrets
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from devtools.local_broker import copy_certs, free_port
from hub.service import HubService
from phone import sdp, sip
from phone.service import PhoneService
from phone.sip_stream import MAX_MESSAGE, StreamFramer
from tests.phone.support import Ear, phone_settings, until
from tests.support.broker import Broker
from tests.support.site import start_hub

INVITE = b"INVITE sip:line@h SIP/2.0\r\nCall-ID: a\r\nContent-Length: 4\r\n\r\nbody"
BYE = b"BYE sip:line@h SIP/2.0\r\nCall-ID: a\r\nl: 0\r\n\r\n"


def test_messages_are_framed_by_content_length_across_any_split() -> None:
    stream = b"\r\n\r\n" + INVITE + b"\r\n" + BYE + INVITE  # keep-alives between messages
    for size in (1, 3, 7, len(stream)):
        framer = StreamFramer()
        out = [m for i in range(0, len(stream), size) for m in framer.feed(stream[i : i + size])]
        assert out == [INVITE, BYE, INVITE] and not framer.broken


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"INVITE sip:x SIP/2.0\r\nCall-ID: a\r\n\r\n", "no_content_length"),
        (b"INVITE sip:x SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab", "conflicting_content_length"),
        (b"INVITE sip:x SIP/2.0\r\nContent-Length: 999999\r\n\r\n", "too_large"),
        (b"INVITE sip:x SIP/2.0\r\nX: " + b"a" * MAX_MESSAGE, "header_too_large"),
    ],
)
def test_a_stream_that_cannot_be_framed_is_broken_with_a_reason(data: bytes, why: str) -> None:
    framer = StreamFramer()
    assert framer.feed(data) == [] and framer.broken == why
    assert framer.feed(BYE) == []  # nothing after it is read


def _request(
    method: str, cseq: int, call_id: str, tag: str, port: int, to: str = "", body: bytes = b""
) -> bytes:
    headers = [
        ("via", f"SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK{secrets.token_hex(6)}"),
        ("max-forwards", "70"),
        ("from", f"<sip:+15550142@127.0.0.1>;tag={tag}"),
        ("to", to or f"<sip:line@127.0.0.1:{port}>"),
        ("call-id", call_id),
        ("cseq", f"{cseq} {method}"),
        ("contact", "<sip:+15550142@127.0.0.1:5999;transport=tls>"),
    ]
    if body:
        headers.append(("content-type", "application/sdp"))
    msg = sip.SipMessage(
        method=method, uri=f"sip:line@127.0.0.1:{port};transport=tls", headers=tuple(headers), body=body
    )
    return sip.build(msg)


class _Peer:
    """``openssl s_client`` to the line: what it prints is what the line sent over TLS."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.seen = b""

    @classmethod
    async def connect(cls, port: int, ca: str) -> _Peer:
        proc = await asyncio.create_subprocess_exec(
            "openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", ca, "-verify_return_error",
            "-servername", "localhost", "-quiet",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        return cls(proc)

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)

    async def response(self, pattern: bytes, timeout: float = 30.0) -> bytes:
        """Until the line's answers so far match ``pattern``; the text read."""
        assert self.proc.stdout is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not re.search(pattern, self.seen, re.S):
            chunk = await asyncio.wait_for(self.proc.stdout.read(4096), max(0.1, deadline - loop.time()))
            if not chunk:
                raise AssertionError(f"the TLS connection closed; read: {self.seen[-600:]!r}")
            self.seen += chunk
        return self.seen

    async def close(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
        await self.proc.wait()


async def _scenario(settings_dir: Path, broker: Broker) -> None:
    certs = settings_dir / "certs"
    ca = copy_certs(certs)
    settings = phone_settings(broker, settings_dir)
    tls_port = free_port()
    phone = replace(
        settings.phone,
        sip_tls_port=tls_port,
        sip_tls_cert_file=str(certs / "server.crt"),
        sip_tls_key_file=str(certs / "server.key"),
    )
    service = PhoneService(replace(settings, phone=phone))
    await service.start()
    ear, ear_port = await Ear.open()
    peer = await _Peer.connect(tls_port, ca)
    try:
        call_id, tag = secrets.token_hex(8), sip.new_tag()
        peer.send(_request("INVITE", 1, call_id, tag, tls_port, body=sdp.offer("127.0.0.1", ear_port, 1)))
        seen = await peer.response(rb"SIP/2\.0 200 OK.*?CSeq: 1 INVITE.*?\r\n\r\n.*?m=audio")
        ok = seen[seen.index(b"SIP/2.0 200 OK") :]
        assert b";transport=tls>" in ok and f":{tls_port};".encode() in ok  # its Contact
        to = re.search(rb"\r\nTo: ([^\r]+)", ok, re.I)
        assert to is not None
        peer.send(_request("ACK", 1, call_id, tag, tls_port, to=to.group(1).decode()))

        async def speaking() -> bool:
            return any(ear.heard.speech)

        await until(speaking, "the line's speech over RTP to the TLS caller")
        peer.send(_request("BYE", 2, call_id, tag, tls_port, to=to.group(1).decode()))
        await peer.response(rb"SIP/2\.0 200 OK[^\r]*\r\n(?:[^\r]+\r\n)*?CSeq: 2 BYE")
        stats = service.line.stats
        assert stats["tls_connections"] == 1 and stats["calls_answered"] == 1
        assert stats["calls_ended_caller_hung_up"] == 1

        # A stream that cannot be framed: the line closes the connection and counts it.
        bad = await _Peer.connect(tls_port, ca)
        bad.send(b"INVITE sip:line@127.0.0.1 SIP/2.0\r\nCall-ID: x\r\n\r\n")
        assert bad.proc.stdout is not None
        assert await asyncio.wait_for(bad.proc.stdout.read(), 30) == b""  # closed, nothing said
        await bad.close()
        assert stats["tls_broken_no_content_length"] == 1
    finally:
        await peer.close()
        ear.close()
        await service.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command line")
def test_openssl_calls_the_line_over_tls(broker: Broker, tmp_path: Path) -> None:
    hub: HubService = start_hub(broker.settings(), tmp_path)
    try:
        asyncio.run(_scenario(tmp_path / "phone", broker))
    finally:
        hub.stop()
