"""One exception hierarchy for the whole kiosk (hub included).

Boundaries catch ``KioskError`` subclasses they know how to contain (a dead printer
never stops a check-in); anything else is a bug and propagates.
"""


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""


class ConfigError(KioskError):
    """A setting is missing, malformed or out of range. The message names the key."""


class WireError(KioskError):
    """A message on the wire could not be decoded or validated. The message says why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class SyncError(KioskError):
    """The sync link or the cache could not do what was asked."""


class StorageError(KioskError):
    """The local SQLite store failed (disk full, corrupt file, read-only)."""


class DeviceError(KioskError):
    """A peripheral is missing or misbehaving."""


class SpeechError(KioskError):
    """Speech recognition or synthesis could not do what was asked (bad model, bad audio, a hung voice)."""
