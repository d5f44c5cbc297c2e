"""``kiosk doctor`` on a kiosk whose broker is gone: a quick answer, the cached day, and
exit 0 while the kiosk can still serve patients from its cache."""

from __future__ import annotations

import io
import time
from contextlib import redirect_stdout
from datetime import date, timedelta
from pathlib import Path

from config import load_settings
from kiosk.cli import main
from kiosk.ops import doctor
from sync import messages as m
from sync.cache import KioskCache
from tests.support.clock import wall_today


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def _offline_config(tmp_path: Path) -> Path:
    output = tmp_path / "etc" / "kiosk.toml"
    code, out = _run(
        "provision",
        "--kiosk-id",
        "lobby-1",
        "--practice",
        "acme",
        "--site",
        "main",
        "--broker",
        "mqtt://127.0.0.1:1",  # nothing listens there: the broker is gone
        "--set",
        f"kiosk.state_dir={str(tmp_path / 'state')!r}",
        "--set",
        "speech.enabled=false",
        "--output",
        str(output),
        "--no-verify",
    )
    assert code == 0, out
    return output


def _cache_day(config: Path, day: date) -> None:
    settings = load_settings(config, env={})
    cache = KioskCache.open(Path(settings.kiosk.state_dir) / "kiosk.sqlite")
    try:
        for provider, name, count in (("chen", "Dr Chen", 3), ("patel", "Dr Patel", 2)):
            appts = [
                m.Appointment(
                    f"{provider}-{n}",
                    provider,
                    f"{day}T09:{n:02d}",
                    15,
                    "Sam",
                    "LEE",
                    "1970-01-01",
                    f"AB{n}CD",
                )
                for n in range(count)
            ]
            cache.apply_schedule(m.ProviderSchedule(provider, name, day.isoformat(), 1, appts), "t")
        cache.apply_status(m.ProviderStatus("chen", 1, "late", delay_min=15, date=day.isoformat()), "t")
    finally:
        cache.close()


def test_offline_doctor_shows_the_cached_day_without_waiting_for_the_broker(tmp_path: Path) -> None:
    config = _offline_config(tmp_path)
    _cache_day(config, wall_today())
    started = time.monotonic()
    code, out = _run("--config", str(config), "doctor")
    took = time.monotonic() - started
    # Its broker check is bounded (3 s, kiosk/checks.py) and an absent broker answers the TCP
    # probe at once; 20 s is a ceiling for a busy machine, far below a hang on MQTT's own
    # time-outs (a 60 s keepalive).
    assert took <= 20.0, f"doctor took {took:.1f} s offline"
    assert code == 0, out
    assert f"[ok  ] cached day: {wall_today()}: 2 providers, 5 appointments" in out
    assert "[ok  ] provider Dr Chen: running 15 min late, 3 appointments" in out
    assert "[ok  ] provider Dr Patel: on time, 2 appointments" in out
    assert "[warn] broker: cannot reach mqtt://127.0.0.1:1" in out
    assert "serves patients from its cache" in out


def test_offline_doctor_fails_when_the_cache_cannot_serve_today(tmp_path: Path) -> None:
    config = _offline_config(tmp_path)
    _cache_day(config, wall_today() - timedelta(days=1))
    results = {r.name: r for r in doctor(load_settings(config, env={}))}
    assert results["cached day"].warning and "no schedule for" in results["cached day"].detail
    assert not results["broker"].ok  # offline and nothing to serve from: a failure
    code, out = _run("--config", str(config), "doctor")
    assert code == 1 and "[FAIL] broker" in out


def test_offline_doctor_without_a_cache_fails_on_the_broker(tmp_path: Path) -> None:
    config = _offline_config(tmp_path)
    results = {r.name: r for r in doctor(load_settings(config, env={}))}
    assert results["cache"].warning
    assert not results["broker"].ok and "check the broker address" in results["broker"].advice
