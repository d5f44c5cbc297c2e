"""SIP messages (RFC 3261) over UDP: parse and build, pure functions over bytes.

``parse`` never raises: malformed input gives a ``Malformed`` with the reason (the line
counts it and drops the datagram). Headers keep their order and repeats (several Via),
names compare case-insensitively and compact forms (``v``, ``f``, ``t``, ``i``, ``m``,
``l``, ``c``) are read as their long names.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass, field

MAX_DATAGRAM = 65507
_COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
            "c": "content-type", "k": "supported", "s": "subject"}  # fmt: skip
_TOKEN = re.compile(r"^[A-Za-z0-9.!%*_+`'~-]+$")
_IP_URI = re.compile(r"^sips?:(?:[^@;>]*@)?(\[[0-9A-Fa-f:.]+\]|[0-9.]+)(?::(\d{1,5}))?(?:[;?].*)?$")
_REQUIRED = ("via", "from", "to", "call-id", "cseq")
REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 407: "Proxy Authentication Required", 423: "Interval Too Brief",
           405: "Method Not Allowed", 415: "Unsupported Media Type", 481: "Call/Transaction Does Not Exist",
           486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here",
           500: "Server Internal Error", 503: "Service Unavailable", 603: "Decline"}  # fmt: skip


@dataclass(frozen=True)
class SipMessage:
    """A request (``method`` and ``uri`` set) or a response (``status`` set)."""

    method: str = ""
    uri: str = ""
    status: int = 0
    reason: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # (lower-case long name, value), in order
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return bool(self.method)

    def header(self, name: str) -> str:
        """The first value of ``name`` (lower-case long form), or ""."""
        return next((v for n, v in self.headers if n == name), "")

    def all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n == name]

    @property
    def call_id(self) -> str:
        return self.header("call-id")

    @property
    def cseq(self) -> tuple[int, str]:
        number, _, method = self.header("cseq").partition(" ")
        return int(number), method.strip()


@dataclass(frozen=True)
class Malformed:
    reason: str


@dataclass
class _Lines:
    start: str
    headers: list[tuple[str, str]] = field(default_factory=list)


def parse(data: bytes) -> SipMessage | Malformed:
    """One SIP message from one datagram; never raises."""
    try:
        return _parse(data)
    except (ValueError, UnicodeDecodeError, IndexError) as exc:
        return Malformed(f"{type(exc).__name__}")


def _parse(data: bytes) -> SipMessage | Malformed:
    if len(data) > MAX_DATAGRAM:
        return Malformed("too_large")
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
        if not sep:
            return Malformed("no_header_end")
    lines = _unfold(head.decode("utf-8").replace("\r\n", "\n").split("\n"))
    if not lines or not lines[0].strip():
        return Malformed("empty")
    parsed = _Lines(lines[0].strip())
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        if not colon or not _TOKEN.match(name):
            return Malformed("bad_header")
        parsed.headers.append((_COMPACT.get(name, name), value.strip()))
    first: dict[str, str] = {}
    for name, value in parsed.headers:
        first.setdefault(name, value)
    missing = [n for n in _REQUIRED if n not in first]
    if missing:
        return Malformed(f"missing_{missing[0]}")
    cseq = first["cseq"].split()
    if len(cseq) != 2 or not cseq[0].isdigit() or len(cseq[0]) > 10 or not _TOKEN.match(cseq[1]):
        return Malformed("bad_cseq")
    length_text = first.get("content-length", str(len(body)))
    if not length_text.isdigit() or int(length_text) > len(body):
        return Malformed("bad_content_length")
    body = body[: int(length_text)]
    return _start_line(parsed, body, cseq[1])


def _unfold(lines: list[str]) -> list[str]:
    """Header lines continued on the next line (leading white space) joined back."""
    out: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and len(out) > 1:
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return out


def _start_line(parsed: _Lines, body: bytes, cseq_method: str) -> SipMessage | Malformed:
    parts = parsed.start.split(" ", 2)
    headers = tuple(parsed.headers)
    if parts[0] == "SIP/2.0":
        if len(parts) < 2 or not parts[1].isdigit() or len(parts[1]) != 3:
            return Malformed("bad_status_line")
        return SipMessage(status=int(parts[1]), reason=parts[2] if len(parts) > 2 else "", headers=headers,
                          body=body)  # fmt: skip
    if len(parts) != 3 or parts[2] != "SIP/2.0" or not _TOKEN.match(parts[0]) or not parts[1]:
        return Malformed("bad_request_line")
    if parts[0] != parts[0].upper():
        return Malformed("bad_method")
    if parts[0] != cseq_method:
        return Malformed("cseq_method_mismatch")
    return SipMessage(method=parts[0], uri=parts[1], headers=headers, body=body)


def build(msg: SipMessage) -> bytes:
    """The wire form, with Content-Length set from the body."""
    start = f"{msg.method} {msg.uri} SIP/2.0" if msg.is_request else f"SIP/2.0 {msg.status} {msg.reason}"
    lines = [start]
    lines += [f"{_canonical(n)}: {v}" for n, v in msg.headers if n != "content-length"]
    lines.append(f"Content-Length: {len(msg.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + msg.body


def _canonical(name: str) -> str:
    special = {"call-id": "Call-ID", "cseq": "CSeq", "www-authenticate": "WWW-Authenticate",
               "proxy-authenticate": "Proxy-Authenticate"}  # fmt: skip
    return special.get(name, "-".join(p.capitalize() for p in name.split("-")))


def new_tag() -> str:
    return secrets.token_hex(6)


def tag_of(value: str) -> str:
    """The ``tag`` parameter of a From or To value."""
    match = re.search(r";\s*tag=([^;>\s]+)", value)
    return match.group(1) if match else ""


def response(
    request: SipMessage,
    status: int,
    *,
    to_tag: str = "",
    extra: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
) -> SipMessage:
    """A response to ``request``: its Vias, From, Call-ID and CSeq, and its To with our tag."""
    to = request.header("to")
    if to_tag and not tag_of(to):
        to = f"{to};tag={to_tag}"
    headers: list[tuple[str, str]] = [("via", v) for v in request.all("via")]
    headers += [("from", request.header("from")), ("to", to), ("call-id", request.call_id),
                ("cseq", request.header("cseq"))]  # fmt: skip
    headers += list(extra)
    return SipMessage(status=status, reason=REASONS.get(status, "Unknown"), headers=tuple(headers), body=body)


def uri_of(value: str) -> str:
    """The URI inside a From/To/Contact value (``"Name" <sip:x@y>;tag=1`` -> ``sip:x@y``)."""
    match = re.search(r"<([^>]*)>", value)
    return match.group(1) if match else value.split(";", 1)[0].strip()


def host_port(uri: str) -> tuple[str, int] | None:
    """Where to send a request for ``uri`` when its host is an IP address
    (``sip:u@10.0.0.5:5070;lr`` -> ("10.0.0.5", 5070)); None for a host name (the line
    resolves no names per request: it then answers where the INVITE came from)."""
    match = _IP_URI.match(uri.strip())
    if match is None:
        return None
    try:
        address = ipaddress.ip_address(match.group(1).strip("[]"))
    except ValueError:
        return None
    port = int(match.group(2) or 5060)
    return (str(address), port) if 0 < port < 65536 else None


def route_set(request: SipMessage) -> list[str]:
    """The URIs of ``request``'s Record-Route values in order: the route set a UAS keeps for
    its requests in the dialog (RFC 3261 §12.1.1)."""
    return [uri for value in request.all("record-route") for uri in re.findall(r"<([^>]*)>", value)]


def in_dialog(  # noqa: PLR0917 - the dialog's parts
    invite: SipMessage,
    our_tag: str,
    cseq: int,
    method: str,
    via: str,
    extra: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
) -> tuple[SipMessage, tuple[str, int] | None]:
    """A request of ours (BYE, REFER) in the dialog ``invite`` opened, we being its UAS, and
    where to send it: the first proxy that record-routed, else the caller's Contact (a proxy
    that did not record-route may not route it); None: where the INVITE came from."""
    target = uri_of(invite.header("contact")) or uri_of(invite.header("from"))
    routes = route_set(invite)
    msg = SipMessage(
        method=method,
        uri=target,
        headers=(
            ("via", f"SIP/2.0/UDP {via};branch=z9hG4bK{secrets.token_hex(8)}"),
            *(("route", f"<{r}>") for r in routes),
            ("max-forwards", "70"),
            ("from", f"{invite.header('to')};tag={our_tag}"),
            ("to", invite.header("from")),
            ("call-id", invite.call_id),
            ("cseq", f"{cseq} {method}"),
            *extra,
        ),
        body=body,
    )
    return msg, host_port(routes[0] if routes else target)


__all__ = ["REASONS", "Malformed", "SipMessage", "build", "host_port", "in_dialog", "new_tag", "parse",
           "response", "route_set", "tag_of", "uri_of"]  # fmt: skip
