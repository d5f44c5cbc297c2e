"""What the line says, and what each key does: pure, no sockets, no audio.

A call hears the emergency line first, the practice's name, the offer of Spanish, then
which doctors are in today (from the cached day's provider statuses: no patient data),
then the menu. Keys: 1 the summary again, 2 Spanish, 3 the caller's own appointment (birth date and
first-name keys, ``phone.own_appointment``), 0 a callback request (once a call).
The summary is worded when it is queued, so the status the hub holds at that moment is
what the caller hears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.board import BoardRow, board_rows
from phone.own_appointment import Entry, OwnAppointment
from phone.own_lookup import Found
from phone.voice_words import is_yes, menu_choice
from speech.intents import DateOfBirth, Help, Intent, Name
from speech.phrases import say_delay, say_provider, say_time
from sync.cache import Provider
from sync.messages import ProviderStatus

_TEXT: dict[str, dict[str, str]] = {
    "emergency": {"en": "If this is an emergency, hang up and dial {emergency}.",
                  "es": "Si es una emergencia, cuelgue y marque {emergency}."},
    "welcome": {"en": "Thank you for calling {practice}.", "es": "Gracias por llamar a {practice}."},
    "spanish": {"en": "Para español, oprima dos.", "es": "Para español, oprima dos."},
    "which": {"en": "Which doctors are in today?", "es": "¿Qué doctores atienden hoy?"},
    "nobody": {"en": "There is no schedule for today yet.", "es": "Todavía no hay agenda para hoy."},
    "stale": {"en": "This may not be up to date.", "es": "Puede que esto no esté al día."},
    "menu": {"en": "To hear this again, press one. To hear your own appointment, press three. "
                   "To leave a request for a call back, press zero.",
             "es": "Para oírlo otra vez, oprima uno. Para oír su propia cita, oprima tres. "
                   "Para pedir que le llamen, oprima cero."},
    "menu_desk": {"en": "To hear this again, press one. To hear your own appointment, press three. "
                        "To talk to the front desk, press nine. "
                        "To leave a request for a call back, press zero.",
                  "es": "Para oírlo otra vez, oprima uno. Para oír su propia cita, oprima tres. "
                        "Para hablar con la recepción, oprima nueve. Para pedir que le llamen, oprima cero."},
    "transferring": {"en": "Please hold while I put you through to the front desk.",
                     "es": "Espere, por favor; le comunico con la recepción."},
    "desk_closed": {"en": "The front desk is closed now.", "es": "La recepción está cerrada ahora."},
    "desk_failed": {"en": "Sorry, the front desk cannot take your call right now.",
                    "es": "Lo siento, la recepción no puede atenderle ahora."},
    "callback": {"en": "Thank you. The front desk will call you back.",
                 "es": "Gracias. La recepción le devolverá la llamada."},
    "callback_again": {"en": "Your request for a call back is already recorded.",
                       "es": "Su pedido de llamada ya está registrado."},
    "callback_failed": {"en": "Sorry, your request could not be recorded. Please call again later.",
                        "es": "Lo siento, no se pudo registrar su pedido. Llame más tarde, por favor."},
    "voice_hint": {"en": "You can also say what you would like: which doctors are in, my appointment, "
                         "front desk, call me back, or espanol.",
                   "es": "Para español, oprima dos."},
    "not_heard": {"en": "Sorry, I did not catch that.", "es": "Perdone, no le entendí."},
    "unknown_key": {"en": "Sorry, that key is not an option.",
                    "es": "Lo siento, esa tecla no es una opción."},
}  # fmt: skip


def text(key: str, lang: str, **fields: str) -> str:
    return _TEXT[key][lang].format(**fields)


def status_sentence(row: BoardRow, lang: str = "en") -> str:
    """One provider's status for anyone who asks: the provider's title and family name only."""
    who = say_provider(row.name, lang)
    who = who[:1].upper() + who[1:]
    if row.state == "out":
        return f"{who} no está hoy." if lang == "es" else f"{who} is out today."
    if row.state == "late" and row.delay_min >= 5:
        return (
            f"{who} va con {say_delay(row.delay_min, 'es')}."
            if lang == "es"
            else (f"{who} is running {say_delay(row.delay_min)}.")
        )
    if row.state == "leaving_early" and row.leaving_at:
        when = say_time(datetime.strptime(row.leaving_at, "%H:%M").time(), lang)
        return f"{who} se va temprano, a {when}." if lang == "es" else f"{who} is leaving early, at {when}."
    return f"{who} va a tiempo." if lang == "es" else f"{who} is on time."


@dataclass(frozen=True)
class Day:
    """What the line knows of today: the cached providers and statuses, and whether the
    cache is live with the hub."""

    providers: list[Provider]
    statuses: dict[str, ProviderStatus]
    today: str
    live: bool = True


def summary(day: Day, lang: str) -> list[str]:
    rows = [r for r, p in zip(board_rows(day.providers, day.statuses), day.providers, strict=True)
            if p.date == day.today]  # fmt: skip
    out = [text("which", lang)]
    out += [status_sentence(r, lang) for r in rows] or [text("nobody", lang)]
    if not day.live:
        out.append(text("stale", lang))
    return out


@dataclass(frozen=True)
class Reaction:
    """What a key press does: new prompts (replacing what was playing: barge-in), and
    whether to record a callback request or look up the caller's own appointment."""

    prompts: list[str]
    callback: bool = False
    lookup: Entry | None = None
    transfer: bool = False


