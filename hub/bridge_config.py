"""A site broker's bridge to the central broker (the "uplink"), as mosquitto lines.

Each site keeps its own mosquitto: the kiosks' broker, so the site goes on checking
patients in when its uplink is down. The bridge carries the site's tree both ways with a
persistent session (``cleansession false``): what the kiosks write (QoS 1) waits in the
site broker while the uplink is down, the hub's events (QoS 1) wait in the central broker,
and both are forwarded when it is back; the hub's retained state comes down as the newest
retained value on every reconnect (see ``IN_STATE``). The kiosks' own outbox still holds every
check-in until the hub acknowledges it (docs/protocol.md), so a broker that forgets a
queue on a crash costs a resend, not a patient.

Topics are remapped per site: ``clinic/v1/<practice>/<local site>/...`` at the site is
``clinic/v1/<practice>/<remote site>/...`` at the central broker, so sites set up alone
(each calling itself ``main``) join a group without touching a kiosk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError
from sync.topics import TopicTree

# Below a site's prefix: what the kiosks and the practice's terminal write (to the hub) and
# what the hub writes (to the kiosks, pagers and notifiers). Each leaf goes one way only:
# a pattern bridged both ways would loop between the two brokers.
OUT_PATTERNS = ("kiosk/#", "hub/command", "hub/command/ack", "hub/query")
# What the hub writes comes in two kinds. Events (an appointment change, an answer, an
# acknowledgement) are queued at QoS 1 for the bridge's session while the site is away.
IN_EVENTS = ("appointment/#", "hub/result/#", "hub/ack/#", "hub/answer/#")
# Retained state is not: the bridge subscribes again on every connect and the central
# broker sends it the newest retained value then. A queued older copy could arrive after
# that newest one - a hub "offline" after its "online", a status v5 after v6 - and would
# become the site broker's retained value, which later kiosks get. QoS 0 state is never
# queued for an absent bridge, so the newest retained value is the last word.
IN_STATE = (
    "schedule/#",
    "status/#",
    "hub/availability",
    "hub/notice/#",
    "hub/receipt/#",
    "hub/alert/#",
    "hub/affected/#",
    "hub/revoked/#",
)
IN_PATTERNS = IN_EVENTS + IN_STATE


@dataclass(frozen=True)
class Uplink:
    """Where and as whom a site's broker reaches the central broker."""

    host: str
    port: int
    username: str  # this site's bridge login at the central broker (its client id there too)
    password: str
    ca_file: Path  # the CA that signed the central broker's certificate: TLS on the uplink
    remote_site: str = ""  # the site's name at the central broker; empty: the same as at the site
    restart_s: tuple[int, int] = (2, 30)  # reconnect back-off: first delay, cap (jittered)
    keepalive_s: int = 30
    # The site runs its own hub: the whole tree is mirrored to the centre (for a group's
    # overview), nothing comes back.
    mirror: bool = False

    def check(self) -> None:
        if not self.host or ":" in self.host:
            raise ConfigError(f"uplink host {self.host!r}: a host name or address, without a port")
        if not 0 < self.port < 65536:
            raise ConfigError(f"uplink port {self.port} is not a TCP port")
        if not self.username or any(c.isspace() or c in ":#+/" for c in self.username):
            raise ConfigError(f"{self.username!r} is not a usable bridge user name")
        if len(self.password) < 8:
            raise ConfigError(f"the bridge password for {self.username} is shorter than 8 characters")
        if not self.ca_file.is_file():
            raise ConfigError(f"{self.ca_file} is not a file (the central broker's CA, for TLS)")
        low, cap = self.restart_s
        if not 1 <= low <= cap:
            raise ConfigError(f"uplink restart back-off {self.restart_s}: 1 <= first <= cap expected")
        if self.keepalive_s < 5:
            raise ConfigError("uplink keepalive below 5 s (mosquitto's minimum)")

    def remote_tree(self, local: TopicTree) -> TopicTree:
        return TopicTree(local.practice, self.remote_site or local.site)


def bridge_lines(local: TopicTree, uplink: Uplink, ca_path: Path) -> list[str]:
    """The ``connection`` block of a site's mosquitto.conf (``ca_path``: where the uplink CA
    will be on the site's broker)."""
    remote = uplink.remote_tree(local)
    low, cap = uplink.restart_s
    lines = [
        "# --- the uplink: a bridge to the central broker (hub/bridge_config.py) ---",
        f"connection {uplink.username}",
        f"address {uplink.host}:{uplink.port}",
        "# The client id at the central broker is this site's bridge login, which that broker",
        "# binds to the id (use_username_as_clientid): no other login can take this session.",
        f"remote_clientid {uplink.username}",
        f"remote_username {uplink.username}",
        f"remote_password {uplink.password}",
        f"bridge_cafile {ca_path}",
        "bridge_insecure false",
        "bridge_tls_version tlsv1.2",
        "# MQTT 3.1.1: its persistent session lasts (persistent_client_expiration at the centre).",
        "# A mosquitto 2.0 bridge speaking MQTT 5 loses what was queued across an outage longer",
        "# than its keepalive (eclipse-mosquitto/mosquitto#2793); in the fleet soak a 2.0.11 site",
        "# broker with an MQTT 5 bridge hung (100% CPU, no connection accepted) after a failed",
        "# reconnect to a restarted centre ('disconnected: Protocol error').",
        "bridge_protocol_version mqttv311",
        "# Store and forward: the central broker keeps this bridge's session (and what the hub",
        "# sends meanwhile) across an outage, this broker keeps what the kiosks send.",
        "cleansession false",
        "local_cleansession false",
        "# Tell the central broker it is a bridge: loops are detected and retained flags kept.",
        "try_private true",
        "# The bridge's state, retained ('1' up, '0' down, by Last Will) at both ends.",
        "notifications true",
        f"keepalive_interval {uplink.keepalive_s}",
        f"restart_timeout {low} {cap}",
        "start_type automatic",
        f"# Topics: {local.base}/... here is {remote.base}/... there; each leaf one way only.",
    ]
    out, events, state = (("#",), (), ()) if uplink.mirror else (OUT_PATTERNS, IN_EVENTS, IN_STATE)
    lines += [f"topic {p} out 1 {local.base}/ {remote.base}/" for p in out]
    lines += [f"topic {p} in 1 {local.base}/ {remote.base}/" for p in events]
    lines += [f"topic {p} in 0 {local.base}/ {remote.base}/" for p in state]
    return lines


def notification_topic(uplink: Uplink) -> str:
    """Where mosquitto announces the bridge's state (both brokers)."""
    return f"$SYS/broker/connection/{uplink.username}/state"


__all__ = [
    "IN_EVENTS",
    "IN_PATTERNS",
    "IN_STATE",
    "OUT_PATTERNS",
    "Uplink",
    "bridge_lines",
    "notification_topic",
]
