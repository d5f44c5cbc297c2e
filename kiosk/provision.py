"""Provisioning: from a technician's answers (flags, a file, or prompts) to a checked
``/etc/kiosk/kiosk.toml``, written atomically with safe modes; certificates and keys are
copied beside it. Staff PINs are stored only as verifiers; the hub's proof keys for the
same PINs go to a separate file for the hub (``--hub-staff``), never into this unit's config.
Secrets live in files of their own (mode 0600, owner kiosk) that the config names: the
broker password (``mqtt.password`` beside the config) and the cache's encryption key
(``cache.key`` in the state directory, made here once and kept when the unit is
provisioned again).

Several units may be provisioned into one folder (``--output staging/lobby-1.toml``,
``staging/lobby-2.toml``): a config not called ``kiosk.toml`` gets files named after it
(``lobby-1.mqtt.password``, ``lobby-1.cert.pem``, ...), and a file another config in
the folder names is never overwritten (``unit_files``).
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from config.loader import settings_from_mapping
from config.settings import DEFAULT_STATE_DIR, Settings
from config.toml_writer import dumps, write_atomic
from core.errors import ConfigError
from domain.staff import Role, pin_weakness, provision_member
from sync.vault import CACHE_KEY_NAME, KeySource, write_secret

PASSWORD_FILE_NAME = "mqtt.password"  # noqa: S105 - a file name, not a password
INSTALLED_NAME = "kiosk.toml"  # a config of this name has its files under their plain names


def unit_file(output: Path, name: str) -> Path:
    """Where a unit's own file (``mqtt.password``, ``ca.pem``, ...) goes beside ``output``."""
    if output.name == INSTALLED_NAME:
        return output.parent / name
    return output.parent / f"{output.stem}.{name}"


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
    staff: list[str] = field(default_factory=list)  # id:role:PIN[:BADGE]
    hub_staff: str = ""  # where to write the hub's [staff.members] (proof keys)
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


