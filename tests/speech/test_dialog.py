"""The voice dialog on the real flow: espeak-ng answers through pocketsphinx, captions,
taps mid-dialog, misses, call staff, Spanish, and faults that hand over to the screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from core.clock import ManualClock
from core.errors import SpeechError
from domain.flow import CheckInFlow, FlowView, Screen
from speech.attract import AttractInvites
from speech.dialog import VoiceDialog, schedule_vocabulary
from speech.listener import ListenConfig, Listener
from speech.pocketsphinx_engine import PocketsphinxRecognizer
from speech.tts import HalfDuplex, MemorySink, Pyttsx3Synthesizer, Speaker
from speech.volume import VolumeSink
from sync.cache import Provider
from sync.messages import CheckIn, ProviderStatus
from tests.kiosk.test_flow import DAY, Day
from tests.speech.scripted import FlowThread, Say, ScriptedSource, wait_until


class _Listing:
    """The day as ``schedule_vocabulary`` reads the kiosk cache: providers, their appointments."""

    def __init__(self, day: Day) -> None:
        self.day = day

    def providers(self) -> list[Provider]:
        return [Provider(pid, name, DAY, 1) for pid, name in self.day.providers.items()]

    def appointments_for(self, provider_id: str) -> list[object]:
        return list(self.day.appointments_for(provider_id))


@dataclass
class Kiosk:
    """A real flow on its own thread, a real speaker (espeak-ng) and the dialog."""

    say_clip: Say
    synth: Pyttsx3Synthesizer
    recognizer: PocketsphinxRecognizer
    realtime: bool = False
    stall_s: float | None = None
    listen_timeout_s: float = 4.0
    post_fails: int = 0  # how many of the dialog's next posts to the flow raise
    attract: AttractInvites | None = None  # listen on the attract screen (speech.attract)
    day: Day = field(default_factory=Day)
    sent: list[CheckIn] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    staff_calls: int = 0

    def __post_init__(self) -> None:
        self.clock = ManualClock(datetime.fromisoformat(f"{DAY}T09:05"))
        self.thread = FlowThread()
        self.flow = CheckInFlow(self.day, self._submit, self.clock, "lobby-1", on_call_staff=self._staff)
        self.duplex = HalfDuplex(tail_s=0.0)
        self.sink = MemorySink()
        self.volume = VolumeSink(self.sink)  # as kiosk.voice wires it: the flow's level
        self.speaker = Speaker(self.synth, self.volume, self.duplex, self.captions.append)
        self.source = ScriptedSource(realtime=self.realtime)
        listener = Listener(self.recognizer, self.duplex, ListenConfig(timeout_s=self.listen_timeout_s))
        self.dialog = VoiceDialog(
            self.flow,
            self._post,
            listener,
            self.source,
            self.speaker,
            self.clock,
            vocabulary=lambda: schedule_vocabulary(_Listing(self.day), date.fromisoformat(DAY)),
            stall_s=self.stall_s,
            attract=self.attract,
        )
        self.flow.add_listener(lambda view: self.volume.set_level(view.volume))
        self.flow.add_listener(self.dialog.on_view)
        self.dialog.start()

    def _post(self, fn: Callable[[], None]) -> None:
        if self.post_fails > 0:
            self.post_fails -= 1
            raise RuntimeError("the flow's poster is gone")
        self.thread.post(fn)

    def _submit(self, msg: CheckIn) -> bool:
        self.sent.append(msg)
        return True

    def _staff(self) -> None:
        self.staff_calls += 1

    def answer(self, *texts: str) -> None:
        for text in texts:
            self.source.add(self.say_clip(text))

    def tap(self, action: str, *args: object) -> None:
        self.thread.call(lambda: getattr(self.flow, action)(*args))

    @property
    def view(self) -> FlowView:
        return self.thread.call(lambda: self.flow.view)

    def said(self, fragment: str) -> bool:
        return any(fragment in c for c in self.captions)

    def close(self) -> None:
        self.dialog.stop()
        self.speaker.close()
        self.thread.close()
        assert not self.thread.errors


@pytest.fixture
def kiosk(say: Say, synth: Pyttsx3Synthesizer) -> Iterator[Kiosk]:
    k = Kiosk(say, synth, PocketsphinxRecognizer())  # fresh: no CMN carried from other tests
    yield k
    k.close()


def _private(captions: list[str]) -> None:
    spoken = " ".join(captions).lower()
    for secret in ("smith", "smi", "garcia", "1982", "nineteen eighty", "march"):
        assert secret not in spoken, secret


def test_a_whole_check_in_by_voice_with_a_shared_birth_date(kiosk: Kiosk) -> None:
    kiosk.answer("yes", "march fourth nineteen eighty two", "my name is james", "yes")
    kiosk.tap("wake")
    wait_until(lambda: kiosk.sent, what="the check-in")
    assert kiosk.sent[0].appointment_id == "a2" and kiosk.sent[0].method == "voice"
    wait_until(lambda: kiosk.said("Please have a seat"), what="the goodbye")
    assert kiosk.captions[0] == "Good morning, are you here to check in?"
    assert "What is your date of birth?" in kiosk.captions
    assert "Please tell me your first name." in kiosk.captions  # never a list of names
    assert "Is this James, at nine o'clock with Doctor Chen?" in kiosk.captions
    assert kiosk.said("Doctor Chen is running on time.")
    assert kiosk.speaker.wait_idle(20) and len(kiosk.sink.played) == len(kiosk.captions)
    _private(kiosk.captions)


def test_a_late_provider_is_said_in_plain_words_and_wait_is_chosen_by_voice(kiosk: Kiosk) -> None:
    kiosk.day.statuses["martinez"] = ProviderStatus("martinez", 3, "late", delay_min=20, date=DAY)
    kiosk.answer("yes", "july the twenty first nineteen ninety", "yes", "i'll wait")
    kiosk.tap("wake")
    wait_until(lambda: kiosk.sent, what="the check-in")
    assert kiosk.sent[0].outcome == "waiting_late" and kiosk.sent[0].appointment_id == "a3"
    assert kiosk.said(
        "Doctor Martinez is running about twenty minutes late; your new estimated time is ten oh five. "
        "Would you like to wait, or leave and come back?"
    )
    wait_until(lambda: kiosk.view.screen == Screen.DONE, what="done")


def test_after_two_misses_the_voice_says_every_choice_and_keeps_listening(kiosk: Kiosk) -> None:
    kiosk.answer("yes")  # then silence, twice
    kiosk.tap("wake")
    wait_until(lambda: kiosk.said("Sorry, I still didn't catch that."), what="the choices aloud")
    assert kiosk.said("Sorry, I didn't catch that.")
    choices = next(c for c in kiosk.captions if c.startswith("Sorry, I still didn't catch that."))
    assert "Say it, for example" in choices and "number pad" in choices  # by voice, and by touch
    assert "Say call staff, or touch Call staff" in choices  # a person is always a choice
    assert kiosk.view.screen == Screen.DOB and not kiosk.dialog.quiet  # the voice stays
    kiosk.answer("july the twenty first nineteen ninety")
    wait_until(lambda: kiosk.view.screen == Screen.CONFIRM, what="the answer after the misses")
    kiosk.answer("call staff")
    wait_until(lambda: kiosk.staff_calls == 1, what="staff called by voice")


def test_call_staff_works_mid_dialog(kiosk: Kiosk) -> None:
    kiosk.answer("yes", "call staff")
    kiosk.tap("wake")
    wait_until(lambda: kiosk.staff_calls == 1, what="staff called")
    wait_until(lambda: kiosk.said("I'm calling a staff member for you."), what="the caption")
    assert kiosk.view.staff_called and kiosk.dialog.quiet


def test_a_no_at_the_greeting_leaves_the_screen_alone(kiosk: Kiosk) -> None:
    kiosk.answer("no thanks")
    kiosk.tap("wake")
    wait_until(lambda: kiosk.said("The screen is here if you need it."), what="the reply")
    assert kiosk.view.screen == Screen.WELCOME and kiosk.dialog.quiet


def test_spanish_follows_the_screen_and_hands_over_without_a_spanish_model(kiosk: Kiosk) -> None:
    kiosk.tap("set_language", "es")
    kiosk.tap("wake")
    wait_until(lambda: kiosk.said("Continuemos en la pantalla."), what="the Spanish hand-over")
    assert kiosk.captions[0] == "Buenos días, ¿viene a registrarse?"
    assert kiosk.speaker.wait_idle(20)
    assert kiosk.source.listens == 0  # pocketsphinx has no Spanish model: nothing is misheard


def test_a_dead_microphone_hands_over_and_the_dialog_survives(kiosk: Kiosk) -> None:
    kiosk.source.fail = SpeechError("the microphone was unplugged")
    kiosk.tap("wake")
    wait_until(lambda: kiosk.said("Let's continue on the screen."), what="the hand-over")
    assert any("unplugged" in line for line in kiosk.dialog.log)
    kiosk.source.fail = None
    kiosk.tap("reset")
    kiosk.answer("yes")
    kiosk.tap("wake")
    wait_until(lambda: kiosk.view.screen == Screen.DOB, what="voice working again")


def test_a_tap_while_listening_moves_the_dialog_along(
    say: Say, synth: Pyttsx3Synthesizer, pocketsphinx: PocketsphinxRecognizer
) -> None:
    # The greeting's listen outlasts any stall of a busy machine: only the tap can end it.
    kiosk = Kiosk(say, synth, pocketsphinx, realtime=True, listen_timeout_s=120.0)
    try:
        kiosk.tap("wake")
        wait_until(lambda: kiosk.source.listens == 1, what="listening at the greeting")
        # Queued for the date's listen before the tap: queued after the prompt, it raced the
        # listen's start, which then heard only the room and asked again.
        kiosk.answer("july the twenty first nineteen ninety")
        kiosk.tap("start", "dob")  # the patient taps "check in" instead of answering
        wait_until(lambda: kiosk.said("What is your date of birth?"), what="the next prompt")
        wait_until(lambda: kiosk.view.screen == Screen.CONFIRM, what="the voice answer")
        assert kiosk.view.patient is not None and kiosk.view.patient.first_name == "Aisha"
        assert "greeting: cancelled ''" in kiosk.dialog.log  # the tap ended it, not its budget
        assert kiosk.source.listens == 2, kiosk.dialog.log  # heard at the first asking
    finally:
        kiosk.close()


def test_a_raising_flow_callback_hands_over_is_counted_and_the_dialog_goes_on(kiosk: Kiosk) -> None:
    kiosk.post_fails = 1
    kiosk.answer("yes")
    kiosk.tap("wake")
    wait_until(lambda: kiosk.said("Let's continue on the screen."), what="the hand-over")
    health = kiosk.dialog.worker.health()
    assert health.alive and health.errors == 1 and "RuntimeError" in health.last_error
    assert kiosk.dialog.responsive()
    kiosk.tap("reset")
    kiosk.answer("yes")
    kiosk.tap("wake")  # the next patient: the same worker, working
    wait_until(lambda: kiosk.view.screen == Screen.DOB, what="voice working again")
    assert "error: the flow's poster is gone" in kiosk.dialog.log


def test_a_listen_stuck_past_stall_s_shows_the_dialog_unresponsive(
    say: Say, synth: Pyttsx3Synthesizer, pocketsphinx: PocketsphinxRecognizer
) -> None:
    kiosk = Kiosk(say, synth, pocketsphinx, realtime=True, stall_s=0.5)
    try:
        kiosk.tap("wake")
        wait_until(lambda: kiosk.source.listens == 1, what="listening at the greeting")
        wait_until(lambda: not kiosk.dialog.responsive(), timeout=60, what="the stall")
        kiosk.tap("start", "dob")  # the listen is cancelled: the worker answers again
        wait_until(lambda: kiosk.said("What is your date of birth?"), timeout=60, what="the next prompt")
        wait_until(lambda: kiosk.source.listens == 2, what="listening for the date")
        assert kiosk.dialog.worker.health().errors == 0
    finally:
        kiosk.close()


def test_the_first_name_step_listens_only_for_the_names_booked_with_that_birth_date() -> None:
    vocab = schedule_vocabulary(_Listing(Day()), date.fromisoformat(DAY))
    shared = dict(vocab.names_by_dob)["1982-03-04"]
    assert len(shared) >= 2 and set(shared) < set(vocab.first_names)
    assert vocab.names_for("03041982") == shared
    assert vocab.names_for("30041982") == shared  # one adjacent swap, as the flow looks it up
    assert vocab.names_for("12311899") == vocab.first_names  # nobody: every name
