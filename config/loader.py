"""Load and check settings: TOML → frozen dataclasses, with errors that name the key.

Precedence: built-in defaults < the TOML file < ``KIOSK__SECTION__KEY`` environment
variables (so systemd drop-ins and tests can override one value without a new file).

Any file gives ``Settings`` or a ``ConfigError`` that names the key (or, for a file that
is not TOML at all, the line and column): never a traceback. A BOM is allowed; NaN,
Infinity, integers too long to read and nesting too deep to parse are errors.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
import tomllib
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast, get_origin, get_type_hints

from config.secrets import read_secret
from config.settings import DEFAULT_CONFIG_PATH, Settings
from core.errors import ConfigError

_ENV_PREFIX = "KIOSK__"
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_SECRET_WORDS = ("password", "secret", "token", "pin", "key_file")
_SHOWN_CHARS = 60


def load_settings(
    path: str | Path | None = None, env: Mapping[str, str] | None = None, *, read_secrets: bool = True
) -> Settings:
    """Read the TOML file (if it exists) and environment overrides into ``Settings``.

    ``path`` defaults to ``$KIOSK_CONFIG`` or ``/etc/kiosk/kiosk.toml``. A missing file
    is allowed only when it is the default: a named file that is missing is an error.
    ``read_secrets=False`` leaves ``broker.password_file`` unread (a factory reset needs
    the paths, not the password).
    """
    env = os.environ if env is None else env
    named = path is not None or "KIOSK_CONFIG" in env
    file_path = Path(path) if path is not None else Path(env.get("KIOSK_CONFIG", DEFAULT_CONFIG_PATH))
    data: dict[str, Any] = {}
    if file_path.exists():
        data = _read_toml(file_path)
    elif named:
        raise ConfigError(f"{file_path}: config file not found")
    _merge_env(data, env)
    return settings_from_mapping(data, source=str(file_path), read_secrets=read_secrets)


def _read_toml(file_path: Path) -> dict[str, Any]:
    try:
        # A BOM from a Windows editor is fine. (Stripped by hand: the utf-8-sig codec is a
        # lazy import, which fails when the process can no longer read its own install.)
        text = file_path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except OSError as exc:
        raise ConfigError(f"{file_path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file_path}: not valid TOML: not UTF-8 at byte {exc.start}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's text says what and where ("Invalid value (at line 3, column 8)").
        raise ConfigError(f"{file_path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file_path}: not valid TOML: nested too deeply") from None
    except ValueError:
        raise ConfigError(f"{file_path}: not valid TOML: a number too long to read") from None


def _shown(key: str, value: Any) -> str:
    """A value as an error message shows it: short, and never a secret."""
    if any(word in key.rsplit(".", 1)[-1] for word in _SECRET_WORDS):
        return "<hidden>"
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def settings_from_mapping(
    data: Mapping[str, Any], source: str = "<settings>", *, read_secrets: bool = True
) -> Settings:
    """Build ``Settings`` from a parsed mapping, checking every key and value; the broker
    password is read from ``broker.password_file`` when one is named."""
    settings = cast(Settings, _build(Settings, data, prefix="", source=source))
    if not read_secrets:
        return settings
    return _with_phone_password(_with_cli_password(_with_password(settings, source), source), source)


def _with_password(settings: Settings, source: str) -> Settings:
    broker = settings.broker
    password = _secret(source, "broker.password", broker.password, broker.password_file, "broker password")
    return dataclasses.replace(settings, broker=dataclasses.replace(broker, password=password))


def _with_cli_password(settings: Settings, source: str) -> Settings:
    hub = settings.hub
    what = "practice CLI password"
    password = _secret(source, "hub.cli_password", hub.cli_password, hub.cli_password_file, what)
    return dataclasses.replace(settings, hub=dataclasses.replace(hub, cli_password=password))


def _with_phone_password(settings: Settings, source: str) -> Settings:
    phone = settings.phone
    what = "phone line's SIP password"
    password = _secret(source, "phone.sip_password", phone.sip_password, phone.sip_password_file, what)
    return dataclasses.replace(settings, phone=dataclasses.replace(phone, sip_password=password))


def _secret(source: str, key: str, inline: str, file: str, what: str) -> str:
    """The password from its file when ``{key}_file`` names one (never beside an inline one),
    else the inline ``key``."""
    if not file:
        return inline
    if inline:
        short = key.rpartition(".")[2]
        raise ConfigError(f"{source}: {key} and {key}_file are both set; keep only {short}_file")
    return read_secret(Path(file), what)


def _merge_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, raw in env.items():
        if not name.startswith(_ENV_PREFIX):
            continue
        parts = name[len(_ENV_PREFIX) :].lower().split("__")
        if len(parts) != 2:
            raise ConfigError(f"environment {name}: expected KIOSK__SECTION__KEY")
        section, key = parts
        data.setdefault(section, {})[key] = _EnvValue(raw)


class _EnvValue(str):
    """A string from the environment: converted to the field's type when checked."""


