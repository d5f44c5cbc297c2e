"""The site's own gateway: one HTTP POST per message (stdlib ``urllib``).

The body is JSON ``{"key", "channel", "to", "subject", "text", "language"}``; headers carry
``Idempotency-Key`` (the outbox key: a message sent again after a crash has the same one,
so the gateway can drop the copy) and, with a secret, ``X-Kiosk-Signature: sha256=HMAC``
over the body. 2xx: the gateway has it; 4xx: it never will (408 and 429 retry); 5xx and
network errors: try again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from core.clock import Clock
from hub.notify.channels import Event, Link, Outgoing, Result, Retry, Submitted, Unavailable, Undeliverable

_GATEWAY_DOWN = {502, 503, 504}  # the gateway (or what is behind it) is down, not the message


class WebhookChannel:
    name = "webhook"

    def __init__(
        self, url: str, secret: str, rate_per_s: float, timeout_s: float = 5.0, clock: Clock | None = None
    ) -> None:
        self.rate_per_s = rate_per_s
        self.link = Link(clock)
        self._url, self._secret, self._timeout = url, secret.encode(), timeout_s

    def submit(self, batch: list[Outgoing]) -> list[Result]:
        results: list[Result] = []
        for out in batch:  # once the gateway is down, the rest of the batch waits untried
            down = results and isinstance(results[-1], Unavailable)
            results.append(results[-1] if down else self._post(out))
        return results

    def poll(self) -> list[Event]:
        return []

    def settle(self) -> None:
        return None

    def close(self) -> None:
        return None

    def _post(self, out: Outgoing) -> Result:
        body = json.dumps(
            {
                "key": out.key,
                "channel": "email" if "@" in out.address else "sms",
                "to": out.address,
                "subject": out.subject,
                "text": out.text,
                "language": out.language,
            }
        ).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": out.key}
        if self._secret:
            digest = hmac.new(self._secret, body, hashlib.sha256).hexdigest()
            headers["X-Kiosk-Signature"] = f"sha256={digest}"
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 - configured URL
                response.read(4096)
        except urllib.error.HTTPError as exc:
            if exc.code in _GATEWAY_DOWN:
                self.link.failed(f"webhook: {exc.code}")
                return Unavailable(f"webhook: {exc.code}")
            self.link.ok()  # it answered about the message
            if exc.code in (408, 429) or exc.code >= 500:
                return Retry(f"webhook: {exc.code}", throttled=exc.code == 429)
            return Undeliverable(f"webhook: refused ({exc.code})")
        except (urllib.error.URLError, OSError) as exc:
            self.link.failed(f"webhook: {type(exc).__name__}")
            return Unavailable(f"webhook: {type(exc).__name__}")
        self.link.ok()
        return Submitted(out.key, final=True)
