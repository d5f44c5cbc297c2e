"""What a patient's reply may be before it is stored or acted on (pure): its text without
control bytes (NUL, ESC, the rest of C0 and C1, DEL: a terminal or a dashboard must never
render them), and a sender that is an address at all (a STOP from a short code, a name
or garbage opts nobody out). Each verdict has a reason that names no patient."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_MAX = 160
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")


@dataclass(frozen=True)
class CheckedReply:
    text: str  # cleaned; what is stored
    valid_sender: bool
    note: str  # why it was cleaned or refused ('' when neither)


def check_reply(address: str, text: str, channel: str) -> CheckedReply:
    """``channel``: the transport it came by (smpp, webhook: a phone number; smtp: e-mail)."""
    unescaped = _ESCAPES.sub("", text)  # a terminal sequence goes whole, not just its ESC
    cleaned = "".join(ch for ch in unescaped if not _control(ch))
    notes = []
    if cleaned != text:
        notes.append(f"{len(text) - len(cleaned)} control character(s) removed")
    if len(cleaned) > _MAX:
        cleaned = cleaned[:_MAX]
        notes.append(f"cut to {_MAX} characters")
    wanted = _EMAIL if channel == "smtp" else _PHONE
    valid = bool(wanted.match(address))
    if not valid:
        notes.append(
            "the sender is not a " + ("valid e-mail address" if channel == "smtp" else "phone number")
        )
    return CheckedReply(cleaned.strip(), valid, "; ".join(notes))


def _control(ch: str) -> bool:
    if ch in "\n\t":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf") or ch == "\x7f"


__all__ = ["CheckedReply", "check_reply"]
