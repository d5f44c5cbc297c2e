"""Driving the dashboard as staff do: sign in, open a page, fill a form, wait for a change."""

from __future__ import annotations

import time
from collections.abc import Callable

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def sign_in(browser: WebDriver, url: str, staff_id: str, password: str) -> None:
    browser.get(url + "login")
    browser.find_element(By.ID, "staff_id").send_keys(staff_id)
    browser.find_element(By.ID, "password").send_keys(password)
    submit(browser, "sign-in")


def submit(browser: WebDriver, button_id: str, timeout: float = 10.0) -> None:
    """Click a form's button and wait until the page it leads to has replaced this one.

    The old page is marked on its ``window`` rather than watched with ``staleness_of``:
    mid-navigation, chromedriver answers a look at the old element with "Node with given
    id does not belong to the document" instead of a stale-element error."""
    browser.execute_script("window.__leaving = true;")
    browser.find_element(By.ID, button_id).click()
    WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda b: b.execute_script("return window.__leaving !== true && document.readyState === 'complete'")
    )


def wait_live(browser: WebDriver, timeout: float = 30.0) -> None:
    """Until the page's event stream is connected."""
    wait_until(
        lambda: browser.find_element(By.ID, "live-state").get_attribute("data-connected") == "1",
        timeout,
        "the live event stream",
    )


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> float:
    """Seconds it took; fails after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if predicate():
                return time.monotonic() - start
        except Exception:  # a section being swapped in: look again
            pass
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def mark_page(browser: WebDriver) -> None:
    """A mark a reload would wipe: its survival proves an update came without one."""
    browser.execute_script("window.__noReload = 'kept';")


def page_kept(browser: WebDriver) -> bool:
    mark: object = browser.execute_script("return window.__noReload;")
    return mark == "kept"


def request_change(browser: WebDriver, provider: str, state: str, delay: str = "", leaving: str = "") -> None:
    Select(browser.find_element(By.ID, "change-provider")).select_by_value(provider)
    Select(browser.find_element(By.ID, "change-state")).select_by_value(state)
    if delay:
        field = browser.find_element(By.ID, "change-delay")
        field.clear()
        field.send_keys(delay)
    if leaving:
        browser.find_element(By.ID, "change-leaving").send_keys(leaving)
    submit(browser, "change-preview")


def post_without_csrf(browser: WebDriver, path: str) -> int:
    """The status of a same-origin form POST sent with the session cookie but no token."""
    script = (
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {method: 'POST', credentials: 'same-origin',"
        " headers: {'content-type': 'application/x-www-form-urlencoded'},"
        " body: 'provider=martinez&state=late&delay_min=5&csrf=forged'})"
        ".then(r => done(r.status), () => done(-1));"
    )
    return int(browser.execute_async_script(script, path))


def click_live(browser: WebDriver, element_id: str, timeout: float = 3.0) -> None:
    """Submit with ``element_id``, looking it up again if a live update swapped it out meanwhile."""

    def attempt() -> bool:
        submit(browser, element_id)
        return True

    wait_until(attempt, timeout, f"a click on #{element_id}")
