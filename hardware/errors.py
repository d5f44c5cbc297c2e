"""Device errors beyond ``core.errors.DeviceError``: "missing" is told apart from "error"."""

from __future__ import annotations

from core.errors import DeviceError


class DeviceMissing(DeviceError):
    """The device is not there (unplugged, no such port). Health state "missing"."""


__all__ = ["DeviceError", "DeviceMissing"]
