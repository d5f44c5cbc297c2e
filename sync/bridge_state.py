"""The state of a site's bridges to the central broker, as mosquitto publishes it
(``notifications true``): retained ``1`` on ``$SYS/broker/connection/<bridge>/state``
while the bridge is up, ``0`` (its Last Will at the centre, its own at the site) while it
is down. Read by kiosks (is the path to a central hub down?), hubs and the group's
terminals (each site's link on the dashboard). Pure: no paho."""

from __future__ import annotations

from dataclasses import dataclass

BRIDGE_STATES = "$SYS/broker/connection/+/state"  # the subscription (read-only in every ACL)
_PREFIX = "$SYS/broker/connection/"
_SUFFIX = "/state"


@dataclass(frozen=True)
class BridgeState:
    name: str  # the bridge's connection name: bridge-<site>
    up: bool
    since: str  # local ISO time the state was heard


def bridge_name(topic: str) -> str | None:
    """``bridge-north`` for its state topic; None for any other topic."""
    if not topic.startswith(_PREFIX) or not topic.endswith(_SUFFIX):
        return None
    name = topic[len(_PREFIX) : -len(_SUFFIX)]
    return name if name and "/" not in name else None


def parse_state(topic: str, payload: bytes, heard_at: str) -> BridgeState | None:
    """The state a notification says; None when the topic is not one or the payload is
    neither ``0`` nor ``1`` (mosquitto writes nothing else)."""
    name = bridge_name(topic)
    value = payload.strip()
    if name is None or value not in (b"0", b"1"):
        return None
    return BridgeState(name, value == b"1", heard_at)


class BridgeStates:
    """The newest state heard of each bridge. Written on one thread (a worker's), read
    from others as a whole dict replaced at each change."""

    def __init__(self) -> None:
        self._states: dict[str, BridgeState] = {}

    def note(self, topic: str, payload: bytes, heard_at: str) -> bool:
        """True when ``topic`` is a bridge's state (taken, or ignored when malformed)."""
        if bridge_name(topic) is None:
            return False
        state = parse_state(topic, payload, heard_at)
        if state is not None:
            before = self._states.get(state.name)
            if before is None or before.up != state.up:
                self._states = {**self._states, state.name: state}
        return True

    def all(self) -> list[BridgeState]:
        return sorted(self._states.values(), key=lambda s: s.name)

    def any_down(self) -> bool:
        return any(not s.up for s in self._states.values())


__all__ = ["BRIDGE_STATES", "BridgeState", "BridgeStates", "bridge_name", "parse_state"]
