"""Typed kiosk and hub settings, loaded from one TOML file and checked at load."""

from config.loader import load_settings, settings_from_mapping
from config.settings import BrokerSettings, HubSettings, KioskSettings, Settings, UiSettings

__all__ = [
    "BrokerSettings",
    "HubSettings",
    "KioskSettings",
    "Settings",
    "UiSettings",
    "load_settings",
    "settings_from_mapping",
]
