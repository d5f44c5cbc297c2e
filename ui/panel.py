"""The panel's physical size, so that every size on screen is millimetres on the glass.

Where it comes from, first that answers:

1. ``[ui] px_per_mm`` in the config (a technician who measured the panel, or a panel
   whose EDID is wrong);
2. the display's EDID (``/sys/class/drm/card*-*/edid`` of a connected output): its
   preferred timing's image size in mm, else its basic size in cm;
3. the size the display server reports (``QScreen.physicalSize``: DRM or RandR, which
   read the same EDID or the panel driver's declared size, e.g. a DSI panel);
4. nothing says: the kiosk's reference panel for that resolution (``REFERENCE``), with a
   warning in the log naming the setting to fix it. It is never computed from the
   resolution alone.

Pixels are taken as square: the density is the larger of the two axes' (a size in mm is
then at least that size both ways).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MM_PER_INCH = 25.4
_EDID_HEADER = bytes((0, 255, 255, 255, 255, 255, 255, 0))


@dataclass(frozen=True)
class Panel:
    """A panel: its resolution, its active area and where that size came from."""

    width_px: int
    height_px: int
    width_mm: float
    height_mm: float
    source: str

    @property
    def px_per_mm(self) -> float:
        return max(self.width_px / self.width_mm, self.height_px / self.height_mm)

    @property
    def ppi(self) -> float:
        return self.px_per_mm * MM_PER_INCH


def _reference(width_px: int, height_px: int, ppi: float, name: str) -> Panel:
    per_mm = ppi / MM_PER_INCH
    return Panel(width_px, height_px, width_px / per_mm, height_px / per_mm, name)


REFERENCE = {
    (800, 480): _reference(800, 480, 133.0, 'reference 7" 800x480 (133 ppi)'),
    (1280, 800): _reference(1280, 800, 149.0, 'reference 10.1" 1280x800 (149 ppi)'),
}
"""The two panels the kiosk is built for, as measured (133 ppi and 149 ppi): what the
audit renders at, and the last resort when neither config nor display says."""


def edid_size_mm(edid: bytes) -> tuple[int, int] | None:
    """The image size an EDID declares, in mm: the first detailed timing's, else the
    basic block's (in cm). None for a block that is not an EDID or declares no size."""
    if len(edid) < 128 or edid[:8] != _EDID_HEADER:
        return None
    timing = edid[54:72]
    if timing[0] or timing[1]:  # a pixel clock: a detailed timing descriptor
        width = timing[12] | ((timing[14] & 0xF0) << 4)
        height = timing[13] | ((timing[14] & 0x0F) << 8)
        if width >= 10 and height >= 10:  # some panels put 1x1 or the aspect ratio here
            return width, height
    if edid[21] and edid[22]:
        return edid[21] * 10, edid[22] * 10
    return None


def drm_panel(width_px: int, height_px: int, root: Path = Path("/sys/class/drm")) -> Panel | None:
    """The first connected output whose EDID declares a size."""
    for status in sorted(root.glob("card*-*/status")):
        try:
            if status.read_text().strip() != "connected":
                continue
            size = edid_size_mm((status.parent / "edid").read_bytes())
        except OSError:  # an output going away while we read it
            continue
        if size is not None:
            return Panel(width_px, height_px, float(size[0]), float(size[1]), f"EDID of {status.parent.name}")
    return None


def resolve_panel(
    width_px: int,
    height_px: int,
    *,
    config_px_per_mm: float = 0.0,
    server_mm: tuple[float, float] | None = None,
    drm_root: Path = Path("/sys/class/drm"),
) -> Panel:
    """The panel in front of the patient (see the module's docstring for the order)."""
    if config_px_per_mm > 0:
        return Panel(
            width_px, height_px, width_px / config_px_per_mm, height_px / config_px_per_mm, "[ui] px_per_mm"
        )
    found = drm_panel(width_px, height_px, drm_root)
    if found is not None:
        return found
    if server_mm is not None and server_mm[0] >= 10 and server_mm[1] >= 10:
        return Panel(width_px, height_px, server_mm[0], server_mm[1], "display server")
    nearest = REFERENCE.get((width_px, height_px)) or min(
        REFERENCE.values(), key=lambda p: abs(p.width_px - width_px) + abs(p.height_px - height_px)
    )
    panel = Panel(
        width_px,
        height_px,
        width_px / nearest.px_per_mm,
        height_px / nearest.px_per_mm,
        nearest.source,
    )
    log.warning(
        "the panel's size is not known (no EDID, no size from the display server): sizing for the %s;"
        " set [ui] px_per_mm to the panel's pixels per mm",
        nearest.source,
    )
    return panel


__all__ = ["REFERENCE", "Panel", "drm_panel", "edid_size_mm", "resolve_panel"]
