"""The webhook channel against a real HTTP server on loopback: signed bodies, the
idempotency key, retry on 500 and 429, undeliverable on other 4xx; a gateway nobody runs
or that answers 502/503/504 is down (its messages wait, spending no attempt)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from config.settings import BrokerSettings
from core.worker import Worker
from devtools.local_broker import closed_port
from devtools.smsc_sim import SmscSim
from hub.notify.channels import Outgoing, Retry, Submitted, Unavailable, Undeliverable
from hub.notify.notifier import Notifier
from hub.notify.webhook import WebhookChannel
from tests.hub.notify.conftest import with_notify
from tests.hub.notify.rig import affected, future_morning, open_day, set_status, settle
from tests.support.site import site_settings


class _Gateway(HTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.timeout = 0.05
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []  # status codes to give, then 200


class _Handler(BaseHTTPRequestHandler):
    server: _Gateway

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.calls.append((dict(self.headers), body))
        code = self.server.answers.pop(0) if self.server.answers else 200
        self.send_response(code)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def gateway() -> Iterator[_Gateway]:
    server = _Gateway()

    def serve() -> float:
        server.handle_request()  # waits up to server.timeout for one request
        return 0.0

    worker = Worker("gateway", tick_s=0.0, on_tick=serve)
    worker.start()
    yield server
    worker.stop(2)
    server.server_close()


def _out(n: int) -> Outgoing:
    return Outgoing(f"mar-000{n}/martinez-v1", f"+155500000{n:02d}", "Riverside: your visit", "text", "en")


def test_the_gateway_gets_signed_bodies_with_the_idempotency_key(gateway: _Gateway) -> None:
    channel = WebhookChannel(f"http://127.0.0.1:{gateway.server_port}/send", "s3cret", 20.0)
    gateway.answers = [500, 429, 400]
    assert channel.submit([_out(1), _out(2), _out(3)]) == [
        Retry("webhook: 500"),
        Retry("webhook: 429", throttled=True),
        Undeliverable("webhook: refused (400)"),
    ]
    assert channel.submit([_out(1)]) == [Submitted(_out(1).key, final=True)]
    headers, body = gateway.calls[-1]
    assert headers["Idempotency-Key"] == _out(1).key
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Kiosk-Signature"] == f"sha256={expected}"
    assert json.loads(body) == {
        "key": _out(1).key,
        "channel": "sms",
        "to": "+15550000001",
        "subject": "Riverside: your visit",
        "text": "text",
        "language": "en",
    }


def test_a_gateway_nobody_runs_is_down_and_nothing_more_is_tried() -> None:
    channel = WebhookChannel(f"http://127.0.0.1:{closed_port()}/send", "", 20.0, timeout_s=1.0)
    results = channel.submit([_out(1), _out(2)])
    assert all(isinstance(r, Unavailable) for r in results)
    assert not channel.link.up and channel.link.down_since is not None
    assert not channel.link.may_try()  # its back-off: not dialled again on the next tick


def test_a_gateway_answering_503_is_down_until_it_takes_one(gateway: _Gateway) -> None:
    channel = WebhookChannel(f"http://127.0.0.1:{gateway.server_port}/send", "", 20.0)
    gateway.answers = [503]
    assert channel.submit([_out(1), _out(2)]) == [Unavailable("webhook: 503")] * 2
    assert len(gateway.calls) == 1 and not channel.link.up
    assert channel.submit([_out(1)]) == [Submitted(_out(1).key, final=True)]
    assert channel.link.up


def test_a_gateway_outage_through_the_notifier_loses_and_doubles_nothing(
    gateway: _Gateway, tmp_path: Path, smsc: SmscSim
) -> None:
    plan = future_morning(4)
    db = tmp_path / "hub" / "hub.sqlite"
    store = open_day(db, plan)
    gateway.answers = [503] * 3 + [502, 504]  # down for five tries, then up
    settings = with_notify(
        site_settings(BrokerSettings(port=1), tmp_path),
        smsc,
        None,
        smpp_host="",
        webhook_url=f"http://127.0.0.1:{gateway.server_port}/send",
        max_attempts=1,
    )
    notifier = Notifier(settings, db_path=db)
    expected = affected(plan, "chen")
    notifier.start()
    try:
        set_status(store, "chen", "out")
        settle(store, lambda c: c == {"sent": len(expected)}, timeout=60)
        taken = Counter(json.loads(body)["to"] for _headers, body in gateway.calls[5:])
        assert taken == Counter(dict.fromkeys(expected, 1))  # after the outage, each once
        assert all(row.attempts == 1 for row in store.notify.rows())
    finally:
        notifier.stop()
        store.close()
