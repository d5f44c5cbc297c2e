"""The dashboard's Notifications page over HTTP: channel health ("down since", how many
wait), today's counts, replies waiting and opt-outs, masked; staff opt a patient out and
back in (audited, CSRF-checked, not for a technician) and mark a reply handled."""

from __future__ import annotations

import re

import httpx

from core.clock import SystemClock
from hub.notify.channel_records import ChannelState
from hub.store import HubStore
from tests.hub.web.conftest import Practice
from tests.hub.web.test_pages_http import signed_in


def _seed(store: HubStore) -> str:
    """A down SMSC with 3 waiting, and a patient's reply (as the notifier writes them)."""
    now = SystemClock().now()
    appointment = next(iter(r[0] for r in store.db.execute("SELECT appointment_id FROM patient_contacts")))
    with store.transaction():
        store.notify.channels.save(
            ChannelState(
                "smpp",
                "down",
                now.replace(hour=7, minute=51).isoformat(),
                "smsc: cannot connect",
                3,
                4.0,
                now.isoformat(),
            )
        )
        store.notify.add_reply(
            at=now.isoformat(),
            channel="smpp",
            address="+15550001234",
            outbox_key="",
            appointment_id=appointment,
            meaning="reschedule",
            text="2",
        )
    return str(appointment)


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_the_page_shows_channels_replies_and_opt_outs_and_staff_change_them(practice: Practice) -> None:
    appointment = practice.hub.call(_seed)
    client = signed_in(practice, "desk-ann")
    try:
        page = client.get("/notifications")
        assert page.status_code == 200
        assert "down since 07:51" in page.text and "smpp down since 07:51, 3 waiting" in page.text
        assert "wants to reschedule" in page.text and "+1555…34" in page.text
        assert "+15550001234" not in page.text  # masked
        csrf = _csrf(page)
        assert client.post("/notifications/opt-out", data={"appointment_id": appointment}).status_code == 403
        done = client.post("/notifications/opt-out", data={"appointment_id": appointment, "csrf": csrf})
        # the hub's notice is kept in the session and shown once, never carried in the URL
        assert done.status_code == 303 and done.headers["location"] == "/notifications"
        page = client.get("/notifications")
        assert "is opted out of notifications (audited)" in page.text
        assert "<td>staff:desk-ann</td>" in page.text
        reply_id = re.search(r'id="handled-(\d+)"', page.text)
        assert reply_id is not None
        client.post(f"/notifications/replies/{reply_id.group(1)}/handled", data={"csrf": csrf})
        assert "No reply waits." in client.get("/notifications").text
        back = client.post("/notifications/opt-in", data={"appointment_id": appointment, "csrf": csrf})
        assert back.status_code == 303
        page = client.get("/notifications")
        assert "is opted back in to notifications" in page.text and "Nobody has opted out." in page.text
        unknown = client.post("/notifications/opt-out", data={"appointment_id": "nope-1", "csrf": csrf})
        assert unknown.status_code == 303 and "Not changed" in client.get("/notifications").text
        actions = practice.hub.call(
            lambda store: [(r[0], r[1]) for r in store.db.execute("SELECT actor, action FROM audit")]
        )
        assert ("desk-ann", "notify_opt_out") in actions and ("desk-ann", "notify_opt_in") in actions
        assert ("desk-ann", "notify_reply_handled") in actions
    finally:
        client.close()
    tech = signed_in(practice, "tech-ted")
    try:
        page = tech.get("/notifications")
        assert 'id="opt-out-form"' not in page.text
        refused = tech.post(
            "/notifications/opt-out", data={"appointment_id": appointment, "csrf": _csrf(page)}
        )
        assert refused.status_code == 403
    finally:
        tech.close()
