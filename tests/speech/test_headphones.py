"""Private listening: speech to the headphones while they are chosen, and only there. The
jack parser on amixer's own text format, the real ``amixer`` reader on this machine (no
sound card: unknown, so "auto" stays on the speaker), a scripted jack behind the same
``JackSource`` interface, the config path, and the real speaker (espeak-ng) through the
patient's volume into the routed sink."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config.loader import settings_from_mapping
from config.settings import Settings, SpeechSettings
from core.errors import ConfigError
from kiosk.voice import _private_listening
from speech.audio import Audio
from speech.headphones import AmixerJack, RoutedSink, choose_output, parse_amixer_jacks
from speech.tts import HalfDuplex, MemorySink, Pyttsx3Synthesizer, Speaker
from speech.volume import VolumeSink

# `amixer -c 0 contents` on an HD-audio laptop codec (trimmed): mixer controls, then the
# read-only jack controls on the card interface.
HDA_CONTENTS = """numid=1,iface=MIXER,name='Master Playback Switch'
  ; type=BOOLEAN,access=rw------,values=1
  : values=on
numid=2,iface=MIXER,name='Master Playback Volume'
  ; type=INTEGER,access=rw---R--,values=1,min=0,max=87,step=0
  : values=60
  | dBscale-min=-65.25dB,step=0.75dB,mute=0
numid=17,iface=CARD,name='Mic Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values=on
numid=18,iface=CARD,name='Headphone Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values={state}
numid=19,iface=CARD,name='Speaker Phantom Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values=on
"""
FRONT_AND_REAR = """numid=20,iface=CARD,name='Front Headphone Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values=off
numid=21,iface=CARD,name='Headphone Jack'
  ; type=BOOLEAN,access=r-------,values=1
  : values=on
"""
# `amixer -c 0 contents` on a Raspberry Pi's bcm2835 headphones card: no jack control.
PI_CONTENTS = """numid=2,iface=MIXER,name='PCM Playback Switch'
  ; type=BOOLEAN,access=rw------,values=1
  : values=on
numid=1,iface=MIXER,name='PCM Playback Volume'
  ; type=INTEGER,access=rw---R--,values=1,min=-10239,max=400,step=0
  : values=-2000
  | dBscale-min=-102.39dB,step=0.01dB,mute=1
"""


def test_the_parser_reads_the_headphone_jack_and_nothing_else() -> None:
    assert parse_amixer_jacks(HDA_CONTENTS.format(state="on")) is True
    assert (
        parse_amixer_jacks(HDA_CONTENTS.format(state="off")) is False
    )  # the mic and phantom jacks are not it
    assert parse_amixer_jacks(FRONT_AND_REAR) is True  # any of several
    assert parse_amixer_jacks(PI_CONTENTS) is None  # the card does not say
    assert parse_amixer_jacks("") is None and parse_amixer_jacks("garbage\n: values=on") is None


def test_the_real_amixer_reader_without_a_card_is_unknown_and_auto_stays_on_the_speaker() -> None:
    jack = AmixerJack(card="7")  # no such card here (nor, in a CI box, any card)
    assert jack.plugged() is None
    assert choose_output("auto", jack) == "speaker"


class ScriptedJack:
    """A jack that reads what the test says (the ``JackSource`` interface)."""

    def __init__(self, state: bool | None) -> None:
        self.state = state

    def plugged(self) -> bool | None:
        return self.state


def _clip() -> Audio:
    import numpy as np

    return Audio(np.full(160, 1000, np.int16), 16000)


def test_speech_goes_only_where_it_is_chosen_and_follows_a_plug() -> None:
    jack = ScriptedJack(False)
    speaker, headphones = MemorySink(), MemorySink()
    routed = RoutedSink(speaker, headphones, "auto", jack)
    routed.play(_clip())
    jack.state = True  # plugged in between two sentences
    routed.play(_clip())
    routed.play(_clip())
    jack.state = None  # the reader lost the card: not private any more, so back to the speaker
    routed.play(_clip())
    assert (len(speaker.pieces), len(headphones.pieces)) == (2, 2)
    forced_speaker, forced_phones = MemorySink(), MemorySink()
    forced = RoutedSink(forced_speaker, forced_phones, "headphones", ScriptedJack(False))
    forced.play(_clip())
    assert (len(forced_speaker.pieces), len(forced_phones.pieces)) == (0, 1)  # config: only there
    with pytest.raises(ValueError, match="not one of"):
        RoutedSink(speaker, headphones, "both", None)


def test_the_real_speaker_and_the_patients_volume_reach_the_headphones_only() -> None:
    synth = Pyttsx3Synthesizer(timeout_s=10)
    speaker_out, phones_out = MemorySink(), MemorySink()
    volume = VolumeSink(RoutedSink(speaker_out, phones_out, "auto", ScriptedJack(True)))
    voice = Speaker(synth, volume, HalfDuplex(tail_s=0.0), lambda _caption: None)
    try:
        volume.set_level(1)
        voice.say("What is your date of birth?")
        assert voice.wait_idle(60)
    finally:
        voice.close()
        synth.close()
    assert speaker_out.pieces == [] and len(phones_out.played) == 1
    said = phones_out.played[0]
    assert len(said.samples) > said.rate // 2  # a sentence, not a click


def test_the_config_chooses_the_route() -> None:
    headphones = replace(Settings(), speech=SpeechSettings(output="headphones", headphone_jack_card=""))
    routed = _private_listening(headphones, MemorySink())
    assert isinstance(routed, RoutedSink) and routed.mode == "headphones" and routed.jack is None
    auto = _private_listening(Settings(), MemorySink())  # the default: auto, card 0's jack
    assert isinstance(auto, RoutedSink) and isinstance(auto.jack, AmixerJack) and auto.jack.card == "0"
    plain = MemorySink()
    assert _private_listening(replace(Settings(), speech=SpeechSettings(output="speaker")), plain) is plain
    with pytest.raises(ConfigError, match="output"):
        settings_from_mapping({"speech": {"output": "earbuds"}}, read_secrets=False)
