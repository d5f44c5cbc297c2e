"""A practice with a dashboard: real mosquitto, a hub with today's sample morning, staff
with dashboard passwords, the dashboard on a free port, and a real headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import SessionNotCreatedException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

from config.settings import HubWebSettings, StaffSettings
from domain.staff import hash_secret
from hub.service import HubService
from hub.store import HubStore
from hub.web import DashboardServer
from hub.web.records import set_password
from tests.support.broker import Broker
from tests.support.site import morning_from_now, start_hub

PASSWORDS = {"desk-ann": "front-desk-pw-1", "boss-bo": "supervisor-pw-1", "tech-ted": "technician-pw-1"}
ROLES = {"desk-ann": "front_desk", "boss-bo": "supervisor", "tech-ted": "technician"}
# Fast hashes for tests (the same scrypt, a smaller N); the product default is 2**14.
STAFF = StaffSettings(
    members={sid: f"{ROLES[sid]}:{hash_secret('0000', n=2**4)}" for sid in PASSWORDS},
    max_attempts=5,
)


@dataclass
class Practice:
    hub: HubService
    dashboard: DashboardServer
    broker: Broker
    state_dir: Path

    @property
    def url(self) -> str:
        return self.dashboard.url


def web_client(url: str, verify: bool = True) -> httpx.Client:
    """An HTTP client that sends the dashboard's own Origin on every request, as a browser
    on the dashboard's page does (a POST without it is refused)."""
    base = url.rstrip("/")
    return httpx.Client(
        base_url=base, headers={"origin": base}, follow_redirects=False, timeout=10, verify=verify
    )


def _password_setter(staff_id: str, password: str) -> Callable[[HubStore], None]:
    def set_it(store: HubStore) -> None:
        set_password(store, staff_id, hash_secret(password, n=2**4), "t")

    return set_it


def start_practice(broker: Broker, state_dir: Path, staff: StaffSettings = STAFF, **web: Any) -> Practice:
    """``web``: [hub.web] settings besides the tests' own (lockout_s = 60, a 50 ms failure answer)."""
    hub = start_hub(broker.settings(), state_dir, staff=staff, morning_starts=morning_from_now())
    for staff_id, password in PASSWORDS.items():
        hub.call(_password_setter(staff_id, password))
    settings = replace(
        hub.settings,
        hub=replace(
            hub.settings.hub,
            web=HubWebSettings(
                **({"enabled": True, "port": 0, "lockout_s": 60, "failure_answer_ms": 50} | web)
            ),
        ),
    )
    dashboard = DashboardServer(settings, hub)
    dashboard.start()
    return Practice(hub, dashboard, broker, state_dir)


@pytest.fixture
def practice(broker: Broker, tmp_path: Path) -> Iterator[Practice]:
    p = start_practice(broker, tmp_path)
    yield p
    p.dashboard.stop()
    p.hub.stop()


def _chromium() -> tuple[str, str]:
    binary, driver = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver")
    if not Path(binary).exists() or driver is None:
        pytest.fail("chromium and chromium-driver are needed (deps/apt-web.txt; `make test` installs them)")
    return binary, driver


def new_browser(width: int = 1366, height: int = 768) -> WebDriver:
    """A headless Chromium. A start that fails (on a loaded machine Chromium can miss
    chromedriver's start-up window: "DevToolsActivePort file doesn't exist") is tried again
    (chromedriver gives each try a fresh profile); the third failure is the test's."""
    binary, driver = _chromium()
    for attempt in range(3):
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            # The machine's network is closed: no background fetches to be refused.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--window-size={width},{height}",
            "--force-device-scale-factor=1",
        ):
            options.add_argument(arg)
        try:
            return webdriver.Chrome(service=Service(driver), options=options)
        except SessionNotCreatedException:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    b = new_browser()
    yield b
    b.quit()
