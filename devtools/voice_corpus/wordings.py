"""What patients say at a front desk, per dialog step, with the intent each must give.

Written as people talk (fillers, politeness, half sentences), not as the grammar lists
phrases: the corpus measures paraphrases the recognizer was not written for. Plus
what the kiosk must NOT act on: lobby questions, coughs, a phone, two people at once.

The day is the hub's sample morning on ``TODAY`` (``hub.sample.sample_morning``): its
first names and birth dates. Outcome clips offer every option of ``OPTIONS``, with
``ALTERNATIVE`` as the other provider ("see another doctor").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from devtools.voice_corpus.spoken_dates import say_date
from hub.sample import sample_morning
from speech.intents import Step

TODAY = date(2025, 6, 2)
OPTIONS = ("waiting_late", "return_later", "other_provider", "front_desk", "reschedule")
PROVIDERS = ("Dr. Ana Martinez", "Dr. Wei Chen", "Dr. Ngozi Okafor", "Dr. Raj Patel")
ALTERNATIVE = "Dr. Ngozi Okafor"
NON_SPEECH = ("cough", "throat", "ring", "noise")
"""Kinds of out-of-domain clip made without a synthesizer (``devtools.voice_corpus.sounds``)."""


@dataclass(frozen=True)
class Wording:
    """One thing a patient says (or a sound the kiosk hears) and what it must mean."""

    text: str
    step: Step
    intent: str  # a manifest label (devtools.voice_corpus.manifest)
    say: str = ""  # what the synthesizer is fed when it differs from ``text`` ("espanyol")
    kind: str = "speech"  # speech | two_talkers | cough | throat | ring | noise
    dob_booked: bool | None = None

    @property
    def out_of_domain(self) -> bool:
        return self.intent == "reject"

    @property
    def spoken(self) -> str:
        return self.say or self.text


_YES = ["yes", "yes please", "yeah", "yep", "yup", "sure", "uh huh", "yes i am", "i am", "sure thing",
        "yeah that's right", "yes ma'am", "okay yes", "definitely", "absolutely", "mm hmm yes"]  # fmt: skip
_NO = ["no", "no thanks", "no thank you", "nope", "nah", "not right now", "no i'm okay", "no i'm fine",
       "not today", "no not yet", "nah i'm good", "no sorry"]  # fmt: skip
_CHECK_IN = ["check in", "i'm here to check in", "i want to check in", "i'd like to check in",
             "i have an appointment", "i'm here for my appointment", "checking in please",
             "i have an appointment at ten", "i'm here to see the doctor", "i need to check in",
             "hi i'm checking in", "appointment", "i'm here for my nine thirty",
             "i have a doctor's appointment", "can i check in please",
             "yes i'm here to check in"]  # fmt: skip
_CALL_STAFF = ["call staff", "can i talk to a person", "get me someone", "is there a receptionist",
               "i'd like to speak to someone", "can i speak to a real person", "i want to talk to somebody",
               "call the nurse", "can someone come out here", "get the front desk", "i need a person",
               "where is everybody", "can you get somebody", "talk to a human", "call someone please",
               "i need to speak with the staff"]  # fmt: skip
_HELP = ["help", "i need help", "help me", "can you help me", "i don't understand", "what do i do",
         "how does this work", "help me please", "i'm confused", "i'm not sure what to do",
         "what am i supposed to say", "i don't know how to use this", "what", "sorry what",
         "can you say that again", "i need some help here"]  # fmt: skip
_SPANISH = [("espanol", "espanyol"), ("spanish", ""), ("spanish please", ""), ("in spanish", ""),
            ("do you speak spanish", ""), ("can we do this in spanish", ""), ("en espanol por favor",
            "en espanyol por favor"), ("habla espanol", "ahblah espanyol"), ("spanish language", ""),
            ("i speak spanish", ""), ("switch to spanish", ""), ("is there spanish", "")]  # fmt: skip
_ENGLISH = ["english", "english please", "in english", "i speak english", "back to english",
            "can we switch to english", "english is fine", "english language", "switch to english",
            "do it in english"]  # fmt: skip
_CONFIRM_YES = ["yes that's me", "yep", "correct", "that's right", "yes", "that's me", "yeah that's me",
                "yes that's correct", "right", "uh huh that's me", "yes it is", "that's correct",
                "yeah", "sounds right", "yes that's my appointment", "exactly", "you got it",
                "mm hmm"]  # fmt: skip
_CONFIRM_NO = ["no", "nope", "no that's not me", "wrong person", "that's not me", "no that's wrong",
               "that's not right", "no it isn't", "not me", "no that's someone else", "incorrect",
               "no wrong one", "that's not my appointment", "no i'm with a different doctor",
               "no that's not my name", "nah that's not me"]  # fmt: skip
_OUTCOME: dict[str, list[str]] = {
    "waiting_late": ["i'll wait", "i can wait", "i'll just wait", "that's fine i'll wait", "wait",
                     "i don't mind waiting", "i'll stay", "i'll wait here", "i can stay", "ok i'll wait",
                     "i'll sit down and wait", "i'll stick around"],
    "return_later": ["i'll come back later", "come back later", "i'll come back", "i'll be back later",
                     "i'll leave and come back", "i'll come back in a bit", "i'll return later",
                     "i'll go and come back", "i'll pop out and come back", "come back",
                     "i'll step out and come back", "let me come back later"],
    "other_provider": ["see another doctor", "another doctor", "can i see someone else",
                       "i'll see the other doctor", "can i see doctor okafor", "doctor okafor",
                       "okafor is fine", "i'll see a different doctor", "the other doctor",
                       "any other doctor is fine", "see doctor okafor please", "someone else is fine"],
    "front_desk": ["talk to the front desk", "front desk", "i'll go to the front desk",
                   "i'll talk to the desk", "the front desk please", "i'll ask at the desk",
                   "send me to the front desk", "i'll go to reception", "reception",
                   "let me talk to the front desk", "i'd rather talk to the desk"],
    "reschedule": ["reschedule", "i'd like to reschedule", "can i reschedule", "make a new appointment",
                   "another day", "let's reschedule", "i want a new appointment",
                   "can we do another day", "book me for another day", "i'll reschedule",
                   "a different day please", "new appointment please"],
}  # fmt: skip
_RETRY_YES = ["try again", "yes try again", "let me try again", "one more time", "again please",
              "sure try again", "let's try that again", "okay again", "can i try again"]  # fmt: skip
_RETRY_NO = ["no thanks", "never mind", "forget it", "no", "no that's okay", "nope", "not again"]
_NAME_FRAMES = ("{}", "it's {}", "my name is {}", "i'm {}", "{} please", "this is {}", "uh {}")
_STAFF_ELSEWHERE = ["can i talk to a person", "i need a person", "get me someone", "call staff"]
_HELP_ELSEWHERE = ["i need help", "help", "i don't understand", "what do i do"]
_STILL_HERE = ["yes", "yes i'm still here", "i'm still here", "still here", "yeah i'm here"]
"""Answers to the idle warning ("Are you still there?")."""
_LOBBY = ["what's the wifi password", "where is the bathroom", "how long is parking",
          "is there a pharmacy nearby", "can i get a glass of water", "i'm just waiting for my wife",
          "sorry i was on the phone", "hold on one second", "do you validate parking",
          "where are the elevators", "is it going to rain today", "um let me think",
          "how much longer is it going to be out there", "my kid needs the restroom",
          "do you have a pen", "what floor is radiology on", "it's cold in here",
          "which way is the exit", "i'm here to pick up my mother", "can i charge my phone here"]  # fmt: skip
BABBLE = ["did you see the game last night it was unbelievable",
          "i told her we would be there around four but traffic was terrible",
          "the pharmacy closes early on saturdays so we should hurry",
          "my sister is flying in next week and staying with us for a while",
          "they changed the bus schedule again and nobody told anyone",
          "we need to pick up groceries on the way home tonight",
          "i think the coffee machine downstairs is broken again",
          "the kids have a soccer tournament all weekend long",
          "have you tried that new restaurant across the street",
          "the insurance company sent me another letter about the bill",
          "my knee has been bothering me ever since the winter",
          "she said the results should come back by friday afternoon"]  # fmt: skip
"""Lobby chatter for babble and for two people talking: never a target wording."""


def schedule() -> tuple[tuple[date, ...], tuple[str, ...]]:
    """The day's booked birth dates and first names (the sample morning on ``TODAY``)."""
    plan = sample_morning(TODAY)
    dobs = tuple(sorted({date.fromisoformat(a.dob) for a in plan.appointments}))
    names = tuple(sorted({a.first_name for a in plan.appointments}))
    return dobs, names


