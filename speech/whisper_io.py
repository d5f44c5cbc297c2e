"""What Whisper needs around its CTranslate2 model: log-mel features and its vocabulary. Pure.

The kiosk loads ``ctranslate2.models.Whisper`` directly: importing faster-whisper costs 45 MB of
resident memory (PyAV, huggingface_hub) and its Rust tokenizer 24 MB more, against a budget of
350 MB for the whole kiosk. The features are Whisper's: a 25 ms Hann window every 10 ms, the power
spectrum through a Slaney-style mel filterbank, log10, floored 8 below the peak, scaled
``(x + 4) / 4``. The vocabulary is the model folder's byte-level BPE tokens (GPT-2's byte alphabet).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from core.errors import SpeechError

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160


def log_mel(samples: np.ndarray, n_mels: int = 80) -> np.ndarray:
    """Whisper's log-mel spectrogram of float32 ``samples`` at 16 kHz: (n_mels, frames)."""
    audio = np.asarray(samples, dtype=np.float32)
    padded = (
        np.pad(audio, N_FFT // 2, mode="reflect") if len(audio) > N_FFT // 2 else np.pad(audio, N_FFT // 2)
    )
    frames = 1 + (len(padded) - N_FFT) // HOP
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(frames)[:, None]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    spectrum = np.fft.rfft(padded[index] * window, axis=1)
    power = (np.abs(spectrum) ** 2).T[:, :-1]  # Whisper drops the last frame
    mel = mel_filters(n_mels) @ power
    log = np.log10(np.maximum(mel, 1e-10))
    log = np.maximum(log, log.max() - 8.0)
    scaled: np.ndarray = ((log + 4.0) / 4.0).astype(np.float32)
    return scaled


@cache
def mel_filters(n_mels: int) -> np.ndarray:
    """Triangular filters on the Slaney mel scale, area-normalized (librosa's defaults)."""
    bins = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOG_STEP = np.log(6.4) / 27.0


def _hz_to_mel(hz: float) -> float:
    return hz / _F_SP if hz < _MIN_LOG_HZ else _MIN_LOG_MEL + float(np.log(hz / _MIN_LOG_HZ)) / _LOG_STEP


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    linear = _F_SP * mels
    logged = _MIN_LOG_HZ * np.exp(_LOG_STEP * (mels - _MIN_LOG_MEL))
    return np.where(mels >= _MIN_LOG_MEL, logged, linear)


def _byte_alphabet() -> dict[str, int]:
    """GPT-2's printable stand-in for each byte (byte-level BPE), inverted: character -> byte."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    chars = list(printable)
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, chars, strict=True)}


class Vocabulary:
    """Token ids <-> text for a Whisper model folder (``vocabulary.txt``/``.json`` or ``tokenizer.json``)."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self._ids = {t: i for i, t in enumerate(tokens)}
        self._bytes = _byte_alphabet()
        self._longest = max((len(t) for t in tokens if not t.startswith("<|")), default=1)
        self.eot = self.id("<|endoftext|>")
        self.sot = self.id("<|startoftranscript|>")
        self.sot_prev = self.id("<|startofprev|>")
        self.no_timestamps = self.id("<|notimestamps|>")
        self.transcribe = self._ids.get("<|transcribe|>")
        self.english = self._ids.get("<|en|>")

    @classmethod
    def load(cls, folder: Path) -> Vocabulary:
        try:
            if (folder / "vocabulary.txt").is_file():
                lines = (folder / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
                return cls(lines[:-1] if lines and not lines[-1] else lines)
            if (folder / "vocabulary.json").is_file():
                return cls(
                    [str(t) for t in json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))]
                )
            data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SpeechError(f"whisper model {folder}: unreadable vocabulary ({exc})") from exc
        vocab: dict[str, int] = dict(data["model"]["vocab"])
        vocab.update({str(t["content"]): int(t["id"]) for t in data.get("added_tokens", [])})
        tokens = [""] * (max(vocab.values()) + 1)
        for token, i in vocab.items():
            tokens[i] = token
        return cls(tokens)

    def id(self, token: str) -> int:
        if token not in self._ids:
            raise SpeechError(f"whisper vocabulary has no {token} token")
        return self._ids[token]

    def start(self, multilingual: bool) -> list[int]:
        """The start of a transcript: <|startoftranscript|> (<|en|> <|transcribe|>) <|notimestamps|>."""
        head = [self.sot]
        if multilingual and self.english is not None and self.transcribe is not None:
            head += [self.english, self.transcribe]
        return [*head, self.no_timestamps]

    def decode(self, ids: list[int]) -> str:
        """Text of ``ids`` (special tokens and ids past the vocabulary skipped)."""
        pieces = "".join(
            self.tokens[i] for i in ids if i < len(self.tokens) and not self.tokens[i].startswith("<|")
        )
        raw = bytes(self._bytes[c] for c in pieces if c in self._bytes)
        return raw.decode("utf-8", errors="replace")

    def encode(self, text: str) -> list[int]:
        """``text`` as tokens, longest match first (valid tokens; not always BPE's own split,
        which a prompt does not need)."""
        inverse = {b: c for c, b in self._bytes.items()}
        chars = "".join(inverse[b] for b in text.encode("utf-8"))
        out: list[int] = []
        at = 0
        while at < len(chars):
            for size in range(min(self._longest, len(chars) - at), 0, -1):
                found = self._ids.get(chars[at : at + size])
                if found is not None:
                    out.append(found)
                    at += size
                    break
            else:
                at += 1  # a byte with no token of its own: left out
        return out
