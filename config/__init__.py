"""Typed kiosk and hub settings, loaded from one TOML file and checked at load."""

from config.loader import load_settings, settings_from_mapping
from config.settings import BrokerSettings, HubSettings, KioskSettings, Settings

__all__ = [
    "BrokerSettings",
    "HubSettings",
    "KioskSettings",
    "Settings",
    "load_settings",
    "settings_from_mapping",
]
