"""The voice corpus's manifest: one typed ``Clip`` per WAV, JSON lines on disk.

``manifest.jsonl`` sits beside the WAVs; each line is one JSON object with exactly the
keys of ``Clip`` (``wav`` relative to the manifest's folder). The generator writes it
with ``write_manifest``, the evaluator reads it with ``load_manifest``, and both map an
intent label to the flow's ``Intent`` with ``intent_from_label`` -- one definition.

Labels: ``yes``, ``no``, ``check_in``, ``call_staff``, ``help``, ``language:es``,
``language:en``, ``dob:YYYY-MM-DD``, ``name:<First>``, ``choice:<option>``, and
``reject`` (out-of-domain: the kiosk must not act on it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import KioskError
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

MANIFEST_NAME = "manifest.jsonl"
REJECT = "reject"
SPLITS = ("tune", "heldout")


class ManifestError(KioskError):
    """A manifest line or an intent label is malformed. The message names the line and field."""


@dataclass(frozen=True)
class Clip:
    """One utterance of the corpus, as the evaluator needs it."""

    wav: str
    """Path of the 16 kHz mono int16 WAV, relative to the manifest's folder."""
    text: str
    """What was said ('' for non-speech: a cough, a ringing phone, noise)."""
    step: str
    """The dialog step it answers (a ``speech.intents.Step`` value)."""
    intent: str
    """The expected intent label (see the module doc); ``reject`` for out-of-domain."""
    synth: str
    """The synthesizer ("espeak-ng", "flite", "festival"; "none" for synthetic noises)."""
    voice: str
    """The synthesizer's voice id."""
    rate: int
    """Speaking rate in words per minute (nominal)."""
    condition: str
    """clean | phone | reverb | pink_20db ... | babble_10db ... | hum_5db."""
    snr_db: float | None
    """The speech-to-noise ratio mixed in (over the speech's active part), or null."""
    split: str
    """tune | heldout (by wording and by voice)."""
    today: str
    """The schedule's day, YYYY-MM-DD."""
    dobs: tuple[str, ...]
    """Birth dates booked that day (date step only; empty otherwise)."""
    names: tuple[str, ...]
    """First names on the schedule."""
    dob_booked: bool | None
    """Date step: whether the spoken date is booked today; null at other steps."""
    out_of_domain: bool
    """True when the kiosk must not act on this clip."""

    @property
    def step_enum(self) -> Step:
        return Step(self.step)

    @property
    def day(self) -> date:
        return date.fromisoformat(self.today)

    @property
    def dob_dates(self) -> tuple[date, ...]:
        return tuple(date.fromisoformat(d) for d in self.dobs)

    @property
    def expected(self) -> Intent | None:
        """The ``Intent`` the flow should receive (``None``: must be rejected)."""
        return intent_from_label(self.intent)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["dobs"], out["names"] = list(self.dobs), list(self.names)
        return out


_KEYS = tuple(f.name for f in fields(Clip))
_SIMPLE: dict[str, Intent] = {
    "yes": Yes(),
    "no": No(),
    "check_in": CheckIn(),
    "call_staff": CallStaff(),
    "help": Help(),
}


def intent_from_label(label: str) -> Intent | None:
    """``"dob:1982-03-04"`` -> ``DateOfBirth(date(1982, 3, 4))``; ``"reject"`` -> ``None``.

    Raises ``ManifestError`` naming the label when it is not one of the module's forms.
    """
    if label == REJECT:
        return None
    if label in _SIMPLE:
        return _SIMPLE[label]
    kind, sep, value = label.partition(":")
    if sep and value:
        if kind == "language" and value in ("en", "es"):
            return Language(value)
        if kind == "name":
            return Name(value)
        if kind == "choice":
            return Choice(value)
        if kind == "dob":
            try:
                return DateOfBirth(date.fromisoformat(value))
            except ValueError:
                raise ManifestError(f"intent label {label!r}: {value!r} is not a YYYY-MM-DD date") from None
    raise ManifestError(
        f"intent label {label!r} is not one of yes, no, check_in, call_staff, help, "
        "language:en|es, dob:YYYY-MM-DD, name:<First>, choice:<option>, reject"
    )


