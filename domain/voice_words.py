"""What "help" says on each state of the voice dialog: the screen's purpose and its choices.

Every state says, in English and Spanish, what the screen is for, what can be said and
touched there, and always "call staff" (Section 508 402.2: speech for a screen's purpose
and choices; EZ Access's "help" key). Keys are the dialog's states as ``speech.script``
names them: ``step:<step>`` where the dialog listens for an answer, ``screen:<screen>``
where the screen asks nothing. ``tests/speech/test_voice_help.py`` fails when a state has
no text in a language. Privacy: no text here names a patient.
"""

from __future__ import annotations

LANGUAGES = ("en", "es")

_TOUCH_TOO = {
    "en": "Say repeat to hear the question again, and louder or softer to change my voice. Say call "
          "staff, or touch Call staff at the top of the screen, and a person will come to help you.",
    "es": "Diga repita para oír la pregunta otra vez, y más alto o más bajo para cambiar mi voz. Diga "
          "personal, o toque Pedir ayuda arriba en la pantalla, y vendrá alguien a ayudarle.",
}  # fmt: skip

_HELP: dict[str, dict[str, str]] = {
    "step:greeting": {
        "en": "This kiosk checks you in for your appointment. Say yes to check in by voice with your "
              "date of birth. Say code to type a confirmation code on the screen instead, or cancel "
              "to stop. On the screen, touch With my date of birth, or With my confirmation code.",
        "es": "Este quiosco le registra para su cita. Diga sí para registrarse por voz con su fecha "
              "de nacimiento. Diga código para escribir un código de confirmación en la pantalla, o "
              "cancelar para terminar. En la pantalla, toque Con mi fecha de nacimiento, o Con mi "
              "código de confirmación.",
    },
    "step:date_of_birth": {
        "en": "I need your date of birth to find your appointment. Say it, for example: March fourth, "
              "nineteen eighty. Or type it on the screen's number pad, month, day and year. Say back "
              "to go back.",
        "es": "Necesito su fecha de nacimiento para encontrar su cita. Dígala, por ejemplo: cuatro de "
              "marzo de mil novecientos ochenta. O escríbala en el teclado de la pantalla. Diga atrás "
              "para volver.",
    },
    "step:choose_name": {
        "en": "More than one patient shares that birth date. Say your first name, or type the first "
              "three letters of your last name on the screen. Say back to go back.",
        "es": "Hay más de un paciente con esa fecha de nacimiento. Diga su nombre, o escriba las tres "
              "primeras letras de su apellido en la pantalla. Diga atrás para volver.",
    },
    "step:confirm": {
        "en": "I found an appointment. Say yes if it is yours, or no if it is not. On the screen, touch "
              "Yes, check me in, or No, that is not me.",
        "es": "Encontré una cita. Diga sí si es la suya, o no si no lo es. En la pantalla, toque "
              "Sí, registrarme, o No, no soy yo.",
    },
    "step:outcome": {
        "en": "Your provider's schedule has changed. Say one of the choices you heard: wait, come back "
              "later, front desk, or reschedule. Or touch your choice on the screen.",
        "es": "La agenda de su médico cambió. Diga una de las opciones que oyó: espero, vuelvo más "
              "tarde, recepción, u otra cita. O toque su opción en la pantalla.",
    },
    "step:retry": {
        "en": "I could not find your appointment. Say yes to try again, start over to begin again, "
              "or done to finish. On the screen, touch Start over or Done. The front desk can also "
              "help you.",
        "es": "No encontré su cita. Diga sí para intentarlo otra vez, empezar de nuevo para volver al "
              "principio, o listo para terminar. En la pantalla, toque Empezar de nuevo o Listo. En "
              "recepción también le pueden ayudar.",
    },
    "step:still_here": {
        "en": "The kiosk will start over soon because nothing has happened for a while. Say yes, touch "
              "the screen, or press any key to keep your place.",
        "es": "El quiosco va a empezar de nuevo pronto porque no ha pasado nada en un rato. Diga sí, "
              "toque la pantalla, o pulse cualquier tecla para continuar.",
    },
    "screen:welcome": {
        "en": "This kiosk checks you in for your appointment. Touch With my date of birth, or With my "
              "confirmation code, on the screen.",
        "es": "Este quiosco le registra para su cita. Toque Con mi fecha de nacimiento, o Con mi código "
              "de confirmación, en la pantalla.",
    },
    "screen:dob": {
        "en": "Type your date of birth on the screen's number pad: month, day and year.",
        "es": "Escriba su fecha de nacimiento en el teclado de la pantalla: mes, día y año.",
    },
    "screen:letters": {
        "en": "Type the first three letters of your last name on the screen.",
        "es": "Escriba las tres primeras letras de su apellido en la pantalla.",
    },
    "screen:code": {
        "en": "This screen takes the confirmation code from your reminder. Type it on the screen's "
              "keyboard, then touch Continue. To check in by voice instead, say date of birth. Say "
              "back to go back.",
        "es": "Esta pantalla pide el código de confirmación de su recordatorio. Escríbalo en el teclado "
              "de la pantalla y toque Seguir. Para registrarse por voz, diga fecha de nacimiento. "
              "Diga atrás para volver.",
    },
    "screen:confirm": {
        "en": "Check that the appointment on the screen is yours, then touch Yes, check me in, or No, "
              "that is not me.",
        "es": "Compruebe que la cita de la pantalla es la suya y toque Sí, registrarme, o No, no soy yo.",
    },
    "screen:outcome": {
        "en": "You are checked in and your provider knows you are here. Please have a seat. Say done, "
              "or touch Done, when you have finished.",
        "es": "Ya está registrado y su médico sabe que está aquí. Tome asiento, por favor. Diga listo, "
              "o toque Listo, cuando termine.",
    },
    "screen:done": {
        "en": "Your check-in is finished. Say done, or touch Done, or the kiosk will start over by "
              "itself.",
        "es": "Su registro terminó. Diga listo, o toque Listo, o el quiosco empezará de nuevo solo.",
    },
    "screen:message": {
        "en": "The kiosk could not finish your check-in. The front desk will help you. Say start "
              "over to try again, or done to finish; or touch Start over, or Done.",
        "es": "El quiosco no pudo terminar su registro. En recepción le ayudarán. Diga empezar de "
              "nuevo para intentarlo otra vez, o listo para terminar; o toque Empezar de nuevo, o "
              "Listo.",
    },
}  # fmt: skip


def help_keys() -> tuple[str, ...]:
    """Every dialog state with a help text."""
    return tuple(_HELP)


def help_text(key: str, lang: str = "en") -> str:
    """The purpose and choices of dialog state ``key`` in ``lang``, ending with repeat and call
    staff; ``KeyError`` for a state without one (a test makes sure none is missing)."""
    table = _HELP[key]
    lang = lang if lang in LANGUAGES else "en"
    return f"{table[lang]} {_TOUCH_TOO[lang]}"


__all__ = ["LANGUAGES", "help_keys", "help_text"]
