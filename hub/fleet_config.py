"""``kiosk hub fleet-config``: the brokers of a practice group - one central mosquitto and
one per site, each site bridged to the centre (``hub.bridge_config``) - written from one
plan, ACLs included. See docs/scale.md for the topology and its limits.

Who logs in where:

* at a site: its kiosks (ACL of ``sync.acl``), the practice's terminals there, and - when
  the site's hub runs at the site - that hub;
* at the central broker: each site's bridge (``bridge-<site>``: it may write what the
  site's kiosks and terminals write, and read what the hub writes, under its own prefix
  only), each centrally run site hub (``hub-<site>``: its own prefix), the check-in intake
  workers shared by all central hubs (``hub.intake``), and the group's terminals.

Every broker binds a client's id to its user name, so no login takes over another's session.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.errors import ConfigError
from hub.bridge_config import IN_PATTERNS, OUT_PATTERNS, Uplink, notification_topic
from hub.broker_config import PRIVATE, Listener, SiteBroker, broker_lines, write_broker_config, write_files
from hub.broker_dirs import PersistenceDir, dir_lines, persistence_dir
from hub.broker_probe import PROBE_USER, probe_acl_lines
from sync.bridge_state import BRIDGE_STATES
from sync.topics import TopicTree

HubPlace = Literal["central", "site"]


@dataclass(frozen=True)
class FleetSite:
    """One site of the group."""

    name: str  # its name at the central broker: its topic prefix there
    kiosks: dict[str, str]  # kiosk id -> password
    bridge_password: str
    local_site: str = ""  # what its kiosks call it (remapped by the bridge); empty: ``name``
    hub: HubPlace = "central"
    hub_password: str = ""  # the site's own hub login, when ``hub = "site"``
    practice_users: dict[str, str] = field(default_factory=dict)  # terminals at the site
    port: int = 8883
    bind: str = ""
    cert_file: Path | None = None  # the site broker's certificate; default: the central one's
    key_file: Path | None = None
    uplink_host: str = ""  # how this site reaches the centre, when not as the plan's central_host
    uplink_port: int = 0  # 0: the central broker's port

    @property
    def bridge_user(self) -> str:
        return f"bridge-{self.name}"

    @property
    def hub_user(self) -> str:
        return f"hub-{self.name}"


@dataclass(frozen=True)
class FleetPlan:
    practice: str
    central_host: str  # how sites reach the central broker
    ca_file: Path  # the group's CA: signs the central and the site brokers' certificates
    cert_file: Path
    key_file: Path
    sites: list[FleetSite]
    hub_password: str = ""  # the central site hubs' password (``hub-<site>``)
    intake_users: dict[str, str] = field(default_factory=dict)  # intake workers at the centre
    practice_users: dict[str, str] = field(default_factory=dict)  # the group's terminals
    central_port: int = 8883
    central_bind: str = ""
    persistence_dir: str = "/var/lib/mosquitto/"  # each broker: <dir><broker name>/
    install_dir: Path | None = None  # where the brokers' directories will live
    run_as: str = ""
    log_dir: str = ""  # empty: syslog
    uplink_restart_s: tuple[int, int] = (2, 30)
    probe_password: str = ""  # ``broker-probe`` at every broker (hub.broker_probe); empty: none

    def tree(self, site: FleetSite) -> TopicTree:
        """The site's tree at the central broker."""
        return TopicTree(self.practice, site.name)

    def central_sites(self) -> list[FleetSite]:
        return [s for s in self.sites if s.hub == "central"]

    def check(self) -> None:
        names = [s.name for s in self.sites]
        if not names or len(set(names)) != len(names):
            raise ConfigError("the plan needs sites, each with a name of its own")
        if self.central_sites() and len(self.hub_password) < 8:
            raise ConfigError("central hubs need hub_password_file (a password of 8 characters or more)")
        logins = [s.bridge_user for s in self.sites] + [s.hub_user for s in self.central_sites()]
        logins += [*self.intake_users, *self.practice_users]
        logins += [PROBE_USER] if self.probe_password else []
        if len(set(logins)) != len(logins):
            raise ConfigError("a user name is given twice at the central broker")
        for user, password in self.central_logins().items():
            if len(password) < 8:
                raise ConfigError(f"the password for {user} is shorter than 8 characters")

    def central_logins(self) -> dict[str, str]:
        logins = {s.bridge_user: s.bridge_password for s in self.sites}
        logins |= {s.hub_user: self.hub_password for s in self.central_sites()}
        probe = {PROBE_USER: self.probe_password} if self.probe_password else {}
        return logins | self.intake_users | self.practice_users | probe


