"""What happened on each call, told to the hub when the call ends (the dashboard's calls
card): a pure tracker per call, and the watcher that feeds it from the call and hands the
report to the line's outbox. Outcome kinds only (``sync.call_report``): the report names
neither the caller's number nor what they keyed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from phone.call import Call
from sync.call_report import CallOutcome, CallReport, report

log = logging.getLogger(__name__)

WATCH_S = 1.0  # how often a call is looked at for the end of its opening


@dataclass
class OutcomeTracker:
    """One call's outcomes. ``status_heard``: the opening (the providers' status) played
    to its end before any key was pressed; a caller who barged in with a key got what the
    key gave instead, and a caller who left before, with nothing else, hung up early."""

    outcomes: set[CallOutcome] = field(default_factory=set)

    def mark(self, outcome: CallOutcome) -> None:
        self.outcomes.add(outcome)

    def observe(self, speech_started: bool, speaking: bool, keys: int) -> None:
        if speech_started and not speaking and keys == 0:
            self.outcomes.add("status_heard")

    def report(self, seconds: float) -> CallReport:
        outcomes = set(self.outcomes) or {"hung_up_early"}
        return report(outcomes, seconds)


Submit = Callable[[Call, CallReport], Awaitable[None]]


class CallOutcomes:
    """The line's trackers, one per live call; ``watch`` runs for each call from INVITE to
    its end and then submits its report."""

    def __init__(self, submit: Submit) -> None:
        self._submit = submit
        self._trackers: dict[str, OutcomeTracker] = {}  # by the line's call id
        self._watchers: set[asyncio.Task[None]] = set()

    def begin(self, call: Call) -> None:
        self._trackers[call.call_id] = OutcomeTracker()
        task = asyncio.get_running_loop().create_task(self._watch(call))
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    def mark(self, call: Call, outcome: CallOutcome) -> None:
        tracker = self._trackers.get(call.call_id)
        if tracker is not None:
            tracker.mark(outcome)

    async def _watch(self, call: Call) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        tracker = self._trackers[call.call_id]
        try:
            while not call.ended.is_set():
                tracker.observe(call.stats.first_prompt_at is not None, call.speaking, len(call.stats.keys))
                with contextlib.suppress(TimeoutError):  # a look each WATCH_S until the end
                    await asyncio.wait_for(call.ended.wait(), WATCH_S)
            await self._submit(call, tracker.report(loop.time() - started))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a lost report costs the card a call, never the line
            log.error("call report failed", extra={"call": call.call_id, "error": type(exc).__name__})
        finally:
            self._trackers.pop(call.call_id, None)

    async def stop(self) -> None:
        """Wait (briefly) for the reports of calls that just ended."""
        if self._watchers:
            await asyncio.wait(set(self._watchers), timeout=5.0)


__all__ = ["CallOutcomes", "OutcomeTracker"]
