"""Caller-ID matching at the hub: the one booked appointment today whose contact has the
caller's number, or none (zero or several); rate-limited per line. Over a real mosquitto
with the site's passwords and ACL: a phone line's lookup gets the right ``CallerMatch``;
a kiosk and the practice's terminal, subscribed to everything they may read, get nothing
of it, and a kiosk that asks on its own branch never reads the answer."""

from __future__ import annotations

import dataclasses
import logging
import queue
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hub.caller_match import LineBuckets, matched_appointment
from hub.day_plan import DayPlan
from hub.sample import sample_morning
from hub.service import HubService
from hub.store import HubStore
from sync import messages as m
from sync.acl import render_acl
from sync.link import LinkEvent, MqttLink
from sync.sync_change import SyncChange
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.broker import BROKER_MODES, Broker, Credentials
from tests.support.clock import wall_today
from tests.support.site import RecordingKiosk, site_settings, status_request, wait_for

TREE = TopicTree("acme", "main")
DAY = date(2026, 11, 30)


def _store(tmp_path: Path, plan: DayPlan) -> HubStore:
    store = HubStore.open(tmp_path / "hub.sqlite")
    store.load_day(plan)  # its own transaction
    return store


def test_buckets_allow_a_burst_then_the_rate_per_line() -> None:
    buckets = LineBuckets(burst=3, per_minute=6.0)
    assert [buckets.take("phone-1", 0.0) for _ in range(4)] == [True, True, True, False]
    assert buckets.take("phone-2", 0.0)  # another line has its own bucket
    assert not buckets.take("phone-1", 9.9)
    assert buckets.take("phone-1", 10.0)  # one token every 10 s
    assert not buckets.take("phone-1", 10.0)


def test_buckets_forget_the_stalest_line_past_the_bound() -> None:
    buckets = LineBuckets(burst=1, per_minute=1.0, max_lines=2)
    assert buckets.take("a", 0.0) and buckets.take("b", 0.0) and buckets.take("c", 0.0)
    assert buckets.take("a", 0.0)  # forgotten, so full again
    assert not buckets.take("c", 0.0)


def test_one_booked_appointment_today_matches_and_several_or_none_do_not(tmp_path: Path) -> None:
    plan = sample_morning(DAY)
    first, second, third = plan.appointments[:3]
    contacts = {c.appointment_id: c for c in plan.contacts}
    shared = "+15557770001"
    contacts[second.id] = dataclasses.replace(contacts[second.id], phone=shared)
    contacts[third.id] = dataclasses.replace(contacts[third.id], phone=shared)  # a family's phone
    cancelled = plan.appointments[3]
    appointments = [
        dataclasses.replace(a, state="cancelled") if a.id == cancelled.id else a for a in plan.appointments
    ]
    plan = dataclasses.replace(plan, appointments=appointments, contacts=[*contacts.values()])
    store = _store(tmp_path, plan)
    try:
        day = DAY.isoformat()
        assert matched_appointment(store, contacts[first.id].phone, day) == first.id
        assert matched_appointment(store, shared, day) == ""  # several: nobody
        assert matched_appointment(store, contacts[cancelled.id].phone, day) == ""
        assert matched_appointment(store, "+15559999999", day) == ""
        assert matched_appointment(store, contacts[first.id].phone, "2026-12-01") == ""  # not today
        at = f"{day}T08:00"
        checked_in = m.CheckIn(uuid.uuid4().hex, "lobby-1", first.id, first.provider_id, at, "dob")
        with store.transaction():
            store.record_checkin(checked_in, f"{day}T08:00")
        assert matched_appointment(store, contacts[first.id].phone, day) == ""  # no longer booked
    finally:
        store.close()


USERS = {"hub": "hub-secret", "lobby-1": "k1-secret", "phone-1": "p1-secret", "desk": "desk-secret"}


@pytest.fixture(params=BROKER_MODES)
def site_broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    acl = render_acl(TREE, "hub", ["lobby-1"], ["desk"], line_users=["phone-1"])
    creds = Credentials(users=USERS, acl=acl)
    b = Broker(tmp_path / "secure", tls=request.param == "tls", creds=creds)
    b.start()
    yield b
    b.stop()