def render_central_acl(plan: FleetPlan) -> str:
    base = f"clinic/v1/{plan.practice}"
    lines = [f"# central ACL for {base}: bridges, central hubs, intake, terminals", ""]
    # The group's view: hubs (and their dashboards) and the group's terminals read every
    # site's tree - a site-run hub's too, mirrored up - and every bridge's state. Read only:
    # each writes only where it writes anyway.
    overview = [f"topic read {base}/#", f"topic read {BRIDGE_STATES}"]
    # Except a phone line's caller-ID questions (a caller's number) and answers, which the
    # bridge carries up with the rest of kiosk/# (and a site-run hub's mirror with all):
    # nobody at the centre reads them (denials come first), so a central hub never answers one.
    overview = [f"topic deny {base}/+/kiosk/+/caller", f"topic deny {base}/+/hub/caller/+", *overview]
    for site in plan.sites:
        tree = plan.tree(site)
        out, into = (OUT_PATTERNS, IN_PATTERNS) if site.hub == "central" else (("#",), ())
        lines += [f"user {site.bridge_user}"]
        lines += [f"topic write {tree.base}/{p}" for p in out]
        lines += [f"topic read {tree.base}/{p}" for p in into]
        lines += [f"topic write {notification_topic(_uplink_of(plan, site))}", ""]
    for site in plan.central_sites():
        lines += [f"user {site.hub_user}", f"topic readwrite {plan.tree(site).base}/#", *overview, ""]
    for user in plan.intake_users:
        # A check-in in, its acknowledgement and the appointment it changed out: nothing else.
        lines += [f"user {user}"]
        for site in plan.central_sites():
            tree = plan.tree(site)
            lines += [
                f"topic read {tree.base}/kiosk/+/checkin",
                f"topic write {tree.base}/hub/ack/+",
                f"topic write {tree.base}/appointment/+",
            ]
        lines += [""]
    for user in plan.practice_users:
        lines += [f"user {user}"]
        for site in plan.central_sites():
            tree = plan.tree(site)
            lines += [
                f"topic write {tree.hub_command()}",
                f"topic write {tree.hub_command_ack()}",
                f"topic write {tree.hub_query()}",
            ]
        lines += [*overview, ""]
    if plan.probe_password:
        lines += probe_acl_lines()
    return "\n".join(lines) + "\n"


def _uplink_of(plan: FleetPlan, site: FleetSite) -> Uplink:
    return Uplink(
        host=site.uplink_host or plan.central_host,
        port=site.uplink_port or plan.central_port,
        username=site.bridge_user,
        password=site.bridge_password,
        ca_file=plan.ca_file,
        remote_site=site.name,
        restart_s=plan.uplink_restart_s,
        mirror=site.hub == "site",
    )


def site_broker(plan: FleetPlan, site: FleetSite) -> SiteBroker:
    local = site.local_site or site.name
    return SiteBroker(
        tree=TopicTree(plan.practice, local),
        hub_user=site.hub_user if site.hub == "site" else "",
        hub_password=site.hub_password,
        kiosks=site.kiosks,
        ca_file=plan.ca_file,
        cert_file=site.cert_file or plan.cert_file,
        key_file=site.key_file or plan.key_file,
        practice_users=site.practice_users,
        port=site.port,
        bind=site.bind,
        install_dir=_install(plan, f"site-{site.name}"),
        persistence_dir=f"{plan.persistence_dir}site-{site.name}/",  # persistence_dirs() agrees
        run_as=plan.run_as,
        uplink=_uplink_of(plan, site),
        log_file=f"{plan.log_dir}/site-{site.name}.log" if plan.log_dir else "",
        probe_password=plan.probe_password,
    )


def _install(plan: FleetPlan, name: str) -> Path | None:
    return plan.install_dir / name if plan.install_dir is not None else None


def write_fleet_config(plan: FleetPlan, out: Path) -> dict[str, list[Path]]:
    """``out/central/`` and ``out/site-<name>/`` for each site; the files written, by broker."""
    plan.check()
    written: dict[str, list[Path]] = {}
    for site in plan.sites:
        written[f"site-{site.name}"] = write_broker_config(site_broker(plan, site), out / f"site-{site.name}")
    where = (_install(plan, "central") or out / "central").resolve()
    central = Listener(
        f"the central broker of clinic/v1/{plan.practice}",
        plan.central_port,
        plan.central_bind,
        where,
        f"{plan.persistence_dir}central/",
        f"{plan.log_dir}/central.log" if plan.log_dir else "",
        plan.run_as,
    )
    copies = [(plan.ca_file, "ca.crt", 0o644), (plan.cert_file, "server.crt", 0o644)]
    copies.append((plan.key_file, "server.key", PRIVATE))
    conf = "\n".join(broker_lines(central)) + "\n"
    written["central"] = write_files(
        out / "central", plan.central_logins(), render_central_acl(plan), copies, conf
    )
    return written


# --- the plan file -------------------------------------------------------------------


