"""The projection onto the kiosks' day when the date changes, and what the hub forgets."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hub.ehr import siu
from hub.ehr.intake import Intake, read_frame
from hub.store import HubStore
from tests.support.siu import Siu


def test_a_new_day_projects_its_appointments_and_old_ones_are_purged(tmp_path: Path) -> None:
    store = HubStore.open(tmp_path / "hub.sqlite")
    intake = Intake({"D1": "chen"}, None)
    today = datetime(2026, 11, 30, 7, 0)
    frames = [
        read_frame(
            Siu(f"C{i}", appointment_id=f"A{i}", start=today + timedelta(days=i, hours=2)).bytes(),
            siu.Rules(None, 15),
            "utf-8",
        )
        for i in range(3)
    ]
    intake.take(store, frames, today)
    assert [a.id for a in store.appointments()] == ["A0"], "kiosks hold today only"
    tomorrow = (today + timedelta(days=1)).date().isoformat()
    with store.transaction():
        touched = intake.records(store).project_day(tomorrow)
    assert touched == {"chen"}
    assert [a.id for a in store.appointments()] == ["A1"]
    schedule = store.wire_schedule("chen")
    assert schedule is not None and schedule.date == tomorrow and schedule.version >= 2
    with store.transaction():
        removed = intake.records(store).purge((today + timedelta(days=1)).isoformat())
    assert removed == 3 + 1  # the three messages (received today) and the appointment of the day past
    assert [r[0] for r in store.db.execute("SELECT id FROM ehr_appointments ORDER BY id")] == ["A1", "A2"]
    store.close()


def test_a_hub_before_v13_keeps_its_messages_and_then_keys_them_by_type(tmp_path: Path) -> None:
    from hub.ehr.schema import rekey_ehr_messages
    from hub.migrations import HUB_MIGRATIONS
    from sync.sqlite import open_database

    path = tmp_path / "hub.sqlite"
    at_v12 = HUB_MIGRATIONS[: HUB_MIGRATIONS.index(rekey_ehr_messages)]  # a hub before issue 28
    db = open_database(path, at_v12, key=None)
    db.execute(
        "INSERT INTO ehr_messages VALUES ('EHR^C', 'M1', '2026-11-30T09:00', '', 'SIU^S12', '2.5', 'AA',"
        " 'applied', '', 'A1', 'MSH|...')"
    )
    db.conn.commit()
    db.conn.close()
    store = HubStore.open(path)
    records = Intake({}, None).records(store)
    assert records.earlier("EHR^C", "M1", "SIU^S12") and not records.earlier("EHR^C", "M1", "ADT^A60")
    with store.transaction():
        records.record(
            {
                "sender": "EHR^C", "control_id": "M1", "received_at": "2026-11-30T09:01", "sent_at": "",
                "type": "ADT^A60", "version": "2.5", "outcome": "AR", "effect": "refused",
                "reason": "not taken", "appointment_id": "", "raw": "MSH|...",
            }
        )  # fmt: skip
    assert records.earlier("EHR^C", "M1", "SIU^S12")  # the SIU is still a repeat
    assert store.db.execute("SELECT count(*) FROM ehr_messages").fetchone()[0] == 2
    store.close()
