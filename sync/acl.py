"""Mosquitto ACL for one site: the hub writes hub state; each kiosk writes only its own
topics and reads what a kiosk needs - including its own ``hub/result/<id>`` and
``hub/ack/<id>``, never another kiosk's (``TopicTree.kiosk_subscriptions``). No kiosk may
write under ``hub/``: an acknowledgement only the hub can give. Written into a site's
broker by `kiosk hub broker-config` (hub/broker_config.py), and used by the tests' broker.

A site whose hub runs centrally has no hub login of its own (``hub_user`` empty): the day
and statuses arrive over the site broker's bridge, which no ACL of the site applies to."""

from __future__ import annotations

from collections.abc import Iterable

from sync.bridge_state import BRIDGE_STATES
from sync.topics import TopicTree


def render_acl(
    tree: TopicTree, hub_user: str, kiosk_users: Iterable[str], practice_users: Iterable[str] = ()
) -> str:
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
            f"topic read {base}/#",
            states,
            "",
        ]
    for kiosk in kiosk_users:
        lines += [f"user {kiosk}"]
        lines += [f"topic read {sub}" for sub in tree.kiosk_subscriptions(kiosk)]
        lines += [f"topic readwrite {base}/kiosk/{kiosk}/#", states, ""]
    return "\n".join(lines) + "\n"
