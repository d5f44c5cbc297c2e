"""Voice check-in: on-device recognition (pocketsphinx, vosk), speech out, and the pieces
the dialog driver binds to the check-in flow.

Engines and sound devices are imported lazily by the modules that need them.
"""

from speech.adapter import CheckInFlow, MissCounter, apply_intent
from speech.audio import Audio, EnergyVad, read_wav, write_wav
from speech.dialog import Vocabulary, VoiceDialog, schedule_vocabulary
from speech.grammar import StepGrammar, build_grammar, first_names
from speech.intents import (
    CallStaff,
    CheckIn,
    Choice,
    DateOfBirth,
    Help,
    Intent,
    Language,
    Name,
    No,
    Step,
    Yes,
)
from speech.listener import Heard, ListenConfig, Listener, WavSource
from speech.recognizer import Hypothesis, Recognizer, decode, make_recognizer
from speech.script import Turn, plan_turn
from speech.tts import HalfDuplex, MemorySink, Pyttsx3Synthesizer, Speaker

__all__ = [
    "Audio",
    "CallStaff",
    "CheckIn",
    "CheckInFlow",
    "Choice",
    "DateOfBirth",
    "EnergyVad",
    "HalfDuplex",
    "Heard",
    "Help",
    "Hypothesis",
    "Intent",
    "Language",
    "ListenConfig",
    "Listener",
    "MemorySink",
    "MissCounter",
    "Name",
    "No",
    "Pyttsx3Synthesizer",
    "Recognizer",
    "Speaker",
    "Step",
    "StepGrammar",
    "Turn",
    "Vocabulary",
    "VoiceDialog",
    "WavSource",
    "Yes",
    "apply_intent",
    "build_grammar",
    "decode",
    "first_names",
    "make_recognizer",
    "plan_turn",
    "read_wav",
    "schedule_vocabulary",
    "write_wav",
]