SHORTLIST = 3
"""Names the kiosk offers at the first-name step: only the patients booked with the birth date
just given (``speech.dialog.Vocabulary.names_for``), a handful, never the whole day."""


def name_shortlist(names: tuple[str, ...], wording: Wording, seed: int) -> tuple[str, ...]:
    """The first names offered with ``wording`` at the first-name step: its own name (when it
    says one) and others of the day, ``SHORTLIST`` in all, picked by ``seed``."""
    own = [wording.intent.split(":", 1)[1]] if wording.intent.startswith("name:") else []
    others = [n for n in names if n not in own]
    picked = own + random.Random(seed).sample(others, min(len(others), SHORTLIST - len(own)))
    return tuple(sorted(picked))


def unbooked_dates(count: int, booked: tuple[date, ...], seed: int) -> list[date]:
    """``count`` plausible birth dates nobody on the schedule has (seeded)."""
    rng = random.Random(seed)
    taken, out = set(booked), list[date]()
    while len(out) < count:
        born = date(1938, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
        if born not in taken:
            taken.add(born)
            out.append(born)
    return out


def _simple(step: Step, label: str, texts: list[str]) -> list[Wording]:
    return [Wording(t, step, label) for t in texts]


def _greeting() -> list[Wording]:
    g = Step.GREETING
    out = _simple(g, "yes", _YES) + _simple(g, "no", _NO) + _simple(g, "check_in", _CHECK_IN)
    out += _simple(g, "call_staff", _CALL_STAFF) + _simple(g, "help", _HELP)
    out += [Wording(t, g, "language:es", say=s) for t, s in _SPANISH]
    return out + _simple(g, "language:en", _ENGLISH)


def _steps_after_greeting(names: tuple[str, ...], dobs: tuple[date, ...], seed: int) -> list[Wording]:
    c, o, r, n = Step.CONFIRM, Step.OUTCOME, Step.RETRY, Step.CHOOSE_NAME
    out = _simple(c, "yes", _CONFIRM_YES) + _simple(c, "no", _CONFIRM_NO)
    for option, texts in _OUTCOME.items():
        out += _simple(o, f"choice:{option}", texts)
    out += _simple(r, "yes", _RETRY_YES) + _simple(r, "no", _RETRY_NO)
    for i, name in enumerate(names):  # two frames per name, rotating
        for frame in (_NAME_FRAMES[i % len(_NAME_FRAMES)], _NAME_FRAMES[(i + 3) % len(_NAME_FRAMES)]):
            out.append(Wording(frame.format(name.lower()), n, f"name:{name}"))
    out += _simple(n, "no", ["none of those", "no that's not me"])
    for step in (Step.DATE_OF_BIRTH, c, o, n, Step.COMMON):
        out += _simple(step, "call_staff", _STAFF_ELSEWHERE) + _simple(step, "help", _HELP_ELSEWHERE)
    out += _simple(Step.STILL_HERE, "yes", _STILL_HERE)
    rng = random.Random(seed)
    booked = rng.sample(list(dobs), min(len(dobs), 40))
    for i, born in enumerate(booked):
        out.append(Wording(say_date(born, i), Step.DATE_OF_BIRTH, f"dob:{born}", dob_booked=True))
    for i, born in enumerate(unbooked_dates(30, dobs, seed + 1)):
        out.append(Wording(say_date(born, i + 5), Step.DATE_OF_BIRTH, f"dob:{born}", dob_booked=False))
    return out


_OOD_STEPS = (Step.GREETING, Step.CONFIRM, Step.OUTCOME, Step.DATE_OF_BIRTH, Step.CHOOSE_NAME)


def _out_of_domain() -> list[Wording]:
    out = [Wording(t, _OOD_STEPS[i % len(_OOD_STEPS)], "reject") for i, t in enumerate(_LOBBY)]
    for i in range(6):  # two people at once: two chatter lines summed ("a / b")
        text = f"{BABBLE[i]} / {BABBLE[-1 - i]}"
        out.append(Wording(text, _OOD_STEPS[i % len(_OOD_STEPS)], "reject", kind="two_talkers"))
    for k, kind in enumerate(NON_SPEECH):
        for i in range(5):  # the variant number is the "wording": tune or held out as a whole
            step = _OOD_STEPS[(i + k) % len(_OOD_STEPS)]
            out.append(Wording("", step, "reject", say=f"{kind}#{i}", kind=kind))
    return out


def wordings(seed: int = 13) -> list[Wording]:
    """Every wording of the corpus, in a fixed order (``seed`` picks the dates)."""
    dobs, names = schedule()
    return _greeting() + _steps_after_greeting(names, dobs, seed) + _out_of_domain()
