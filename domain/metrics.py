"""Per check-in metrics with no patient data: time from first touch to done, the path
taken, voice sessions finished by touch, abandonment and errors. Aggregates go into the
kiosk's health telemetry (keys ``checkin_*``) and from there into the hub's charts; the
counts start again each day, so a health report carries that day's figures."""

from __future__ import annotations

import statistics
from collections import Counter

# Upper bounds (seconds) of the time-to-check-in buckets the hub charts; the last is open.
TIME_BUCKETS_S = (15, 30, 60, 120, 300)


def bucket_name(seconds: float) -> str:
    for bound in TIME_BUCKETS_S:
        if seconds <= bound:
            return f"seconds_le_{bound}"
    return f"seconds_gt_{TIME_BUCKETS_S[-1]}"


class FlowMetrics:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.day = ""
        self._durations: list[float] = []
        self._started: float | None = None
        self._voice = False

    def started(self, mono: float, day: str = "") -> None:
        if day and day != self.day:
            self.counts.clear()
            self._durations.clear()
            self.day = day
        if self._started is None:
            self._started = mono
            self._voice = False
            self.counts["sessions"] += 1

    def heard_voice(self) -> None:
        """The patient used voice in this session (a spoken answer was acted on)."""
        if self._started is not None and not self._voice:
            self._voice = True
            self.counts["voice_sessions"] += 1

    def completed(self, mono: float, method: str, choice: str) -> None:
        self.counts["completed"] += 1
        self.counts[f"path_{method or 'unknown'}"] += 1
        self.counts[f"outcome_{choice}"] += 1
        if self._voice and method != "voice":
            self.counts["voice_to_touch"] += 1  # started by voice, finished on the screen
        if self._started is not None:
            took = mono - self._started
            self.counts[bucket_name(took)] += 1
            self._durations.append(took)
            self._durations = self._durations[-500:]
        self._end()

    def abandoned(self, mono: float, screen: str) -> None:
        if self._started is not None:
            self.counts["abandoned"] += 1
            self.counts[f"abandoned_at_{screen}"] += 1
            if self._voice:
                self.counts["abandoned_after_voice"] += 1
        self._end()

    def error(self, kind: str) -> None:
        self.counts[f"error_{kind}"] += 1

    def staff_called(self) -> None:
        self.counts["staff_called"] += 1

    def summary(self) -> dict[str, float]:
        out = {f"checkin_{k}": float(v) for k, v in self.counts.items()}
        if self._durations:
            out["checkin_seconds_p50"] = round(statistics.median(self._durations), 1)
        return out

    def _end(self) -> None:
        self._started = None
        self._voice = False
