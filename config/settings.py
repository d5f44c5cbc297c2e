"""Declarations of every setting: one frozen dataclass per TOML table.

Each field carries its documentation in ``metadata["doc"]`` and optional bounds in
``metadata["min"]`` / ``metadata["max"]`` / ``metadata["choices"]``; ``config.loader``
checks them at load so a bad value stops start-up with the key, the value and what was
expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config.defaults import DEFAULT_CONFIG_PATH, DEFAULT_STATE_DIR
from config.docs import doc as _doc
from config.hours import open_hours_problem
from config.hub_settings import (
    HubEhrSettings,
    HubFhirSettings,
    HubNotifySettings,
    HubSettings,
    HubWebSettings,
)
from config.phone_settings import PhoneSettings
from config.speech_settings import SpeechSettings


@dataclass(frozen=True)
class BrokerSettings:
    """[broker]: how to reach the practice's MQTT broker."""

    host: str = field(default="127.0.0.1", metadata=_doc("Broker host name or address."))
    port: int = field(default=1883, metadata=_doc("Broker TCP port.", min=1, max=65535))
    protocol: str = field(
        default="5",
        metadata=_doc("MQTT protocol: '5' (preferred) or '3.1.1' (fallback).", choices=("5", "3.1.1")),
    )
    username: str = field(default="", metadata=_doc("Username; empty for none."))
    password: str = field(
        default="", metadata=_doc("Password inline (older installs); prefer password_file. Empty for none.")
    )
    password_file: str = field(
        default="",
        metadata=_doc("File holding the password (mode 0600, owner kiosk); read at load, never logged."),
    )
    ca_file: str = field(default="", metadata=_doc("CA certificate (PEM) for TLS; empty disables TLS."))
    cert_file: str = field(default="", metadata=_doc("Client certificate (PEM) for mutual TLS."))
    key_file: str = field(default="", metadata=_doc("Client private key (PEM) for mutual TLS."))
    keepalive_s: int = field(default=15, metadata=_doc("MQTT keepalive in seconds.", min=5, max=600))
    # The broker is on the practice LAN: a reconnect attempt costs one SYN, and a returning
    # broker should get the kiosk's queued check-ins within seconds, not after a 30 s wait.
    reconnect_min_s: float = field(
        default=0.2,
        metadata=_doc(
            "First reconnect backoff ceiling (s); each wait is uniform(ceiling/2, ceiling).",
            min=0.05,
            max=60,
        ),
    )
    reconnect_max_s: float = field(
        default=2.0,
        metadata=_doc(
            "Largest reconnect backoff ceiling (s): a returning broker is retried within this "
            "long. A few seconds suits a LAN; raise it only for a broker across a WAN.",
            min=0.1,
            max=3600,
        ),
    )

    @property
    def tls(self) -> bool:
        return bool(self.ca_file)


