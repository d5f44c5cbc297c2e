"""The words of a notification (English and Spanish) and the meaning of a reply. Pure.

A text names the practice and the visit's time, never a reason or a diagnosis, asks for
nothing but a reply, and fits one SMS: at most 160 characters of plain ASCII (GSM-7 has
no "á"; a single accented letter would turn the message into UCS-2 and cut it to 70).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from hub.notify.rules import Notice

SMS_MAX = 160
_PRACTICE_MAX = 40

_TEXTS = {
    "en": {
        "late": "{p}: your {t} visit today is delayed about {d} min. Reply 1 to keep it, 2 to reschedule,"
        " STOP to opt out.",
        "out": "{p}: your {t} visit today has to be moved. Reply 2 to reschedule, 1 if you still plan"
        " to come. STOP to opt out.",
        "leaving": "{p}: your {t} visit today has to be moved. Reply 2 to reschedule, 1 if you still"
        " plan to come. STOP to opt out.",
        "on_time": "{p}: good news, your {t} visit today is back on time. Reply STOP to opt out.",
        "subject": "{p}: your visit today at {t}",
    },
    "es": {
        "late": "{p}: su cita de hoy a las {t} se retrasa unos {d} min. Responda 1 para mantenerla,"
        " 2 para cambiarla, STOP para baja.",
        "out": "{p}: su cita de hoy a las {t} debe cambiarse. Responda 2 para cambiarla, 1 si piensa"
        " venir igual, STOP para baja.",
        "leaving": "{p}: su cita de hoy a las {t} debe cambiarse. Responda 2 para cambiarla, 1 si"
        " piensa venir igual, STOP para baja.",
        "on_time": "{p}: buenas noticias, su cita de hoy a las {t} vuelve a su hora. STOP para darse"
        " de baja.",
        "subject": "{p}: su cita de hoy a las {t}",
    },
}

# Replies, after lower-casing and stripping punctuation. STOP words are the carriers' own.
_MEANINGS = {
    "keep": {"1", "yes", "y", "si", "ok", "keep", "confirm", "mantener"},
    "reschedule": {"2", "reschedule", "no", "cambiar", "cambiarla", "reprogramar", "change"},
    "stop": {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "baja", "alto", "parar"},
    "start": {"start", "unstop", "alta"},
}


def ascii_text(text: str) -> str:
    """Accents dropped, anything else outside printable ASCII removed."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain if ch.isprintable())


def visit_time(start: str, language: str) -> str:
    when = datetime.fromisoformat(start)
    if language == "es":
        return when.strftime("%H:%M")
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'}"


def render(notice: Notice, practice: str, start: str, language: str) -> tuple[str, str]:
    """(subject, text) for one patient; the text always fits one SMS."""
    words = _TEXTS.get(language, _TEXTS["en"])
    fields: dict[str, object] = {"p": "", "t": visit_time(start, language), "d": notice.delay_min}
    room = SMS_MAX - len(words[notice.kind].format(**fields))
    fields["p"] = _shortened(ascii_text(practice).strip() or "Your clinic", min(room, _PRACTICE_MAX))
    text = words[notice.kind].format(**fields)
    return words["subject"].format(**fields), text[:SMS_MAX]


def _shortened(name: str, room: int) -> str:
    """``name`` cut at a word to ``room`` characters (a long practice name must not cut the
    instructions off the end of the message)."""
    if len(name) <= room:
        return name
    cut = name[:room].rsplit(" ", 1)[0]
    return cut if cut else name[:room]


def reply_meaning(text: str) -> str:
    """keep, reschedule, stop, start, or other."""
    word = ascii_text(text).strip().lower().strip(".!¡?¿ \t\r\n")
    first = word.split()[0] if word.split() else ""
    for meaning, words in _MEANINGS.items():
        if word in words or first in words:
            return meaning
    return "other"