def _build(cls: type, data: Mapping[str, Any], prefix: str, source: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: [{prefix.rstrip('.')}] must be a table, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = get_type_hints(cls)
    for key in data:
        if key not in fields:
            guess = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean '{prefix}{guess[0]}'?)" if guess else ""
            raise ConfigError(f"{source}: unknown setting '{prefix}{key}'{hint}")
    values: dict[str, Any] = {}
    for name, fld in fields.items():
        if name not in data:
            continue
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            values[name] = _build(hint, data[name], f"{prefix}{name}.", source)  # type: ignore[arg-type]
        else:
            values[name] = _check(f"{prefix}{name}", data[name], hint, fld.metadata, source)
    return cls(**values)


def _check(key: str, value: Any, hint: Any, meta: Mapping[str, Any], source: str) -> Any:
    if get_origin(hint) is dict:
        return _check_table(key, value, source)
    expected = hint if not isinstance(hint, types.UnionType) else str
    value = _coerce(key, value, expected, source)
    shown = _shown(key, value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{source}: {key} = {shown}: expected a finite number")
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ConfigError(f"{source}: {key} = {shown}: expected one of {options}")
    low, high = meta.get("min"), meta.get("max")
    if low is not None and value < low:
        raise ConfigError(f"{source}: {key} = {shown}: expected at least {low}")
    if high is not None and value > high:
        raise ConfigError(f"{source}: {key} = {shown}: expected at most {high}")
    if meta.get("slug") and not _SLUG.match(value):
        raise ConfigError(
            f"{source}: {key} = {shown}: expected letters, digits, '-' or '_' (no '/', '+', '#', spaces)"
        )
    check = meta.get("check")
    problem = check(value) if check is not None else None
    if problem:
        raise ConfigError(f"{source}: {key} = {shown}: {problem}")
    if isinstance(value, str) and "\x00" in value:
        raise ConfigError(f"{source}: {key}: a NUL character is not allowed")
    return value


def _check_table(key: str, value: Any, source: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{source}: [{key}] must be a table of strings, got {type(value).__name__}")
    for name, item in value.items():
        if not isinstance(item, str):
            raise ConfigError(
                f"{source}: {key}.{name} = {_shown(name, item)}: expected str, got {type(item).__name__}"
            )
    return dict(value)


def _coerce(key: str, value: Any, expected: type, source: str) -> Any:
    if isinstance(value, _EnvValue):
        try:
            if expected is bool:
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                return value.lower() in ("true", "1", "yes")
            return expected(str(value))
        except ValueError:
            raise ConfigError(
                f"environment {_ENV_PREFIX}{key.replace('.', '__').upper()} = {_shown(key, str(value))}: "
                f"expected {expected.__name__}"
            ) from None
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and expected is not bool:
        raise ConfigError(
            f"{source}: {key} = {_shown(key, value)}: expected {expected.__name__}, got a boolean"
        )
    if not isinstance(value, expected):
        raise ConfigError(
            f"{source}: {key} = {_shown(key, value)}: "
            f"expected {expected.__name__}, got {type(value).__name__}"
        )
    return value
