"""Private listening (Section 508 402.3.1): speech goes to headphones when they are chosen,
and then only there.

``[speech] output`` chooses: "speaker", "headphones", or "auto" (headphones while the jack
reports a plug, else the speaker). The jack is read behind one interface, ``JackSource``:
``AmixerJack`` asks ALSA (``amixer -c CARD contents``; HD-audio and most USB codecs expose a
read-only "Headphone Jack" control on the card interface) and ``parse_amixer_jacks`` reads
that text. A card that reports no jack (the Raspberry Pi's own 3.5 mm socket has no detect
pin) reads ``None``: "auto" then stays on the speaker, and a clinic with such a socket sets
``output = "headphones"`` on a kiosk with a headset port. ``RoutedSink`` plays each clip to the
chosen sink only, asked per clip, so a plug or unplug takes effect at the next sentence.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
import time
from typing import Any, Protocol

from speech.audio import Audio
from speech.tts import AudioSink

log = logging.getLogger(__name__)

OUTPUTS = ("auto", "speaker", "headphones")
_CONTROL = re.compile(r"^numid=\d+,iface=(?P<iface>\w+),name='(?P<name>[^']*)'")
_VALUES = re.compile(r"^\s*:\s*values=(?P<value>\S+)")


class JackSource(Protocol):
    """Whether headphones are plugged in: True, False, or None when the hardware does not say."""

    def plugged(self) -> bool | None: ...


def parse_amixer_jacks(text: str) -> bool | None:
    """``amixer contents`` (or ``cget``) text -> whether a headphone jack control reads on.
    ``None`` when no headphone jack control is listed. Several (front, rear): any plugged."""
    found: list[bool] = []
    current = ""
    for line in text.splitlines():
        control = _CONTROL.match(line)
        if control:
            name = control["name"].lower()
            is_jack = control["iface"] == "CARD" and "headphone" in name and name.endswith("jack")
            current = name if is_jack else ""
            continue
        values = _VALUES.match(line)
        if values and current:
            found.append(values["value"].split(",")[0] == "on")
            current = ""
    return any(found) if found else None


class AmixerJack:
    """The jack as ALSA reports it, read with ``amixer`` (at most every ``cache_s``)."""

    def __init__(self, card: str = "0", cache_s: float = 0.5, timeout_s: float = 2.0) -> None:
        self.card = card
        self.cache_s = cache_s
        self.timeout_s = timeout_s
        self._read_at = -1e9
        self._state: bool | None = None
        self._warned = False
        self._lock = threading.Lock()

    def plugged(self) -> bool | None:
        with self._lock:
            now = time.monotonic()
            if now - self._read_at >= self.cache_s:
                self._read_at = now
                self._state = self._read()
            return self._state

    def _read(self) -> bool | None:
        amixer = shutil.which("amixer")
        if amixer is None:
            self._warn("amixer is not installed (alsa-utils)")
            return None
        try:
            done = subprocess.run(  # noqa: S603 - our argv; the card is from the settings file
                [amixer, "-c", self.card, "contents"],
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:  # no amixer, or it hung: unknown
            self._warn(f"amixer could not run ({exc})")
            return None
        if done.returncode != 0:
            self._warn(f"amixer -c {self.card}: {done.stderr.strip()[:200]}")
            return None
        return parse_amixer_jacks(done.stdout)

    def _warn(self, why: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("headphone jack unknown: %s; [speech] output 'auto' stays on the speaker", why)


def choose_output(mode: str, jack: JackSource | None) -> str:
    """'speaker' or 'headphones' for ``[speech] output`` = ``mode`` and the jack's state."""
    if mode not in OUTPUTS:
        raise ValueError(f"[speech] output: {mode!r} is not one of {OUTPUTS}")
    if mode != "auto":
        return mode
    return "headphones" if jack is not None and jack.plugged() is True else "speaker"


class RoutedSink:
    """Plays each clip to the speaker or to the headphones, never both (private listening)."""

    def __init__(self, speaker: AudioSink, headphones: AudioSink, mode: str, jack: JackSource | None) -> None:
        choose_output(mode, None)  # a bad mode fails here, at start
        self.speaker = speaker
        self.headphones = headphones
        self.mode = mode
        self.jack = jack
        self.last = ""
        """Where the last clip went ("speaker" or "headphones")."""

    def play(self, audio: Audio) -> None:
        chosen = choose_output(self.mode, self.jack)
        if chosen != self.last:
            log.info("speech output: %s", chosen)
            self.last = chosen
        (self.headphones if chosen == "headphones" else self.speaker).play(audio)

    def turn_ended(self) -> None:
        for sink in (self.speaker, self.headphones):
            ended: Any = getattr(sink, "turn_ended", None)
            if ended is not None:
                ended()


__all__ = ["OUTPUTS", "AmixerJack", "JackSource", "RoutedSink", "choose_output", "parse_amixer_jacks"]
