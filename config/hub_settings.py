"""Declarations of the hub's settings: ``[hub]`` and its tables ``[hub.web]``,
``[hub.notify]``, ``[hub.ehr]`` and ``[hub.fhir]`` (the same conventions as
``config.settings``, which re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from config.defaults import DEFAULT_STATE_DIR
from config.docs import doc as _doc
from core.errors import ConfigError


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
    guesses_per_hour: int = field(
        default=30,
        metadata=_doc(
            "Wrong passwords checked per account in any hour from browsers it has not signed in on"
            " (all of them together), and per known browser.",
            min=1,
            max=1000,
        ),
    )
    client_attempts_per_hour: int = field(
        default=60,
        metadata=_doc("Sign-in attempts one client address may make in any hour.", min=1, max=10000),
    )
    failure_answer_ms: int = field(
        default=400,
        metadata=_doc(
            "Every refused sign-in is answered this long after it arrived (ms; at least the"
            " time of one password hash), so no kind of failure answers faster than another.",
            min=0,
            max=5000,
        ),
    )
    max_streams_per_session: int = field(
        default=6, metadata=_doc("Open live-update streams one sign-in may hold.", min=1, max=100)
    )
    allowed_hosts: str = field(
        default="",
        metadata=_doc(
            "Host names the dashboard answers to, comma-separated (IP addresses and localhost"
            " always); a request for any other Host is refused (DNS rebinding).",
            check=lambda v: _host_list_problem(str(v)),
        ),
    )

    @property
    def tls(self) -> bool:
        return bool(self.cert_file)

    @property
    def host_names(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())


def _host_list_problem(value: str) -> str:
    for name in (h.strip() for h in value.split(",")):
        if name and not all(c.isalnum() or c in "-." for c in name):
            return f"{name[:40]!r} is not a host name (letters, digits, '-' and '.'; no port)"
    return ""


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
    ehr_consent: str = field(
        default="none",
        metadata=_doc(
            "Which contacts from the practice system (SIU PID-13/14, FHIR Patient.telecom) may be"
            " messaged: none (only the schedule import's consent), ranked (the contact it ranks"
            " first), mobile (every mobile number).",
        ),
    )
    channel_down_escalate_min: float = field(
        default=10.0,
        metadata=_doc(
            "A channel down this long while messages wait for it raises one staff escalation (min).",
            min=0.01,
            max=1440,
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
    smtp_reply_to: str = field(
        default="",
        metadata=_doc(
            "Reply-To: and List-Unsubscribe: mailbox of notification e-mail (the one imap_* reads);"
            " empty: smtp_from."
        ),
    )
    imap_host: str = field(
        default="", metadata=_doc("IMAP server of the reply mailbox; empty: no e-mail replies.")
    )
    imap_port: int = field(default=993, metadata=_doc("IMAP port.", min=1, max=65535))
    imap_security: str = field(
        default="tls", metadata=_doc("tls (IMAPS, port 993), starttls (port 143) or plain (loopback only).")
    )
    imap_username: str = field(default="", metadata=_doc("IMAP user of the reply mailbox."))
    imap_password: str = field(default="", metadata=_doc("IMAP password."))
    imap_ca_file: str = field(
        default="", metadata=_doc("CA (PEM) that signs the IMAP server's certificate; empty: the system's.")
    )
    imap_mailbox: str = field(default="INBOX", metadata=_doc("Folder the replies arrive in."))
    imap_poll_s: float = field(
        default=10.0, metadata=_doc("Look for new e-mail replies this often (s).", min=0.1, max=3600)
    )
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
        if self.ehr_consent not in ("none", "ranked", "mobile"):
            raise ConfigError(
                f"hub.notify.ehr_consent = {self.ehr_consent[:20]!r}: expected one of none, ranked, mobile"
            )
        if self.imap_security not in ("tls", "starttls", "plain"):
            raise ConfigError(
                f"hub.notify.imap_security = {self.imap_security[:20]!r}:"
                " expected one of tls, starttls, plain"
            )
        if self.imap_security == "plain" and self.imap_host not in ("", "127.0.0.1", "localhost", "::1"):
            raise ConfigError("hub.notify.imap_security = 'plain': only for an IMAP server on this host")
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
    cli_password: str = field(
        default="",
        metadata=_doc("The practice CLI's broker password inline (older installs); use cli_password_file."),
    )
    cli_password_file: str = field(
        default="",
        metadata=_doc("File with the practice CLI broker password (mode 0600); read at load, never logged."),
    )
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
