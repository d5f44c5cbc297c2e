"""``make screenshots`` (dashboard part): every dashboard page in a real headless Chromium,
at 1366x768 (the front desk's screen), 820x1180 (a tablet) and 800x480 (a small
screen at the desk), to PNG.

python -m devtools.dashboard_shots [--out build/screenshots/dashboard]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from devtools.dashboard_scene import PASSWORD, start_scene

PAGES = ("", "kiosks", "arrivals", "escalations", "charts", "notifications")
SIZES = ((1366, 768), (820, 1180), (800, 480))


def browser(width: int, height: int) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options
    )


def _sign_in(b: WebDriver, url: str, staff_id: str) -> None:
    b.get(url + "login")
    b.find_element(By.ID, "staff_id").send_keys(staff_id)
    b.find_element(By.ID, "password").send_keys(PASSWORD)
    b.find_element(By.ID, "sign-in").click()
    time.sleep(0.3)


def shoot(url: str, out: Path) -> list[Path]:
    written = []
    for width, height in SIZES:
        b = browser(width, height)
        try:
            b.get(url + "login")
            written.append(_save(b, out / f"login-{width}x{height}.png"))
            _sign_in(b, url, "desk-ann")
            for name in PAGES:
                b.get(url + name)
                time.sleep(0.4)  # the event stream connects and refreshes the sections
                written.append(_save(b, out / f"{name or 'board'}-{width}x{height}.png"))
                written += _save_whole(b, out / f"{name or 'board'}-{width}x{height}-whole.png", height)
            b.get(url)
            Select(b.find_element(By.ID, "change-provider")).select_by_value("patel")
            Select(b.find_element(By.ID, "change-state")).select_by_value("out")
            b.find_element(By.ID, "change-preview").click()
            time.sleep(0.3)
            written.append(_save(b, out / f"confirm-approval-{width}x{height}.png"))
        finally:
            b.quit()
    return written


def _save_whole(b: WebDriver, path: Path, height: int) -> list[Path]:
    """The whole page where it is taller than the window (what a scroll reaches)."""
    full = int(
        b.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    )
    if full <= height:
        return []
    width = int(b.get_window_size()["width"])
    b.set_window_size(width, full)
    time.sleep(0.2)
    try:
        return [_save(b, path)]
    finally:
        b.set_window_size(width, height)


def _save(b: WebDriver, path: Path) -> Path:
    b.save_screenshot(str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/screenshots/dashboard")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-dash-shots-") as tmp:
        scene = start_scene(Path(tmp))
        try:
            files = shoot(scene.dashboard.url, out)
        finally:
            scene.stop()
    print(f"wrote {len(files)} dashboard screenshots to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
