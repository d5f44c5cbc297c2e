"""E-mail over SMTP (the standard library's smtplib), STARTTLS required by default.

Each message carries ``Message-ID: <outbox-key@kiosk-hub>``: a message sent again after
a crash between the relay's "250" and the hub's commit has the same id, which mail
systems use to drop the copy. SMTP has no delivery receipt: "250" is ``final``.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from hub.notify.channels import Event, Outgoing, Result, Retry, Submitted, Undeliverable


class SmtpChannel:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        rate_per_s: float,
        *,
        starttls: bool = True,
        ca_file: str = "",
        username: str = "",
        password: str = "",
        timeout_s: float = 10.0,
    ) -> None:
        self.rate_per_s = rate_per_s
        self._host, self._port, self._sender = host, port, sender
        self._starttls, self._ca_file = starttls, ca_file
        self._username, self._password = username, password
        self._timeout = timeout_s
        self._smtp: smtplib.SMTP | None = None

    def submit(self, batch: list[Outgoing]) -> list[Result]:
        results: list[Result] = []
        for out in batch:
            results.append(self._send_one(out))
        return results

    def poll(self) -> list[Event]:
        return []

    def settle(self) -> None:
        return None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
        self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        try:
            smtp.ehlo()
            if self._starttls:
                context = ssl.create_default_context(cafile=self._ca_file or None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if self._username:
                smtp.login(self._username, self._password)
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def _send_one(self, out: Outgoing) -> Result:
        msg = EmailMessage()
        msg["From"] = self._sender
        msg["To"] = out.address
        msg["Subject"] = out.subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = f"<{out.key.replace('/', '.')}@kiosk-hub>"
        msg["Auto-Submitted"] = "auto-generated"
        msg["Content-Language"] = out.language
        msg.set_content(out.text)
        try:
            refused = self._connect().send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return _refused(codes[0] if codes else 550)
        except smtplib.SMTPResponseException as exc:
            self.close()
            return _refused(exc.smtp_code)
        except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            self._smtp = None
            return Retry(f"smtp: {type(exc).__name__}")
        if refused:
            return _refused(next(iter(refused.values()))[0])
        return Submitted(str(msg["Message-ID"]), final=True)


def _refused(code: int) -> Result:
    if 500 <= code < 600:
        return Undeliverable(f"smtp: refused ({code})")
    return Retry(f"smtp: temporarily refused ({code})", throttled=code in (421, 450, 451, 452))
