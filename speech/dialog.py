"""The voice dialog: listen → intent → a flow action → the next prompt, on its own worker.

The dialog never calls the flow directly: every action goes through ``post(fn)``, which
runs ``fn()`` on the flow's thread (the Qt thread in the app). It follows the flow's
``FlowView`` (register ``on_view`` with ``flow.add_listener``), so a tap at any point
simply changes the screen and the dialog carries on from there: a listen in progress is
cancelled and the new screen's prompt is spoken. Every screen listens: at least for
"help" (the screen's purpose and choices, ``domain.voice_words``), "repeat" (its prompt
again), "call staff" and a language. A miss asks again; at ``max_misses`` in a row the
dialog says the screen's choices aloud, the touch ones and "call staff" among them, and
keeps listening: the voice never drops out after a miss. Once the choices have been said,
silence no longer re-prompts (nobody is nagged every few seconds; the idle warning comes
when it is due), while anything heard is answered as before. It goes quiet (until the next
wake, attract → welcome) only when the patient says "no" at the greeting, after "call
staff", or when it cannot listen (a fault, or no model for the screen's language).

With ``attract`` (``speech.attract.AttractInvites``) it listens on the attract screen too: a
greeting, "check in" or "help" wakes the kiosk (the welcome greets aloud), other speech near it
is answered, rarely, with one sentence saying what it is and how to start, and an empty lobby
hears nothing.

While the idle warning counts down (``FlowView.countdown``) the dialog says so, quiet or
not ("Are you still there? Say yes, ..."), and listens for "yes" / "still here" / "sí":
hearing it touches the flow, which keeps the patient's place exactly as a touch does.
"Louder" / "softer" ("más alto" / "más bajo") change the flow's volume for this patient
(``CheckInFlow.change_volume``: bounded, forgotten at the idle reset).

Speech goes out through ``Speaker`` (captions at once, audio on the speaker's thread),
and the listener is half duplex: the dialog listens only once the kiosk has finished
speaking. Nothing here blocks the flow's thread.

Each turn (say, listen, act) is one item of the ``kiosk-voice`` worker; a new view or the
end of a turn queues the next. A turn that raises (a dead microphone, a ``post`` or
vocabulary callback that fails) hands over to the screen and is counted in
``worker.health()``; the next wake starts afresh. A turn stuck longer than ``stall_s``
shows as ``responsive() == False``.
"""

from __future__ import annotations

import functools
import threading
import time as _time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from core.clock import Clock
from core.worker import Worker
from domain.flow import VOLUME_RANGE, FlowView, Screen
from speech.adapter import CheckInFlow, MissCounter, apply_intent, means_something
from speech.attract import AttractInvites, wake_for
from speech.grammar import StepGrammar, cached_grammar
from speech.intents import CallStaff, Help, Intent, No, Repeat, Step, Volume
from speech.listener import AudioSource, Heard, Listener
from speech.script import Turn, attract_turn, plan_turn, text, turn_key
from speech.vocabulary import ScheduleSource, Vocabulary, schedule_vocabulary

__all__ = ["ScheduleSource", "Speech", "Vocabulary", "VoiceDialog", "schedule_vocabulary"]

Post = Callable[[Callable[[], None]], None]
LOG_LINES = 500
_ASKS_NOTHING = (Step.COMMON, Step.STILL_HERE)
"""Steps where silence is no miss: a screen that asks nothing, and the idle warning (its
countdown goes on)."""


class Speech(Protocol):
    """The speaking half (``speech.tts.Speaker``)."""

    def say(self, text: str, lang: str = "en") -> None: ...
    def wait_idle(self, timeout_s: float) -> bool: ...