class _Spy:
    """A bare link that subscribes to everything it asks for and keeps what arrives."""

    def __init__(self, broker: Broker, user: str, subscriptions: list[str]) -> None:
        self.events: queue.Queue[LinkEvent] = queue.Queue()
        self.got: list[tuple[str, bytes]] = []
        settings = broker.settings(user, USERS[user])
        self.link = MqttLink(settings, f"spy-{user}", self.events.put, subscriptions=subscriptions)
        self.link.start()
        wait_for(lambda: self._drain() or self.link.connected, what=f"{user} connected")

    def _drain(self) -> bool:
        while not self.events.empty():
            event = self.events.get()
            if event.kind == "message":
                self.got.append((event.topic, event.payload))
        return False

    def topics(self) -> list[str]:
        self._drain()
        return [t for t, _ in self.got]


def _line(broker: Broker, tmp_path: Path) -> tuple[RecordingKiosk, list[m.CallerMatch]]:
    line = RecordingKiosk(broker.settings("phone-1", USERS["phone-1"]), tmp_path, "phone-1")
    settings = site_settings(line.sync.settings.broker, tmp_path / "phone-1", "phone-1")
    line.sync = type(line.sync)(settings, line=True)
    line.sync.add_listener(line.changes.append)
    answers: list[m.CallerMatch] = []

    def on_change(change: SyncChange) -> None:
        if change.kind == "caller" and isinstance(change.message, m.CallerMatch):
            answers.append(change.message)

    line.sync.add_listener(on_change)
    return line.start(), answers


