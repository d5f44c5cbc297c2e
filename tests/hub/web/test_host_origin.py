"""The Host and Origin rules, pure: which names are answered and which origins are ours."""

from __future__ import annotations

import pytest

from hub.web.security import HostAndOrigin, _origin_key


async def _app(_scope: object, _receive: object, _send: object) -> None:
    pass


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1:8470", True),
        ("192.168.1.20:8470", True),
        ("[::1]:8470", True),
        ("localhost:8470", True),
        ("dashboard.clinic.lan:8470", True),
        ("rebind.attacker.example:8470", False),
        ("dashboard.clinic.lan.attacker.example", False),
        ("", False),
        ("[::1", False),
    ],
)
def test_hosts(host: str, ok: bool) -> None:
    guard = HostAndOrigin(_app, tls=False, host_names=frozenset({"dashboard.clinic.lan"}))
    assert guard._host_ok(host) is ok


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("http://127.0.0.1:8470", "127.0.0.1:8470", True),
        ("http://127.0.0.1", "127.0.0.1:80", True),
        ("https://dash.lan", "dash.lan:443", True),
        ("http://[::1]:8470", "[::1]:8470", True),
        ("http://127.0.0.1:8471", "127.0.0.1:8470", False),  # another port of the same host
        ("https://127.0.0.1:8470", "127.0.0.1:8470", False),
        ("null", "127.0.0.1:8470", False),
        ("", "127.0.0.1:8470", False),
        ("http://127.0.0.1:8470/path", "127.0.0.1:8470", False),
    ],
)
def test_origins(origin: str, host: str, same: bool) -> None:
    scheme = "https" if host.endswith(":443") or origin.startswith("https://dash") else "http"
    mine = _origin_key(f"{scheme}://{host}")
    assert mine is not None
    assert (_origin_key(origin) == mine) is same
