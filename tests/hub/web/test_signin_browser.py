"""What a browser does, in a real headless Chromium: a page on another port of the same host
cannot sign the browser into the attacker's account, and an open page's live stream ends
(and the page goes to the sign-in) when its session ends elsewhere."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from domain.staff import hash_secret
from tests.hub.web.conftest import PASSWORDS, Practice
from tests.hub.web.pages import sign_in, wait_live, wait_until
from tests.hub.web.signin_client import set_new_password

_ATTACK = """<!doctype html><html><body>
<form id="f" method="post" action="{action}">
<input name="staff_id" value="tech-ted"><input name="password" value="{password}">
<input name="csrf" value="planted"></form>
<script>
document.cookie = "kiosk_dashboard_login=planted; path=/";  // ports share cookies
document.getElementById("f").submit();
</script></body></html>"""


@pytest.fixture
def attacker_page(practice: Practice) -> Iterator[str]:
    """A page served from another port of the dashboard's host, posting to its sign-in."""
    page = _ATTACK.format(action=practice.url + "login", password=PASSWORDS["tech-ted"]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server calls it by this name
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_page_on_another_port_cannot_sign_the_browser_in(
    practice: Practice, browser: WebDriver, attacker_page: str
) -> None:
    browser.get(attacker_page)
    wait_until(lambda: browser.current_url.startswith(practice.url), 10, "the attacker's form to post")
    assert "own page" in browser.find_element(By.TAG_NAME, "body").text  # refused by the Origin check

    browser.get(practice.url)
    assert browser.current_url.endswith("/login")  # not signed in as anyone
    assert not browser.find_elements(By.ID, "board-table")


def test_the_open_page_leaves_when_the_password_is_changed(practice: Practice, browser: WebDriver) -> None:
    sign_in(browser, practice.url, "desk-ann", PASSWORDS["desk-ann"])
    wait_live(browser)

    set_new_password(practice, "desk-ann", hash_secret("a-new-password-1", n=2**4), "changed")

    wait_until(lambda: browser.current_url.endswith("/login"), 5, "the page to go to the sign-in")


def test_signing_out_in_another_tab_ends_this_pages_stream(practice: Practice, browser: WebDriver) -> None:
    sign_in(browser, practice.url, "desk-ann", PASSWORDS["desk-ann"])
    wait_live(browser)
    status = browser.execute_async_script(  # what the other tab's "Sign out" sends
        "const done = arguments[0]; const csrf = document.querySelector('input[name=csrf]').value;"
        "fetch('/logout', {method: 'POST', redirect: 'manual', headers: {'content-type':"
        " 'application/x-www-form-urlencoded'}, body: 'csrf=' + encodeURIComponent(csrf)})"
        ".then(r => done(r.type === 'opaqueredirect' ? 303 : r.status));"
    )
    assert status == 303

    wait_until(lambda: browser.current_url.endswith("/login"), 5, "the page to go to the sign-in")
