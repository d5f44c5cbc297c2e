"""``kiosk doctor``'s checks of this unit's secrets: the broker password lives in a 0600
file, the cache is encrypted and its key file is 0600."""

from __future__ import annotations

from pathlib import Path

from config.secrets import secret_mode_problem
from config.settings import Settings
from kiosk.checks import CheckResult
from sync.cipher import file_kind
from sync.vault import cache_key_source

_MOVE = (
    "move it to a file: write the password to /etc/kiosk/mqtt.password (chmod 600, owner kiosk), "
    "set broker.password_file to it and remove broker.password (or run `kiosk provision` again)"
)


def check_secrets(settings: Settings, cache: Path) -> list[CheckResult]:
    return [_password(settings), _encryption(settings, cache)]


def _password(settings: Settings) -> CheckResult:
    broker = settings.broker
    if broker.password_file:
        problem = secret_mode_problem(Path(broker.password_file))
        if problem:
            return CheckResult("broker password", False, problem, "only the kiosk user may read it")
        return CheckResult("broker password", True, f"in {broker.password_file}")
    if broker.password:
        return CheckResult("broker password", True, "written inline in the config", _MOVE, warning=True)
    return CheckResult("broker password", True, "none configured")


def _encryption(settings: Settings, cache: Path) -> CheckResult:
    source = cache_key_source(settings, cache)
    if source.plain:
        return CheckResult(
            "cache encryption", True, "off ([kiosk] encrypt_cache = false)", "turn it on", warning=True
        )
    if source.file is not None and not source.command:
        problem = secret_mode_problem(source.file)
        if problem:
            return CheckResult("cache encryption", False, problem, "the key must be readable by kiosk only")
    kind = file_kind(cache)
    if kind == "plain":
        return CheckResult(
            "cache encryption",
            True,
            "the cache is still plain SQLite",
            "it is encrypted in place when the kiosk next starts (or run `kiosk rekey` now)",
            warning=True,
        )
    where = "not created yet" if kind in ("missing", "empty") else "encrypted (SQLCipher)"
    return CheckResult("cache encryption", True, f"{where}, {source.describe()}")
