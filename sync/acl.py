"""Mosquitto ACL for one site: the hub writes hub state; each kiosk writes only its own
topics and reads what a kiosk needs - including its own ``hub/result/<id>`` and
``hub/ack/<id>``, never another kiosk's (``TopicTree.kiosk_subscriptions``). No kiosk may
write under ``hub/``: an acknowledgement only the hub can give. A phone line (a kiosk
login named in ``line_users``) also reads its own ``hub/caller/<id>``, the hub's answers
to its caller-ID lookups; no other login but the hub reads them (the practice's terminal,
which reads the rest of the site, is denied the questions and the answers), so a kiosk's
credential may ask (on its own branch) but never learns the answer. Written into a site's
broker by `kiosk hub broker-config` (hub/broker_config.py), and used by the tests' broker.

A site whose hub runs centrally has no hub login of its own (``hub_user`` empty): the day
and statuses arrive over the site broker's bridge, which no ACL of the site applies to."""

from __future__ import annotations

from collections.abc import Iterable

from sync.bridge_state import BRIDGE_STATES
from sync.topics import TopicTree


def render_acl(
    tree: TopicTree,
    hub_user: str,
    kiosk_users: Iterable[str],
    practice_users: Iterable[str] = (),
    line_users: Iterable[str] = (),
) -> str:
    """``line_users``: the phone lines among ``kiosk_users`` (a line not also a kiosk is added)."""
    lines_ = list(line_users)
    kiosks = list(kiosk_users)
    kiosks += [line for line in lines_ if line not in kiosks]
    base = tree.base
    lines = [f"# kiosk ACL for {base}", ""]
    # Every login may read the bridges' state (retained, published by the broker itself):
    # kiosks hold back resends while the uplink is down, hubs and terminals show it.
    states = f"topic read {BRIDGE_STATES}"
    if hub_user:
        lines += [f"user {hub_user}", f"topic readwrite {base}/#", states, ""]
    for user in practice_users:
        # The practice's CLI: send commands and questions to the hub, read its answers.
        lines += [
            f"user {user}",
            f"topic write {tree.hub_command()}",
            f"topic write {tree.hub_command_ack()}",
            f"topic write {tree.hub_query()}",
            f"topic read {tree.request_result('cli')}",
            # A line's caller-ID questions (a caller's number) and answers are the line's and the hub's.
            f"topic deny {tree.caller_lookup('+')}",
            f"topic deny {tree.caller_match('+')}",
            f"topic read {base}/#",
            states,
            "",
        ]
    for kiosk in kiosks:
        lines += [f"user {kiosk}"]
        subscriptions = tree.line_subscriptions(kiosk) if kiosk in lines_ else tree.kiosk_subscriptions(kiosk)
        lines += [f"topic read {sub}" for sub in subscriptions]
        lines += [f"topic readwrite {base}/kiosk/{kiosk}/#", states, ""]
    return "\n".join(lines) + "\n"
