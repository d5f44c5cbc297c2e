"""A real SRTP peer: Debian's baresip (its ``srtp`` module, ``mediaenc=srtp-mand``: it
drops any packet that fails SRTP's tag) calls the line over TLS. The line answers
``RTP/SAVP`` with a key of its own; baresip's audio and its RFC 4733 key reach the line
through SRTP (none rejected), and the line's prompt reaches baresip, which decrypts it
(baresip's ``sndfile`` filter writes what it decoded). The same baresip offering SRTP over
plain UDP gets 488 (keys in clear SDP protect nothing), counted with its reason."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from devtools.local_broker import copy_certs, free_port
from phone.call import Call
from phone.line import LineConfig, PhoneLine
from phone.sip_tls import SipTlsListener, server_context
from tests.phone.support import bare_line, until

_MODULES = Path("/usr/lib/baresip/modules")
_WAIT = 90.0  # generous: CI runs beside stress-ng

pytestmark = pytest.mark.skipif(
    shutil.which("baresip") is None or not (_MODULES / "srtp.so").exists(),
    reason="Debian's baresip with its srtp module",
)


def _config(home: Path, ca: str, ctrl_port: int) -> None:
    """baresip with no sound card: a tone file as its microphone, what it decodes dumped to
    WAV files, commands over ``ctrl_tcp``; media on loopback (its default is the LAN's)."""
    home.mkdir(parents=True)
    t = np.arange(8000 * 60) / 8000
    with wave.open(str(home / "tone.wav"), "wb") as tone:
        tone.setnchannels(1)
        tone.setsampwidth(2)
        tone.setframerate(8000)
        tone.writeframes((np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16).tobytes())
    settings = {
        "poll_method": "epoll", "sip_listen": "127.0.0.1:0", "net_interface": "127.0.0.1",
        "sip_cafile": ca, "audio_source": f"aufile,{home / 'tone.wav'}",
        "audio_alert": "aufile,/dev/null", "ausrc_srate": "8000", "auplay_srate": "8000",
        "ausrc_channels": "1", "auplay_channels": "1", "rtcp_mux": "no",
        "snd_path": str(home), "ctrl_tcp_listen": f"127.0.0.1:{ctrl_port}", "module_path": str(_MODULES),
    }  # fmt: skip
    lines = [f"{k}\t{v}" for k, v in settings.items()]
    lines += [f"module\t{m}.so" for m in ("g711", "aufile", "srtp", "sndfile")]
    lines += [f"module_app\t{m}.so" for m in ("account", "menu", "ctrl_tcp")]
    (home / "config").write_text("\n".join(lines) + "\n")


class _Baresip:
    """baresip dialling ``dial`` at once (SRTP mandatory), from an account on ``transport``."""

    def __init__(self, home: Path, ctrl_port: int, dial: str, transport: str) -> None:
        self.home, self.ctrl_port, self.dial = home, ctrl_port, dial
        self.proc: asyncio.subprocess.Process | None = None
        self.log = home / f"baresip-{transport}.log"
        self.account = (
            f"<sip:caller@127.0.0.1;transport={transport}>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU"
        )

    async def __aenter__(self) -> _Baresip:
        (self.home / "accounts").write_text(self.account + "\n")
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                "baresip", "-f", str(self.home), "-e", f"/dial {self.dial}", "-t", "120",
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        return self

    async def command(self, command: str, params: str = "") -> None:
        """One ``ctrl_tcp`` command (a netstring of JSON), once baresip listens."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _WAIT
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.ctrl_port)
                break
            except OSError:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.1)
        data = json.dumps({"command": command, "params": params, "token": command}).encode()
        writer.write(str(len(data)).encode() + b":" + data + b",")
        await writer.drain()
        while True:  # netstrings: events may come before the answer
            length = int((await asyncio.wait_for(reader.readuntil(b":"), _WAIT))[:-1])
            answer = json.loads((await reader.readexactly(length + 1))[:-1])
            if answer.get("response"):
                break
        assert answer.get("ok") is True, answer
        writer.close()
        await writer.wait_closed()

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
        if self.proc is not None:
            await self.proc.wait()


def _decoded_speech_frames(home: Path) -> int:
    """20 ms frames with sound in what baresip decoded (its ``sndfile`` dump)."""
    dumps = sorted(home.glob("dump-*-dec.wav"))
    assert dumps, "baresip wrote no decoded audio"
    with wave.open(str(dumps[-1])) as dump:
        samples = np.frombuffer(dump.readframes(dump.getnframes()), dtype=np.int16)
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160).astype(np.float64)
    return int((np.sqrt((frames**2).mean(axis=1)) > 300).sum())


async def _scenario(tmp: Path) -> None:
    ca = copy_certs(tmp / "certs")
    line, calls, _ = bare_line(LineConfig(port=0, allowed=("127.0.0.0/8",)))
    await line.start()
    tls = SipTlsListener(
        line, "127.0.0.1", 0, server_context(str(tmp / "certs/server.crt"), str(tmp / "certs/server.key")), 4
    )
    await tls.start()
    ctrl_port = free_port()
    _config(tmp / "baresip", ca, ctrl_port)
    try:
        async with _Baresip(
            tmp / "baresip", ctrl_port, f"sip:line@127.0.0.1:{tls.port};transport=tls", "tls"
        ) as bs:
            await _secure_call(line, calls, bs)
        assert _decoded_speech_frames(tmp / "baresip") >= 50  # a second of the line's prompt, decrypted
        log = bs.log.read_text(errors="replace")
        assert "SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)" in log

        # SRTP offered over UDP: refused, counted, no call.
        async with _Baresip(tmp / "baresip", ctrl_port, f"sip:line@127.0.0.1:{line.port}", "udp") as udp:

            async def refused() -> bool:
                told = "488 Not Acceptable Here" in udp.log.read_text(errors="replace")
                return told and line.stats["invite_not_acceptable_srtp_over_udp"] == 1

            await until(refused, "488 to an SRTP offer over UDP", _WAIT)
        assert line.stats["calls_answered"] == 1
    finally:
        await tls.stop()
        await line.stop()


async def _secure_call(line: PhoneLine, calls: list[Call], bs: _Baresip) -> None:
    async def answered() -> bool:
        return (
            bool(calls) and calls[0].stats.packets_heard >= 25 and calls[0].stats.first_prompt_at is not None
        )

    await until(answered, "the call answered and baresip's SRTP audio heard", _WAIT)
    call = calls[0]
    assert call.media.srtp is not None
    speaking_from = call.stats.packets_sent  # the prompt has begun by now
    await bs.command("sndcode", "1")  # an RFC 4733 key, inside SRTP

    async def key_heard() -> bool:
        return call.stats.keys == ["1"] and call.stats.packets_sent >= speaking_from + 150

    await until(key_heard, "baresip's key through SRTP, and 3 s of the line's prompt sent", _WAIT)
    await bs.command("hangup")

    async def hung_up() -> bool:
        return line.stats["calls_ended_caller_hung_up"] == 1

    await until(hung_up, "baresip's BYE over TLS", _WAIT)
    assert call.stats.srtp_rejected == {} and call.stats.packets_dropped == 0
    with contextlib.suppress(OSError, AssertionError, asyncio.IncompleteReadError):
        await bs.command("quit")  # the WAV dump is complete once baresip has closed it
    assert bs.proc is not None
    await asyncio.wait_for(bs.proc.wait(), _WAIT)


def test_baresip_calls_the_line_with_srtp_over_tls(tmp_path: Path) -> None:
    asyncio.run(_scenario(tmp_path))
