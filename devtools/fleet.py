"""A practice group on loopback, for the fleet tests, benchmark and soak.

A central mosquitto and one mosquitto per site, every one started from the files
``kiosk hub fleet-config`` writes (``hub.fleet_config``: TLS, passwords, ACLs, bridges with
QoS 1 and persistent sessions, per-site prefix remapping). Each site's uplink can run
through ``devtools.fleet_proxy`` so that it can be cut. Site hubs run centrally (one
``HubService`` per site, logged in to the central broker as ``hub-<site>``); simulated
kiosks (``devtools.fleet_sim``) log in to their site's broker.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config.settings import BrokerSettings, HubSettings, KioskSettings, Settings, StaffSettings
from devtools.fleet_sim import KioskSpec
from devtools.local_broker import copy_certs, free_port, listens_on
from hub.broker_dirs import make_dir
from hub.fleet_config import FleetPlan, FleetSite, persistence_dirs, write_fleet_config
from hub.store import HubStore
from sync.vault import store_key_source

PRACTICE = "acme"
PASSWORD = "fleet-secret-1"  # noqa: S105 - every login's, on loopback only


class ConfBroker:
    """A mosquitto run from a written configuration directory."""

    def __init__(self, name: str, conf_dir: Path, port: int) -> None:
        self.name = name
        self.conf = conf_dir / "mosquitto.conf"
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"

    def start(self, timeout: float = 10.0) -> None:
        self.proc = subprocess.Popen([self.exe, "-c", str(self.conf)], stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"mosquitto {self.name} refused its written config: {err}")
            # Its own listening socket: another test worker's broker on the port would answer
            # a connection while this one exits on "Address already in use".
            if listens_on(self.proc.pid, self.port):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"mosquitto {self.name} is not listening on {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """A clean stop: mosquitto saves what it holds first."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._reap()

    def kill(self) -> None:
        """SIGKILL: it forgets whatever it has not saved."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        self.proc = None


@dataclass(frozen=True)
class SitePorts:
    broker: int
    uplink: int  # where the site's bridge connects: the proxy's port, or the central broker's


class FleetNet:
    """The brokers of a group of ``sites`` (names at the centre), ``kiosks`` per site.

    ``local_site`` maps a site to what its own kiosks call it (the bridge remaps the
    prefix); ``cuttable`` sites reach the centre through the proxy; ``site_hubs`` run their
    hub at the site (``hub = "site"``: login ``hub-<site>`` at the site broker)."""

    def __init__(
        self,
        workdir: Path,
        sites: list[str],
        kiosks: int,
        *,
        local_site: dict[str, str] | None = None,
        cuttable: tuple[str, ...] = (),
        intake: tuple[str, ...] = (),
        site_hubs: tuple[str, ...] = (),
    ) -> None:
        self.workdir = workdir
        self.sites = sites
        self.local_site = local_site or {}
        self.cuttable = cuttable
        self.ca_file = copy_certs(workdir / "certs")
        certs = workdir / "certs"
        self.central_port = free_port()
        self.ports = {
            s: SitePorts(free_port(), free_port() if s in cuttable else self.central_port) for s in sites
        }
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        self.kiosk_ids = {s: [f"{s}-k{i:02d}" for i in range(kiosks)] for s in sites}
        self.plan = FleetPlan(
            practice=PRACTICE,
            central_host="127.0.0.1",
            ca_file=certs / "ca.crt",
            cert_file=certs / "server.crt",
            key_file=certs / "server.key",
            sites=[
                FleetSite(
                    name=s,
                    kiosks=dict.fromkeys(self.kiosk_ids[s], PASSWORD),
                    bridge_password=PASSWORD,
                    local_site=self.local_site.get(s, ""),
                    practice_users={f"desk-{s}": PASSWORD},
                    port=self.ports[s].broker,
                    bind="127.0.0.1",
                    uplink_port=self.ports[s].uplink,
                    hub="site" if s in site_hubs else "central",
                    hub_password=PASSWORD if s in site_hubs else "",
                )
                for s in sites
            ],
            hub_password=PASSWORD,
            intake_users=dict.fromkeys(intake, PASSWORD),
            practice_users={"desk": PASSWORD},
            central_port=self.central_port,
            central_bind="127.0.0.1",
            persistence_dir=f"{workdir / 'data'}/",
            run_as="root" if os.geteuid() == 0 else "",
            log_dir=str(workdir / "logs"),
            uplink_restart_s=(1, 2),
            probe_password=PASSWORD,  # the login of `kiosk hub broker-probe` at every broker
        )
        write_fleet_config(self.plan, workdir / "brokers")
        for directory in persistence_dirs(self.plan):  # as `fleet-config --make-dirs` does
            make_dir(directory)
        self.central = ConfBroker("central", workdir / "brokers" / "central", self.central_port)
        self.site_brokers = {
            s: ConfBroker(f"site-{s}", workdir / "brokers" / f"site-{s}", self.ports[s].broker) for s in sites
        }
        self.proxy: subprocess.Popen[str] | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self.central.start()
        if self.cuttable:
            routes = [f"{s}={self.ports[s].uplink}:{self.central_port}" for s in self.cuttable]
            self.proxy = subprocess.Popen(
                [sys.executable, "-m", "devtools.fleet_proxy", *routes],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            if self.proxy.stdout is None or self.proxy.stdout.readline().strip() != "ready":
                raise RuntimeError("the uplink proxy did not start")
        for broker in self.site_brokers.values():
            broker.start()

    def stop(self) -> None:
        for broker in self.site_brokers.values():
            broker.stop()
        self.central.stop()
        if self.proxy is not None:
            with contextlib.suppress(OSError):
                if self.proxy.stdin is not None:
                    self.proxy.stdin.close()
            try:
                self.proxy.wait(5)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
                self.proxy.wait(5)
            if self.proxy.stdout is not None:
                self.proxy.stdout.close()
            self.proxy = None

    def _tell_proxy(self, line: str) -> None:
        proxy = self.proxy
        if proxy is None or proxy.stdin is None or proxy.stdout is None:
            raise RuntimeError("no uplink proxy runs (no cuttable site)")
        proxy.stdin.write(line + "\n")
        proxy.stdin.flush()
        if proxy.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the uplink proxy did not do {line!r}")

    def cut_uplink(self, site: str) -> None:
        self._tell_proxy(f"cut {site}")

    def stall_uplink(self, site: str) -> None:
        """A silent cut: nothing crosses, nobody is told (each end finds out by keepalive)."""
        self._tell_proxy(f"stall {site}")

    def restore_uplink(self, site: str) -> None:
        self._tell_proxy(f"restore {site}")

    # --- who connects where -----------------------------------------------------------

    def kiosk_specs(self, sites: list[str] | None = None) -> list[KioskSpec]:
        return [
            KioskSpec(
                k,
                PRACTICE,
                self.local_site.get(s, s),
                "localhost",
                self.ports[s].broker,
                PASSWORD,
                self.ca_file,
            )
            for s in (sites or self.sites)
            for k in self.kiosk_ids[s]
        ]

    def central_login(self, user: str) -> BrokerSettings:
        return BrokerSettings(
            host="localhost",
            port=self.central_port,
            username=user,
            password=PASSWORD,
            ca_file=self.ca_file,
            reconnect_min_s=0.1,
            reconnect_max_s=0.5,
            keepalive_s=5,
        )

    def hub_settings(self, site: str, staff: StaffSettings | None = None, intake: str = "self") -> Settings:
        """A central hub for ``site``, as `kiosk hub run` would read it from its own file."""
        return Settings(
            kiosk=KioskSettings(
                id="hub-side", practice=PRACTICE, site=site, state_dir=str(self.workdir / "hubs" / site)
            ),
            broker=self.central_login(f"hub-{site}"),
            hub=HubSettings(state_dir=str(self.hub_dir(site)), client_id=f"hub-{site}", intake=intake),
            staff=staff or StaffSettings(),
        )

    def hub_dir(self, site: str) -> Path:
        return self.workdir / "hubs" / site

    def recorded_keys(self) -> list[str]:
        """Every check-in key in every site hub's database (read-only, with the store's key
        beside it; the hubs may run)."""
        keys: list[str] = []
        for site in self.sites:
            path = self.hub_dir(site) / "hub.sqlite"
            if not path.exists():
                continue
            store = HubStore.open(path, readonly=True, key=store_key_source(self.hub_settings(site), path))
            try:
                keys += [str(r[0]) for r in store.db.execute("SELECT key FROM checkins")]
            finally:
                store.close()
        return keys


def exactly_once(committed: list[str], recorded: list[str]) -> tuple[int, int, int]:
    """(lost, doubled, foreign): committed at a kiosk and not recorded; recorded more than
    once (across every site's database); recorded but never committed."""
    held = set(recorded)
    lost = len(set(committed) - held)
    doubled = len(recorded) - len(held)
    foreign = len(held - set(committed))
    return lost, doubled, foreign


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> float:
    """Seconds it took; AssertionError naming ``what`` after ``timeout``."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


__all__ = ["PASSWORD", "PRACTICE", "ConfBroker", "FleetNet", "exactly_once", "wait_until"]
