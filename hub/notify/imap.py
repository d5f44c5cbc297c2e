"""Patients' e-mail replies: the mailbox that notification e-mails name in ``Reply-To``
and ``List-Unsubscribe``, read over IMAP (the standard library's imaplib) on the notify
worker.

Exactly once, as for SMS: a reply is fetched without marking it (``BODY.PEEK``), handed
to the notifier, and flagged ``\\Seen`` only after the hub committed it (``settle``); a
crash between the two reads it again. Nothing here logs an address or a body.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import re
import ssl
import time
from email.message import EmailMessage
from email.utils import parseaddr

from hub.notify.channels import Event, Reply

_QUOTED = re.compile(r"^\s*(>|On .* wrote:|El .* escribi)", re.IGNORECASE)
_KEYWORDS = re.compile(r"^\s*(?:re|aw|fwd?|rv)\s*:\s*", re.IGNORECASE)
_MAX_BYTES = 64 * 1024  # a reply is a word or a line; anything larger is read in part


class ImapReplies:
    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        *,
        security: str = "tls",  # tls (IMAPS), starttls, plain (loopback tests only)
        ca_file: str = "",
        mailbox: str = "INBOX",
        poll_s: float = 5.0,
        timeout_s: float = 10.0,
    ) -> None:
        self._where = (host, port)
        self._login = (username, password)
        self._security, self._ca_file, self._mailbox = security, ca_file, mailbox
        self._poll_s, self._timeout = poll_s, timeout_s
        self._imap: imaplib.IMAP4 | None = None
        self._next = 0.0
        self._unsettled: list[bytes] = []
        self.errors = 0

    def poll(self) -> list[Event]:
        """Unread replies, at most every ``poll_s`` (none while the last batch is unsettled)."""
        if self._unsettled or time.monotonic() < self._next:
            return []
        self._next = time.monotonic() + self._poll_s
        try:
            imap = self._connect()
            imap.select(self._mailbox)
            status, data = imap.uid("SEARCH", "UNSEEN")
            if status != "OK":
                return []
            events: list[Event] = []
            for uid in (data[0] or b"").split()[:50]:
                reply = self._fetch(imap, uid)
                if reply is not None:
                    events.append(reply)
                self._unsettled.append(uid)
            return events
        except (OSError, imaplib.IMAP4.error, ssl.SSLError):
            self.errors += 1
            self.close()
            return []

    def settle(self) -> None:
        uids, self._unsettled = self._unsettled, []
        if not uids or self._imap is None:
            return
        try:
            self._imap.uid("STORE", b",".join(uids).decode(), "+FLAGS", "(\\Seen)")
        except (OSError, imaplib.IMAP4.error, ssl.SSLError):
            self.errors += 1
            self.close()  # unflagged: read again (a reply again is listed twice, changes nothing else)

    def close(self) -> None:
        if self._imap is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error, ssl.SSLError):
                self._imap.logout()
        self._imap = None
        self._unsettled = []

    def _connect(self) -> imaplib.IMAP4:
        if self._imap is not None:
            return self._imap
        host, port = self._where
        context = ssl.create_default_context(cafile=self._ca_file or None)
        imap: imaplib.IMAP4
        if self._security == "tls":
            imap = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=self._timeout)
        else:
            imap = imaplib.IMAP4(host, port, timeout=self._timeout)
            if self._security == "starttls":
                imap.starttls(ssl_context=context)
        imap.login(*self._login)
        self._imap = imap
        return imap

    def _fetch(self, imap: imaplib.IMAP4, uid: bytes) -> Reply | None:
        status, data = imap.uid("FETCH", uid.decode(), f"(BODY.PEEK[]<0.{_MAX_BYTES}>)")
        raw = next((part[1] for part in data if isinstance(part, tuple)), b"")
        if status != "OK" or not raw:
            return None
        return reply_of(raw)


def reply_of(raw: bytes) -> Reply | None:
    """A patient's reply from an e-mail: who wrote, and what (the subject when it is a
    word such as STOP, else the first line of the body that is not quoted)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return None
    if str(message.get("Auto-Submitted", "no")).lower() != "no":
        return None  # an out-of-office or a bounce: no patient wrote it
    _, address = parseaddr(str(message.get("From", "")))
    subject = _KEYWORDS.sub("", str(message.get("Subject", ""))).strip()
    body = message.get_body(preferencelist=("plain",))
    text = ""
    if body is not None:
        with contextlib.suppress(LookupError, ValueError, AttributeError):
            content = body.get_content()
            text = content if isinstance(content, str) else ""
    lines = [line.strip() for line in text.splitlines()]
    first = next((line for line in lines if line and not _QUOTED.match(line)), "")
    said = subject if subject.upper() in ("STOP", "UNSUBSCRIBE", "START") or not first else first
    return Reply(address.strip().lower(), said[:160])


__all__ = ["ImapReplies", "reply_of"]