def label_of(intent: Intent | None) -> str:
    """The inverse of ``intent_from_label``."""
    match intent:
        case None:
            return REJECT
        case Language(code):
            return f"language:{code}"
        case Name(first):
            return f"name:{first}"
        case Choice(option):
            return f"choice:{option}"
        case DateOfBirth(value):
            return f"dob:{value.isoformat()}"
    for label, simple in _SIMPLE.items():
        if simple == intent:
            return label
    raise ManifestError(f"no label for intent {intent!r}")


def clip_from_json(obj: object, where: str = "clip") -> Clip:
    """Validate one decoded manifest object into a ``Clip`` (``ManifestError`` says what is wrong)."""
    if not isinstance(obj, dict):
        raise ManifestError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    missing = [k for k in _KEYS if k not in obj]
    extra = sorted(set(obj) - set(_KEYS))
    if missing or extra:
        raise ManifestError(f"{where}: missing keys {missing}, unexpected keys {extra}")
    _check(where, obj)
    snr = obj["snr_db"]
    return Clip(
        wav=obj["wav"],
        text=obj["text"],
        step=obj["step"],
        intent=obj["intent"],
        synth=obj["synth"],
        voice=obj["voice"],
        rate=int(obj["rate"]),
        condition=obj["condition"],
        snr_db=None if snr is None else float(snr),
        split=obj["split"],
        today=obj["today"],
        dobs=tuple(obj["dobs"]),
        names=tuple(obj["names"]),
        dob_booked=obj["dob_booked"],
        out_of_domain=bool(obj["out_of_domain"]),
    )


def _check(where: str, obj: dict[str, Any]) -> None:
    for key in ("wav", "text", "step", "intent", "synth", "voice", "condition", "split", "today"):
        if not isinstance(obj[key], str):
            raise ManifestError(f"{where}: {key} must be a string, got {obj[key]!r}")
    if not isinstance(obj["rate"], int) or isinstance(obj["rate"], bool):
        raise ManifestError(f"{where}: rate must be an integer (words per minute), got {obj['rate']!r}")
    if obj["snr_db"] is not None and not isinstance(obj["snr_db"], int | float):
        raise ManifestError(f"{where}: snr_db must be a number or null, got {obj['snr_db']!r}")
    for key in ("dobs", "names"):
        if not isinstance(obj[key], list) or not all(isinstance(v, str) for v in obj[key]):
            raise ManifestError(f"{where}: {key} must be a list of strings, got {obj[key]!r}")
    if obj["dob_booked"] not in (True, False, None):
        raise ManifestError(f"{where}: dob_booked must be true, false or null, got {obj['dob_booked']!r}")
    if not isinstance(obj["out_of_domain"], bool):
        raise ManifestError(f"{where}: out_of_domain must be true or false, got {obj['out_of_domain']!r}")
    if obj["split"] not in SPLITS:
        raise ManifestError(f"{where}: split {obj['split']!r} is not one of {SPLITS}")
    try:
        Step(obj["step"])
        date.fromisoformat(obj["today"])
        for d in obj["dobs"]:
            date.fromisoformat(d)
    except ValueError as exc:
        raise ManifestError(f"{where}: {exc}") from None
    intent_from_label(obj["intent"])


def load_manifest(path: str | Path) -> list[Clip]:
    """Every clip of ``manifest.jsonl`` (or of the folder holding one), in file order.

    A malformed line raises ``ManifestError`` naming the file, the line and the field.
    """
    file = Path(path)
    if file.is_dir():
        file = file / MANIFEST_NAME
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ManifestError(f"{file}: cannot read the manifest ({exc.strerror or exc})") from None
    clips = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ManifestError(f"{where}: not JSON ({exc.msg})") from None
        clips.append(clip_from_json(obj, where))
    return clips


def write_manifest(path: str | Path, clips: Iterable[Clip]) -> int:
    """Write ``clips`` as JSON lines (keys in ``Clip`` order); returns how many."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for clip in clips:
            out.write(json.dumps(clip.to_json(), ensure_ascii=False) + "\n")
            count += 1
    return count


def wav_path(manifest: str | Path, clip: Clip) -> Path:
    """The clip's WAV on disk (``wav`` is relative to the manifest's folder)."""
    base = Path(manifest)
    return (base if base.is_dir() else base.parent) / clip.wav