def build_mapping(
    answers: Answers, base: dict[str, Any], output: Path, hub_members: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """The unit's config; ``hub_members`` (when given) receives the hub's staff entries."""
    data: dict[str, dict[str, Any]] = {k: dict(v) for k, v in base.items()}
    kiosk = data.setdefault("kiosk", {})
    kiosk.update({"id": answers.kiosk_id, "practice": answers.practice, "site": answers.site})
    _broker_section(answers, data.setdefault("broker", {}), output)
    devices = data.setdefault("devices", {})
    for flag, key in (("io_board", "io_board_url"), ("printer", "printer_url"), ("camera", "camera")):
        if getattr(answers, flag):
            devices[key] = getattr(answers, flag)
    if answers.staff:
        _staff_section(answers, data.setdefault("staff", {}), hub_members)
    if answers.language:
        data.setdefault("ui", {})["language"] = answers.language
    for value, key in ((answers.speech_engine, "engine"), (answers.speech_model, "vosk_model_dir")):
        if value:
            data.setdefault("speech", {})[key] = value
    for item in answers.extra:
        _set(data, item)
    if kiosk.get("encrypt_cache", True) and not kiosk.get("cache_key_command"):
        # Beside the cache (where the cache looks by default), 0600, owner kiosk.
        state_dir = Path(str(kiosk.get("state_dir", DEFAULT_STATE_DIR)))
        kiosk.setdefault("cache_key_file", str(state_dir / CACHE_KEY_NAME))
    return {k: v for k, v in data.items() if v}


def _broker_section(answers: Answers, broker: dict[str, Any], output: Path) -> None:
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
            broker[key] = str(unit_file(output, f"{flag}.pem"))
    if answers.username:
        broker["username"] = answers.username
    if answers.password or broker.get("password"):
        # Never inline (an older base file's inline password moves to the file too).
        broker.pop("password", None)
        broker["password_file"] = str(unit_file(output, PASSWORD_FILE_NAME))


def _staff_section(answers: Answers, staff: dict[str, Any], hub_members: dict[str, str] | None) -> None:
    key = str(staff.get("badge_key", "")) or secrets.token_hex(32)
    members = staff_members(answers.practice, answers.staff, bytes.fromhex(key))
    staff["members"] = {member_id: kiosk for member_id, (kiosk, _hub) in members.items()}
    if hub_members is not None:
        hub_members.update({member_id: hub for member_id, (_kiosk, hub) in members.items()})
    if any(":badge$" in kiosk for kiosk, _hub in members.values()):
        staff["badge_key"] = key  # this unit's own: the badge index is keyed per kiosk


def staff_members(practice: str, specs: list[str], badge_key: bytes) -> dict[str, tuple[str, str]]:
    """Each member's ``[staff.members]`` value for a kiosk and for the hub.

    Refuses a PIN that is easy to guess, and a PIN another member already has (without
    saying whose: whoever typed it would then know a colleague's PIN).
    """
    members: dict[str, tuple[str, str]] = {}
    pins: set[str] = set()
    roles = ", ".join(r.value for r in Role)
    for spec in specs:
        parts = spec.split(":")
        if len(parts) not in (3, 4) or parts[1] not in {r.value for r in Role}:
            raise ConfigError(
                f"provision: --staff {parts[0]}:…: expected ID:ROLE:PIN[:BADGE] with ROLE one of {roles}"
            )
        member_id, role, pin = parts[:3]
        weakness = pin_weakness(pin)
        if weakness:
            raise ConfigError(f"provision: --staff {member_id}: {weakness}; choose another PIN")
        if pin in pins:
            raise ConfigError(
                f"provision: --staff {member_id}: another member already has this PIN; choose another"
            )
        if member_id in members:
            raise ConfigError(f"provision: --staff {member_id}: given twice")
        pins.add(pin)
        badge = parts[3] if len(parts) == 4 else ""
        members[member_id] = provision_member(
            practice, member_id, role, pin, badge_id=badge, badge_key=badge_key
        )
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
    hub_members: dict[str, str] = {}
    password = answers.password or str(base.get("broker", {}).get("password", ""))
    data = build_mapping(answers, base, output, hub_members)
    # Checked before anything is written (the secret files it names are written next).
    settings_from_mapping(data, source="provisioning", read_secrets=False)
    _refuse_others_files(output, data)
    for flag in ("ca", "cert", "key"):
        source = getattr(answers, flag)
        if source:
            if not Path(source).is_file():
                raise ConfigError(f"provision: --{flag} {source}: no such file")
            target = unit_file(output, f"{flag}.pem")
            write_atomic(target, Path(source).read_text(), mode=0o640, group="kiosk")
    _write_secrets(data, password)
    write_atomic(output, dumps(data), mode=0o640, group="kiosk")  # last: it names the files above
    if answers.hub_staff and hub_members:
        # The hub's proof keys: for the hub's config, not this unit's (docs/security.md).
        write_atomic(Path(answers.hub_staff), dumps({"staff": {"members": hub_members}}), mode=0o600)
    return settings_from_mapping(data, source=str(output))


_UNIT_KEYS = (
    ("broker", "password_file"),
    ("broker", "ca_file"),
    ("broker", "cert_file"),
    ("broker", "key_file"),
)


def _refuse_others_files(output: Path, data: dict[str, dict[str, Any]]) -> None:
    """A file this unit would write that another config in the folder names (a unit
    provisioned there before) is refused, with both names: overwriting it would give that
    unit this one's password or certificate."""
    mine = {Path(str(data.get(s, {}).get(k))) for s, k in _UNIT_KEYS if data.get(s, {}).get(k)}
    for other in sorted(output.parent.glob("*.toml")):
        if other.resolve() == output.resolve():
            continue
        try:
            theirs = tomllib.loads(other.read_text())
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue  # not a unit's config
        for section, key in _UNIT_KEYS:
            named = theirs.get(section, {}).get(key) if isinstance(theirs.get(section), dict) else None
            if named and Path(str(named)) in mine:
                raise ConfigError(
                    f"provision: {named} belongs to {other.name} (another unit provisioned in"
                    f" {output.parent}); give this unit an --output of its own name"
                )


def _write_secrets(data: dict[str, dict[str, Any]], password: str) -> None:
    password_file = data.get("broker", {}).get("password_file")
    if password_file and password:
        write_secret(Path(password_file), password + "\n")
    key_file = data.get("kiosk", {}).get("cache_key_file")
    if key_file and not Path(key_file).exists():  # kept on a second provisioning: the cache stays readable
        KeySource(file=Path(key_file), what="cache key").create()