@dataclass
class CallScript:
    practice: str
    emergency: str = "911"
    lang: str = "en"
    callback_asked: bool = False
    keys: list[str] = field(default_factory=list)  # menu keys only: never an entry's digits
    own: OwnAppointment = field(default_factory=OwnAppointment)
    desk: bool = False  # a front desk to transfer to is configured: key 9 offered
    voice: bool = False  # the line listens to speech too: the opening says what can be said

    def __post_init__(self) -> None:
        self.own.desk = self.desk

    def menu(self) -> str:
        return text("menu_desk" if self.desk else "menu", self.lang)

    def opening(self, day: Day) -> list[str]:
        return [
            text("emergency", self.lang, emergency=_digits_spoken(self.emergency)),
            text("welcome", self.lang, practice=self.practice),
            text("spanish", self.lang),
            *summary(day, self.lang),
            self.menu(),
            *([text("voice_hint", self.lang)] if self.voice and self.lang == "en" else []),
        ]

    @property
    def listening_for(self) -> str:
        """What a spoken answer would be now: "menu", "dob", "confirm", "name", or "" (a
        lookup in progress: nothing said counts)."""
        if self.own.collecting:
            return self.own.listening_for
        return "menu"

    def on_spoken(self, intent: Intent | None, day: Day) -> Reaction:
        """What an utterance does, once both passes agreed on ``intent`` (None: they did not,
        or it meant nothing here). A spoken choice takes its key's path."""
        if self.own.collecting:
            return self._own_spoken(intent)
        key = menu_choice(intent)
        if key == "9" and not self.desk:
            key = "0"  # no desk to put the caller through to: it calls them back
        if key:
            return self.on_key(key, day)
        if isinstance(intent, Help):
            return Reaction([self.menu()])
        return Reaction([text("not_heard", self.lang), self.menu()])

    def _own_spoken(self, intent: Intent | None) -> Reaction:
        phase = self.own.listening_for
        answer = is_yes(intent)
        if phase == "dob" and isinstance(intent, DateOfBirth):
            step = self.own.spoken_date(intent.value, self.lang)
        elif phase == "confirm" and answer is not None:
            step = self.own.confirmed(answer, self.lang)
        elif phase == "name" and isinstance(intent, Name):
            step = self.own.spoken_first_name(intent.first_name)
        else:
            step = self.own.not_heard(self.lang)
        menu = [self.menu()] if step.to_menu else []
        return Reaction([*step.prompts, *menu], lookup=step.lookup)

    def on_key(self, key: str, day: Day) -> Reaction:
        if self.own.collecting:
            step = self.own.on_key(key, self.lang)
            menu = [self.menu()] if step.to_menu else []
            return Reaction([*step.prompts, *menu], lookup=step.lookup)
        self.keys.append(key)
        if key == "3":
            step = self.own.begin(self.lang)
            return Reaction([*step.prompts, *([self.menu()] if step.to_menu else [])])
        if key == "1":
            return Reaction([*summary(day, self.lang), self.menu()])
        if key == "2":
            self.lang = "es"
            return Reaction([text("welcome", "es", practice=self.practice), *summary(day, "es"),
                             self.menu()])  # fmt: skip
        if key == "9" and self.desk:
            return Reaction([text("transferring", self.lang)], transfer=True)
        if key == "0":
            if self.callback_asked:
                return Reaction([text("callback_again", self.lang), self.menu()])
            self.callback_asked = True
            return Reaction([], callback=True)
        return Reaction([text("unknown_key", self.lang), self.menu()])

    def looked_up(self, found: Found | None) -> list[str]:
        """The answer to the caller's own-appointment entry, then the menu."""
        return [*self.own.looked_up(found, self.lang), self.menu()]

    def lookup_failed(self) -> list[str]:
        return [*self.own.lookup_failed(self.lang), self.menu()]

    def not_matched(self, entry: Entry) -> list[str]:
        """The date is not the caller-ID match's: the letters are asked for (no menu yet)."""
        return self.own.not_matched(entry, self.lang).prompts

    def transfer_failed(self, closed: bool) -> list[str]:
        """The caller stays on the line: why, then the callback offer and the menu."""
        why = text("desk_closed" if closed else "desk_failed", self.lang)
        return [why, *self.own.offer(self.lang, desk=False), self.menu()]

    def callback_recorded(self, ok: bool) -> list[str]:
        if not ok:
            self.callback_asked = False
            return [text("callback_failed", self.lang)]
        return [text("callback", self.lang), self.menu()]


def _digits_spoken(number: str) -> str:
    """ "911" is said "nine one one", not "nine hundred eleven"."""
    return " ".join(number)


__all__ = ["CallScript", "Day", "Reaction", "status_sentence", "summary", "text"]
