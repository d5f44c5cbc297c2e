"""kiosk: the applications of a kiosk unit: the assembly (``KioskApp``), the ``kiosk``
command, provisioning and operations. Everything below it is a library (docs/architecture.md)."""

from core.version import __version__

__all__ = ["__version__"]
