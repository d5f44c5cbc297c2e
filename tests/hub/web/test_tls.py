"""With ``[hub.web] cert_file``/``key_file`` the dashboard speaks HTTPS only, its cookies
are Secure and it sends HSTS."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from hub.web import DashboardServer
from tests.hub.web.conftest import PASSWORDS, Practice, web_client


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make a test certificate")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_cookies_are_secure_and_hsts_is_sent(practice: Practice, tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    settings = practice.dashboard.settings
    web = replace(settings.hub.web, cert_file=str(cert), key_file=str(key))
    secure = DashboardServer(replace(settings, hub=replace(settings.hub, web=web)), practice.hub)
    secure.start()
    try:
        assert secure.url.startswith("https://")
        with web_client(secure.url, verify=False) as client:
            page = client.get("/login")
            assert "max-age" in page.headers["strict-transport-security"]
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token is not None
            answer = client.post(
                "/login",
                data={"staff_id": "boss-bo", "password": PASSWORDS["boss-bo"], "csrf": token.group(1)},
            )
        cookies = answer.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("__Host-kiosk_dashboard="))
        assert "Secure" in session and "HttpOnly" in session and "Path=/" in session
        assert "Domain" not in session  # host-only: another name or port cannot plant or read it
        device = next(c for c in cookies if c.startswith("__Host-kiosk_device="))
        assert "Secure" in device and "HttpOnly" in device
        with pytest.raises(httpx.HTTPError):
            httpx.get(secure.url.replace("https://", "http://") + "login", timeout=5)
    finally:
        secure.stop()
