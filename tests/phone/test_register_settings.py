"""[phone] registration settings: the password read from its file, the registrar parsed,
and bad values refused at load with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import settings_from_mapping
from core.errors import ConfigError
from phone.service import register_target


def test_the_password_comes_from_its_file_and_never_shows(tmp_path: Path) -> None:
    secret = tmp_path / "sip.password"
    secret.write_text("correct horse 7\n")
    secret.chmod(0o600)
    settings = settings_from_mapping(
        {"phone": {"registrar": "pbx.example.org:5080", "sip_user": "line", "sip_password_file": str(secret)}}
    )
    target = register_target(settings.phone)
    assert target is not None
    assert (target.host, target.port, target.user, target.password) == ("pbx.example.org", 5080, "line",
                                                                        "correct horse 7")  # fmt: skip
    assert "correct horse" not in repr(target)
    default_port = register_target(
        settings_from_mapping({"phone": {"registrar": "10.0.0.5", "sip_user": "l"}}).phone
    )
    assert default_port is not None and default_port.port == 5060


def test_no_registrar_means_no_registration() -> None:
    assert register_target(settings_from_mapping({}).phone) is None


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ({"registrar": "pbx.example.org"}, "phone.sip_user"),
        ({"registrar": "sip:line@pbx", "sip_user": "l"}, "phone.registrar"),
    ],
)
def test_bad_registration_settings_name_the_key(phone: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        register_target(settings_from_mapping({"phone": phone}).phone)


def test_inline_and_file_passwords_together_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "p"
    secret.write_text("x")
    secret.chmod(0o600)
    with pytest.raises(ConfigError, match=r"phone\.sip_password"):
        settings_from_mapping({"phone": {"sip_password": "y", "sip_password_file": str(secret)}})
