"""Provisioning: from a technician's answers (flags, a file, or prompts) to a checked
``/etc/kiosk/kiosk.toml``, written atomically with safe modes; certificates and keys are
copied beside it. Staff PINs are stored only as scrypt hashes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from config.loader import settings_from_mapping
from config.settings import Settings
from config.toml_writer import dumps, write_atomic
from core.errors import ConfigError
from domain.staff import Role, hash_secret

Ask = Callable[[str, str, bool], str]  # (question, default, secret) -> answer


@dataclass
class Answers:
    """What the technician gave; empty means "not given" (then asked, or defaulted)."""

    kiosk_id: str = ""
    practice: str = ""
    site: str = ""
    broker: str = ""  # mqtt://host:1883 or mqtts://host:8883
    username: str = ""
    password: str = ""
    ca: str = ""
    cert: str = ""
    key: str = ""
    staff: list[str] = field(default_factory=list)  # id:role:PIN
    io_board: str = ""
    printer: str = ""
    camera: str = ""
    language: str = ""
    speech_engine: str = ""
    speech_model: str = ""
    extra: list[str] = field(default_factory=list)  # section.key=value


REQUIRED = (
    ("kiosk_id", "Kiosk id (e.g. lobby-1)"),
    ("practice", "Practice id"),
    ("site", "Site id"),
    ("broker", "Broker URL (mqtts://host:8883)"),
)


def fill_in(answers: Answers, ask: Ask | None) -> Answers:
    """Ask for what is missing when a person is there; otherwise it is an error."""
    for name, question in REQUIRED:
        if not getattr(answers, name):
            if ask is None:
                raise ConfigError(f"provision: --{name.replace('_', '-')} is required (no terminal to ask)")
            setattr(answers, name, ask(question, "", False).strip())
    if answers.username and not answers.password and ask is not None:
        answers.password = ask(f"Password for {answers.username}", "", True)
    return answers


def build_mapping(answers: Answers, base: dict[str, Any], etc_dir: Path) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = {k: dict(v) for k, v in base.items()}
    kiosk = data.setdefault("kiosk", {})
    kiosk.update({"id": answers.kiosk_id, "practice": answers.practice, "site": answers.site})
    broker = data.setdefault("broker", {})
    url = urlparse(answers.broker if "://" in answers.broker else f"mqtt://{answers.broker}")
    if url.scheme not in ("mqtt", "mqtts") or not url.hostname:
        raise ConfigError(
            f"provision: broker {answers.broker!r}: expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]"
        )
    broker["host"] = url.hostname
    broker["port"] = url.port or (8883 if url.scheme == "mqtts" else 1883)
    if url.scheme == "mqtts" and not answers.ca:
        raise ConfigError("provision: mqtts:// needs --ca (the practice's CA certificate)")
    for flag, key in (("ca", "ca_file"), ("cert", "cert_file"), ("key", "key_file")):
        source = getattr(answers, flag)
        if source:
            broker[key] = str(etc_dir / f"{flag}.pem")
    if answers.username:
        broker["username"] = answers.username
        broker["password"] = answers.password
    devices = data.setdefault("devices", {})
    for flag, key in (("io_board", "io_board_url"), ("printer", "printer_url"), ("camera", "camera")):
        if getattr(answers, flag):
            devices[key] = getattr(answers, flag)
    if answers.staff:
        data.setdefault("staff", {})["members"] = staff_members(answers.staff)
    if answers.language:
        data.setdefault("ui", {})["language"] = answers.language
    for value, key in ((answers.speech_engine, "engine"), (answers.speech_model, "vosk_model_dir")):
        if value:
            data.setdefault("speech", {})[key] = value
    for item in answers.extra:
        _set(data, item)
    return {k: v for k, v in data.items() if v}


def staff_members(specs: list[str]) -> dict[str, str]:
    members = {}
    roles = ", ".join(r.value for r in Role)
    for spec in specs:
        parts = spec.split(":")
        if len(parts) != 3 or parts[1] not in {r.value for r in Role}:
            raise ConfigError(
                f"provision: --staff {parts[0]}:…: expected ID:ROLE:PIN with ROLE one of {roles}"
            )
        member_id, role, pin = parts
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            raise ConfigError(f"provision: --staff {member_id}: the PIN must be 4 to 12 digits")
        members[member_id] = f"{role}:{hash_secret(pin)}"
    return members


def _set(data: dict[str, dict[str, Any]], item: str) -> None:
    key, sep, raw = item.partition("=")
    section, dot, name = key.partition(".")
    if not sep or not dot:
        raise ConfigError(f"provision: --set {item!r}: expected SECTION.KEY=VALUE")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word is a string
    data.setdefault(section, {})[name] = value


def write_config(answers: Answers, output: Path, base_file: Path | None = None) -> Settings:
    """Check, then write the config and copy the TLS files; returns the new settings."""
    base = tomllib.loads(base_file.read_text()) if base_file else {}
    etc_dir = output.parent
    data = build_mapping(answers, base, etc_dir)
    settings = settings_from_mapping(data, source="provisioning")  # checked before anything is written
    for flag in ("ca", "cert", "key"):
        source = getattr(answers, flag)
        if source:
            if not Path(source).is_file():
                raise ConfigError(f"provision: --{flag} {source}: no such file")
            write_atomic(etc_dir / f"{flag}.pem", Path(source).read_text(), mode=0o640, group="kiosk")
    write_atomic(output, dumps(data), mode=0o640, group="kiosk")
    return settings
