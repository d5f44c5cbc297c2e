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

from core.clock import Clock
from hub.notify.channels import Event, Link, Outgoing, Result, Retry, Submitted, Unavailable, Undeliverable
from hub.notify.imap import ImapReplies

_RELAY_DOWN = {421}  # "service not available, closing": the relay, not the message


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
        clock: Clock | None = None,
        reply_to: str = "",
        replies: ImapReplies | None = None,
    ) -> None:
        self.rate_per_s = rate_per_s
        self.link = Link(clock)
        self._host, self._port, self._sender = host, port, sender
        self._starttls, self._ca_file = starttls, ca_file
        self._username, self._password = username, password
        self._timeout = timeout_s
        self._smtp: smtplib.SMTP | None = None
        self._reply_to = reply_to or sender
        self.replies = replies  # the mailbox patients reply to (None: replies are not read)

    def submit(self, batch: list[Outgoing]) -> list[Result]:
        results: list[Result] = []
        for out in batch:  # once the relay is down, the rest of the batch waits untried
            down = results and isinstance(results[-1], Unavailable)
            results.append(results[-1] if down else self._send_one(out))
        return results

    def poll(self) -> list[Event]:
        return self.replies.poll() if self.replies is not None else []

    def settle(self) -> None:
        if self.replies is not None:
            self.replies.settle()

    def close(self) -> None:
        if self.replies is not None:
            self.replies.close()
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
        self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        try:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise _RelayDown(f"smtp: cannot connect ({type(exc).__name__})") from None
        try:
            smtp.ehlo()
            if self._starttls:
                context = ssl.create_default_context(cafile=self._ca_file or None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if self._username:
                smtp.login(self._username, self._password)
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            raise _RelayDown(f"smtp: the relay refused the session ({exc.smtp_code})") from None
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            smtp.close()
            raise _RelayDown(f"smtp: cannot start a session ({type(exc).__name__})") from None
        self._smtp = smtp
        self.link.ok()
        return smtp

    def _send_one(self, out: Outgoing) -> Result:
        msg = EmailMessage()
        msg["From"] = self._sender
        msg["To"] = out.address
        msg["Subject"] = out.subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = f"<{out.key.replace('/', '.')}@kiosk-hub>"
        msg["Auto-Submitted"] = "auto-generated"
        msg["Reply-To"] = self._reply_to  # replies (1, 2, STOP) reach the mailbox the hub reads
        # One click in the mail program sends STOP there: the same opt-out as a reply.
        msg["List-Unsubscribe"] = f"<mailto:{self._reply_to}?subject=STOP>"
        msg["Content-Language"] = out.language
        msg.set_content(out.text)
        try:
            refused = self._connect().send_message(msg)
        except _RelayDown as exc:
            self.link.failed(str(exc))
            return Unavailable(str(exc))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return _refused(codes[0] if codes else 550)
        except smtplib.SMTPResponseException as exc:
            self.close()
            if exc.smtp_code in _RELAY_DOWN:
                self.link.failed(f"smtp: the relay closes ({exc.smtp_code})")
                return Unavailable(f"smtp: the relay closes ({exc.smtp_code})")
            return _refused(exc.smtp_code)
        except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            # The session broke mid-message: the relay, not the message (the same
            # Message-ID goes again, so a copy it did take can be dropped).
            self._smtp = None
            self.link.failed(f"smtp: {type(exc).__name__}")
            return Unavailable(f"smtp: {type(exc).__name__}")
        if refused:
            return _refused(next(iter(refused.values()))[0])
        return Submitted(str(msg["Message-ID"]), final=True)


class _RelayDown(Exception):
    """The relay cannot be reached or refuses the session (the reason names no patient)."""


def _refused(code: int) -> Result:
    if 500 <= code < 600:
        return Undeliverable(f"smtp: refused ({code})")
    return Retry(f"smtp: temporarily refused ({code})", throttled=code in (421, 450, 451, 452))
