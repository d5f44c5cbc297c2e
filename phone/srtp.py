"""SRTP (RFC 3711) for one direction of one RTP stream: AES_CM_128_HMAC_SHA1_80 (and _32).

Pure rules over bytes; the AES-CTR blocks come from the cipher factory passed in
(``phone.aes_ctr`` by default). ``SrtpContext.protect`` turns an RTP packet into SRTP;
``unprotect`` checks and decrypts one, and never raises: a packet that is cut short,
fails its tag or is a replay gives a ``Rejected`` with the reason, counted in ``stats``,
and leaves the context as it was (a forged packet cannot move the rollover counter).

The packet index is ROC * 65536 + SEQ. The sender counts its ROC up when SEQ wraps; the
receiver estimates it from the highest index it authenticated (RFC 3711 §3.3.1 and
Appendix A) and updates only after the tag checks. The replay window is 64 packets.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from phone.aes_ctr import AesCtr, Keystream

AES_CM_128_HMAC_SHA1_80 = "AES_CM_128_HMAC_SHA1_80"
AES_CM_128_HMAC_SHA1_32 = "AES_CM_128_HMAC_SHA1_32"
TAG_BYTES = {AES_CM_128_HMAC_SHA1_80: 10, AES_CM_128_HMAC_SHA1_32: 4}
MASTER_KEY_BYTES, MASTER_SALT_BYTES = 16, 14
REPLAY_WINDOW = 64
_LABEL_KEY, _LABEL_AUTH, _LABEL_SALT = 0, 1, 2
_RTP_FIXED = 12

CipherFactory = Callable[[bytes], Keystream]


@dataclass(frozen=True)
class SessionKeys:
    cipher_key: bytes  # 16 bytes
    auth_key: bytes  # 20 bytes
    salt: bytes  # 14 bytes


@dataclass(frozen=True)
class Rejected:
    """An SRTP packet not taken, and why (``short``, ``not_rtp``, ``mki``, ``auth``, ``replay``,
    ``too_old``)."""

    reason: str


def derive(master_key: bytes, master_salt: bytes, cipher: CipherFactory = AesCtr) -> SessionKeys:
    """The SRTP session keys (RFC 3711 §4.3, key derivation rate 0: r = 0, derived once)."""
    if len(master_key) != MASTER_KEY_BYTES or len(master_salt) != MASTER_SALT_BYTES:
        raise ValueError(
            f"an AES_CM_128 master key is {MASTER_KEY_BYTES} bytes and its salt {MASTER_SALT_BYTES},"
            f" not {len(master_key)} and {len(master_salt)}"
        )
    prf = cipher(master_key)
    salt = int.from_bytes(master_salt, "big")

    def prf_n(label: int, length: int) -> bytes:
        x = salt ^ (label << 48)  # key_id = label || r (48 bits of zero), XOR the salt
        return prf.xor((x << 16).to_bytes(16, "big"), bytes(length))

    return SessionKeys(prf_n(_LABEL_KEY, 16), prf_n(_LABEL_AUTH, 20), prf_n(_LABEL_SALT, 14))


def header_length(packet: bytes) -> int:
    """The RTP header's length (fixed part, CSRCs, extension), or 0 when ``packet`` is not
    a whole RTP v2 header."""
    if len(packet) < _RTP_FIXED or packet[0] >> 6 != 2:
        return 0
    length = _RTP_FIXED + 4 * (packet[0] & 0x0F)
    if packet[0] & 0x10:
        if len(packet) < length + 4:
            return 0
        length += 4 + 4 * struct.unpack_from("!H", packet, length + 2)[0]
    return length if len(packet) >= length else 0


class SrtpContext:
    """One direction of one stream (the SSRC is read from each packet): the line keeps one
    to protect what it sends and one to unprotect what the caller sends."""

    def __init__(
        self,
        suite: str,
        master_key: bytes,
        master_salt: bytes,
        cipher: CipherFactory = AesCtr,
        mki: bytes = b"",
    ) -> None:
        if suite not in TAG_BYTES:
            raise ValueError(f"unsupported SRTP suite {suite!r}; expected one of {sorted(TAG_BYTES)}")
        keys = derive(master_key, master_salt, cipher)
        self.suite = suite
        self._tag_bytes = TAG_BYTES[suite]
        self._mki = mki  # the master key identifier each packet carries (RFC 3711 §3.1), if any
        self._trailer = len(mki) + self._tag_bytes
        self._cipher = cipher(keys.cipher_key)
        self._salt = int.from_bytes(keys.salt, "big") << 16
        self._mac = hmac.new(keys.auth_key, digestmod=hashlib.sha1)
        self.stats: Counter[str] = Counter()
        self._roc = 0  # sender: ROC of the last packet sent
        self._last_seq = -1  # sender: SEQ of the last packet sent
        self._highest = -1  # receiver: the highest index authenticated (-1: none yet)
        self._window = 0  # receiver: bit i set = index (highest - i) was received

    # --- sending ------------------------------------------------------------------------

    def protect(self, packet: bytes) -> bytes:
        """``packet`` (RTP) as SRTP. Raises ``ValueError`` only for a packet the line built
        wrong (not RTP): what it sends is its own."""
        start = header_length(packet)
        if not start:
            raise ValueError("protect() takes a whole RTP v2 packet")
        seq, ssrc = struct.unpack_from("!H", packet, 2)[0], struct.unpack_from("!I", packet, 8)[0]
        if self._last_seq >= 0 and seq < self._last_seq and self._last_seq - seq > 0x8000:
            self._roc = (self._roc + 1) & 0xFFFFFFFF  # SEQ wrapped
        self._last_seq = seq
        index = (self._roc << 16) | seq
        body = packet[:start] + self._crypt(ssrc, index, packet[start:])
        self.stats["protected"] += 1
        return body + self._mki + self._tag(body, self._roc)

    # --- receiving ----------------------------------------------------------------------

    def unprotect(self, packet: bytes) -> bytes | Rejected:
        """The RTP packet inside ``packet``, or why it was rejected (counted)."""
        start = header_length(packet)
        if not start:
            return self._reject("not_rtp")
        if len(packet) < start + self._trailer:
            return self._reject("short")
        body, tag = packet[: -self._trailer], packet[-self._tag_bytes :]
        if packet[len(body) : -self._tag_bytes] != self._mki:
            return self._reject("mki")
        seq, ssrc = struct.unpack_from("!H", packet, 2)[0], struct.unpack_from("!I", packet, 8)[0]
        index = self._estimate(seq)
        if index < 0:
            return self._reject("too_old")
        replay = self._replayed(index)
        if replay:
            return self._reject(replay)
        if not hmac.compare_digest(tag, self._tag(body, index >> 16)):
            return self._reject("auth")
        self._accept(index)
        self.stats["unprotected"] += 1
        return body[:start] + self._crypt(ssrc, index, body[start:])

    def _estimate(self, seq: int) -> int:
        """The packet's index from its SEQ and the highest authenticated (Appendix A)."""
        if self._highest < 0:
            return seq  # the first packet: ROC 0, s_l its SEQ
        roc, s_l = self._highest >> 16, self._highest & 0xFFFF
        v = roc
        if s_l < 0x8000 and seq - s_l > 0x8000:
            v = roc - 1  # from before the last wrap
        elif s_l >= 0x8000 and s_l - 0x8000 > seq:
            v = roc + 1  # SEQ wrapped
        return (v << 16) | seq if v >= 0 else -1

    def _replayed(self, index: int) -> str:
        if self._highest < 0 or index > self._highest:
            return ""
        behind = self._highest - index
        if behind >= REPLAY_WINDOW:
            return "too_old"
        return "replay" if self._window >> behind & 1 else ""

    def _accept(self, index: int) -> None:
        if self._highest < 0:
            self._highest, self._window = index, 1
        elif index > self._highest:
            shift = index - self._highest
            self._window = ((self._window << shift) | 1) & ((1 << REPLAY_WINDOW) - 1)
            self._highest = index
        else:
            self._window |= 1 << (self._highest - index)

    # --- both ---------------------------------------------------------------------------

    def _crypt(self, ssrc: int, index: int, data: bytes) -> bytes:
        """AES-CM (RFC 3711 §4.1.1): IV = salt·2^16 XOR SSRC·2^64 XOR index·2^16."""
        if not data:
            return b""
        iv = self._salt ^ (ssrc << 64) ^ (index << 16)
        return self._cipher.xor(iv.to_bytes(16, "big"), data)

    def _tag(self, authenticated: bytes, roc: int) -> bytes:
        mac = self._mac.copy()
        mac.update(authenticated)
        mac.update(struct.pack("!I", roc & 0xFFFFFFFF))
        return mac.digest()[: self._tag_bytes]

    def _reject(self, reason: str) -> Rejected:
        self.stats["rejected"] += 1
        self.stats[f"rejected_{reason}"] += 1
        return Rejected(reason)


__all__ = [
    "AES_CM_128_HMAC_SHA1_32",
    "AES_CM_128_HMAC_SHA1_80",
    "MASTER_KEY_BYTES",
    "MASTER_SALT_BYTES",
    "REPLAY_WINDOW",
    "TAG_BYTES",
    "Rejected",
    "SessionKeys",
    "SrtpContext",
    "derive",
    "header_length",
]
