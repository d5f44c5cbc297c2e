"""What the voice dialog says and listens for on each screen: a pure function of the
flow's ``FlowView`` (and the hour), so a tap and a spoken answer lead to the same turn.

``plan_turn(view, hour)`` returns a ``Turn``: the text to say, the grammar step to
listen with (``Step.COMMON`` on a screen that asks nothing: help, repeat, call staff and a
language still work there), its help (``domain.voice_words``: the screen's purpose and
choices) and, for the outcome screen, the options that can be chosen by voice. While the
idle warning counts down, the turn is the warning ("Are you still there?"), whatever the
screen. Privacy: the only patient detail said
is the first name (``phrases.confirm_prompt``); never a birth date or a last name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time

from domain.flow import FlowView, Screen
from domain.spanish import contract
from domain.voice_words import help_text
from speech.intents import Step
from speech.phrases import confirm_prompt, greeting, prompt, provider_status, say_provider, say_time

_TEXTS: dict[str, dict[str, str]] = {
    "ask_first_name": {"en": "Please tell me your first name.", "es": "Dígame su nombre, por favor."},
    "type_code": {"en": "Please type your code on the screen.",
                  "es": "Escriba su código en la pantalla, por favor."},
    "try_again": {"en": "Would you like to try again?", "es": "¿Quiere intentarlo otra vez?"},
    "not_found": {"en": "I couldn't find an appointment for that date of birth today.",
                  "es": "No encontré una cita para esa fecha de nacimiento hoy."},
    "declined": {"en": "Sorry about that.", "es": "Disculpe."},
    "ambiguous": {"en": "I couldn't tell which appointment is yours. Please see the front desk.",
                  "es": "No pude saber cuál es su cita. Pase a recepción, por favor."},
    "too_early": {"en": "You're a little early. Check-in opens at {opens}.",
                  "es": "Llegó un poco temprano. El registro abre a {opens}."},
    "too_late": {"en": "Your appointment time has passed. Please see the front desk.",
                 "es": "La hora de su cita ya pasó. Pase a recepción, por favor."},
    "already_checked_in": {"en": "You're already checked in. Please have a seat.",
                           "es": "Ya está registrado. Tome asiento, por favor."},
    "not_today": {"en": "Your appointment isn't today. Please see the front desk.",
                  "es": "Su cita no es hoy. Pase a recepción, por favor."},
    "front_desk": {"en": "Please see the front desk.", "es": "Pase a recepción, por favor."},
    "stale": {"en": "You're checked in. I can't see the doctor's schedule right now; "
                    "the front desk can tell you the wait.",
              "es": "Ya está registrado. Ahora no veo la agenda del médico; "
                    "en recepción le dirán la espera."},
    "late_choice": {"en": "Would you like to wait, or leave and come back?",
                    "es": "¿Prefiere esperar, o irse y volver más tarde?"},
    "out": {"en": "{who} is not in today.", "es": "{who} no está hoy."},
    "out_choice_alt": {"en": "You can see {alt} instead, go to the front desk, or reschedule. "
                             "Which would you like?",
                       "es": "Puede ver a {alt}, pasar a recepción, o pedir otra cita. ¿Qué prefiere?"},
    "out_choice": {"en": "You can go to the front desk, or reschedule. Which would you like?",
                   "es": "Puede pasar a recepción, o pedir otra cita. ¿Qué prefiere?"},
    "chose_return_later": {"en": "Thank you. Please come back by {when}.",
                           "es": "Gracias. Vuelva antes de {when}, por favor."},
    "chose_front_desk": {"en": "Please go to the front desk; they will help you.",
                         "es": "Pase a recepción; ahí le ayudarán."},
    "chose_reschedule": {"en": "The front desk will help you reschedule.",
                         "es": "En recepción le darán otra cita."},
    "chose_other_provider": {"en": "Thank you. The front desk will confirm your visit with {alt}.",
                             "es": "Gracias. En recepción confirmarán su visita con {alt}."},
    "still_there": {"en": "Are you still there? Say yes, or touch the screen, to keep going.",
                    "es": "¿Sigue ahí? Diga sí, o toque la pantalla, para continuar."},
    "still_missed": {"en": "Sorry, I still didn't catch that.", "es": "Perdón, sigo sin entenderle."},
    "volume_changed": {"en": "Is this better?", "es": "¿Así está mejor?"},
    "volume_loudest": {"en": "This is as loud as I can speak.", "es": "Más alto no puedo hablar."},
    "volume_softest": {"en": "This is as soft as I can speak.", "es": "Más bajo no puedo hablar."},
    "attract_invite": {"en": "Hello, I am the check-in kiosk. To check in, say check in, or press any key.",
                       "es": "Hola, soy el quiosco de registro. Para registrarse, diga registrarme, o "
                             "pulse cualquier tecla."},
    "declined_voice": {"en": "All right. The screen is here if you need it.",
                       "es": "Muy bien. La pantalla está aquí si la necesita."},
}  # fmt: skip
_RETRY_MESSAGES = frozenset({"not_found", "declined"})


def text_keys() -> tuple[str, ...]:
    """The keys ``text`` knows beyond ``phrases.PROMPTS`` (``speech.sayable`` lists them all)."""
    return tuple(_TEXTS)


def text(key: str, lang: str = "en", **fields: str) -> str:
    """A dialog sentence in ``lang`` (fixed prompts from ``phrases`` included)."""
    table = _TEXTS.get(key)
    if table is None:
        return prompt(key, lang)
    said = table.get(lang, table["en"]).format(**fields)
    return contract(said) if lang == "es" else said  # "ver a el doctor" -> "ver al doctor"


@dataclass(frozen=True)
class Turn:
    """One turn of the dialog: say ``say``, then listen with ``step`` (or wait for the screen)."""

    key: tuple[str, ...]
    say: str
    step: Step | None = Step.COMMON
    options: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    """The screen's buttons that can be said (``speech.intents.Button``): every button the
    screen shows that no other answer of the step already stands for."""

    @property
    def help_key(self) -> str:
        """The dialog state whose purpose and choices "help" says (``domain.voice_words``)."""
        if self.step is None or self.step is Step.COMMON:
            return f"screen:{self.key[0]}"
        return f"step:{self.step.value}"

    def help(self, lang: str) -> str:
        return help_text(self.help_key, lang)


def help_states() -> tuple[str, ...]:
    """Every state the dialog can be in, as ``Turn.help_key`` names it: each step it listens
    with, and each screen it listens on for nothing but the common words."""
    steps = [f"step:{s.value}" for s in Step if s is not Step.COMMON]
    return (*steps, *(f"screen:{s.value}" for s in Screen if s is not Screen.ATTRACT))


def turn_key(view: FlowView) -> tuple[str, ...]:
    """What identifies a turn: the fields that change what is said or heard. Not ``queued``:
    an on-time outcome is shown, then queued, in one call; the patient hears it once (with
    the dialog listening on every screen, a key that changed there cancelled the listen
    and said the outcome again)."""
    first = view.patient.first_name if view.patient else ""
    kind = view.outcome.kind if view.outcome else ""
    warning = "still_there" if view.countdown > 0 else ""
    # Nor the choice an on-time outcome is queued with in that same call: a dialog that
    # looked between the two views would say the outcome twice.
    on_time = view.outcome is not None and view.outcome.options == ("checked_in",)
    choice = "" if on_time else view.choice
    return (view.screen.value, view.language, view.message, choice, first, kind, warning)


def plan_turn(view: FlowView, hour: int) -> Turn | None:
    """The turn for the screen in ``view``; ``None`` on the attract screen (nothing to say)."""
    turn = _screen_turn(view, hour)
    if turn is None or turn.step is Step.STILL_HERE:
        return turn
    return replace(turn, buttons=screen_buttons(view))


def attract_turn(view: FlowView) -> Turn:
    """The attract screen's listen (``speech.attract``): the greeting's words and "hello";
    ``say`` is the invitation, said only when speech near the kiosk meant nothing to it."""
    return Turn(turn_key(view), text("attract_invite", view.language), Step.GREETING, buttons=("wake",))


def screen_buttons(view: FlowView) -> tuple[str, ...]:
    """The buttons on ``view``'s screen a patient can say (the ones yes, no, a date, a name or
    an outcome's choice do not already stand for): Done, Cancel, Start over, Back and the
    welcome's two ways in; the top bar's language and call staff are common words."""
    match view.screen:
        case Screen.WELCOME:
            return ("code", "dob", "cancel")
        case Screen.DOB | Screen.LETTERS:
            return ("back",)
        case Screen.CODE:
            return ("dob", "back")
        case Screen.OUTCOME if view.choice or (view.outcome and view.outcome.options == ("checked_in",)):
            return ("done",)  # an on-time check-in is queued as it shows: Done is there at once
        case Screen.DONE:
            return ("done",)
        case Screen.MESSAGE:
            return ("start_over", "done")
    return ()


def _screen_turn(view: FlowView, hour: int) -> Turn | None:
    lang = view.language
    key = turn_key(view)
    if view.countdown > 0 and view.screen != Screen.ATTRACT:
        return Turn(key, text("still_there", lang), Step.STILL_HERE)
    match view.screen:
        case Screen.WELCOME:
            return Turn(key, greeting(hour, lang), Step.GREETING)
        case Screen.DOB:
            return Turn(key, prompt("ask_dob", lang), Step.DATE_OF_BIRTH)
        case Screen.LETTERS:
            return Turn(key, text("ask_first_name", lang), Step.CHOOSE_NAME)
        case Screen.CODE:
            return Turn(key, text("type_code", lang))
        case Screen.CONFIRM if view.patient is not None:
            patient = view.patient
            when = time.fromisoformat(patient.time)
            said = confirm_prompt(patient.first_name, when, patient.provider_name, lang)
            return Turn(key, said, Step.CONFIRM)
        case Screen.OUTCOME:
            return _outcome_turn(view, key)
        case Screen.DONE:
            return Turn(key, _done_text(view))
        case Screen.MESSAGE:
            return _message_turn(view, key)
    return None


def _outcome_turn(view: FlowView, key: tuple[str, ...]) -> Turn | None:
    outcome, patient, lang = view.outcome, view.patient, view.language
    if outcome is None or patient is None:
        return None
    provider = patient.provider_name
    if outcome.kind == "stale":
        return Turn(key, text("stale", lang))
    if outcome.kind == "on_time":
        return Turn(key, f"{provider_status(provider, 0, None, lang)} {prompt('done', lang)}")
    if outcome.kind == "late":
        estimated = outcome.estimated.time() if outcome.estimated else None
        status = provider_status(provider, outcome.delay_min, estimated, lang)
        return Turn(key, f"{status} {text('late_choice', lang)}", Step.OUTCOME, outcome.options)
    who = _capital(say_provider(provider, lang))
    alt = say_provider(view.alternative_name, lang) if view.alternative_name else ""
    choice = text("out_choice_alt", lang, alt=alt) if alt else text("out_choice", lang)
    providers = (view.alternative_name,) if alt else ()
    return Turn(key, f"{text('out', lang, who=who)} {choice}", Step.OUTCOME, outcome.options, providers)


def _done_text(view: FlowView) -> str:
    lang = view.language
    if view.choice == "return_later" and view.outcome is not None and view.outcome.estimated is not None:
        return text("chose_return_later", lang, when=say_time(view.outcome.estimated.time(), lang))
    if view.choice == "other_provider" and view.alternative_name:
        return text("chose_other_provider", lang, alt=say_provider(view.alternative_name, lang))
    if view.choice in ("front_desk", "reschedule", "other_provider"):
        return text(f"chose_{'front_desk' if view.choice == 'other_provider' else view.choice}", lang)
    return prompt("done", lang)


def _message_turn(view: FlowView, key: tuple[str, ...]) -> Turn:
    lang = view.language
    if view.message in _RETRY_MESSAGES:
        return Turn(key, f"{text(view.message, lang)} {text('try_again', lang)}", Step.RETRY)
    if view.message == "too_early" and view.opens_at:
        opens = say_time(datetime.strptime(view.opens_at, "%H:%M").time(), lang)
        return Turn(key, text("too_early", lang, opens=opens))
    known = view.message in _TEXTS
    return Turn(key, text(view.message if known else "front_desk", lang))


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]
