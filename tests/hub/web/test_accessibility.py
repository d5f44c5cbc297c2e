"""Accessible: colours of at least 4.5:1 (WCAG AA), every field labelled, sign-in and a
status change by keyboard alone, no sideways scrolling at 1366x768 or on a tablet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from hub.web.context import PAGES
from tests.hub.web.conftest import PASSWORDS, Practice, new_browser
from tests.hub.web.pages import sign_in, wait_until

CSS = (Path(__file__).resolve().parents[3] / "hub" / "web" / "static" / "dashboard.css").read_text()
VARS = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", CSS))
WHITE = "#ffffff"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


PAIRS = [
    ("ink", "bg"), ("muted", "bg"), ("link", "bg"), ("ink", "panel"), ("muted", "panel"),
    ("out", "bg"), ("out", "panel"),  # .warn text
    (WHITE, "ok"), (WHITE, "late"), (WHITE, "out"), (WHITE, "leaving"),  # status badges
    (WHITE, "#12355b"), (WHITE, "#0b4f9c"),  # header, buttons
    ("#7a1a1f", "#fdecea"), ("#0b3d75", "#e8f1fb"),  # alert, notice
]  # fmt: skip


@pytest.mark.parametrize(("fg", "bg"), PAIRS)
def test_text_colours_reach_4_5_to_1(fg: str, bg: str) -> None:
    colour = {k: VARS.get(k, k) for k in (fg, bg)}
    assert contrast(colour[fg], colour[bg]) >= 4.5, (fg, bg)


def test_the_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast("#777777", WHITE) == pytest.approx(4.48, abs=0.01)


@pytest.fixture
def tablet() -> Iterator[WebDriver]:
    b = new_browser(820, 1180)
    yield b
    b.quit()


def test_every_field_has_a_label_and_no_page_scrolls_sideways(
    practice: Practice, browser: WebDriver, tablet: WebDriver
) -> None:
    for b in (browser, tablet):
        sign_in(b, practice.url, "boss-bo", PASSWORDS["boss-bo"])
        for path in PAGES:
            b.get(practice.url + path.lstrip("/"))
            unlabelled = b.execute_script(
                "return [...document.querySelectorAll('input:not([type=hidden]), select')]"
                ".filter(e => !document.querySelector('label[for=\"' + e.id + '\"]')).map(e => e.name);"
            )
            assert unlabelled == [], (path, unlabelled)
            wide = b.execute_script("return document.documentElement.scrollWidth > window.innerWidth;")
            assert not wide, f"{path} scrolls sideways at {b.get_window_size()}"


def test_sign_in_and_a_status_change_by_keyboard_alone(practice: Practice, browser: WebDriver) -> None:
    browser.get(practice.url + "login")
    active = browser.switch_to.active_element
    assert active.get_attribute("id") == "staff_id"  # autofocus
    active.send_keys("desk-ann", Keys.TAB)
    browser.switch_to.active_element.send_keys(PASSWORDS["desk-ann"], Keys.ENTER)
    wait_until(lambda: browser.find_elements(By.ID, "board-table"), 60, "the board")

    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"  # the first stop
    browser.find_element(By.ID, "change-provider").send_keys(Keys.TAB)  # provider -> status
    assert browser.switch_to.active_element.get_attribute("id") == "change-state"
    browser.switch_to.active_element.send_keys(Keys.TAB)
    delay = browser.switch_to.active_element
    assert delay.get_attribute("id") == "change-delay"
    delay.send_keys(Keys.BACKSPACE, Keys.BACKSPACE, "10", Keys.ENTER)
    wait_until(lambda: browser.find_elements(By.ID, "confirm"), 60, "the confirmation")
    assert "running 10 minutes late" in browser.find_element(By.ID, "impact").text
    browser.find_element(By.ID, "confirm").send_keys(Keys.ENTER)
    wait_until(lambda: "Changed" in browser.find_element(By.ID, "page-notice").text, 60, "the change")
    status = practice.hub.call(lambda store: store.status("martinez"))
    assert status is not None and status.delay_min == 10 and status.changed_by == "desk-ann"
