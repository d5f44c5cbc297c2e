"""Every page over HTTP: what it shows of patients (first name and last initial only),
its security headers, no inline script, cookies, and sign-in required everywhere."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from core.clock import SystemClock
from hub.day_plan import HubAppointment
from hub.web.context import PAGES
from sync import messages as m
from sync.link import LinkEvent
from sync.wire import encode
from tests.hub.web.conftest import PASSWORDS, Practice, web_client
from tests.support.site import wait_for

SECTIONS = sorted({s for _title, sections in PAGES.values() for s in sections})


def signed_in(practice: Practice, staff_id: str = "boss-bo") -> httpx.Client:
    client = web_client(practice.url)
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/login", data={"staff_id": staff_id, "password": PASSWORDS[staff_id], "csrf": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def client(practice: Practice) -> Iterator[httpx.Client]:
    c = signed_in(practice)
    yield c
    c.close()


def _check_in_everyone_due(practice: Practice) -> list[HubAppointment]:
    now = SystemClock().now()
    due: list[HubAppointment] = practice.hub.call(
        lambda store: [
            a for a in store.appointments() if datetime.fromisoformat(a.start) < now + timedelta(hours=1)
        ]
    )
    for appt in due:
        msg = m.CheckIn(uuid.uuid4().hex, "lobby-1", appt.id, appt.provider_id, now.isoformat(), "voice")
        practice.hub.on_link_event(LinkEvent("message", practice.hub.tree.checkin("lobby-1"), encode(msg)))
    wait_for(lambda: practice.hub.call(lambda s: s.checkin_count()) == len(due), what="the check-ins")
    return due


def test_no_page_shows_a_patients_full_name_birth_date_or_phone(
    practice: Practice, client: httpx.Client
) -> None:
    patients = _check_in_everyone_due(practice)
    assert patients
    texts = [client.get(path).text for path in PAGES] + [client.get(f"/part/{s}").text for s in SECTIONS]
    everything = "\n".join(texts)

    for p in patients:
        assert p.last_name not in everything, "a last name on a page"
        assert p.dob not in everything and p.dob.replace("-", "/") not in everything, "a birth date on a page"
        assert p.code not in everything, "a check-in code on a page"
    assert not re.search(r"\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}", everything), "a phone number on a page"
    first = patients[0]
    assert f"{first.first_name} {first.last_name[0]}." in everything  # what the desk does see


def test_every_answer_carries_the_security_headers(practice: Practice, client: httpx.Client) -> None:
    anonymous = httpx.get(practice.url + "login", timeout=10)
    answers = [anonymous, client.get("/static/dashboard.css"), *(client.get(p) for p in PAGES)]
    for answer in answers:
        h = answer.headers
        csp = h["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert h["x-frame-options"] == "DENY"
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin"  # nothing leaves; our own POSTs keep their Origin


def test_pages_have_no_inline_script_or_handlers(client: httpx.Client) -> None:
    for path in PAGES:
        html = client.get(path).text
        assert all('src="/static/' in tag for tag in re.findall(r"<script[^>]*>", html)), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert 'style="' not in html, path  # the CSP allows no inline style either


def test_the_session_cookie_is_http_only_and_same_site(practice: Practice) -> None:
    with web_client(practice.url) as client:
        _cookie_flags(client)


def _cookie_flags(client: httpx.Client) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    answer = client.post(
        "/login", data={"staff_id": "boss-bo", "password": PASSWORDS["boss-bo"], "csrf": token.group(1)}
    )
    cookie = next(v for v in answer.headers.get_list("set-cookie") if v.startswith("kiosk_dashboard="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain HTTP here; with [hub.web] cert_file the cookie is Secure


def test_without_sign_in_pages_redirect_and_parts_and_events_are_refused(practice: Practice) -> None:
    with web_client(practice.url) as anonymous:
        _refused(anonymous)


def _refused(anonymous: httpx.Client) -> None:
    for path in PAGES:
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    assert anonymous.get("/events").status_code == 401
    assert anonymous.get("/part/board").status_code == 401
    assert anonymous.post("/status/apply", data={"csrf": "x"}).status_code == 303  # to the sign-in page
    forged = anonymous.post("/login", data={"staff_id": "boss-bo", "password": PASSWORDS["boss-bo"]})
    assert forged.status_code == 403  # no sign-in without the login page's token


def test_signing_out_ends_the_session(client: httpx.Client) -> None:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert csrf is not None
    assert client.post("/logout", data={"csrf": csrf.group(1)}).status_code == 303
    assert client.get("/").status_code == 303


def test_the_kiosks_page_shows_what_the_hub_rejected_from_each_kiosk(
    practice: Practice, client: httpx.Client
) -> None:
    hub = practice.hub
    birth = m.KioskAvailability("lobby-7", True, "0.1.0", SystemClock().now().isoformat())
    hub.on_link_event(LinkEvent("message", hub.tree.availability("lobby-7"), encode(birth)))
    for _ in range(2):
        hub.on_link_event(LinkEvent("message", hub.tree.checkin("lobby-7"), b"{not json"))
    wait_for(
        lambda: any(r["source"] == "lobby-7" for r in hub.call(lambda s: s.rejections())),
        what="the rejection stored",
    )
    card = client.get("/part/kiosks").text
    card = card[card.index('id="kiosk-lobby-7"') :]
    card = card[: card.index("</article>")]
    assert "Rejected by the hub</dt><dd>not_json: 2</dd>" in card
    assert "{not json" not in card  # the reason, never the payload


def test_the_kiosks_page_shows_schedule_rows_a_kiosk_left_out(
    practice: Practice, client: httpx.Client
) -> None:
    hub = practice.hub
    now = SystemClock().now().isoformat()
    birth = m.KioskAvailability("lobby-8", True, "0.1.0", now)
    hub.on_link_event(LinkEvent("message", hub.tree.availability("lobby-8"), encode(birth)))
    health = m.KioskHealth("lobby-8", now, True, 0.0, 0, rejected={"schedule_row": 3})
    hub.on_link_event(LinkEvent("message", hub.tree.health("lobby-8"), encode(health)))

    def card() -> str:
        text = client.get("/part/kiosks").text
        if 'id="kiosk-lobby-8"' not in text:
            return ""
        text = text[text.index('id="kiosk-lobby-8"') :]
        return text[: text.index("</article>")]

    wait_for(lambda: "Schedule rows left out</dt><dd><span" in card(), what="the left-out rows on the card")
    assert "3 (the rest of the day is shown)" in card()
