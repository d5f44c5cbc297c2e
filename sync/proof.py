"""Staff proofs: an HMAC over a message's canonical fields, keyed by a person's proof key.

Pure: the kiosk signs with the key it rebuilt from the PIN just typed (``domain.staff``),
the hub checks with the key it holds. Every field except the proofs themselves is signed,
so an altered field, another key or another kiosk id breaks the proof.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json

from sync.wire import Message

PROOF_FIELDS = frozenset({"proof", "approval_proof"})
PROOF_HEX_LEN = 64


def signed_bytes(msg: Message) -> bytes:
    """The canonical form a proof covers: the kind and every non-proof field, as sorted JSON."""
    body = {k: v for k, v in dataclasses.asdict(msg).items() if k not in PROOF_FIELDS}
    body["kind"] = msg.KIND
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign(key: bytes, msg: Message) -> str:
    return hmac.new(key, signed_bytes(msg), hashlib.sha256).hexdigest()


def matches(keys: tuple[bytes, ...], msg: Message, proof: str) -> bool:
    """Whether ``proof`` was made over ``msg`` with one of ``keys`` (constant-time compares)."""
    if len(proof) != PROOF_HEX_LEN:
        return False
    body = signed_bytes(msg)
    hit = False
    for key in keys:
        hit |= hmac.compare_digest(hmac.new(key, body, hashlib.sha256).hexdigest(), proof)
    return hit
