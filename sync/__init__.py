"""Sync between kiosks and the practice hub over MQTT, with an offline SQLite cache."""
