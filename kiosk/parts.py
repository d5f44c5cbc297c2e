"""Start parts in order, stop them in reverse; one part's fault never stops the others.

A part that fails to start is logged with its name and the exception's type (never its
text, which may quote a payload) and shows as ``failed`` in ``health()``; the parts after
it still start, so a dead microphone leaves touch check-in working. Stopping visits every
part that was started or tried to start (a half-started part may hold a port or a thread),
in reverse order, and a part whose ``stop`` raises is logged and skipped, never blocking
the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger(__name__)

PartState = Literal["built", "running", "failed", "stopped", "stop failed"]


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Part:
    name: str
    start: Callable[[], object] = _nothing
    stop: Callable[[], object] = _nothing


@dataclass(frozen=True)
class PartHealth:
    name: str
    state: PartState
    error: str = ""  # the exception's type, never its text


class Lifecycle:
    """An ordered list of parts with one start and one stop."""

    def __init__(self, trace: Callable[[str], None] | None = None) -> None:
        self._parts: list[Part] = []
        self._health: dict[str, PartHealth] = {}
        self._trace = trace or (lambda _step: None)

    def add(self, part: Part) -> None:
        if part.name in self._health:
            raise ValueError(f"a part named {part.name!r} is already added")
        self._parts.append(part)
        self._health[part.name] = PartHealth(part.name, "built")
        self._trace(f"built {part.name}")

    def start(self) -> list[str]:
        """Start every part in order; returns the names of those that failed."""
        failed = []
        for part in self._parts:
            if self._health[part.name].state != "built":
                continue
            try:
                part.start()
            except Exception as exc:  # noqa: BLE001 - contained: reported in health, the rest start
                failed.append(part.name)
                self._health[part.name] = PartHealth(part.name, "failed", type(exc).__name__)
                log.error("part failed to start", extra={"part": part.name, "error": type(exc).__name__})
            else:
                self._health[part.name] = PartHealth(part.name, "running")
            self._trace(f"started {part.name}")
        return failed

    def stop(self) -> list[str]:
        """Stop in reverse order every part that started or tried to; returns those whose stop raised."""
        failed = []
        for part in reversed(self._parts):
            if self._health[part.name].state not in ("running", "failed"):
                continue
            try:
                part.stop()
            except Exception as exc:  # noqa: BLE001 - contained: the other parts must still stop
                failed.append(part.name)
                self._health[part.name] = PartHealth(part.name, "stop failed", type(exc).__name__)
                log.error("part failed to stop", extra={"part": part.name, "error": type(exc).__name__})
            else:
                self._health[part.name] = PartHealth(part.name, "stopped")
            self._trace(f"stopped {part.name}")
        return failed

    def health(self) -> dict[str, PartHealth]:
        return dict(self._health)

    def running(self, name: str) -> bool:
        health = self._health.get(name)
        return health is not None and health.state == "running"


__all__ = ["Lifecycle", "Part", "PartHealth", "PartState"]
