"""Where a unit keeps its config and state unless told otherwise."""

from pathlib import Path

DEFAULT_CONFIG_PATH = Path("/etc/kiosk/kiosk.toml")
DEFAULT_STATE_DIR = Path("/var/lib/kiosk")
