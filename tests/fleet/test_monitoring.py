"""The group's view: at the central broker, the hubs and the group's terminals read every
site's tree - a site-run hub's mirrored tree too - and every bridge's state, and write
nowhere they must not; at a site, kiosks, the site's hub and its terminals read the
bridge's state. Real mosquitto brokers from the files `kiosk hub fleet-config` writes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devtools.fleet import PASSWORD, FleetNet, wait_until
from devtools.login_client import Got, LoginClient
from hub.sample import sample_morning
from hub.service import HubService
from sync.bridge_state import BRIDGE_STATES
from sync.topics import TopicTree
from tests.support.clock import wall_today

NORTH, SOUTH = TopicTree("acme", "north"), TopicTree("acme", "south")
BRIDGES = ("bridge-north", "bridge-south")


@pytest.fixture
def net(tmp_path: Path) -> Iterator[FleetNet]:
    group = FleetNet(tmp_path, ["north", "south"], 1, cuttable=("north",), site_hubs=("south",))
    group.start()
    try:
        yield group
    finally:
        group.stop()


def _login(net: FleetNet, user: str, port: int | None = None) -> LoginClient:
    return LoginClient(port or net.central_port, user, PASSWORD, net.ca_file, mqtt5=True).connect()


def _state(bridge: str, value: bytes) -> Callable[[Got], bool]:
    return lambda g: g.topic == f"$SYS/broker/connection/{bridge}/state" and g.payload == value


def _on(topic: str, payload: bytes) -> Callable[[Got], bool]:
    return lambda g: g.topic == topic and g.payload == payload


def _all_of(client: LoginClient, wanted: dict[str, Callable[[Got], bool]], timeout: float) -> None:
    """Every message ``wanted`` names, in whatever order they come: ``wait_for`` drops what
    it does not want, so waiting for one and then the other loses the other when it came
    first (retained bridge states arrive in the broker's order; a message mirrored up a
    bridge can come after one published at the centre later)."""
    deadline = time.monotonic() + timeout
    left = dict(wanted)

    def any_left(got: Got) -> bool:
        return any(want(got) for want in left.values())

    while left:
        got = client.wait_for(any_left, max(deadline - time.monotonic(), 0.001), " and ".join(left))
        for what in [what for what, want in left.items() if want(got)]:
            del left[what]


def _forbidden_write_never_arrives(
    net: FleetNet, observer: LoginClient, writer: str, topic: str, marker: tuple[str, str]
) -> None:
    """``writer`` writes ``topic`` (forbidden), then ``marker`` (user, allowed topic) is
    written on a new connection; the observer must get the marker and not the forgery.
    (Every client id is its user name: one connection per login at a time.)"""
    forger = _login(net, writer)
    forger.client.publish(topic, b"forged", qos=1)
    forger.close()
    after = _login(net, marker[0])
    after.publish(marker[1], b"marker")
    after.close()
    seen = observer.wait_for(lambda g: g.payload in (b"forged", b"marker"), 20, f"{writer}'s marker")
    assert seen.payload == b"marker", f"{writer} could write {topic}"


def test_hubs_and_terminals_at_the_centre_see_every_site_and_every_link(net: FleetNet) -> None:
    group = NORTH.base.rsplit("/", 1)[0]
    south_hub = _login(net, "hub-south", net.ports["south"].broker)  # runs at its site
    watchers = {user: _login(net, user) for user in ("desk", "hub-north")}
    try:
        for w in watchers.values():
            assert w.subscribe(f"{group}/#") == [1]
            assert w.subscribe(BRIDGE_STATES) == [1]
            ups = {f"{bridge} up, read at the centre": _state(bridge, b"1") for bridge in BRIDGES}
            _all_of(w, ups, 20)
        south_hub.publish(SOUTH.status("chen"), b"south v1", retain=True)  # mirrored up
        watchers["hub-north"].publish(NORTH.status("chen"), b"north v1", retain=True)
        for user, w in watchers.items():
            trees = {
                f"{user} reads the site-run hub's tree": _on(SOUTH.status("chen"), b"south v1"),
                f"{user} reads a central hub's tree": _on(NORTH.status("chen"), b"north v1"),
            }
            _all_of(w, trees, 20)

        # Read only where they must not write.
        watchers.pop("hub-north").close()
        _forbidden_write_never_arrives(
            net, watchers["desk"], "hub-north", SOUTH.status("chen"), ("hub-north", NORTH.status("x"))
        )
        watchers.pop("desk").close()
        observer = watchers["hub-north"] = _login(net, "hub-north")
        observer.subscribe(f"{group}/#")
        _forbidden_write_never_arrives(
            net, observer, "desk", SOUTH.hub_command(), ("desk", NORTH.hub_command())
        )
        observer.subscribe(BRIDGE_STATES)
        net.cut_uplink("north")
        observer.wait_for(_state("bridge-north", b"0"), 60, "a hub sees north's link down")
        net.restore_uplink("north")
        observer.wait_for(_state("bridge-north", b"1"), 60, "north's link up again")
    finally:
        for client in (*watchers.values(), south_hub):
            client.close()


def test_at_a_site_kiosks_the_hub_and_terminals_read_the_bridge_state(net: FleetNet) -> None:
    readers = {
        "north kiosk": _login(net, net.kiosk_ids["north"][0], net.ports["north"].broker),
        "north terminal": _login(net, "desk-north", net.ports["north"].broker),
        "south's own hub": _login(net, "hub-south", net.ports["south"].broker),
    }
    try:
        for who, client in readers.items():
            assert client.subscribe(BRIDGE_STATES) == [1], who
            site = "south" if "south" in who else "north"
            client.wait_for(_state(f"bridge-{site}", b"1"), 20, f"{who} reads its bridge up")
        net.cut_uplink("north")
        readers["north kiosk"].wait_for(_state("bridge-north", b"0"), 60, "the kiosk sees its uplink down")
    finally:
        for client in readers.values():
            client.close()


def test_a_central_hub_notes_each_sites_link(net: FleetNet) -> None:
    hub = HubService(net.hub_settings("north"))
    hub.start(sample_morning(wall_today()))
    try:

        def links() -> dict[str, bool]:
            return {s.name: s.up for s in hub.uplinks.all()}

        wait_until(lambda: links() == {"bridge-north": True, "bridge-south": True}, 30, "both links up")
        net.cut_uplink("north")
        wait_until(lambda: links()["bridge-north"] is False, 60, "north's link down at the hub")
    finally:
        hub.stop()