def load_plan(path: Path) -> FleetPlan:
    """Read a plan (TOML, see docs/scale.md); every password comes from a file of its own."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    here = path.parent
    central = _table(data, "central", path)
    sites_table = _table(data, "sites", path)
    sites = [_site(name, _table(sites_table, name, path), here, path) for name in sites_table]
    restart = central.get("uplink_restart_s", [2, 30])
    return FleetPlan(
        practice=_str(data, "practice", path),
        central_host=_str(central, "host", path),
        ca_file=_path(here, _str(central, "ca", path)),
        cert_file=_path(here, _str(central, "cert", path)),
        key_file=_path(here, _str(central, "key", path)),
        sites=sites,
        hub_password=_secret(here, central.get("hub_password_file", "")),
        intake_users=_secrets(here, central.get("intake", {})),
        practice_users=_secrets(here, central.get("practice_users", {})),
        central_port=int(central.get("port", 8883)),
        central_bind=str(central.get("bind", "")),
        persistence_dir=str(central.get("persistence_dir", "/var/lib/mosquitto/")).rstrip("/") + "/",
        run_as=str(central.get("run_as", "")),
        log_dir=str(central.get("log_dir", "")),
        uplink_restart_s=(int(restart[0]), int(restart[1])),
        probe_password=_secret(here, central.get("probe_password_file", "")),
    )


def _site(name: str, t: dict[str, Any], here: Path, path: Path) -> FleetSite:
    hub = str(t.get("hub", "central"))
    if hub not in ("central", "site"):
        raise ConfigError(f"{path}: sites.{name}.hub = {hub!r}: 'central' or 'site' expected")
    cert, key = t.get("cert"), t.get("key")
    return FleetSite(
        name=name,
        kiosks=_secrets(here, _table(t, "kiosks", path)),
        bridge_password=_secret(here, _str(t, "bridge_password_file", path)),
        local_site=str(t.get("local_site", "")),
        hub=hub,  # type: ignore[arg-type]  # checked above
        hub_password=_secret(here, t.get("hub_password_file", "")),
        practice_users=_secrets(here, t.get("practice_users", {})),
        port=int(t.get("port", 8883)),
        bind=str(t.get("bind", "")),
        cert_file=_path(here, cert) if cert else None,
        key_file=_path(here, key) if key else None,
        uplink_host=str(t.get("uplink_host", "")),
        uplink_port=int(t.get("uplink_port", 0)),
    )


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{key}] is missing (or not a table)")
    return value


def _str(data: dict[str, Any], key: str, path: Path) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: {key} is missing (a non-empty string expected)")
    return value


def _path(here: Path, value: str) -> Path:
    return (here / value) if not Path(value).is_absolute() else Path(value)


def _secret(here: Path, file: object) -> str:
    if not file:
        return ""
    target = _path(here, str(file))
    try:
        return target.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the password file {target}: {exc.strerror}") from None


def _secrets(here: Path, table: object) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError("a table of NAME = PASSWORD_FILE expected")
    return {str(user): _secret(here, file) for user, file in table.items()}


def add_command(sub: Any, handler: Callable[[argparse.Namespace], int]) -> None:
    cmd = sub.add_parser(
        "fleet-config", help="write the brokers of a practice group: the central one and each site's"
    )
    cmd.add_argument("--plan", required=True, help="the group's plan (TOML, see docs/scale.md)")
    cmd.add_argument("--out", required=True, help="directory for central/ and site-<name>/")
    cmd.add_argument(
        "--make-dirs",
        action="store_true",
        help="make every broker's persistence directory here (owner mosquitto); else print the commands",
    )
    cmd.set_defaults(handler=handler)


def persistence_dirs(plan: FleetPlan) -> list[PersistenceDir]:
    """Each broker's persistence directory (as its mosquitto.conf names it)."""
    names = ["central", *(f"site-{s.name}" for s in plan.sites)]
    return [persistence_dir(n, f"{plan.persistence_dir}{n}/", plan.run_as) for n in names]


def write_from_args(args: argparse.Namespace) -> str:
    plan = load_plan(Path(args.plan))
    written = write_fleet_config(plan, Path(args.out))
    return "\n".join([*_summary(plan, written), *dir_lines(persistence_dirs(plan), args.make_dirs)])


def _summary(plan: FleetPlan, written: dict[str, list[Path]]) -> Iterable[str]:
    yield f"wrote {len(written)} brokers for clinic/v1/{plan.practice} to the plan's --out:"
    for name, paths in written.items():
        yield f"  {name}/: {', '.join(p.name for p in paths)}"
    yield "passwords, acl, server.key and each site's mosquitto.conf (it holds the bridge's password)"
    yield "must be owned by root:mosquitto, mode 0640; then `mosquitto -c DIR/mosquitto.conf` on each host."


__all__ = [
    "FleetPlan",
    "FleetSite",
    "add_command",
    "load_plan",
    "persistence_dirs",
    "render_central_acl",
    "site_broker",
    "write_fleet_config",
    "write_from_args",
]
