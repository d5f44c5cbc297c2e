"""Host and Origin over real HTTP (DNS rebinding, posts from other pages), and notices that
come only from the hub, never from the URL."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import httpx
import pytest

from tests.hub.web.conftest import PASSWORDS, Practice, start_practice, web_client
from tests.hub.web.test_pages_http import signed_in
from tests.support.broker import Broker


def _login_post(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login", headers=headers).text)
    assert token is not None
    form = {"staff_id": "boss-bo", "password": PASSWORDS["boss-bo"], "csrf": token.group(1)}
    return client.post("/login", data=form, headers=headers)


def test_a_post_from_another_origin_or_without_one_is_refused(practice: Practice) -> None:
    base = practice.url.rstrip("/")
    other_port = re.sub(r":\d+$", ":1", base)
    with httpx.Client(base_url=base, follow_redirects=False, timeout=10) as client:
        for origin in (other_port, "http://evil.example", "null", base.replace("http://", "https://")):
            answer = _login_post(client, {"origin": origin})
            assert answer.status_code == 403, origin
            assert not any("kiosk_dashboard=" in c for c in answer.headers.get_list("set-cookie"))
        assert _login_post(client, {}).status_code == 403  # no Origin at all
        assert _login_post(client, {"origin": base}).status_code == 303


def test_every_post_checks_the_origin(practice: Practice) -> None:
    with contextlib.closing(signed_in(practice)) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
        assert csrf is not None
        foreign = {"origin": "http://127.0.0.1:1"}
        for path in ("/status/preview", "/status/apply", "/escalations/x/ack", "/notices/x/ack", "/logout"):
            answer = client.post(path, data={"csrf": csrf.group(1), "provider": "chen"}, headers=foreign)
            assert answer.status_code == 403, path
        assert client.get("/").status_code == 200  # still signed in: the foreign logout did nothing


def test_only_known_host_names_are_answered(broker: Broker, tmp_path: Path) -> None:
    practice = start_practice(broker, tmp_path, allowed_hosts="dashboard.clinic.lan, desk.clinic.lan")
    try:
        port = practice.dashboard.port
        with web_client(practice.url) as client:
            for host in ("evil.example", f"attacker.example:{port}", "dashboard.clinic.lan.evil.example"):
                answer = client.get("/login", headers={"host": host})
                assert answer.status_code == 421, host
            for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"dashboard.clinic.lan:{port}"):
                assert client.get("/login", headers={"host": host}).status_code == 200, host
            named = {"host": f"dashboard.clinic.lan:{port}", "origin": f"http://dashboard.clinic.lan:{port}"}
            assert _login_post(client, named).status_code == 303
    finally:
        practice.dashboard.stop()
        practice.hub.stop()


def test_a_notice_in_the_url_is_never_shown(practice: Practice) -> None:
    with contextlib.closing(signed_in(practice)) as client:
        page = client.get("/", params={"notice": "Session expired, call IT on 555-0100"})
        assert "555-0100" not in page.text and 'id="page-notice"' not in page.text


def test_the_hubs_notice_is_shown_once_after_a_change(practice: Practice) -> None:
    with contextlib.closing(signed_in(practice)) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
        assert csrf is not None
        answer = client.post(
            "/status/apply", data={"csrf": csrf.group(1), "provider": "chen", "state": "gone"}
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/"  # nothing in the URL
        first, second = client.get("/").text, client.get("/").text
        assert 'id="page-notice">Not changed: unknown state' in first
        assert 'id="page-notice"' not in second


def test_allowed_hosts_is_checked_at_load(tmp_path: Path) -> None:
    from config import load_settings
    from core.errors import ConfigError

    path = tmp_path / "kiosk.toml"
    path.write_text('[hub.web]\nallowed_hosts = "dashboard.clinic.lan, evil.example:8470"\n')
    with pytest.raises(
        ConfigError, match=r"allowed_hosts = .*'evil.example:8470' is not a host name"
    ):
        load_settings(path, env={})
    path.write_text('[hub.web]\nallowed_hosts = "Dashboard.Clinic.lan, desk"\n')
    assert load_settings(path, env={}).hub.web.host_names == {"dashboard.clinic.lan", "desk"}
