"""kiosk: offline-first firmware and controller for a robot receptionist kiosk."""

__version__ = "0.1.0"

__all__ = ["__version__"]
