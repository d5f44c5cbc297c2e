"""[phone]: the phone line's settings (``kiosk phone run``, docs/phone.md), declared as
``config.settings`` declares the rest (``metadata`` docs and bounds, checked by
``config.loader``) and re-exported from there."""

from __future__ import annotations

from dataclasses import dataclass, field

from config.docs import doc as _doc
from config.hours import weekly_hours_problem


@dataclass(frozen=True)
class PhoneSettings:
    """[phone]: the practice's phone line (``kiosk phone run``, docs/phone.md). Its own
    settings file gives it its own [kiosk] id and [broker] credential."""

    sip_host: str = field(default="127.0.0.1", metadata=_doc("Address the SIP and RTP sockets bind to."))
    sip_port: int = field(default=5060, metadata=_doc("SIP port (UDP); 0: any free port.", min=0, max=65535))
    advertised_host: str = field(
        default="", metadata=_doc("Address put in Contact and SDP (NAT); empty: sip_host.")
    )
    allowed_peers: str = field(
        default="",
        metadata=_doc("Comma-separated addresses or networks (the PBX) that may call; empty: nobody."),
    )
    rtp_port_min: int = field(default=10000, metadata=_doc("First RTP port (0: any free port).", min=0))
    rtp_port_max: int = field(default=10999, metadata=_doc("Last RTP port.", min=0, max=65535))
    max_calls: int = field(default=30, metadata=_doc("Calls answered at once; more get 486.", min=1, max=500))
    sip_tls_port: int = field(
        default=0,
        metadata=_doc(
            "SIP over TLS port (transport=tls, usually 5061); 0: no TLS listener.", min=0, max=65535
        ),
    )
    sip_tls_cert_file: str = field(
        default="", metadata=_doc("The line's TLS certificate chain (PEM), for sip_tls_port.")
    )
    sip_tls_key_file: str = field(default="", metadata=_doc("Its private key (PEM, mode 0600)."))
    rt_priority: int = field(
        default=10,
        metadata=_doc(
            "SCHED_RR priority of the line's event loop (the RTP pacer; phone/realtime.py); 0: the "
            "ordinary scheduler. Needs LimitRTPRIO= of at least this (the unit sets 10).",
            min=0,
            max=99,
        ),
    )
    own_lookup_failures: int = field(
        default=6,
        metadata=_doc(
            "Failed own-appointment lookups (key 3) one caller number may make in own_lookup_window_s, "
            "over all its calls; then key 3 is refused with the desk/callback offer.",
            min=1,
            max=1000,
        ),
    )
    own_lookup_window_s: float = field(
        default=86_400.0,
        metadata=_doc("The window of own_lookup_failures (s).", min=60.0, max=30 * 86_400.0),
    )
    own_lookup_line_failures: int = field(
        default=30,
        metadata=_doc(
            "Failed own-appointment lookups from all callers together in an hour; then key 3 is "
            "refused for everyone until the hour has moved on (forged caller IDs).",
            min=1,
            max=100_000,
        ),
    )
    emergency_number: str = field(default="911", metadata=_doc("Said first: hang up and dial this."))
    rtp_timeout_s: float = field(
        default=30.0, metadata=_doc("A call whose RTP stopped this long is hung up (s).", min=2, max=600)
    )
    max_call_s: float = field(default=600.0, metadata=_doc("Longest call (s).", min=30, max=7200))
    registrar: str = field(
        default="",
        metadata=_doc("PBX or SIP trunk to REGISTER to, host or host:port; it may then call. Empty: none."),
    )
    sip_user: str = field(default="", metadata=_doc("User (and digest user name) the line registers as."))
    sip_domain: str = field(
        default="", metadata=_doc("Domain of the line's address of record; empty: the registrar's host.")
    )
    sip_password: str = field(default="", metadata=_doc("Digest password inline; prefer sip_password_file."))
    sip_password_file: str = field(
        default="", metadata=_doc("File holding the digest password (mode 0600); read at load, never logged.")
    )
    register_expires: int = field(
        default=300, metadata=_doc("Registration time asked for (s); refreshed at half.", min=10, max=86400)
    )
    invite_rate: float = field(
        default=5.0, metadata=_doc("New calls a second per source address past the burst.", min=0.1, max=1000)
    )
    invite_burst: int = field(
        default=30, metadata=_doc("New calls at once per source address; more get 503.", min=1, max=10000)
    )
    desk_uri: str = field(
        default="",
        metadata=_doc(
            "Front desk to transfer callers to with SIP REFER (key 9), e.g. sip:200@pbx; empty: none."
        ),
    )
    desk_hours: str = field(
        default="",
        metadata=_doc(
            "When the desk takes transfers, e.g. 'mon-fri 07:30-18:00, sat 09:00-12:00'; empty: always.",
            check=weekly_hours_problem,
        ),
    )
    transfer_timeout_s: float = field(
        default=30.0,
        metadata=_doc("A transfer the desk has not answered in this long fails (s).", min=5, max=300),
    )
    listen: bool = field(
        default=True,
        metadata=_doc(
            "Callers may speak their choices, birth date and first name (the [speech] engine, "
            "docs/phone.md); false: keys only."
        ),
    )


__all__ = ["PhoneSettings"]