def test_a_line_gets_its_match_and_nobody_else_reads_it(
    site_broker: Broker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hub = HubService(site_settings(site_broker.settings("hub", USERS["hub"]), tmp_path, "hub-side"))
    hub.start(sample_morning(wall_today()))
    line, answers = _line(site_broker, tmp_path)
    kiosk = _Spy(site_broker, "lobby-1", [f"{TREE.base}/hub/#", TREE.caller_lookup("+")])
    desk = _Spy(site_broker, "desk", [f"{TREE.base}/#"])
    try:
        wait_for(lambda: line.appointments() > 0 and line.sync.is_live(), what="the line's day")
        booked = hub.call(lambda s: next(a for a in s.appointments() if a.state == "booked"))
        contact = hub.call(lambda s: s.notify.contact(booked.id))
        assert contact is not None and contact.phone
        number = contact.phone

        ask = m.CallerLookup(uuid.uuid4().hex, "phone-1", number)
        assert line.sync.link.publish(TREE.caller_lookup("phone-1"), encode(ask), qos=1)
        wait_for(lambda: answers, what="the line's CallerMatch")
        assert answers == [m.CallerMatch(ask.key, booked.id)]

        nobody = m.CallerLookup(uuid.uuid4().hex, "phone-1", "+15559999999")
        assert line.sync.link.publish(TREE.caller_lookup("phone-1"), encode(nobody), qos=1)
        wait_for(lambda: len(answers) == 2, what="the second CallerMatch")
        assert answers[1] == m.CallerMatch(nobody.key, "")

        # A kiosk may ask on its own branch (the ACL lets it write there) but reads no answer.
        probe = m.CallerLookup(uuid.uuid4().hex, "lobby-1", number)
        assert kiosk.link.publish(TREE.caller_lookup("lobby-1"), encode(probe), qos=1)
        wait_for(lambda: hub.stats["caller_lookups_matched"] == 2, what="the kiosk's lookup answered")
        # Then a message both may read, from the hub's own connection: published after the
        # answers, it arrives after them, so an answer that leaked would be here first.
        sentinel = m.HubAck("lobby-1", ["s" * 32])
        hub.call(lambda _s: hub.out.publish(TREE.hub_ack("lobby-1"), sentinel, False))
        wait_for(lambda: TREE.hub_ack("lobby-1") in kiosk.topics(), what="the sentinel at the kiosk")
        wait_for(lambda: TREE.hub_ack("lobby-1") in desk.topics(), what="the sentinel at the desk")
        assert not [t for t in kiosk.topics() if "/hub/caller/" in t]
        assert not [t for t in desk.topics() if "/hub/caller/" in t]
        assert TREE.caller_lookup("phone-1") not in kiosk.topics()  # nor the line's questions
        assert TREE.caller_lookup("phone-1") not in desk.topics()
        theirs = [(t, p) for t, p in kiosk.got if t != TREE.caller_lookup("lobby-1")] + desk.got
        assert not [t for t, p in theirs if number.encode() in p]  # the number only where it was sent
        assert len(answers) == 2
        assert hub.stats["caller_lookups_unmatched"] == 1
        assert number not in caplog.text and number[1:] not in caplog.text
    finally:
        kiosk.link.stop()
        desk.link.stop()
        line.stop()
        hub.stop()


def test_a_bad_number_is_refused_and_counted_and_the_line_is_limited(
    site_broker: Broker, tmp_path: Path
) -> None:
    hub = HubService(site_settings(site_broker.settings("hub", USERS["hub"]), tmp_path, "hub-side"))
    hub.start(sample_morning(wall_today()))
    hub.callers.buckets = LineBuckets(burst=2, per_minute=0.001)
    line, answers = _line(site_broker, tmp_path)
    try:
        wait_for(line.sync.is_live, what="the line live")
        bad = encode(m.CallerLookup(uuid.uuid4().hex, "phone-1", "+15559999999")).replace(
            b"+15559999999", b"5559999999"
        )
        assert line.sync.link.publish(TREE.caller_lookup("phone-1"), bad, qos=1)
        wait_for(lambda: hub.rejected().get("bad_value", 0) >= 1, what="the bad number refused")
        keys = [uuid.uuid4().hex for _ in range(3)]
        for key in keys:
            ask = encode(m.CallerLookup(key, "phone-1", "+15559999999"))
            assert line.sync.link.publish(TREE.caller_lookup("phone-1"), ask, qos=1)
        wait_for(lambda: hub.stats["caller_lookups_limited"] == 1, what="the third lookup over the rate")
        wait_for(lambda: len(answers) == 2, what="the two answers within the burst")
        assert {a.key for a in answers} == set(keys[:2])
    finally:
        line.stop()
        hub.stop()


def test_a_line_the_acl_does_not_name_still_gets_its_day_and_no_answer(tmp_path: Path) -> None:
    """A site whose broker files predate ``--line``: the line's extra subscription is
    refused or filtered by the broker, its day still arrives, and its key 3 goes on as
    without caller ID (the question goes out; the answer never reaches it)."""
    acl = render_acl(TREE, "hub", ["lobby-1", "phone-1"], ["desk"])  # phone-1 as a plain kiosk
    broker = Broker(tmp_path / "old", creds=Credentials(users=USERS, acl=acl))
    broker.start()
    hub = HubService(site_settings(broker.settings("hub", USERS["hub"]), tmp_path, "hub-side"))
    hub.start(sample_morning(wall_today()))
    line, answers = _line(broker, tmp_path)
    try:
        wait_for(lambda: line.appointments() > 0 and line.sync.is_live(), what="the line's day")
        ask = m.CallerLookup(uuid.uuid4().hex, "phone-1", "+15559999999")
        assert line.sync.link.publish(TREE.caller_lookup("phone-1"), encode(ask), qos=1)
        wait_for(lambda: hub.stats["caller_lookups_unmatched"] == 1, what="the hub's answer")
        # A status the line reads, published by the hub after its answer, arrives after it.
        before = len([c for c in line.changes if c.kind == "status"])
        assert hub.set_status(status_request("chen", "late", delay=10)).accepted
        wait_for(lambda: len([c for c in line.changes if c.kind == "status"]) > before, what="the status")
        assert answers == []
    finally:
        line.stop()
        hub.stop()
        broker.stop()
