"""AES-128 in counter mode from the OpenSSL library Python's own ``ssl`` and ``hashlib``
already load (``libcrypto``), through ctypes: the venv has no ``cryptography`` package, and
AES in pure Python would cost about a millisecond per 20 ms packet (two per packet and
call). One ``AesCtr`` per key keeps its OpenSSL context; each use only sets the counter.

``phone.srtp`` takes the cipher as a factory, so its rules are tested with the RFC 3711
vectors whatever provides the blocks.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Protocol

from core.errors import KioskError


class CipherUnavailable(KioskError):
    """No libcrypto with AES-128-CTR could be loaded (SRTP cannot be offered)."""


class Keystream(Protocol):
    def xor(self, counter: bytes, data: bytes) -> bytes:
        """``data`` XOR the keystream that starts at the 16-byte ``counter`` block."""
        ...


def _load() -> ctypes.CDLL:
    name = ctypes.util.find_library("crypto") or "libcrypto.so.3"
    try:
        lib = ctypes.CDLL(name)
        lib.EVP_aes_128_ctr.restype = ctypes.c_void_p
        lib.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
        lib.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]
        lib.EVP_EncryptInit_ex.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_char_p] * 2
        lib.EVP_EncryptUpdate.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_char_p, ctypes.c_int,
        ]  # fmt: skip
    except (OSError, AttributeError) as exc:
        raise CipherUnavailable(
            f"libcrypto ({name}) with EVP_aes_128_ctr could not be loaded: {exc}"
        ) from exc
    return lib


_lib: ctypes.CDLL | None = None


def _crypto() -> ctypes.CDLL:
    global _lib  # noqa: PLW0603 - loaded once, on first use (a line with no SRTP call never loads it)
    if _lib is None:
        _lib = _load()
    return _lib


def available() -> bool:
    """Whether AES-128-CTR can be had here (else the line refuses SRTP offers, 488)."""
    try:
        _crypto()
    except CipherUnavailable:
        return False
    return True


class AesCtr:
    """AES-128-CTR under one key; the 128-bit counter counts up from the block given."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 16:
            raise ValueError(f"AES-128 takes a 16-byte key, not {len(key)} bytes")
        lib = _crypto()
        self._lib = lib
        self._ctx = lib.EVP_CIPHER_CTX_new()
        if not self._ctx or not lib.EVP_EncryptInit_ex(self._ctx, lib.EVP_aes_128_ctr(), None, key, None):
            raise CipherUnavailable("libcrypto refused an AES-128-CTR context")
        self._out_len = ctypes.c_int()

    def xor(self, counter: bytes, data: bytes) -> bytes:
        if len(counter) != 16:
            raise ValueError(f"the counter block is 16 bytes, not {len(counter)}")
        lib = self._lib
        if not lib.EVP_EncryptInit_ex(self._ctx, None, None, None, counter):
            raise CipherUnavailable("libcrypto refused the counter block")
        out = ctypes.create_string_buffer(len(data))
        if not lib.EVP_EncryptUpdate(self._ctx, out, ctypes.byref(self._out_len), data, len(data)):
            raise CipherUnavailable("libcrypto failed an AES-128-CTR pass")
        return out.raw[: self._out_len.value]

    def __del__(self) -> None:
        ctx = getattr(self, "_ctx", None)
        if ctx:
            self._lib.EVP_CIPHER_CTX_free(ctx)
            self._ctx = None


__all__ = ["AesCtr", "CipherUnavailable", "Keystream", "available"]
