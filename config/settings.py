"""Declarations of every setting: one frozen dataclass per TOML table.

Each field carries its documentation in ``metadata["doc"]`` and optional bounds in
``metadata["min"]`` / ``metadata["max"]`` / ``metadata["choices"]``; ``config.loader``
checks them at load so a bad value stops start-up with the key, the value and what was
expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.hours import open_hours_problem
from core.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("/etc/kiosk/kiosk.toml")
DEFAULT_STATE_DIR = Path("/var/lib/kiosk")


def _doc(text: str, **bounds: Any) -> dict[str, Any]:
    return {"doc": text, **bounds}


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
class HubWebSettings:
    """[hub.web]: the practice dashboard the hub serves on the LAN (off unless enabled)."""

    enabled: bool = field(default=False, metadata=_doc("Serve the dashboard from `kiosk hub run`."))
    host: str = field(default="127.0.0.1", metadata=_doc("Address to listen on ('0.0.0.0': the LAN)."))
    port: int = field(default=8470, metadata=_doc("TCP port of the dashboard.", min=0, max=65535))
    cert_file: str = field(default="", metadata=_doc("TLS certificate (PEM); empty serves plain HTTP."))
    key_file: str = field(default="", metadata=_doc("TLS private key (PEM) for cert_file."))
    session_s: int = field(
        default=8 * 3600, metadata=_doc("A sign-in lasts at most this long (s).", min=60, max=86400)
    )
    session_idle_s: int = field(
        default=1800, metadata=_doc("A sign-in unused this long ends (s).", min=30, max=86400)
    )
    max_attempts: int = field(
        default=5, metadata=_doc("Wrong passwords before the account locks.", min=1, max=20)
    )
    lockout_s: int = field(
        default=300, metadata=_doc("How long a locked account stays locked (s).", min=10, max=86400)
    )

    @property
    def tls(self) -> bool:
        return bool(self.cert_file)


def _hh_mm(key: str, value: str) -> None:
    """``HH:MM`` on a 24-hour clock, or a ``ConfigError`` naming the key."""
    hours, _, minutes = value.partition(":")
    ok = len(value) == 5 and hours.isdigit() and minutes.isdigit()
    if not ok or int(hours) > 23 or int(minutes) > 59:
        raise ConfigError(f"{key} = {value[:20]!r}: expected HH:MM (24-hour clock)")


@dataclass(frozen=True)
class HubNotifySettings:
    """[hub.notify]: text and e-mail patients about a status change before they drive in
    (off unless enabled; see docs/notifications.md). A channel with an empty host or URL is off."""

    enabled: bool = field(default=False, metadata=_doc("Notify affected patients from `kiosk hub run`."))
    practice_name: str = field(
        default="", metadata=_doc("Name the messages start with; empty: [ui].practice_name.")
    )
    late_threshold_min: int = field(
        default=15, metadata=_doc("Notify of a delay this long or longer (min).", min=1, max=240)
    )
    merge_window_s: float = field(
        default=2.0,
        metadata=_doc(
            "Hold a notification this long so a change that follows within it is sent as one (s).",
            min=0,
            max=600,
        ),
    )
    quiet_start: str = field(default="21:00", metadata=_doc("No messages from this time (HH:MM)."))
    quiet_end: str = field(default="08:00", metadata=_doc("... until this time (HH:MM)."))
    max_per_day: int = field(
        default=3, metadata=_doc("Messages one patient receives in a day at most.", min=1, max=20)
    )
    max_per_week: int = field(
        default=8, metadata=_doc("Messages one patient receives in 7 days at most.", min=1, max=50)
    )
    no_answer_min: int = field(
        default=30,
        metadata=_doc(
            "A cancelled or cut-short visit with no reply this long before it starts is escalated (min).",
            min=0,
            max=600,
        ),
    )
    max_attempts: int = field(
        default=8, metadata=_doc("Tries of one message before it is escalated.", min=1, max=100)
    )
    retry_min_s: float = field(
        default=0.5, metadata=_doc("First retry back-off ceiling of a channel (s).", min=0.05, max=60)
    )
    retry_max_s: float = field(
        default=60.0, metadata=_doc("Largest retry back-off ceiling of a channel (s).", min=0.1, max=3600)
    )
    in_doubt_s: float = field(
        default=30.0,
        metadata=_doc(
            "After a restart, wait this long for the SMSC's receipt of an SMS whose submission was"
            " cut off before sending it again (s).",
            min=0,
            max=3600,
        ),
    )
    smpp_host: str = field(default="", metadata=_doc("SMSC host (SMPP 3.4); empty: no SMS."))
    smpp_port: int = field(default=2775, metadata=_doc("SMSC TCP port.", min=1, max=65535))
    smpp_system_id: str = field(default="", metadata=_doc("SMPP system_id (bind)."))
    smpp_password: str = field(default="", metadata=_doc("SMPP password (bind)."))
    smpp_source_addr: str = field(default="", metadata=_doc("Sender number or short code."))
    smpp_rate_per_s: float = field(
        default=100.0, metadata=_doc("SMS submitted per second at most.", min=0.1, max=10000)
    )
    smtp_host: str = field(default="", metadata=_doc("SMTP relay host; empty: no e-mail."))
    smtp_port: int = field(default=587, metadata=_doc("SMTP port.", min=1, max=65535))
    smtp_starttls: bool = field(default=True, metadata=_doc("Require STARTTLS before sending."))
    smtp_ca_file: str = field(
        default="", metadata=_doc("CA (PEM) that signs the relay's certificate; empty: the system's.")
    )
    smtp_username: str = field(default="", metadata=_doc("SMTP user; empty: no AUTH."))
    smtp_password: str = field(default="", metadata=_doc("SMTP password."))
    smtp_from: str = field(default="", metadata=_doc("From: address of notification e-mail."))
    smtp_rate_per_s: float = field(
        default=10.0, metadata=_doc("E-mails sent per second at most.", min=0.1, max=1000)
    )
    webhook_url: str = field(
        default="", metadata=_doc("The site's own gateway (http:// or https://); empty: none.")
    )
    webhook_secret: str = field(default="", metadata=_doc("HMAC-SHA256 key that signs each webhook body."))
    webhook_rate_per_s: float = field(
        default=20.0, metadata=_doc("Webhook calls per second at most.", min=0.1, max=1000)
    )

    def __post_init__(self) -> None:
        _hh_mm("hub.notify.quiet_start", self.quiet_start)
        _hh_mm("hub.notify.quiet_end", self.quiet_end)
        if self.webhook_url and not self.webhook_url.startswith(("http://", "https://")):
            raise ConfigError("hub.notify.webhook_url: expected an http:// or https:// URL")


@dataclass(frozen=True)
class HubEhrSettings:
    """[hub.ehr]: the practice system's feed (HL7 v2 SIU over MLLP) and arrivals sent back
    (see docs/ehr.md). Off unless enabled."""

    enabled: bool = field(default=False, metadata=_doc("Listen for SIU messages from `kiosk hub run`."))
    host: str = field(
        default="127.0.0.1", metadata=_doc("Address the MLLP listener binds ('0.0.0.0': the LAN).")
    )
    port: int = field(
        default=2575, metadata=_doc("TCP port of the MLLP listener (0: any free port).", min=0, max=65535)
    )
    cert_file: str = field(
        default="", metadata=_doc("TLS certificate (PEM) of the listener; empty: plain MLLP.")
    )
    key_file: str = field(default="", metadata=_doc("TLS private key (PEM) for cert_file."))
    providers: dict[str, str] = field(
        default_factory=dict,
        metadata=_doc(
            "The practice system's provider id (AIP-3/AIG-3/PV1-7/SCH-16, first component) -> the hub's "
            "provider id. An id not listed is taken when it is itself a hub provider id, else refused (AE)."
        ),
    )
    timezone: str = field(
        default="",
        metadata=_doc("The practice's time zone (IANA, e.g. 'America/Chicago'); empty: this host's."),
    )
    encoding: str = field(
        default="utf-8",
        metadata=_doc("Character set of messages without MSH-18.", choices=("utf-8", "latin-1", "cp1252")),
    )
    default_duration_min: int = field(
        default=15,
        metadata=_doc("Duration of an appointment whose message gives none (min).", min=1, max=480),
    )
    max_message_kb: int = field(
        default=1024,
        metadata=_doc("Largest message taken (KiB); a longer frame closes the connection.", min=4),
    )
    keep_days: int = field(
        default=7,
        metadata=_doc(
            "Days the received messages (raw, with MSH-10) and past appointments are kept at the hub.",
            min=1,
            max=3650,
        ),
    )
    application: str = field(
        default="KIOSK", metadata=_doc("This hub's MSH-3 (sending application) in ACKs and arrivals.")
    )
    facility: str = field(
        default="", metadata=_doc("This hub's MSH-4 (sending facility); empty: the practice id.")
    )
    arrivals_host: str = field(
        default="", metadata=_doc("Where arrivals go (the practice system's MLLP inbound); empty: not sent.")
    )
    arrivals_port: int = field(default=2576, metadata=_doc("TCP port of arrivals_host.", min=1, max=65535))
    arrivals_ca_file: str = field(
        default="", metadata=_doc("CA (PEM) to reach arrivals_host over TLS; empty: plain.")
    )
    arrivals_message: str = field(
        default="SIU^S14",
        metadata=_doc("What an arrival is sent as.", choices=("SIU^S14", "ADT^A10")),
    )
    arrivals_status: str = field(
        default="Arrived", metadata=_doc("SCH-25 filler status of an arrival (SIU^S14).")
    )
    arrivals_ack_timeout_s: float = field(
        default=10.0,
        metadata=_doc("Wait this long for an arrival's ACK before sending it again (s).", min=0.1, max=600),
    )
    arrivals_retry_max_s: float = field(
        default=30.0,
        metadata=_doc("Longest wait between attempts to deliver an arrival (s).", min=0.1, max=3600),
    )

    @property
    def tls(self) -> bool:
        return bool(self.cert_file)


@dataclass(frozen=True)
class HubFhirSettings:
    """[hub.fhir]: the practice system's FHIR R4 server, polled for Appointment changes;
    arrivals written back as Appointment.status = arrived (see docs/ehr.md). Off unless enabled."""

    enabled: bool = field(default=False, metadata=_doc("Poll the FHIR server from `kiosk hub run`."))
    url: str = field(default="", metadata=_doc("The server's base URL, e.g. 'https://ehr.lan/fhir/R4'."))
    poll_s: float = field(default=2.0, metadata=_doc("Seconds between polls.", min=0.2, max=3600))
    page_size: int = field(default=50, metadata=_doc("Appointments a page (_count).", min=1, max=1000))
    timeout_s: float = field(
        default=10.0, metadata=_doc("Longest wait for one HTTP answer (s).", min=0.5, max=300)
    )
    providers: dict[str, str] = field(
        default_factory=dict,
        metadata=_doc(
            "Practitioner id -> the hub's provider id. An id not listed is taken when it is itself a hub "
            "provider id, else the appointment is refused (counted as AE)."
        ),
    )
    timezone: str = field(default="", metadata=_doc("The practice's time zone (IANA); empty: this host's."))
    default_duration_min: int = field(
        default=15, metadata=_doc("Duration of an appointment that gives none (min).", min=1, max=480)
    )
    arrivals: bool = field(
        default=True,
        metadata=_doc("Set Appointment.status = arrived on the server when a kiosk checks a patient in."),
    )


@dataclass(frozen=True)
class HubSettings:
    """[hub]: the practice hub (only read by ``kiosk hub``)."""

    state_dir: str = field(
        default=str(DEFAULT_STATE_DIR / "hub"), metadata=_doc("Directory for the hub's database.")
    )
    schedule_file: str = field(default="", metadata=_doc("Day schedule (CSV or JSON) to load at start."))
    client_id: str = field(default="hub", metadata=_doc("The hub's MQTT client id and username.", slug=True))
    encrypt_store: bool = field(default=True, metadata=_doc("Keep the hub's database encrypted (SQLCipher)."))
    store_key_file: str = field(
        default="", metadata=_doc("The hub store's key file (0600); empty: store.key in state_dir.")
    )
    store_key_command: str = field(
        default="",
        metadata=_doc("A command printing the store's key material (KMS, TPM); overrides the file."),
    )
    broker_dir: str = field(
        default="",
        metadata=_doc("Where `kiosk hub broker-config` wrote the broker's files (for `kiosk hub revoke`)."),
    )
    cli_username: str = field(
        default="",
        metadata=_doc(
            "The practice CLI's own broker login (`kiosk hub broker-config --practice-user`); empty: "
            "[broker]'s, unless that is the hub's own (it would take over the hub's session)."
        ),
    )
    cli_password: str = field(default="", metadata=_doc("The practice CLI's broker password."))
    intake: str = field(
        default="self",
        metadata=_doc(
            "Who records check-ins: 'self' (this hub), or 'pool' (`kiosk hub intake` workers sharing"
            " an MQTT 5 subscription; see docs/scale.md).",
            choices=("self", "pool"),
        ),
    )
    web: HubWebSettings = field(default_factory=HubWebSettings)
    notify: HubNotifySettings = field(default_factory=HubNotifySettings)
    ehr: HubEhrSettings = field(default_factory=HubEhrSettings)
    fhir: HubFhirSettings = field(default_factory=HubFhirSettings)


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
class SpeechSettings:
    """[speech]: voice check-in (recognition, synthesis, listening)."""

    enabled: bool = field(default=True, metadata=_doc("Offer voice check-in beside the touch screen."))
    engine: str = field(
        default="auto",
        metadata=_doc(
            "Recognizer: 'auto' (vosk if vosk_model_dir is set, else pocketsphinx), 'pocketsphinx', 'vosk'.",
            choices=("auto", "pocketsphinx", "vosk"),
        ),
    )
    vosk_model_dir: str = field(
        default="", metadata=_doc("Installed vosk model directory (see 'kiosk speech install-model').")
    )
    models_dir: str = field(
        default=str(DEFAULT_STATE_DIR / "models"),
        metadata=_doc("Where 'kiosk speech install-model' unpacks model archives."),
    )
    voice_en: str = field(default="en-us", metadata=_doc("espeak-ng voice for English."))
    voice_es: str = field(default="es-419", metadata=_doc("espeak-ng voice for Spanish."))
    rate_wpm: int = field(default=160, metadata=_doc("Speaking rate (words per minute).", min=80, max=400))
    tts_timeout_s: float = field(
        default=5.0, metadata=_doc("Longest a synthesis may take before it is dropped (s).", min=0.5, max=60)
    )
    input_device: str = field(default="", metadata=_doc("Microphone (PortAudio name); empty: the default."))
    output_device: str = field(default="", metadata=_doc("Speaker (PortAudio name); empty for the default."))
    vad_threshold_db: float = field(
        default=12.0, metadata=_doc("Speech starts this far above the noise floor (dB).", min=3, max=40)
    )
    vad_hangover_ms: int = field(
        default=600, metadata=_doc("Quiet that ends an utterance (ms).", min=150, max=3000)
    )
    max_utterance_s: float = field(
        default=10.0, metadata=_doc("Longest utterance before listening gives up (s).", min=2, max=60)
    )
    listen_timeout_s: float = field(
        default=8.0, metadata=_doc("How long to wait for an answer before re-prompting (s).", min=2, max=60)
    )
    echo_tail_ms: int = field(
        default=300, metadata=_doc("Listening stays muted this long after speaking (ms).", min=0, max=3000)
    )
    max_misses: int = field(
        default=2, metadata=_doc("Misses in a row before the screen takes over.", min=1, max=10)
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
            "Screen density for touch-target sizes; 0 guesses from the screen width.", min=0, max=40
        ),
    )
    idle_timeout_s: int = field(
        default=30, metadata=_doc("Seconds without a touch before the reset countdown shows.", min=5, max=600)
    )
    countdown_s: int = field(
        default=10, metadata=_doc("Seconds of visible countdown before the screen resets.", min=3, max=60)
    )
    done_linger_s: int = field(
        default=12, metadata=_doc("Seconds the final screen stays before going back.", min=3, max=120)
    )
    dim_after_s: int = field(
        default=120,
        metadata=_doc("Seconds of no touch after which the provider board dims.", min=5, max=86400),
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
