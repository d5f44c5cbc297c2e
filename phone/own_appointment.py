"""Key 3, "to hear your own appointment": a small state machine (pure, clock injected)
that collects the birth date (8 keys, month, day, year) and two keypad keys for the first
name's first letters, asks the shell to look them up (``phone.own_lookup``), and words the
answer the way the kiosk does.

Privacy: the entry lives here only until it is looked up (then it is dropped); what the
caller hears is the first name, the time, the provider and the status, never a last name
or a birth date. No match and several matches get the same sentence, so the line never
tells whether a birth date is booked. Three failed lookups per call; after that key 3
only offers the callback; and the same across calls per caller number
(``phone.lookup_limit``, asked through ``may_look_up``).

Caller ID (``phone.caller_id``): key 3 asks the hub about the caller's number
(``ask_caller``); when the birth date is complete and the hub has matched the number to an
appointment (``caller_match``), the date is checked against that appointment alone (an
entry with ``matched``). Its date: the caller hears the appointment without keying the
letters. Not its date, or no match: the letters are asked for, as without caller ID. The
birth date is asked for either way, and the letters prompt is the same with and without a
match, so a forged caller ID reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.clock import Clock, SystemClock
from phone.own_lookup import KEYPAD, LETTER_KEYS, Found, valid_date
from speech.dates import EN_MONTHS, ES_MONTHS
from speech.numbers import say_number, say_ordinal
from speech.phrases import provider_status, say_provider, say_time
from speech.script import text as kiosk_text

_TEXT: dict[str, dict[str, str]] = {
    "ask_dob": {"en": "Please say your date of birth, or enter it as eight digits: two for the month, "
                      "two for the day, then the four digits of the year. For example, March fourth, "
                      "nineteen eighty-two is zero three, zero four, one nine eight two.",
                "es": "Marque su fecha de nacimiento con ocho dígitos: primero dos para el mes, luego dos "
                      "para el día, y los cuatro del año. Por ejemplo, el cuatro de marzo de mil novecientos "
                      "ochenta y dos es cero tres, cero cuatro, uno nueve ocho dos."},
    "check_dob": {"en": "I heard {date}. If that is right, say yes or press one. "
                        "If not, say no or press two.",
                  "es": "Entendí {date}. Si es correcto, oprima uno. Si no, oprima dos."},
    "ask_name": {"en": "Now say your first name, or enter its first two letters on the keypad. "
                       "For example, for Maria, press six, then two.",
                 "es": "Ahora marque en el teclado las dos primeras letras de su nombre. "
                       "Por ejemplo, para María, oprima seis y luego dos."},
    "not_heard": {"en": "Sorry, I did not catch that.", "es": "Perdone, no le entendí."},
    "ask_letters": {"en": "Now enter the first two letters of your first name on the keypad. "
                          "For example, for Maria, press six, then two.",
                    "es": "Ahora marque en el teclado las dos primeras letras de su nombre. "
                          "Por ejemplo, para María, oprima seis y luego dos."},
    "not_a_date": {"en": "That is not a date.", "es": "Eso no es una fecha."},
    "no_letters": {"en": "Only the keys two to nine have letters.",
                   "es": "Solo las teclas del dos al nueve tienen letras."},
    "not_found": {"en": "I could not find that appointment.", "es": "No pude encontrar esa cita."},
    "cannot_look": {"en": "Sorry, I cannot look up appointments right now.",
                    "es": "Lo siento, ahora no puedo buscar citas."},
    "too_many": {"en": "Sorry, I cannot look up more appointments on this call.",
                 "es": "Lo siento, no puedo buscar más citas en esta llamada."},
    "refused": {"en": "Sorry, I cannot look up more appointments for this phone number now.",
                "es": "Lo siento, ahora no puedo buscar más citas para este número."},
    "offer_desk": {"en": "To talk to the front desk, press nine.",
                   "es": "Para hablar con la recepción, oprima nueve."},
    "offer_callback": {"en": "To leave a request for a call back, press zero.",
                       "es": "Para pedir que le llamen, oprima cero."},
    "yours": {"en": "{first}, your appointment with {who} is at {when}.",
              "es": "{first}, su cita con {who} es a {when}."},
    "come_at": {"en": "Please come at {when}.", "es": "Por favor, venga a {when}."},
    "out_options": {"en": "The front desk will help you reschedule.",
                    "es": "En recepción le darán otra cita."},
    "out_alternative": {"en": "The front desk can also book you with {alt} today.",
                        "es": "En recepción también pueden darle cita con {alt} hoy."},
    "stale": {"en": "I cannot see the doctor's status right now; the front desk can tell you more.",
              "es": "Ahora no veo el estado del médico; en recepción le dirán más."},
}  # fmt: skip


def text(key: str, lang: str, **fields: str) -> str:
    return _TEXT[key][lang].format(**fields)


@dataclass(frozen=True)
class Entry:
    """A complete entry for the shell to look up; held only until then."""

    digits: str
    keys: str
    name: str = ""  # the first name as spoken (both passes agreed on it); "" for keys
    matched: str = ""  # the appointment the hub matched to the caller's number: only it is tried

    def __repr__(self) -> str:  # a traceback or a log line never shows the entry
        return "Entry(<withheld>)"


@dataclass(frozen=True)
class Step:
    """What a key did: prompts to say (replacing what plays), an entry to look up, and
    whether the caller is back at the menu (the script then says it)."""

    prompts: list[str] = field(default_factory=list)
    lookup: Entry | None = None
    to_menu: bool = False


@dataclass
class OwnAppointment:
    clock: Clock = field(default_factory=SystemClock)
    max_attempts: int = 3
    entry_timeout_s: float = 30.0  # a pause this long between keys abandons the entry
    phase: str = "idle"  # "idle" | "dob" | "confirm_dob" (a spoken date read back) | "letters" | "looking"
    failures: int = 0
    desk: bool = False  # key 9 transfers to the front desk: offered beside the callback
    # Asked at key 3: False when the line's limit across calls refuses this caller's
    # number (phone.lookup_limit, set by the service); the caller hears the offer instead.
    may_look_up: Callable[[], bool] = field(default=lambda: True, repr=False)
    # Caller ID (set by the service): ask the hub about this call's number at key 3, and
    # the appointment it matched ("" for none, or no answer yet) once the date is complete.
    ask_caller: Callable[[], None] = field(default=lambda: None, repr=False)
    caller_match: Callable[[], str] = field(default=lambda: "", repr=False)
    # An entry left after its date was complete (``*``, the pause, hanging up): True when
    # the shell counted it as a failed lookup. With caller ID a date can be tested against
    # the match (the letters question means "not hers"); left unpaid, that test is free.
    charge_abandoned: Callable[[], bool] = field(default=lambda: False, repr=False)
    _after_date: str = "ask_letters"  # the question after the date: keyed, or spoken
    _date_done: bool = False  # this entry's date is complete and not yet answered
    _digits: str = ""
    _keys: str = ""
    _last_key: float = 0.0

    @property
    def collecting(self) -> bool:
        """Keys go to this entry (and are private: nobody keeps them)."""
        if self.phase in ("dob", "letters") and self._expired():
            self._abandon()
        return self.phase != "idle"

    @property
    def listening_for(self) -> str:
        """What a spoken answer would be now: "dob", "confirm", "name", or "" (the menu's)."""
        return {"dob": "dob", "confirm_dob": "confirm", "letters": "name"}.get(self.phase, "")

    def begin(self, lang: str) -> Step:
        """Key 3 at the menu."""
        if self.failures >= self.max_attempts:
            return Step([text("too_many", lang), *self.offer(lang)], to_menu=True)
        if not self.may_look_up():
            return Step([text("refused", lang), *self.offer(lang)], to_menu=True)
        self._drop()
        self.ask_caller()
        self.phase, self._last_key = "dob", self.clock.monotonic()
        return Step([text("ask_dob", lang)])

    def on_key(self, key: str, lang: str) -> Step:
        """A key while ``collecting``. ``*`` gives up the entry (back to the menu)."""
        self._last_key = self.clock.monotonic()
        if key == "*":
            self._abandon()
            return Step(to_menu=True)
        if self.phase == "dob":
            return self._dob_key(key, lang)
        if self.phase == "confirm_dob":
            return self.confirmed(key == "1", lang) if key in "12" else Step()
        if self.phase == "letters":
            return self._letter_key(key, lang)
        return Step()  # still looking the last entry up: the key is not part of anything

    def _dob_key(self, key: str, lang: str) -> Step:
        if not key.isdigit():
            return Step()
        self._digits += key
        if len(self._digits) < 8:
            return Step()
        if not valid_date(self._digits):
            self._digits = ""
            return Step([text("not_a_date", lang), text("ask_dob", lang)])
        return self._date_complete("ask_letters", lang)

    def _date_complete(self, then: str, lang: str) -> Step:
        """The birth date is in: with a caller-ID match, try that appointment alone (no
        prompt yet: ``not_matched`` asks ``then`` if the date is not its); else ask ``then``."""
        self._after_date, self._date_done = then, True
        matched = self.caller_match()
        if matched:
            entry = Entry(self._digits, "", matched=matched)
            self._digits, self.phase = "", "looking"
            return Step(lookup=entry)
        self.phase = "letters"
        return Step([text(then, lang)])

    def not_matched(self, entry: Entry, lang: str) -> Step:
        """The date is not the matched appointment's: the letters (or the name), as without
        a match; the date stays (keyed once). Not a failed lookup yet: the letters' lookup
        counts, or leaving at this question does (``charge_abandoned``)."""
        self._digits, self._keys, self.phase = entry.digits, "", "letters"
        self._last_key = self.clock.monotonic()
        return Step([text(self._after_date, lang)])

    def _letter_key(self, key: str, lang: str) -> Step:
        if key not in KEYPAD:
            return Step([text("no_letters", lang)])
        self._keys += key
        if len(self._keys) < LETTER_KEYS:
            return Step()
        entry = Entry(self._digits, self._keys)
        self._digits, self._keys, self.phase = "", "", "looking"
        return Step(lookup=entry)

    # --- by voice: the same entry, spoken (``phone.voice`` has heard it with both passes) -----

    def spoken_date(self, born: date, lang: str) -> Step:
        """A birth date both passes heard: read back before it counts (a yes, or key 1)."""
        self._last_key = self.clock.monotonic()
        self._digits, self.phase = born.strftime("%m%d%Y"), "confirm_dob"
        return Step([text("check_dob", lang, date=say_date(born, lang))])

    def confirmed(self, yes: bool, lang: str) -> Step:
        """The read-back answered: yes asks for the first name, no for the date again."""
        self._last_key = self.clock.monotonic()
        if yes:
            return self._date_complete("ask_name", lang)
        self._digits, self.phase = "", "dob"
        return Step([text("ask_dob", lang)])

    def spoken_first_name(self, first_name: str) -> Step:
        """A first name both passes heard, after a confirmed date: the entry to look up."""
        if self.phase != "letters" or not self._digits or self._keys:
            return Step()
        entry = Entry(self._digits, "", name=first_name)
        self._digits, self._keys, self.phase = "", "", "looking"
        return Step(lookup=entry)

    def not_heard(self, lang: str) -> Step:
        """Speech that meant nothing here (or that the passes did not agree on): the question again."""
        self._last_key = self.clock.monotonic()
        again = {"dob": "ask_dob", "confirm_dob": "", "letters": "ask_name"}.get(self.phase, "")
        if self.phase == "confirm_dob":
            born = date(int(self._digits[4:]), int(self._digits[:2]), int(self._digits[2:4]))
            return Step([text("not_heard", lang), text("check_dob", lang, date=say_date(born, lang))])
        return Step([text("not_heard", lang), *([text(again, lang)] if again else [])])

    def looked_up(self, found: Found | None, lang: str) -> list[str]:
        """The answer to the entry the shell looked up (None: no match, or several)."""
        self._drop()
        if found is None:
            self.failures += 1
            return [text("not_found", lang), *self.offer(lang)]
        said = answer(found, lang)
        return [*said, *self.offer(lang)] if found.outcome.kind == "out" else said

    def offer(self, lang: str, desk: bool | None = None) -> list[str]:
        """What the caller can do instead: the desk (when there is one) and a callback."""
        with_desk = self.desk if desk is None else desk
        return [*([text("offer_desk", lang)] if with_desk else []), text("offer_callback", lang)]

    def lookup_failed(self, lang: str) -> list[str]:
        """The cache did not answer: the caller's attempt is not counted against them."""
        self._drop()
        return [text("cannot_look", lang), *self.offer(lang)]

    def hung_up(self) -> None:
        """The call ended: an entry in progress is left (and paid for, as ``*`` would be)."""
        if self.phase != "idle":
            self._abandon()

    def _abandon(self) -> None:
        # At the letters question after a complete date (a lookup in progress pays for itself).
        if self._date_done and self.phase == "letters" and self.charge_abandoned():
            self.failures += 1
        self._drop()

    def _expired(self) -> bool:
        return self.clock.monotonic() - self._last_key > self.entry_timeout_s

    def _drop(self) -> None:
        self._digits, self._keys, self.phase, self._date_done = "", "", "idle", False


def answer(found: Found, lang: str) -> list[str]:
    """The caller's appointment and what the provider's status means for it, in the kiosk's words."""
    who = say_provider(found.provider_name, lang)
    said = [text("yours", lang, first=found.first_name, who=who, when=say_time(found.start.time(), lang))]
    outcome = found.outcome
    if outcome.kind == "out":
        said.append(kiosk_text("out", lang, who=_capital(who)))
        if found.alternative_name:
            said.append(text("out_alternative", lang, alt=say_provider(found.alternative_name, lang)))
        said.append(text("out_options", lang))
    elif outcome.kind == "stale":
        said.append(text("stale", lang))
    elif outcome.kind == "late" and outcome.estimated is not None and outcome.delay_min >= 5:
        come = outcome.estimated.time()
        said.append(provider_status(found.provider_name, outcome.delay_min, come, lang))
        said.append(text("come_at", lang, when=say_time(come, lang)))
    else:
        said.append(provider_status(found.provider_name, 0, None, lang))
    return said


def say_date(born: date, lang: str) -> str:
    """A birth date in words ("March fourth, nineteen eighty-two"), as the caller said it."""
    high, low = divmod(born.year, 100)
    if lang == "es":
        thousands = "mil" if born.year < 2000 else "dos mil"
        hundreds = "novecientos" if high == 19 else ""
        year = " ".join(w for w in (thousands, hundreds, say_number(low, "es") if low else "") if w)
        return f"{say_number(born.day, 'es')} de {ES_MONTHS[born.month - 1]} de {year}"
    if born.year >= 2000:
        year = "two thousand" + (f" {say_number(low)}" if low else "")
    else:
        year = f"{say_number(high)} " + (
            "hundred" if not low else f"oh {say_number(low)}" if low < 10 else say_number(low)
        )
    return f"{EN_MONTHS[born.month - 1].capitalize()} {say_ordinal(born.day)}, {year}"


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


__all__ = ["Entry", "OwnAppointment", "Step", "answer", "say_date", "text"]
