"""What the kiosk says, as pure functions: times, delays, provider status, prompts.

Privacy is enforced here, not left to callers: prompts take a first name and say only
its first word; nothing renders a birth date or a last name.
"""

from __future__ import annotations

from datetime import time

from speech.numbers import say_number

PROMPTS: dict[str, dict[str, str]] = {
    "greeting_morning": {"en": "Good morning, are you here to check in?",
                         "es": "Buenos días, ¿viene a registrarse?"},
    "greeting_afternoon": {"en": "Good afternoon, are you here to check in?",
                           "es": "Buenas tardes, ¿viene a registrarse?"},
    "ask_dob": {"en": "What is your date of birth?", "es": "¿Cuál es su fecha de nacimiento?"},
    "ask_name": {"en": "Which first name is yours?", "es": "¿Cuál es su nombre?"},
    "ask_provider": {"en": "Which provider are you seeing today?", "es": "¿Con qué médico tiene cita hoy?"},
    "again": {"en": "Sorry, I didn't catch that. Please say it again.",
              "es": "Perdón, no le entendí. Repítalo, por favor."},
    "to_screen": {"en": "Let's continue on the screen.", "es": "Continuemos en la pantalla."},
    "calling_staff": {"en": "I'm calling a staff member for you.",
                      "es": "Estoy llamando a alguien del personal."},
    "done": {"en": "You're checked in. Please have a seat.",
             "es": "Ya está registrado. Tome asiento, por favor."},
}  # fmt: skip


def prompt(key: str, lang: str = "en") -> str:
    """A fixed prompt in ``lang`` (English when the language has no text for it)."""
    texts = PROMPTS[key]
    return texts.get(lang, texts["en"])


def greeting(hour: int, lang: str = "en") -> str:
    return prompt("greeting_morning" if hour < 12 else "greeting_afternoon", lang)


def say_time(t: time, lang: str = "en") -> str:
    """Clock time as people say it: "nine thirty", "nine oh five", "ten o'clock", "two fifteen"."""
    hour = t.hour % 12 or 12
    if lang == "es":
        head = "la una" if hour == 1 else f"las {say_number(hour, 'es')}"
        if t.minute == 0:
            return head
        if t.minute == 30:
            return f"{head} y media"
        return f"{head} y {say_number(t.minute, 'es')}"
    if t.minute == 0:
        return f"{say_number(hour)} o'clock"
    if t.minute < 10:
        return f"{say_number(hour)} oh {say_number(t.minute)}"
    return f"{say_number(hour)} {say_number(t.minute)}"


def say_delay(minutes: int, lang: str = "en") -> str:
    """A delay in plain words, rounded to five minutes: "about twenty minutes late", "on time"."""
    if minutes < 5:
        return "a tiempo" if lang == "es" else "on time"
    if minutes >= 90:
        hours = round(minutes / 60)
        if lang == "es":
            return f"unas {say_number(hours, 'es')} horas tarde"
        return f"about {say_number(hours)} hours late"
    if 55 <= minutes < 65:
        return "una hora tarde" if lang == "es" else "about an hour late"
    rounded = 5 * round(minutes / 5)
    if lang == "es":
        return f"unos {say_number(rounded, 'es')} minutos tarde"
    return f"about {say_number(rounded)} minutes late"


def say_provider(provider: str, lang: str = "en") -> str:
    """ "Dr. Ana Martinez" -> "Doctor Martinez" (a title and the family name)."""
    words = provider.replace(".", " ").split()
    titled = bool(words) and words[0].lower() in ("dr", "doctor", "dra", "doctora")
    name = words[-1] if words else provider
    if titled or len(words) > 1:
        return f"{'Doctor' if lang == 'en' else 'el doctor'} {name}" if titled else " ".join(words)
    return name


def provider_status(provider: str, delay_min: int, new_time: time | None, lang: str = "en") -> str:
    """ "Doctor Martinez is running about twenty minutes late; your new estimated time is nine fifty." """
    who = say_provider(provider, lang)
    who = who[:1].upper() + who[1:]
    delay = say_delay(delay_min, lang)
    if delay_min < 5 or new_time is None:
        if lang == "es":
            return f"{who} va {delay}."
        return f"{who} is running {delay}."
    if lang == "es":
        return f"{who} va con {delay}; su nueva hora estimada es {say_time(new_time, lang)}."
    return f"{who} is running {delay}; your new estimated time is {say_time(new_time, lang)}."


def confirm_prompt(first_name: str, appointment: time, provider: str, lang: str = "en") -> str:
    """ "Is this Maria, at nine thirty with Doctor Martinez?" — the first name only, ever."""
    name = first_name.split(maxsplit=1)[0] if first_name.split() else ""
    if lang == "es":
        return f"¿Es usted {name}, a {say_time(appointment, lang)} con {say_provider(provider, lang)}?"
    return f"Is this {name}, at {say_time(appointment, lang)} with {say_provider(provider, lang)}?"