@dataclass(frozen=True)
class KioskSettings:
    """[kiosk]: who this unit is and how it behaves."""

    id: str = field(default="lobby-1", metadata=_doc("This kiosk's id; also its MQTT username.", slug=True))
    practice: str = field(default="demo-practice", metadata=_doc("Practice id in the topic tree.", slug=True))
    site: str = field(default="main", metadata=_doc("Site id in the topic tree.", slug=True))
    state_dir: str = field(
        default=str(DEFAULT_STATE_DIR), metadata=_doc("Directory for the cache database and other state.")
    )
    stale_after_s: int = field(
        default=900,
        metadata=_doc("Cache age after which wait estimates are withheld (s).", min=30, max=86400),
    )
    health_interval_s: int = field(
        default=30, metadata=_doc("Seconds between health telemetry messages.", min=1, max=3600)
    )
    log_level: str = field(
        default="INFO", metadata=_doc("Log level.", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    )
    ack_timeout_s: float = field(
        default=10.0,
        metadata=_doc(
            "Send an outbox message again when the broker took it but the hub has not acknowledged"
            " it in this time, while the hub is online (s). Every reconnect sends them all again anyway.",
            min=0.5,
            max=600,
        ),
    )
    encrypt_cache: bool = field(
        default=True, metadata=_doc("Keep the cache encrypted at rest (SQLCipher); see docs/security.md.")
    )
    cache_key_file: str = field(
        default="",
        metadata=_doc("The cache's key file (0600; made at provisioning); empty: cache.key in state_dir."),
    )
    cache_key_command: str = field(
        default="",
        metadata=_doc("A command printing the cache's key material (a hardware secret); overrides the file."),
    )
    revoked_wipe_s: int = field(
        default=60,
        metadata=_doc(
            "Wipe cache and keys after the broker has refused this kiosk's credential for this long (s);"
            " 0: never.",
            min=0,
            max=7 * 86400,
        ),
    )
    enrollment_lease_s: int = field(
        default=14 * 86400,
        metadata=_doc(
            "Wipe cache and keys when the broker has not accepted this kiosk for this long (s); 0: never.",
            min=0,
            max=365 * 86400,
        ),
    )


@dataclass(frozen=True)
class DeviceSettings:
    """[devices]: peripherals. Each URL is a pyserial URL or device path; "sim://" runs a simulator."""

    io_board_url: str = field(
        default="", metadata=_doc("I/O board: '/dev/ttyACM0', 'socket://host:port', 'sim://'; empty: none.")
    )
    io_board_baudrate: int = field(default=115200, metadata=_doc("I/O board baud rate.", min=1200))
    io_board_heartbeat_s: float = field(
        default=1.0, metadata=_doc("Seconds between heartbeats to the I/O board.", min=0.1, max=60)
    )
    printer_url: str = field(
        default="", metadata=_doc("ESC/POS ticket printer: device path, URL or 'sim://'; empty: none.")
    )
    printer_baudrate: int = field(default=19200, metadata=_doc("Printer baud rate.", min=1200))
    printer_width: int = field(default=42, metadata=_doc("Printer line width in characters.", min=24, max=64))
    camera: str = field(
        default="", metadata=_doc("Camera index ('0') or a video/image file; empty: no camera.")
    )
    camera_idle_fps: float = field(
        default=2.0, metadata=_doc("Camera frame rate while nobody is there.", min=0.2, max=30)
    )
    camera_active_fps: float = field(
        default=8.0, metadata=_doc("Camera frame rate while someone is there.", min=0.5, max=30)
    )
    reconnect_min_s: float = field(
        default=0.5, metadata=_doc("First device reopen backoff ceiling (s).", min=0.05, max=60)
    )
    reconnect_max_s: float = field(
        default=30.0, metadata=_doc("Largest device reopen backoff ceiling (s).", min=0.1, max=3600)
    )


@dataclass(frozen=True)
class StaffSettings:
    """[staff]: who may use the admin panel. Written by `kiosk provision`; PINs only as
    verifiers (kiosk) or proof keys (hub), never in clear (see docs/security.md)."""

    members: dict[str, str] = field(
        default_factory=dict,
        metadata=_doc(
            "Staff id -> 'ROLE:pin$N$r$p$SALT$VERIFIER[:badge$...]' on a kiosk, "
            "'ROLE:proof$PINKEY[$BADGEKEY]' on the hub (ROLE: front_desk, supervisor, technician)."
        ),
    )
    badge_key: str = field(
        default="",
        metadata=_doc("This unit's secret (hex) that files badges under a keyed index (kiosk only)."),
    )
    proof_max_age_s: int = field(
        default=12 * 3600,
        metadata=_doc(
            "Hub: refuse a staff request made longer ago than this (s); it must cover how long a "
            "kiosk may queue requests offline.",
            min=60,
            max=7 * 86400,
        ),
    )
    max_attempts: int = field(default=5, metadata=_doc("Wrong PINs before the entry locks.", min=1, max=20))
    lockout_s: int = field(
        default=300, metadata=_doc("How long the entry stays locked (s).", min=10, max=86400)
    )
    session_idle_s: int = field(
        default=60, metadata=_doc("Admin session idle timeout (s).", min=10, max=3600)
    )
    front_desk_max_late_min: int = field(
        default=60, metadata=_doc("Largest delay front desk may set without a supervisor.", min=0, max=600)
    )
    out_requires: str = field(
        default="approval",
        metadata=_doc(
            "'Out' and 'leaving early' need 'supervisor', or 'approval' (front desk + a supervisor's PIN).",
            choices=("supervisor", "approval"),
        ),
    )
    display_deadline_s: int = field(
        default=30,
        metadata=_doc(
            "Escalate a status change not displayed by every online kiosk in this time (s).", min=1
        ),
    )
    notice_ack_min: int = field(
        default=5,
        metadata=_doc("Escalate a supervisor notification not acknowledged in this time (min).", min=1),
    )
    unacked_checkin_s: int = field(
        default=300,
        metadata=_doc(
            "Escalate when a kiosk reports a check-in the hub has not acknowledged for this long (s):"
            " a patient the practice may not know has arrived.",
            min=10,
            max=86400,
        ),
    )


@dataclass(frozen=True)
class UiSettings:
    """[ui]: the touch screen a patient meets."""

    fullscreen: bool = field(
        default=True, metadata=_doc("Full screen with no window chrome (false: a window, for development).")
    )
    width: int = field(default=800, metadata=_doc("Window width in a windowed run (px).", min=320, max=7680))
    height: int = field(
        default=480, metadata=_doc("Window height in a windowed run (px).", min=240, max=4320)
    )
    px_per_mm: float = field(
        default=0.0,
        metadata=_doc(
            "The panel's pixels per mm, for every size on screen; 0 reads the panel's size from its"
            " EDID or the display server (ui/panel.py).",
            min=0,
            max=40,
        ),
    )
    idle_timeout_s: int = field(
        default=30, metadata=_doc("Seconds without a touch before the reset countdown shows.", min=5, max=600)
    )
    countdown_s: int = field(
        default=20,
        metadata=_doc(
            'Seconds the "are you still there?" warning gives before the screen resets; a touch,'
            ' a key or "I am still here" keeps the patient\'s place (at least 20: WCAG 2.2.1).',
            min=20,
            max=120,
        ),
    )
    done_linger_s: int = field(
        default=12, metadata=_doc("Seconds the final screen stays before going back.", min=3, max=120)
    )
    dim_after_s: int = field(
        default=120,
        metadata=_doc("Seconds of no touch after which the provider board dims.", min=5, max=86400),
    )
    dim_brightness: float = field(
        default=0.3,
        metadata=_doc(
            "How bright the backlight is while the idle board is dimmed, as a share of its brightness"
            " in use (the board's words keep their contrast; only the light dims).",
            min=0.05,
            max=1.0,
        ),
    )
    backlight: str = field(
        default="",
        metadata=_doc("The backlight under /sys/class/backlight that dims ('' = the first there is)."),
    )
    arrive_before_min: int = field(
        default=60, metadata=_doc("How early before the appointment a patient may check in (min).", min=0)
    )
    arrive_after_min: int = field(
        default=20, metadata=_doc("How late after the appointment a patient may check in (min).", min=0)
    )
    language: str = field(
        default="en", metadata=_doc("Language of the attract screen.", choices=("en", "es"))
    )
    practice_name: str = field(default="Our practice", metadata=_doc("Name shown on screens and tickets."))
    reduce_motion: bool = field(
        default=False,
        metadata=_doc("Reduce motion: the face changes state without animation, nothing blinks or fades."),
    )
    open_hours: str = field(
        default="",
        metadata=_doc(
            "Hours the screen stays awake, e.g. '07:00-19:00' or '07:30-12:00, 13:00-18:30'; outside them"
            " the display may blank (a touch wakes it). Empty: always awake.",
            check=open_hours_problem,
        ),
    )


@dataclass(frozen=True)
class Settings:
    """The whole file."""

    kiosk: KioskSettings = field(default_factory=KioskSettings)
    broker: BrokerSettings = field(default_factory=BrokerSettings)
    hub: HubSettings = field(default_factory=HubSettings)
    devices: DeviceSettings = field(default_factory=DeviceSettings)
    staff: StaffSettings = field(default_factory=StaffSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    phone: PhoneSettings = field(default_factory=PhoneSettings)


__all__ = [
    "DEFAULT_CONFIG_PATH",
    "DEFAULT_STATE_DIR",
    "BrokerSettings",
    "DeviceSettings",
    "HubEhrSettings",
    "HubFhirSettings",
    "HubNotifySettings",
    "HubSettings",
    "HubWebSettings",
    "KioskSettings",
    "PhoneSettings",
    "Settings",
    "SpeechSettings",
    "StaffSettings",
    "UiSettings",
]
