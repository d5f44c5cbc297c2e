"""The line's event loop at a real-time priority (SCHED_RR), as media servers run theirs
(Asterisk ``-p``, FreeSWITCH ``-rp``): the RTP pacer must wake every 20 ms, and on a busy
machine the ordinary scheduler left it 50-100 ms late (measured: the loop's 10 ms sleeps
p99 66 ms late at load 10 on two cores; 1.7 ms under SCHED_RR).

Only the calling thread (the event loop's) is raised, with SCHED_RESET_ON_FORK, so threads
and processes it starts afterwards (the sync worker, ``asyncio.to_thread``, espeak-ng)
run at the ordinary priority: nothing that can spin holds the CPU at real-time priority.
The line's own work is small (about 0.2 % of a core per call), and the kernel keeps 5 % of
every second for ordinary tasks anyway (``sched_rt_runtime_us``).

It needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least the priority (the unit's
``LimitRTPRIO=``); without either the line runs at the ordinary priority and says so once.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def raise_loop_priority(priority: int) -> bool:
    """SCHED_RR at ``priority`` for the calling thread; False (logged) when not allowed or
    ``priority`` is 0 (off)."""
    if priority <= 0:
        return False
    policy = getattr(os, "SCHED_RR", None)
    reset = getattr(os, "SCHED_RESET_ON_FORK", 0)
    if policy is None or not hasattr(os, "sched_setscheduler"):
        log.warning("real-time scheduling is not available here: RTP pacing at the ordinary priority")
        return False
    try:
        os.sched_setscheduler(0, policy | reset, os.sched_param(priority))
    except (PermissionError, OSError) as exc:
        log.warning(
            "RTP pacing at the ordinary priority: SCHED_RR %d refused (%s); give the service "
            "LimitRTPRIO=%d (systemd/kiosk-phone.service)",
            priority,
            type(exc).__name__,
            priority,
        )
        return False
    return True


def ordinary_priority() -> None:
    """The calling thread back to the ordinary scheduler (the line stopping: the loop's
    thread may go on to other work, e.g. in tests)."""
    if hasattr(os, "sched_setscheduler"):
        try:
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        except OSError as exc:  # lowering is always allowed; say so if it was not
            log.warning("could not return to the ordinary priority: %s", type(exc).__name__)


__all__ = ["ordinary_priority", "raise_loop_priority"]
