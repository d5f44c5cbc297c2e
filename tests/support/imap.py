"""A real IMAP server for tests: Debian's dovecot (package dovecot-imapd), started by the
test on a free loopback port with its own configuration, its own run directory and one
mailbox user (a passwd file), STARTTLS with the test CA's server certificate.

As root it runs its mail processes as the ``dovecot`` system user (dovecot refuses root
for them), so the mail directory is made in a world-traversable temporary folder owned
by that user. ``deliver`` puts a patient's reply into the mailbox (IMAP APPEND, as a
delivery agent would); the hub reads it like any mailbox.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from devtools.local_broker import copy_certs, free_port

USER, PASSWORD = "replies", "imap-test-secret"


class Dovecot:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-dovecot-"))
        self.port = free_port()
        self.ca_file = ""
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Dovecot:
        root = self.root
        root.chmod(0o755)
        self.ca_file = copy_certs(root / "certs")
        mail = root / "mail"
        mail.mkdir()
        owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        os.chown(mail, owner.pw_uid, owner.pw_gid)
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (root / "dovecot.conf").write_text(
            f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = kiosk-test-{self.port}
listen = 127.0.0.1
protocols = imap
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/certs/server.crt
ssl_key = <{root}/certs/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {owner.pw_uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={mail}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0660
  }}
}}
"""
        )
        self._proc = subprocess.Popen(
            ["/usr/sbin/dovecot", "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"dovecot did not start: {self._log()}")
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                self.client().logout()
                return self
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer: {self._log()}")

    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        imap.starttls(ssl_context=ssl.create_default_context(cafile=self.ca_file))
        imap.login(USER, PASSWORD)
        return imap

    def deliver(self, sender: str, subject: str, body: str, **headers: str) -> None:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = "frontdesk@riverside.example.org"
        msg["Subject"] = subject
        for name, value in headers.items():
            msg[name.replace("_", "-")] = value
        msg.set_content(body)
        imap = self.client()
        try:
            imap.append("INBOX", "", imaplib.Time2Internaldate(time.time()), msg.as_bytes())
        finally:
            imap.logout()

    def unseen(self) -> int:
        imap = self.client()
        try:
            imap.select("INBOX")
            _, data = imap.search(None, "UNSEEN")
            return len((data[0] or b"").split())
        finally:
            imap.logout()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        if self._proc is not None and self._proc.stderr is not None:
            self._proc.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _log(self) -> str:
        log = self.root / "dovecot.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        if self._proc is not None and self._proc.stderr is not None and self._proc.poll() is not None:
            text += self._proc.stderr.read().decode(errors="replace")
        return text[-2000:]
