"""The panel's backlight (``/sys/class/backlight/*``): the idle provider board is dimmed
here, never by greying what it says, so the lobby still reads it at full contrast.

Writing ``brightness`` needs the right to (the ``video`` group on Raspberry Pi OS, or a
udev rule: docs/display.md). Without a backlight, or without the right, nothing dims and
the board stays as bright as in use; that is logged once, not retried every minute.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

SYS_BACKLIGHT = Path("/sys/class/backlight")


class Backlight:
    """One backlight device: ``set_dimmed(True)`` lowers it to ``dim_fraction`` of its
    brightness in use, ``set_dimmed(False)`` and ``release()`` put that brightness back."""

    def __init__(self, device: Path | None, dim_fraction: float = 0.3) -> None:
        self._device = device
        self._fraction = dim_fraction
        self._restore: int | None = None  # the brightness in use while dimmed
        self._broken = device is None

    @classmethod
    def find(cls, name: str = "", dim_fraction: float = 0.3, root: Path = SYS_BACKLIGHT) -> Backlight:
        """The named device under ``root``, or the first one; none: a backlight that never dims."""
        candidates = [root / name] if name else sorted(root.glob("*"))
        device = next((c for c in candidates if (c / "brightness").exists()), None)
        if device is None:
            log.info(
                "no backlight under %s%s: the idle board is not dimmed",
                root,
                f" named {name!r}" if name else "",
            )
        return cls(device, dim_fraction)

    @property
    def dimmed(self) -> bool:
        return self._restore is not None

    def set_dimmed(self, dimmed: bool) -> None:
        device = self._device
        if self._broken or device is None or dimmed == self.dimmed:
            return
        try:
            if dimmed:
                current = int((device / "brightness").read_text().strip())
                top = int((device / "max_brightness").read_text().strip())
                low = max(1, round(top * self._fraction))
                if current <= low:
                    return  # already as dim as we would make it: nothing to undo
                _write(device, low)
                self._restore = current
            else:
                restore, self._restore = self._restore, None
                if restore is not None:
                    _write(device, restore)
        except (OSError, ValueError) as exc:  # no right to write, a device gone: the board stays bright
            self._broken = True
            log.warning("cannot set the backlight %s (%s): the idle board is not dimmed", self._device, exc)

    def release(self) -> None:
        """Leave the panel as bright as in use (the kiosk stops)."""
        self.set_dimmed(False)


def _write(device: Path, value: int) -> None:
    (device / "brightness").write_text(f"{value}\n")


__all__ = ["SYS_BACKLIGHT", "Backlight"]
