"""SIP messages out of a byte stream (TCP or TLS, RFC 3261 §18.3), pure: the header block
ends at the first blank line, and ``Content-Length`` (mandatory on streams; ``l`` in the
compact form) says how much body follows. CRLF keep-alives between messages (RFC 5626
§3.5.1) are skipped. Never raises: a stream that cannot be framed (no length, a bad
length, a header block or body past the limit) is marked broken with a reason, and the
connection is then closed, since nothing after it can be trusted to start a message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_MESSAGE = 65_535  # as a datagram's limit (phone.sip.MAX_DATAGRAM): no bigger on a stream
_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\d{1,6})[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


@dataclass
class StreamFramer:
    broken: str = ""  # why the stream cannot be read on; empty while it can
    messages: int = 0
    _buffer: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> list[bytes]:
        """The complete messages ``data`` finishes, in order (none once ``broken``)."""
        if self.broken:
            return []
        self._buffer += data
        out: list[bytes] = []
        while True:
            while self._buffer[:2] == b"\r\n":  # keep-alive pings between messages
                del self._buffer[:2]
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_MESSAGE:
                    self.broken = "header_too_large"
                return out
            head = bytes(self._buffer[: end + 2])
            lengths = _LENGTH.findall(head)
            if not lengths:
                self.broken = "no_content_length"
                return out
            if len(set(lengths)) > 1:
                self.broken = "conflicting_content_length"
                return out
            total = end + 4 + int(lengths[0])
            if total > MAX_MESSAGE:
                self.broken = "too_large"
                return out
            if len(self._buffer) < total:
                return out
            out.append(bytes(self._buffer[:total]))
            del self._buffer[:total]
            self.messages += 1


__all__ = ["MAX_MESSAGE", "StreamFramer"]
