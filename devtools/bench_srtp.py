"""``phone_srtp_cost``: what SRTP (``phone.srtp``, AES-CTR from libcrypto, HMAC-SHA1 from
hashlib) costs the line per packet and per call, in this process, no network:

- ``protect_us`` / ``unprotect_us``: p50/p99 µs for one 20 ms G.711 packet (12-byte header,
  160 bytes of payload) with AES_CM_128_HMAC_SHA1_80, one packet at a time as the line's
  pacer and its RTP socket do (each call's packet index moves on, so no packet is a replay);
- ``per_packet_pair_us_p50``: protect + unprotect, the cost of one packet each way;
- ``percent_of_core_per_call``: that pair x 50 packets a second (a call sends one and
  hears one each 20 ms), as a percentage of one core;
- ``sha1_32_per_packet_pair_us_p50``: the same pair with AES_CM_128_HMAC_SHA1_32;
- ``plain_pack_unpack_us_p50``: the RTP pack + unpack the line does anyway, for scale.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from devtools.bench import percentiles
from phone import rtp
from phone.srtp import AES_CM_128_HMAC_SHA1_32, AES_CM_128_HMAC_SHA1_80, SrtpContext


def _packets(count: int) -> list[bytes]:
    payload = secrets.token_bytes(160)
    return [rtp.pack(rtp.RtpPacket(0, seq & 0xFFFF, seq * 160, 0x5EED, payload)) for seq in range(count)]


def _pair(suite: str, packets: list[bytes]) -> tuple[list[float], list[float]]:
    key, salt = secrets.token_bytes(16), secrets.token_bytes(14)
    sender, receiver = SrtpContext(suite, key, salt), SrtpContext(suite, key, salt)
    protect_us, unprotect_us = [], []
    clock = time.perf_counter_ns
    for packet in packets:
        started = clock()
        protected = sender.protect(packet)
        middle = clock()
        plain = receiver.unprotect(protected)
        ended = clock()
        if plain != packet:
            raise RuntimeError(f"SRTP round trip failed: {plain!r}")
        protect_us.append((middle - started) / 1000)
        unprotect_us.append((ended - middle) / 1000)
    return protect_us, unprotect_us


def _plain(packets: list[bytes]) -> list[float]:
    out = []
    clock = time.perf_counter_ns
    for packet in packets:
        started = clock()
        unpacked = rtp.unpack(packet)
        if unpacked is not None:  # always: every packet here is RTP
            rtp.pack(unpacked)
        out.append((clock() - started) / 1000)
    return out


def run_bench(quick: bool = False) -> dict[str, Any]:
    packets = _packets(5_000 if quick else 30_000)  # 30,000: ten minutes of one direction
    _pair(AES_CM_128_HMAC_SHA1_80, packets[:500])  # warm: libcrypto loaded, caches filled
    protect_us, unprotect_us = _pair(AES_CM_128_HMAC_SHA1_80, packets)
    pairs = [p + u for p, u in zip(protect_us, unprotect_us, strict=True)]
    short = _pair(AES_CM_128_HMAC_SHA1_32, packets)
    pair_p50 = percentiles(pairs)["p50"]
    return {
        "phone_srtp_cost": {
            "protect_us": percentiles(protect_us),
            "unprotect_us": percentiles(unprotect_us),
            "per_packet_pair_us_p50": pair_p50,
            "per_packet_pair_us_p99": percentiles(pairs)["p99"],
            "percent_of_core_per_call": round(pair_p50 * 50 / 1e6 * 100, 3),
            "sha1_32_per_packet_pair_us_p50": percentiles([p + u for p, u in zip(*short, strict=True)])[
                "p50"
            ],
            "plain_pack_unpack_us_p50": percentiles(_plain(packets))["p50"],
            "packets": len(packets),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        }
    }


if __name__ == "__main__":
    print(json.dumps(run_bench("--quick" in sys.argv), indent=2))
