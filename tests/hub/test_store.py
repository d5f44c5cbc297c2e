"""The hub's repository: every SQL statement of the hub lives in ``HubStore`` (and its
``staff`` and ``audit`` parts); where a request came from is a typed, stored, audited
origin decided by the topic it arrived on."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from functools import partial
from pathlib import Path

import pytest

from config.settings import StaffSettings
from hub.migrations import HUB_MIGRATIONS
from hub.origin import PRACTICE_CLI_ID, RequestOrigin
from hub.policy import RolePolicy
from hub.sample import sample_morning
from hub.store import HubStore
from sync import messages as m
from sync import staff_messages as sm
from sync.sqlite import open_database, schema_version
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.broker import Broker, publish_raw
from tests.support.site import start_hub, wait_for

HUB = Path(__file__).resolve().parents[2] / "hub"
TREE = TopicTree("acme", "main")
# The repository's modules; everything else in hub/ asks them by name.
REPOSITORY = {
    "store.py",
    "staff_store.py",
    "audit.py",
    "revocations.py",
    "epoch_records.py",
    "migrations.py",
    "phone_calls.py",
}
_SQL = re.compile(r"\.execute\(|\.table\(|\.db\b|\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA)\b|sqlite3")


def _request(kiosk_id: str, by: str = "practice", role: str = "practice") -> m.StatusChangeRequest:
    return m.StatusChangeRequest(
        uuid.uuid4().hex, kiosk_id, "chen", "late", by, "2026-11-30T07:50", delay_min=10, role=role
    )


def test_no_sql_outside_the_repository() -> None:
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted(HUB.glob("*.py"))
        if path.name not in REPOSITORY
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if _SQL.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []


def test_the_sql_check_sees_a_statement(tmp_path: Path) -> None:
    assert _SQL.search('        self.store.db.execute("SELECT 1 FROM notices")')
    assert _SQL.search("rows = store.db.table('escalations').rows_where()")
    assert not _SQL.search("        rows = store.staff.escalations(only_open=not args.all)")


def test_origin_is_the_topic_not_the_id() -> None:
    assert RequestOrigin.of_topic(TREE, TREE.hub_command()) is RequestOrigin.PRACTICE_CLI
    assert RequestOrigin.of_topic(TREE, TREE.hub_command_ack()) is RequestOrigin.PRACTICE_CLI
    assert RequestOrigin.of_topic(TREE, TREE.hub_query()) is RequestOrigin.PRACTICE_CLI
    assert RequestOrigin.of_topic(TREE, TREE.request(PRACTICE_CLI_ID)) is RequestOrigin.KIOSK
    assert RequestOrigin.of_topic(TREE, TREE.request("lobby-1")) is RequestOrigin.KIOSK


@pytest.mark.parametrize(
    ("kiosk_id", "origin", "refusal"),
    [
        (PRACTICE_CLI_ID, RequestOrigin.PRACTICE_CLI, ""),
        ("lobby-1", RequestOrigin.PRACTICE_CLI, ""),  # the topic decides, whatever the id
        (PRACTICE_CLI_ID, RequestOrigin.KIOSK, "only the practice's terminal may use the id 'cli'"),
        ("lobby-1", RequestOrigin.KIOSK, "practice is not on this practice's staff list"),
    ],
)
def test_only_the_practice_origin_skips_the_staff_rules(
    kiosk_id: str, origin: RequestOrigin, refusal: str
) -> None:
    policy = RolePolicy.from_settings(StaffSettings())
    assert policy.check(_request(kiosk_id), origin) == refusal


def test_requests_keep_their_origin_in_the_table_and_the_audit(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    practice, forged, kiosk = _request(PRACTICE_CLI_ID), _request(PRACTICE_CLI_ID), _request("lobby-1")
    try:
        sent = [
            (TREE.hub_command(), practice),
            (TREE.request(PRACTICE_CLI_ID), forged),  # a kiosk calling itself "cli"
            (TREE.request("lobby-1"), kiosk),
        ]

        def all_recorded() -> bool:
            # Sent again until recorded (the hub may not be subscribed yet); a repeat of a
            # key is answered again and changes nothing.
            for topic, req in sent:
                publish_raw(broker, topic, encode(req))
            return len(hub.call(lambda s: s.request_origins())) == 3

        wait_for(all_recorded, what="three requests")
        origins = hub.call(lambda s: s.request_origins())
        results = {k: hub.call(partial(HubStore.request_result, key=k)) for k in origins}
        audit = hub.call(lambda s: s.audit.records())
    finally:
        hub.stop()
    assert origins == {
        practice.key: RequestOrigin.PRACTICE_CLI,
        forged.key: RequestOrigin.KIOSK,
        kiosk.key: RequestOrigin.KIOSK,
    }
    assert results[practice.key].accepted
    assert results[forged.key].reason == "only the practice's terminal may use the id 'cli'"
    assert not results[kiosk.key].accepted
    decisions = [(r.action, json.loads(r.detail)["origin"]) for r in audit if r.action.startswith("status_")]
    assert sorted(decisions) == [
        ("status_change", "practice_cli"),
        ("status_rejected", "kiosk"),
        ("status_rejected", "kiosk"),
    ]


def test_a_replayed_rejected_request_is_answered_with_its_rejection(tmp_path: Path) -> None:
    store = HubStore.open(tmp_path / "hub.sqlite")
    req = m.StatusChangeRequest("r" * 16, "lobby-1", "chen", "out", "ben", "2026-11-30T07:50", reason="sick")
    refused = m.RequestResult(req.key, "lobby-1", False, "out today needs a supervisor", "chen")
    with store.transaction():
        store.record_request(req, refused, "2026-11-30T07:50:01", RequestOrigin.KIOSK)
    assert store.request_result(req.key) == refused  # the rejection, not the request's "sick"
    store.close()


def test_migration_3_gives_old_requests_their_origin(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite"
    db = open_database(path, HUB_MIGRATIONS[:2])
    rows = [
        ("old-cli", PRACTICE_CLI_ID, 1, ""),
        ("old-forged", PRACTICE_CLI_ID, 0, "only the practice's terminal may use the id 'cli'"),
        ("old-kiosk", "lobby-1", 0, "ben is front_desk, not supervisor"),
    ]
    for key, kiosk_id, accepted, reason in rows:
        db.table("requests").insert(
            {
                "key": key,
                "kiosk_id": kiosk_id,
                "accepted": accepted,
                "result_reason": reason,
                "recorded_at": key,
            }
        )
    db.close()
    store = HubStore.open(path)
    assert schema_version(store.db) == len(HUB_MIGRATIONS) >= 3
    assert store.request_origins() == {
        "old-cli": RequestOrigin.PRACTICE_CLI,
        "old-forged": RequestOrigin.KIOSK,
        "old-kiosk": RequestOrigin.KIOSK,
    }
    store.close()


def test_notices_are_acknowledged_once_and_escalations_resolve_once(tmp_path: Path) -> None:
    store = HubStore.open(tmp_path / "hub.sqlite")
    store.load_day(sample_morning(date(2026, 11, 30)))
    notice = sm.SupervisorNotice("nchen-1", "2026-11-30T07:50:00", "chen", 1, "Dr. Wei Chen late", "ben")
    alert = sm.Escalation("display-chen-v1", "2026-11-30T07:51:00", "display", True, "chen", 1, "x")
    with store.transaction():
        store.staff.add_notice(notice)
        store.staff.open_escalation(alert)
    assert [n.id for n in store.staff.unacked_notices()] == ["nchen-1"]
    assert store.staff.ack_notice("nchen-1", "ana", "2026-11-30T07:52:00")
    assert not store.staff.ack_notice("nchen-1", "someone-else", "2026-11-30T07:53:00")
    assert not store.staff.ack_notice("n-unknown", "ana", "2026-11-30T07:53:00")
    stored = store.staff.notice("nchen-1")
    assert stored is not None and stored.acked_by == "ana"
    assert store.staff.unacked_notices() == []
    assert store.staff.open_escalation_ids() == {"display-chen-v1"}
    closed = store.staff.resolve_escalation("display-chen-v1", "2026-11-30T07:55:00")
    assert closed is not None and not closed.open and closed.detail == "x"
    assert store.staff.resolve_escalation("display-chen-v1", "2026-11-30T07:56:00") is None
    assert store.staff.escalation_known("display-chen-v1")  # raised once, not again
    assert store.staff.escalations() == []
    assert [e["resolved_at"] for e in store.staff.escalations(only_open=False)] == ["2026-11-30T07:55:00"]
    store.close()


def test_migration_4_records_where_a_kiosks_receipt_came_from(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite"
    db = open_database(path, HUB_MIGRATIONS[:3])
    db.table("kiosks").insert({"id": "lobby-1", "display": '{"chen": 2}'})
    db.close()
    store = HubStore.open(path)
    assert store.kiosks()[0]["display_screen"] is None  # not known until it sends a receipt
    with store.transaction():
        store.kiosk_display(m.DisplayAck("lobby-1", {"chen": 3}, screen=True), "2026-11-30T07:50")
        store.kiosk_display(m.DisplayAck("lobby-2", {"chen": 3}), "2026-11-30T07:50")  # an old kiosk
    assert [(k["id"], k["display_screen"]) for k in store.kiosks()] == [("lobby-1", 1), ("lobby-2", 0)]
    store.close()
