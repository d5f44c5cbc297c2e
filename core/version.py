"""The software version every part reports (kiosk health, hub availability, ``--version``)."""

__version__ = "0.1.0"
