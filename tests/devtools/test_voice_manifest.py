"""The voice corpus's manifest: labels <-> intents, and a clip round-trips through JSON lines."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from devtools.voice_corpus.manifest import (
    Clip,
    ManifestError,
    intent_from_label,
    label_of,
    load_manifest,
    write_manifest,
)
from speech.intents import CallStaff, CheckIn, Choice, DateOfBirth, Help, Language, Name, No, Yes

LABELS = [
    ("yes", Yes()),
    ("no", No()),
    ("check_in", CheckIn()),
    ("call_staff", CallStaff()),
    ("help", Help()),
    ("language:es", Language("es")),
    ("language:en", Language("en")),
    ("dob:1982-03-04", DateOfBirth(date(1982, 3, 4))),
    ("name:Maria", Name("Maria")),
    ("choice:waiting_late", Choice("waiting_late")),
    ("reject", None),
]


@pytest.mark.parametrize(("label", "intent"), LABELS)
def test_labels_map_to_the_flows_intents_and_back(label: str, intent: object) -> None:
    assert intent_from_label(label) == intent
    assert label_of(intent_from_label(label)) == label


@pytest.mark.parametrize("label", ["", "maybe", "dob:1982-13-40", "language:fr", "name:", "choice"])
def test_a_bad_label_is_a_named_error(label: str) -> None:
    with pytest.raises(ManifestError, match="intent label"):
        intent_from_label(label)


def _clip(**over: object) -> Clip:
    base: dict[str, object] = {
        "wav": "wav/0001.wav", "text": "yes that's me", "step": "confirm", "intent": "yes",
        "synth": "espeak-ng", "voice": "en-us", "rate": 160, "condition": "pink_10db",
        "snr_db": 10.0, "split": "heldout", "today": "2025-06-02", "dobs": (),
        "names": ("Maria", "James"), "dob_booked": None, "out_of_domain": False,
    }  # fmt: skip
    base.update(over)
    return Clip(**base)  # type: ignore[arg-type]


def test_a_manifest_round_trips(tmp_path: Path) -> None:
    clips = [_clip(), _clip(wav="wav/2.wav", intent="dob:1982-03-04", step="date_of_birth",
                            dobs=("1982-03-04",), dob_booked=True, snr_db=None, condition="clean"),
             _clip(wav="wav/3.wav", text="", intent="reject", out_of_domain=True, split="tune")]  # fmt: skip
    path = tmp_path / "manifest.jsonl"
    assert write_manifest(path, clips) == 3
    assert load_manifest(path) == clips
    assert load_manifest(tmp_path) == clips
    assert set(json.loads(path.read_text().splitlines()[0])) == set(clips[0].to_json())


def test_a_malformed_line_names_the_line_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "manifest.jsonl"
    good = json.dumps(_clip().to_json())
    bad = dict(_clip().to_json(), rate="fast")
    path.write_text(good + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(ManifestError, match=r"manifest.jsonl:2: rate must be an integer"):
        load_manifest(path)
    path.write_text(good + "\n{not json\n")
    with pytest.raises(ManifestError, match=r":2: not JSON"):
        load_manifest(path)
    path.write_text(json.dumps({k: v for k, v in _clip().to_json().items() if k != "split"}) + "\n")
    with pytest.raises(ManifestError, match=r"missing keys \['split'\]"):
        load_manifest(path)


def test_the_bench_slice_keeps_every_room_and_only_held_out_clips() -> None:
    from devtools.bench_voice import heldout_slice

    rooms = ("clean", "phone", "babble_5db")
    clips = [_clip(wav=f"wav/{r}-{i}.wav", condition=r) for r in rooms for i in range(9)]
    clips += [_clip(wav=f"wav/tune-{i}.wav", split="tune") for i in range(9)]
    chosen = heldout_slice(clips, every=4)
    assert [c.wav for c in chosen if c.condition == "phone"] == [
        "wav/phone-0.wav",
        "wav/phone-4.wav",
        "wav/phone-8.wav",
    ]
    assert {c.condition for c in chosen} == set(rooms) and len(chosen) == 9
    assert all(c.split == "heldout" for c in chosen)
    assert heldout_slice(clips, every=1) == clips[:27]
