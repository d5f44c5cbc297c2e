from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from config import load_settings
from config.hours import is_open, parse_open_hours
from core.errors import ConfigError

DAY = datetime(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "hour", "minute", "open_"),
    [
        ("", 3, 0, True),
        ("07:00-19:00", 6, 59, False),
        ("07:00-19:00", 7, 0, True),
        ("07:00-19:00", 19, 0, False),
        ("07:30-12:00, 13:00-18:30", 12, 30, False),
        ("07:30-12:00, 13:00-18:30", 13, 5, True),
        ("22:00-06:00", 23, 0, True),
        ("22:00-06:00", 5, 59, True),
        ("22:00-06:00", 12, 0, False),
    ],
)
def test_open_hours(text: str, hour: int, minute: int, open_: bool) -> None:
    assert is_open(parse_open_hours(text), DAY.replace(hour=hour, minute=minute)) is open_


BAD_SPANS = ["7-19", "07:00", "07:00-25:00", "07:00-07:00", "07:00-19:00,", "ab:cd-19:00"]


@pytest.mark.parametrize("text", BAD_SPANS)
def test_a_malformed_span_is_a_config_error_naming_the_key(tmp_path: Path, text: str) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[ui]\nopen_hours = "{text}"\n')
    with pytest.raises(ConfigError, match=r"ui\.open_hours = .*07:00-19:00"):
        load_settings(config, env={})


def test_open_hours_load(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[ui]\nopen_hours = "07:30-12:00, 13:00-18:30"\n')
    assert load_settings(config, env={}).ui.open_hours == "07:30-12:00, 13:00-18:30"
