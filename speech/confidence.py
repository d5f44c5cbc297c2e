"""Rejection before action: whether a hypothesis is sure enough to act on. Pure.

A flat grammar always returns its nearest phrase, so the listener asks three questions of
every hypothesis before the dialog may act on it (``decide``):

- ``confidence``: the grammar path's score against a free phone loop, per frame (how much
  worse the grammar's words fit than the best the acoustics could do unconstrained);
- ``unexplained``: the share of the speech the grammar path spent on silence or filler
  ("wait" found inside "I'm just waiting for my wife");
- ``margin``: how far ahead of the best runner-up that means something *else* it is.

Confirmations of consequence (yes/no at the confirm step, "see another provider" at the
outcome) need the stricter ``Thresholds.consequential`` bars. Below a bar the decision is
"reprompt" and the dialog's miss handling takes over (the second miss: the screen).
Thresholds were tuned on the corpus's tune split only (docs/speech.md has the curve).
Where the step has an open pass (``speech.openpass``), the grammar's guess is acted on
only when the open pass's sentence means the same (``speech.openpass.combine``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from speech.intents import Choice, DateOfBirth, Intent, No, Step, Yes

ACT = "act"
REPROMPT = "reprompt"


@dataclass(frozen=True)
class Bars:
    """One set of bars a hypothesis must clear."""

    min_confidence: float = -15.0
    """Lowest grammar-vs-phone-loop score per frame (logmath units) still acted on."""
    max_unexplained: float = 0.3
    """Highest share of speech the grammar's path may leave to silence or filler."""
    min_margin: float = 0.0
    """Lowest lead per frame over the best runner-up with a different intent."""


@dataclass(frozen=True)
class Thresholds:
    """Ordinary answers, and the stricter bars for answers of consequence."""

    ordinary: Bars = field(default_factory=lambda: Bars(-7.0, 0.1, 0.0))
    consequential: Bars = field(default_factory=lambda: Bars(-2.0, 0.1, 1.0))
    dates: Bars = field(default_factory=lambda: Bars(5.0, 0.1, 1.0))
    """A birth date: the grammar's date paths fit almost anything, so the bar is high."""

    def scaled(self, offset: float) -> Thresholds:
        """Every confidence bar moved by ``offset`` (for sweeping the trade-off curve)."""
        return Thresholds(
            _moved(self.ordinary, offset), _moved(self.consequential, offset), _moved(self.dates, offset)
        )

    def bars(self, step: Step, intent: Intent) -> Bars:
        if isinstance(intent, DateOfBirth):
            return self.dates
        return self.consequential if consequential(step, intent) else self.ordinary


DEFAULT_THRESHOLDS = Thresholds()
OPEN_PASS_BARS = Thresholds(Bars(-4.0, 2.0), Bars(-1.0, 2.0))
"""The open pass's sentence against the phone loop (tuned on the corpus's tune split);
``unexplained`` is not measured for it (its model explains every word)."""


def _moved(bars: Bars, offset: float) -> Bars:
    return Bars(bars.min_confidence + offset, bars.max_unexplained, bars.min_margin)


@dataclass(frozen=True)
class Evidence:
    """What the recognizer measured about one hypothesis (``None``: not measured)."""

    confidence: float | None = None
    unexplained: float | None = None
    margin: float | None = None


def consequential(step: Step, intent: Intent) -> bool:
    """Answers that commit the patient: yes/no at the confirm step, another provider."""
    if step is Step.CONFIRM and isinstance(intent, Yes | No):
        return True
    return step is Step.OUTCOME and isinstance(intent, Choice) and intent.option == "other_provider"


def decide(
    step: Step, intent: Intent, evidence: Evidence, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> str:
    """``ACT`` when ``evidence`` clears the bars for ``intent`` at ``step``, else ``REPROMPT``.

    An engine that measures nothing (``None`` everywhere, e.g. vosk) is taken at its word.
    """
    bars = thresholds.bars(step, intent)
    if evidence.confidence is not None and evidence.confidence < bars.min_confidence:
        return REPROMPT
    if evidence.unexplained is not None and evidence.unexplained > bars.max_unexplained:
        return REPROMPT
    if evidence.margin is not None and evidence.margin < bars.min_margin:
        return REPROMPT
    return ACT


def margin(
    best: Intent, alternatives: tuple[tuple[str, float], ...], parse: Callable[[str], Intent | None]
) -> float | None:
    """Lead per frame of the best alternative over the first that means something else.

    ``alternatives`` are (text, score per frame), best first; ``None`` when no runner-up
    means anything different (nothing to be confused with).
    """
    if not alternatives:
        return None
    top = alternatives[0][1]
    for text, score in alternatives[1:]:
        other = parse(text)
        if other is not None and other != best:
            return top - score
    return None
