"""Per check-in metrics with no patient data: time from first touch to done, the path
taken, abandonment and errors. Aggregates go into the kiosk's health telemetry."""

from __future__ import annotations

import statistics
from collections import Counter


class FlowMetrics:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._durations: list[float] = []
        self._started: float | None = None

    def started(self, mono: float) -> None:
        if self._started is None:
            self._started = mono
            self.counts["sessions"] += 1

    def completed(self, mono: float, method: str, choice: str) -> None:
        self.counts["completed"] += 1
        self.counts[f"path_{method or 'unknown'}"] += 1
        self.counts[f"outcome_{choice}"] += 1
        if self._started is not None:
            self._durations.append(mono - self._started)
            self._durations = self._durations[-500:]
        self._started = None

    def abandoned(self, mono: float, screen: str) -> None:
        if self._started is not None:
            self.counts["abandoned"] += 1
            self.counts[f"abandoned_at_{screen}"] += 1
        self._started = None

    def error(self, kind: str) -> None:
        self.counts[f"error_{kind}"] += 1

    def staff_called(self) -> None:
        self.counts["staff_called"] += 1

    def summary(self) -> dict[str, float]:
        out = {f"checkin_{k}": float(v) for k, v in self.counts.items()}
        if self._durations:
            out["checkin_seconds_p50"] = round(statistics.median(self._durations), 1)
        return out
