from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings, load_settings
from core.errors import ConfigError


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> Settings:
    path = tmp_path / "kiosk.toml"
    path.write_text(text)
    return load_settings(path, env=env or {})


def test_a_good_file(tmp_path: Path) -> None:
    s = _load(tmp_path, '[kiosk]\nid = "lobby-2"\n[broker]\nport = 8883\nreconnect_max_s = 10\n')
    assert s.kiosk.id == "lobby-2" and s.broker.port == 8883 and s.broker.reconnect_max_s == 10.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[broker]\nport = 70000\n", r"broker.port = 70000: expected at most 65535"),
        ('[broker]\nport = "1883"\n', r"broker.port = '1883': expected int, got str"),
        ("[broker]\nprot = 5\n", r"unknown setting 'broker.prot' \(did you mean 'broker.port'\?\)"),
        ('[broker]\nprotocol = "4"\n', r"expected one of '5', '3.1.1'"),
        ('[kiosk]\nid = "lobby/1"\n', r"kiosk.id = 'lobby/1': expected letters"),
        ("[kiosk\n", r"not valid TOML"),
        ("kiosk = 3\n", r"\[kiosk\] must be a table"),
    ],
)
def test_bad_values_name_the_key_the_value_and_what_was_expected(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, text)


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    s = _load(tmp_path, "[broker]\nport = 1883\n", env={"KIOSK__BROKER__PORT": "2883"})
    assert s.broker.port == 2883
    with pytest.raises(ConfigError, match="KIOSK__BROKER__PORT = 'abc': expected int"):
        _load(tmp_path, "", env={"KIOSK__BROKER__PORT": "abc"})


def test_a_named_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml", env={})
