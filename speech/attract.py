"""The attract screen by ear: a patient who cannot see the kiosk (and whom no presence sensor
saw) learns it is there and starts by voice. Pure: what was heard in, an action out.

On the attract screen the dialog listens (the microphone's voice activity gates it, as on every
screen) with the greeting's words plus a few greetings of its own ("hello", "excuse me"):

- a word that asks for the kiosk ("check in", "hello", "yes", "help", "repeat", "louder") wakes
  it, and the welcome greets aloud; "call staff" wakes it and calls staff; "español" wakes it in
  Spanish;
- speech that means nothing to it is a person near the kiosk who may not see it: it answers with
  one sentence of invitation ("I am the check-in kiosk. To check in, say check in, or press any
  key."), at most once every ``every_s`` and never in the ``after_reset_s`` after a visit ended
  (the patient who just left, saying goodbye);
- silence says nothing: an empty lobby is never spoken to.

Presence (the I/O board's sensor or the camera's faces and motion) still wakes the kiosk at once;
this is for when there is no such sensor, or it missed the patient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from speech.adapter import CheckInFlow
from speech.intents import Button, CallStaff, Intent, Language, No

_WAKE_HEARD = ("no_match", "unsure", "too_long")
"""Listen outcomes that were speech the kiosk did not take: someone is talking near it."""


@dataclass
class AttractInvites:
    """When the attract screen answers speech it did not understand with its invitation."""

    every_s: float = 90.0
    """At most one invitation in this long (s)."""
    after_reset_s: float = 20.0
    """No invitation this soon after the attract screen came back (s): the last patient leaving."""
    _since: float = field(default=-math.inf, repr=False)
    _last: float = field(default=-math.inf, repr=False)

    def entered(self, now: float) -> None:
        """The attract screen came back (a visit ended) at monotonic ``now``."""
        self._since = now

    def decide(self, intent: Intent | None, status: str, now: float) -> str:
        """What to do about one listen on the attract screen: "wake", "call_staff",
        "language:<code>", "invite" or "" (nothing)."""
        if isinstance(intent, CallStaff):
            return "call_staff"
        if isinstance(intent, Language):
            return f"language:{intent.code}"
        if intent is not None and not isinstance(intent, No):
            return "wake"
        if intent is None and status in _WAKE_HEARD and self._may_invite(now):
            self._last = now
            return "invite"
        return ""

    def _may_invite(self, now: float) -> bool:
        return now - self._since >= self.after_reset_s and now - self._last >= self.every_s


def wake_for(action: str, flow: CheckInFlow) -> None:
    """On the flow's thread: the attract screen's answer (``AttractInvites.decide``) to a word
    that asked for the kiosk."""
    if action.startswith("language:"):
        flow.set_language(action.split(":", 1)[1])
    flow.wake()
    if action == "call_staff":
        flow.call_staff()


WAKE_BUTTON = Button("wake")
"""What "hello" and the other greetings mean on the attract screen (``speech.grammar``)."""

__all__ = ["WAKE_BUTTON", "AttractInvites", "wake_for"]
