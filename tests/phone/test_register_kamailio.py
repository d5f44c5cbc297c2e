"""The line registers to a real kamailio (Debian's) with digest auth: a wrong password is
refused and reported once; the right one registers (after a 423 and with the registrar
down at first), re-registers before the granted time runs out, and a call SIPp sends to
kamailio for the line's user is relayed to the line and answered."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.local_broker import free_port
from devtools.sip_caller import SipCaller
from phone import digest
from phone.line import LineConfig
from phone.register_loop import RegisterLoop, RegisterTarget
from phone.registration import RegistrationConfig, State
from tests.phone.support import bare_line, until
from tests.phone.test_sipp import ROOT, sipp
from tests.support.kamailio import Kamailio, available

pytestmark = pytest.mark.skipif(
    not available() or shutil.which("sipp") is None, reason="kamailio or SIPp missing (deps/apt-phone.txt)"
)

_USER, _PASSWORD = "line", "correct horse 7"  # "line": the user SipCaller calls
# Short timers so a test sees retries; the defaults are RFC 3261's.
_TUNING = RegistrationConfig(
    "", "", "", "", digest.Credentials("", ""), t1=0.2, t2=0.8, transaction_timeout=2.0,
    retry_min_s=0.5, retry_max_s=2.0, refused_retry_s=1.0,
)  # fmt: skip


async def _refused(kamailio: Kamailio) -> None:
    line, _calls, _ = bare_line(LineConfig(port=0))
    await line.start()
    loop = RegisterLoop(line, RegisterTarget("127.0.0.1", kamailio.port, _USER, "wrong password", expires=60),
                        _TUNING)  # fmt: skip
    await loop.start()
    try:
        registration = loop.registration
        assert registration is not None

        async def refused_twice() -> bool:
            return registration.stats["register_refused"] >= 2

        await until(refused_twice, "kamailio to refuse the wrong password twice")
        assert registration.state is State.REFUSED and "403" in registration.reason
        assert registration.stats["register_ok"] == 0
    finally:
        await loop.stop()
        await line.stop()


def test_a_wrong_password_is_refused_reported_once_and_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kamailio = Kamailio(tmp_path / "kamailio", _USER, _PASSWORD)
    kamailio.start()
    try:
        with caplog.at_level(logging.INFO, logger="phone"):
            asyncio.run(asyncio.wait_for(_refused(kamailio), 60))
    finally:
        kamailio.stop()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "refused" in errors[0].getMessage()  # one line, not one per retry
    assert not any("wrong password" in r.getMessage() for r in caplog.records)  # never the password
    assert "wrong password for line" in kamailio.log()  # kamailio checked it


def loop_time() -> float:
    return asyncio.get_running_loop().time()


async def _registers_and_answers(kamailio: Kamailio, workdir: Path) -> None:
    # Nobody may call the line but the registrar it registered to.
    line, calls, _ = bare_line(LineConfig(port=0, allowed=(), rtp_timeout_s=10))
    await line.start()
    # Expires 1 is below kamailio's minimum (4): a 423, then 4 s granted, refreshed every 2 s.
    target = RegisterTarget("127.0.0.1", kamailio.port, _USER, _PASSWORD, expires=1)
    loop = RegisterLoop(line, target, _TUNING)
    await loop.start()
    registration = loop.registration
    assert registration is not None
    try:

        async def failed() -> bool:
            return registration.stats["register_timeouts"] >= 1

        await until(failed, "the first REGISTER to time out (kamailio is not started yet)")
        assert registration.state is State.FAILED
        await asyncio.to_thread(kamailio.start)

        async def refreshed() -> bool:
            return registration.stats["register_ok"] >= 3

        await until(refreshed, "the line to register and re-register twice", timeout=60)
        assert registration.granted == 4 and registration.stats["register_interval_too_brief"] >= 1
        assert registration.stats["register_challenged"] >= 1

        challenged_at_start = registration.stats["register_challenged"]

        async def rechallenged() -> bool:
            again = registration.stats["register_challenged"] > challenged_at_start
            return again and registration.registered(loop_time())

        await until(rechallenged, "a refresh with an expired nonce to be challenged and registered again")
        assert registration.stats["register_refused"] == 0

        code, out = await sipp(kamailio.port, ["-sn", "uac", "-s", _USER, "-d", "500"], workdir)
        assert code == 0, out
        assert line.stats["calls_answered"] == 1 and line.stats["calls_ended_caller_hung_up"] == 1
        assert line.stats["sip_forbidden"] == 0 and len(calls) == 1

        # A call the line ends itself: its BYE goes to the caller's Contact, not back to
        # kamailio (which did not record-route and would not route it).
        caller = SipCaller(("127.0.0.1", kamailio.port))
        await caller.open()
        try:
            assert (await caller.call()).status == 200
            [sip_call_id] = [k for k, d in line.dialogs.items() if d.call is calls[-1]]
            line.hang_up(sip_call_id, "test")

            async def bye_heard() -> bool:
                return any(r.method == "BYE" for r in caller.requests_in)

            await until(bye_heard, "the line's BYE to reach the caller")
        finally:
            await caller.close()
        assert registration.registered(asyncio.get_running_loop().time())
    finally:
        await loop.stop()
        await line.stop()


def test_the_line_registers_re_registers_and_answers_a_call_relayed_by_kamailio(tmp_path: Path) -> None:
    # Nonces live 3 s: a refresh reusing an older one is challenged again. (kamailio's
    # pv_auth_check then sends a plain 401, not stale=true: the line must not take it for
    # a wrong password, since it answered with a nonce it had already used.)
    kamailio = Kamailio(
        tmp_path / "kamailio", _USER, _PASSWORD, port=free_port(), min_expires=4, nonce_expire=3
    )
    try:
        asyncio.run(asyncio.wait_for(_registers_and_answers(kamailio, tmp_path), 120))
    finally:
        kamailio.stop()


async def _registers(kamailio: Kamailio) -> int:
    line, _calls, _ = bare_line(LineConfig(port=0))
    await line.start()
    loop = RegisterLoop(
        line, RegisterTarget("127.0.0.1", kamailio.port, _USER, _PASSWORD, expires=60), _TUNING
    )
    await loop.start()
    registration = loop.registration
    assert registration is not None
    try:

        async def registered() -> bool:
            return registration.stats["register_ok"] >= 1

        await until(registered, "the line to register")
        return registration.granted
    finally:
        await loop.stop()
        await line.stop()


def test_sha_256_digest_registers(tmp_path: Path) -> None:
    """RFC 7616: kamailio challenges with algorithm=SHA-256 and the line answers in kind."""
    kamailio = Kamailio(tmp_path / "kamailio", _USER, _PASSWORD, algorithm="SHA-256")
    kamailio.start()
    try:
        assert asyncio.run(asyncio.wait_for(_registers(kamailio), 60)) == 60
    finally:
        kamailio.stop()


def test_kiosk_phone_run_registers_from_its_settings_file(tmp_path: Path) -> None:
    """The real command with a registrar, user and password file in its settings (and no
    broker): kamailio relays SIPp's call for the user to it; the password is in no log."""
    kamailio = Kamailio(tmp_path / "kamailio", _USER, _PASSWORD)
    kamailio.start()
    secret = tmp_path / "phone-sip.password"
    secret.write_text(_PASSWORD + "\n")
    secret.chmod(0o600)
    config = tmp_path / "phone.toml"
    config.write_text(
        f'[kiosk]\nid = "phone-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path / "state"}"\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {free_port()}\n'
        f'[phone]\nsip_host = "127.0.0.1"\nsip_port = {free_port()}\nallowed_peers = ""\nrtp_port_min = 0\n'
        f'registrar = "127.0.0.1:{kamailio.port}"\nsip_user = "{_USER}"\nsip_password_file = "{secret}"\n'
        "register_expires = 60\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "phone", "run"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:

        async def call_through_kamailio() -> None:
            while True:  # 404 from kamailio until the line has registered
                code, out = await sipp(kamailio.port, ["-sn", "uac", "-s", _USER, "-d", "300"], tmp_path)
                if code == 0:
                    return
                if proc.poll() is not None:
                    raise AssertionError(f"kiosk phone run exited: {out}")
                await asyncio.sleep(0.5)

        asyncio.run(asyncio.wait_for(call_through_kamailio(), 90))
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        kamailio.stop()
    assert proc.returncode == 0, out[-2000:]
    log = out.decode()
    assert '"registered"' in log and '"call answered"' in log
    assert _PASSWORD not in log and "correct horse" not in kamailio.log()