class VoiceDialog:
    """Drives ``flow`` by voice. Call ``start()``, register ``on_view``; ``stop()`` at exit."""

    def __init__(  # noqa: PLR0917 - wiring
        self,
        flow: CheckInFlow,
        post: Post,
        listener: Listener,
        source: AudioSource,
        speaker: Speech,
        clock: Clock,
        vocabulary: Callable[[], Vocabulary] = Vocabulary,
        max_misses: int = 2,
        speak_timeout_s: float = 30.0,
        stall_s: float | None = None,
        attract: AttractInvites | None = None,
    ) -> None:
        self._flow = flow
        self._post = post
        self._listener = listener
        self._source = source
        self._speaker = speaker
        self._clock = clock
        self._vocabulary = vocabulary
        self._vocab: Vocabulary | None = None
        self._misses = MissCounter(max_misses)
        self._speak_timeout_s = speak_timeout_s
        self._attract = attract  # None: the attract screen is not listened on
        self._cond = threading.Condition()
        self._view = FlowView()
        self._generation = 0
        self._quiet = False  # handed over to the screen until the next wake
        self._staff_announced = False
        self._said_key: tuple[str, ...] = ()
        self._deaf_key: tuple[str, ...] = ()  # a turn said with nothing to listen with
        self._offered_key: tuple[str, ...] = ()  # the turn whose choices were said since the last hit
        self._doubted_staff: tuple[str, ...] = ()  # the turn whose last listen was a doubtful "call staff"
        self._stopping = False
        self._wake_queued = False
        # One turn waits for the speaker (speak_timeout_s), then listens: longer is stuck.
        self._worker = Worker("kiosk-voice", stall_s=stall_s or speak_timeout_s + 30.0)
        # What was heard and done, for tests and the debug view (the latest: it listens all day).
        self.log: deque[str] = deque(maxlen=LOG_LINES)

    # --- called from other threads ----------------------------------------------------

    def on_view(self, view: FlowView) -> None:
        """The flow's listener (called on the flow's thread): remember, wake the dialog."""
        with self._cond:
            if view.screen == Screen.ATTRACT and self._view.screen != Screen.ATTRACT:
                self._quiet = False
                self._staff_announced = False
                self._said_key = ()
                self._deaf_key = ()
                self._offered_key = ()
                self._misses.hit()
                self._vocab = None  # the schedule may have changed: reload at the next wake
                if self._attract is not None:
                    self._attract.entered(self._clock.monotonic())
            self._view = view
            self._generation += 1
            self._cond.notify_all()
        self._wake()

    def speak_help(self) -> None:
        """The keypad's HELP key: the words "help" says on this screen, said now."""
        self._speak_turn(help_words=True)

    def speak_again(self) -> None:
        """The keypad's REPEAT key: the screen's words again, as "repeat" says them."""
        self._speak_turn(help_words=False)

    def _speak_turn(self, help_words: bool) -> None:
        with self._cond:
            view = self._view
        turn = plan_turn(view, self._clock.now().hour)
        if turn is not None:
            self._say(turn.help(view.language) if help_words else turn.say, view.language)

    def schedule_changed(self) -> None:
        """Today's schedule changed: rebuild the name and date grammars at the next listen."""
        with self._cond:
            self._vocab = None

    def start(self) -> None:
        self._worker.start()
        self._wake()

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._worker.stop(timeout_s)

    @property
    def worker(self) -> Worker:
        return self._worker

    def responsive(self) -> bool:
        """The dialog's worker is alive and no turn is stuck (for the watchdog)."""
        return self._worker.responsive()

    @property
    def quiet(self) -> bool:
        with self._cond:
            return self._quiet

    # --- the dialog worker ------------------------------------------------------------

    def _wake(self) -> None:
        """Queue one look at the current view (at most one is ever waiting)."""
        with self._cond:
            if self._wake_queued:
                return
            self._wake_queued = True
        if not self._worker.post(self._next_turn):
            with self._cond:
                self._wake_queued = False  # not started yet, or stopped: start() wakes

    def _next_turn(self) -> None:
        with self._cond:
            self._wake_queued = False
        view = self._ready_view()
        if view is None:
            return
        try:
            self._turn_or_hand_over(view)
        finally:
            self._wake()  # the same screen may need another listen (a miss, "again")

    def _turn_or_hand_over(self, view: FlowView) -> None:
        try:
            self._turn(view)
        except Exception as exc:
            self.log.append(f"error: {exc}")
            self._hand_over(view.language)
            raise  # a voice fault hands over to the screen; the worker counts and logs its type

    def _ready_view(self) -> FlowView | None:
        """The view if it needs the dialog: awake, and not quiet (but for the idle warning),
        and not a turn already said that it cannot listen for."""
        with self._cond:
            view = self._view
            if self._stopping:
                return None
            if view.screen == Screen.ATTRACT:
                can_hear = view.language in self._listener.recognizer.languages
                return view if self._attract is not None and can_hear else None
            if self._quiet and view.countdown <= 0:
                return None
            if turn_key(view) == self._deaf_key:
                return None
        return view if plan_turn(view, self._clock.now().hour) is not None else None

    def _turn(self, view: FlowView) -> None:
        lang = view.language
        if view.screen == Screen.ATTRACT:
            if self._attract is not None:
                self._attract_turn(view, self._attract)
            return
        if view.staff_called and not self._staff_announced:
            self._staff_announced = True
            self._say(text("calling_staff", lang), lang)
            self._set_quiet()
            return
        turn = plan_turn(view, self._clock.now().hour)
        if turn is None or turn.step is None:
            return
        if turn.key != self._said_key:
            self._said_key = turn.key
            self._say(turn.say, lang)
        if lang not in self._listener.recognizer.languages:
            with self._cond:
                self._deaf_key = turn.key
            if not self.quiet:
                self._hand_over(lang)  # no model for this language: the screen it is
            return
        self._wait_until_heard_ourselves_out()
        grammar = self._grammar(turn, turn.step, lang)
        heard = self._listener.listen(self._source, grammar, self._clock.now().date(), self._cancel_for(turn))
        self.log.append(f"{turn.step.value}: {heard.status} {heard.text!r}")
        if heard.status == "cancelled":
            return
        self._respond(turn, turn.step, heard, lang)

    def _respond(self, turn: Turn, step: Step, heard: Heard, lang: str) -> None:
        intent = heard.intent
        if intent is None and heard.status == "unsure" and isinstance(heard.guess, Help | Repeat):
            # A doubtful "help" or "repeat" is answered anyway: it changes nothing, and it is
            # where a miss leads (at the date step "help" is often below the bars: 2 of 12).
            intent = heard.guess
        doubted_staff = intent is None and heard.status == "unsure" and isinstance(heard.guess, CallStaff)
        if doubted_staff and self._doubted_staff == turn.key:
            # "Call staff" doubted twice in a row on one screen is taken: a person who comes
            # for nothing costs less than a patient stranded (blind journeys: an espeak voice's
            # "call staff" never cleared both passes, 5 journeys of 30).
            intent = heard.guess
        self._doubted_staff = turn.key if doubted_staff else ()
        if intent is None or not means_something(step, intent):
            if heard.status == "silence" and (step in _ASKS_NOTHING or self._offered_key == turn.key):
                return  # nothing asked, or the choices were said: listen on without nagging
            if self._misses.miss():  # say every choice aloud, then listen on
                self._offered_key = turn.key
                self._say(f"{text('still_missed', lang)} {turn.help(lang)}", lang)
            else:
                self._say(text("again", lang), lang)
            return
        self._misses.hit()
        self._offered_key = ()
        if isinstance(intent, Help):
            self._say(turn.help(lang), lang)
            return
        if isinstance(intent, Repeat):
            self._say(turn.say, lang)
            return
        if isinstance(intent, No) and step in (Step.GREETING, Step.RETRY):
            self._say(text("declined_voice", lang), lang)
            self._set_quiet()
            return
        if isinstance(intent, CallStaff):
            self._staff_announced = True
            self._say(text("calling_staff", lang), lang)
            self._set_quiet()
        if isinstance(intent, Volume):
            self._change_volume(step, intent, lang)
            return
        self._act(step, intent)

    def _attract_turn(self, view: FlowView, invites: AttractInvites) -> None:
        """Listen on the attract screen: wake on a greeting, invite on other speech (rarely),
        stay silent in silence (``speech.attract``)."""
        turn, lang = attract_turn(view), view.language
        self._wait_until_heard_ourselves_out()
        today = self._clock.now().date()
        grammar = cached_grammar(Step.GREETING, lang, (), (), (), (), today, turn.buttons)
        heard = self._listener.listen(self._source, grammar, today, self._cancel_for(turn))
        if heard.status in ("cancelled", "silence"):
            return  # an empty lobby leaves no trace (the dialog listens all day)
        self.log.append(f"attract: {heard.status} {heard.text!r}")
        action = invites.decide(heard.intent, heard.status, self._clock.monotonic())
        if action == "invite":
            self._say(turn.say, lang)
        elif action:
            self.log.append(f"action: {action}")
            self._post_and_wait(functools.partial(wake_for, action, self._flow))

    def _change_volume(self, step: Step, intent: Volume, lang: str) -> None:
        """Louder or softer, then a word at the new level (or that it is the limit)."""
        with self._cond:
            before = self._view.volume
        low, high = VOLUME_RANGE
        if low <= before + intent.change <= high:
            self._act(step, intent)
            self._say(text("volume_changed", lang), lang)
        else:  # nothing would change: no view to wait for
            self._say(text("volume_loudest" if intent.change > 0 else "volume_softest", lang), lang)

    def _act(self, step: Step, intent: Intent) -> None:
        """Post the action to the flow's thread; wait (briefly) for the view it produces."""
        flow = self._flow

        def action() -> None:
            self.log.append(f"action: {apply_intent(step, intent, flow)}")

        self._post_and_wait(action)

    def _post_and_wait(self, action: Callable[[], None]) -> None:
        """Post ``action`` to the flow's thread; wait (briefly) for the view it produces, so the
        next turn listens on the screen it led to."""
        with self._cond:
            seen = self._generation
        self._post(action)
        with self._cond:
            self._cond.wait_for(lambda: self._generation != seen or self._stopping, timeout=3.0)

    def _grammar(self, turn: Turn, step: Step, lang: str) -> StepGrammar:
        with self._cond:
            vocab = self._vocab
            digits = self._view.digits
        if vocab is None:
            vocab = self._vocabulary()
            with self._cond:
                self._vocab = vocab
        names = vocab.names_for(digits) if step is Step.CHOOSE_NAME else ()
        dobs = vocab.dobs if step is Step.DATE_OF_BIRTH else ()
        return cached_grammar(
            step, lang, names, turn.providers, turn.options, dobs, self._clock.now().date(), turn.buttons
        )

    def _cancel_for(self, turn: Turn) -> Callable[[], bool]:
        def cancel() -> bool:
            with self._cond:
                staff_tapped = self._view.staff_called and not self._staff_announced
                return self._stopping or turn_key(self._view) != turn.key or staff_tapped

        return cancel

    def _say(self, words: str, lang: str) -> None:
        self.log.append(f"said: {words}")
        self._speaker.say(words, lang)

    def _hand_over(self, lang: str) -> None:
        self._set_quiet()  # first: a speaker that fails here must not leave the dialog retrying
        self._say(text("to_screen", lang), lang)

    def _set_quiet(self) -> None:
        with self._cond:
            self._quiet = True

    def _wait_until_heard_ourselves_out(self) -> None:
        """Half duplex: listen only once the kiosk has finished speaking (and its tail)."""
        self._speaker.wait_idle(self._speak_timeout_s)
        deadline = _time.monotonic() + 2.0
        while self._listener.half_duplex.muted and _time.monotonic() < deadline:
            _time.sleep(0.02)
