"""The line's event loop at SCHED_RR (phone/realtime.py): only the calling thread is
raised, what it starts afterwards runs at the ordinary priority, and a refusal leaves the
line running, logged once. Each check runs in a thread of its own, so the test process's
own threads never change priority."""

from __future__ import annotations

import logging
import os
import resource
import threading
from collections.abc import Callable

import pytest

from phone.realtime import ordinary_priority, raise_loop_priority

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setscheduler"), reason="Linux scheduling calls")


def _in_thread(work: Callable[[], tuple[bool, int, int, int]]) -> tuple[bool, int, int, int]:
    out: list[tuple[bool, int, int, int]] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join(10)
    return out[0]


def _may_raise() -> bool:
    return os.geteuid() == 0 or resource.getrlimit(resource.RLIMIT_RTPRIO)[0] >= 5


@pytest.mark.skipif(not _may_raise(), reason="needs CAP_SYS_NICE or RLIMIT_RTPRIO >= 5")
def test_only_the_loop_thread_is_raised_and_what_it_starts_is_ordinary() -> None:
    def work() -> tuple[bool, int, int, int]:
        raised = raise_loop_priority(5)
        mine = os.sched_getscheduler(0)
        child: list[int] = []
        t = threading.Thread(target=lambda: child.append(os.sched_getscheduler(0)))
        t.start()
        t.join(10)
        ordinary_priority()
        return raised, mine, child[0], os.sched_getscheduler(0)

    raised, mine, child, after = _in_thread(work)
    assert raised
    assert mine & ~os.SCHED_RESET_ON_FORK == os.SCHED_RR and mine & os.SCHED_RESET_ON_FORK
    assert child == os.SCHED_OTHER  # the sync worker, to_thread, espeak-ng: ordinary
    assert after == os.SCHED_OTHER
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the test's own thread never changed


def test_a_refusal_leaves_the_ordinary_priority_and_says_how_to_allow_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    with caplog.at_level(logging.WARNING, logger="phone.realtime"):
        assert not raise_loop_priority(10)
    assert "LimitRTPRIO=10" in caplog.text
    assert not raise_loop_priority(0)  # off: not even tried
