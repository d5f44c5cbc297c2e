"""HTTP digest authentication as SIP uses it (RFC 3261 §22, RFC 2617, RFC 7616): read a
challenge, answer it. Pure functions; the cnonce comes from the caller, so answers are
reproducible in tests.

Supported: ``MD5`` and ``SHA-256`` (and their ``-sess`` forms), ``qop=auth`` (preferred)
or ``auth-int``, and the RFC 2069 form when the challenge offers no qop. Where a server
offers several challenges, ``strongest`` picks SHA-256 over MD5.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_HASHES = {"MD5": "md5", "SHA-256": "sha256"}
_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)\s*(?:,|$)')


class DigestError(ValueError):
    """A challenge the line cannot answer (named in the message)."""


@dataclass(frozen=True)
class Challenge:
    realm: str
    nonce: str
    algorithm: str = "MD5"  # upper case, e.g. "SHA-256-SESS"
    qop: tuple[str, ...] = ()  # offered, lower case
    opaque: str | None = None
    stale: bool = False
    proxy: bool = False  # from Proxy-Authenticate (answered in Proxy-Authorization)

    @property
    def answer_header(self) -> str:
        return "proxy-authorization" if self.proxy else "authorization"


def parse_challenge(value: str, *, proxy: bool = False) -> Challenge | DigestError:
    """One ``WWW-Authenticate`` / ``Proxy-Authenticate`` value; never raises."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return DigestError(f"scheme {scheme[:20]!r} is not Digest")
    params: dict[str, str] = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if match is None or match.end() == position:
            return DigestError("challenge parameters are malformed")
        raw = match.group(2)
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[match.group(1).lower()] = raw
        position = match.end()
    if "realm" not in params or not params.get("nonce"):
        return DigestError("challenge has no realm or nonce")
    algorithm = params.get("algorithm", "MD5").upper()
    if algorithm.removesuffix("-SESS") not in _HASHES:
        return DigestError(f"algorithm {algorithm[:20]!r} is not supported")
    qop = tuple(q.strip().lower() for q in params.get("qop", "").split(",") if q.strip())
    if qop and not {"auth", "auth-int"} & set(qop):
        return DigestError(f"qop {','.join(qop)[:30]!r} is not supported")
    return Challenge(
        realm=params["realm"],
        nonce=params["nonce"],
        algorithm=algorithm,
        qop=qop,
        opaque=params.get("opaque"),
        stale=params.get("stale", "").lower() == "true",
        proxy=proxy,
    )


def strongest(challenges: list[Challenge]) -> Challenge | None:
    """SHA-256 before MD5 (RFC 7616 §3.7: a client uses the first it supports, servers list
    the preferred first; among the ones we support, the stronger hash wins)."""
    if not challenges:
        return None
    return max(challenges, key=lambda c: c.algorithm.startswith("SHA-256"))


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    def __repr__(self) -> str:  # a password never reaches a log through a repr
        return f"Credentials(user={self.user!r}, password=***)"


def _h(algorithm: str, text: str) -> str:
    return hashlib.new(_HASHES[algorithm.removesuffix("-SESS")], text.encode()).hexdigest()


def _h_bytes(algorithm: str, data: bytes) -> str:
    return hashlib.new(_HASHES[algorithm.removesuffix("-SESS")], data).hexdigest()


def response_hash(  # noqa: PLR0917 - the RFC's inputs, named as there
    challenge: Challenge,
    credentials: Credentials,
    method: str,
    uri: str,
    qop: str,
    nc: int,
    cnonce: str,
    body: bytes = b"",
) -> str:
    """The ``response`` value of RFC 2617 §3.2.2.1 / RFC 7616 §3.4.1."""
    algorithm = challenge.algorithm
    ha1 = _h(algorithm, f"{credentials.user}:{challenge.realm}:{credentials.password}")
    if algorithm.endswith("-SESS"):
        ha1 = _h(algorithm, f"{ha1}:{challenge.nonce}:{cnonce}")
    a2 = f"{method}:{uri}"
    if qop == "auth-int":
        a2 += ":" + _h_bytes(algorithm, body)
    ha2 = _h(algorithm, a2)
    if not qop:
        return _h(algorithm, f"{ha1}:{challenge.nonce}:{ha2}")
    return _h(algorithm, f"{ha1}:{challenge.nonce}:{nc:08x}:{cnonce}:{qop}:{ha2}")


def authorization(  # noqa: PLR0917 - the RFC's inputs
    challenge: Challenge,
    credentials: Credentials,
    method: str,
    uri: str,
    nc: int,
    cnonce: str,
    body: bytes = b"",
) -> str:
    """The ``Authorization`` (or ``Proxy-Authorization``) value answering ``challenge``."""
    if challenge.qop and not {"auth", "auth-int"} & set(challenge.qop):
        raise DigestError(f"qop {','.join(challenge.qop)[:30]!r} is not supported")
    qop = "auth" if "auth" in challenge.qop else ("auth-int" if challenge.qop else "")
    response = response_hash(challenge, credentials, method, uri, qop, nc, cnonce, body)
    parts = [
        f'username="{_quote(credentials.user)}"',
        f'realm="{_quote(challenge.realm)}"',
        f'nonce="{_quote(challenge.nonce)}"',
        f'uri="{_quote(uri)}"',
        f'response="{response}"',
        f"algorithm={challenge.algorithm}",
    ]
    if qop:
        parts += [f"qop={qop}", f"nc={nc:08x}", f'cnonce="{_quote(cnonce)}"']
    if challenge.opaque is not None:
        parts.append(f'opaque="{_quote(challenge.opaque)}"')
    return "Digest " + ", ".join(parts)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


__all__ = [
    "Challenge",
    "Credentials",
    "DigestError",
    "authorization",
    "parse_challenge",
    "response_hash",
    "strongest",
]
