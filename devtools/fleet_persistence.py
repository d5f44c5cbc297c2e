"""Each broker of a group killed (SIGKILL) while it holds retained messages and queued
QoS 1 messages; what survives its restart. The brokers are the files `kiosk hub
fleet-config` writes, their persistence directories made by ``--make-dirs``'s code.

- the central broker: ``hub-<site>`` has published retained statuses, and messages for the
  group terminal's persistent session (``desk``, gone meanwhile) are queued;
- a site broker, its uplink cut: its kiosk's retained availability, and the check-ins the
  kiosk sent meanwhile, queued for the bridge's session. After the restart and the uplink's
  return they must reach the centre.

A save is awaited (the persistence file rewritten twice after the last publish: mosquitto
saves every second, ``autosave_interval 1``), then the broker is killed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from devtools.fleet import PASSWORD, ConfBroker, FleetNet, wait_until
from devtools.login_client import LoginClient
from sync.topics import TopicTree


def _saves_after_now(db: Path, saves: int = 2, timeout: float = 30.0) -> None:
    """Wait until mosquitto has rewritten ``db`` ``saves`` times from now."""
    seen: set[int] = set()
    start = db.stat().st_mtime_ns if db.exists() else 0

    def saved() -> bool:
        if db.exists() and db.stat().st_mtime_ns != start:
            seen.add(db.stat().st_mtime_ns)
        return len(seen) >= saves

    wait_until(saved, timeout, f"mosquitto to save {db}")


def _db(net: FleetNet, broker: str) -> Path:
    return Path(f"{net.plan.persistence_dir}{broker}/") / "mosquitto.db"


def _restart_killed(net: FleetNet, broker: ConfBroker) -> None:
    broker.kill()
    broker.start()


def kill_central(net: FleetNet, site: str, retained: int, queued: int) -> dict[str, int]:
    """Retained statuses and queued messages at the central broker across its SIGKILL."""
    tree = TopicTree("acme", site)
    port, ca = net.central_port, net.ca_file
    desk = LoginClient(port, "desk", PASSWORD, ca, clean=False).connect()
    desk.subscribe(f"{tree.base}/hub/ack/#")
    desk.close()  # gone: what comes now is queued for its session
    hub = LoginClient(port, f"hub-{site}", PASSWORD, ca).connect()
    for n in range(retained):
        hub.publish(tree.status(f"p{n}"), f"status {n}".encode(), retain=True)
    for n in range(queued):
        hub.publish(tree.hub_ack(f"k{n}"), f"ack {n}".encode())
    hub.close()
    _saves_after_now(_db(net, "central"))
    _restart_killed(net, net.central)
    reader = LoginClient(port, "desk", PASSWORD, ca, clean=False).connect()
    try:
        came = reader.collect(queued, 20)  # the session's queue arrives on reconnect
        reader.subscribe(f"{tree.base}/status/#")
        came += reader.collect(retained, 20)
    finally:
        reader.close()
    return _lost(came, tree, retained, queued)


def kill_site(net: FleetNet, site: str, kiosk: str, retained: int, queued: int) -> dict[str, int]:
    """A site broker with its uplink cut: the kiosk's retained availability and its
    check-ins queued for the bridge, across the site broker's SIGKILL."""
    tree = TopicTree("acme", site)
    ca = net.ca_file
    at_centre = LoginClient(net.central_port, "desk", PASSWORD, ca, mqtt5=True).connect()
    at_centre.subscribe(f"{tree.base}/kiosk/+/checkin")
    net.cut_uplink(site)  # closes the bridge's connection: it is queued for from now on
    k = LoginClient(net.ports[site].broker, kiosk, PASSWORD, ca).connect()
    for n in range(retained):
        k.publish(tree.kiosk(kiosk, "availability"), f"online {n}".encode(), retain=True)
    for n in range(queued):
        k.publish(tree.kiosk(kiosk, "checkin"), f"checkin {n}".encode())
    k.close()
    _saves_after_now(_db(net, f"site-{site}"))
    _restart_killed(net, net.site_brokers[site])
    local = LoginClient(net.ports[site].broker, f"desk-{site}", PASSWORD, ca, mqtt5=True).connect()
    try:
        local.subscribe(tree.kiosk(kiosk, "availability"))
        kept = local.collect(1, 20)
    finally:
        local.close()
    net.restore_uplink(site)
    try:
        came = at_centre.collect(queued, 60)
    finally:
        at_centre.close()
    lost = _lost(came, tree, 0, queued)
    wanted = f"online {retained - 1}".encode()
    lost["retained_lost"] = 0 if any(g.retained and g.payload == wanted for g in kept) else 1
    return lost


def _lost(came: list[Any], tree: TopicTree, retained: int, queued: int) -> dict[str, int]:
    statuses = {g.payload for g in came if g.topic.startswith(f"{tree.base}/status/")}
    others = {g.payload for g in came if not g.topic.startswith(f"{tree.base}/status/")}
    wanted_queued = {f"ack {n}".encode() for n in range(queued)} | {
        f"checkin {n}".encode() for n in range(queued)
    }
    return {
        "retained_lost": sum(f"status {n}".encode() not in statuses for n in range(retained)),
        "queued_lost": queued - len(others & wanted_queued),
    }


def broker_kills(workdir: Path, retained: int = 20, queued: int = 50) -> dict[str, Any]:
    """Kill the central broker, then a site broker; what each lost."""
    net = FleetNet(workdir, ["north"], 1, cuttable=("north",))
    net.start()
    started = time.monotonic()
    try:
        central = kill_central(net, "north", retained, queued)
        site = kill_site(net, "north", net.kiosk_ids["north"][0], retained, queued)
    finally:
        net.stop()
    return {
        "central": central,
        "site": site,
        "fleet_broker_kill_retained_lost": central["retained_lost"] + site["retained_lost"],
        "fleet_broker_kill_queued_lost": central["queued_lost"] + site["queued_lost"],
        "seconds": round(time.monotonic() - started, 1),
    }


__all__ = ["broker_kills", "kill_central", "kill_site"]
