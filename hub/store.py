"""The hub's own SQLite state: the day, provider status (and its history), check-ins
recorded exactly once, status requests, and what each kiosk shows. A hub restart loses
nothing. The day it loads is a ``hub.day_plan.DayPlan``."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import sqlite_utils

from core.errors import StorageError
from hub.audit import AuditLog
from hub.day_plan import DayPlan, HubAppointment
from hub.epoch_records import EpochRecords
from hub.escalation import Backlog
from hub.notify.records import NotifyRecords
from hub.opening import open_hub_database
from hub.origin import RequestOrigin
from hub.revocations import Revocations
from hub.staff_store import StaffRecords
from sync import messages as m
from sync.proof import PROOF_FIELDS
from sync.sqlite import transaction
from sync.vault import KeySource

FLOW_PREFIX = "checkin_"  # the kiosk's check-in flow counts in its health metrics (domain.metrics)
# The epoch is the store's (hub/epoch.py), stamped on what the hub publishes, not a row's.
_STATUS_FIELDS = [f.name for f in dataclasses.fields(m.ProviderStatus) if f.name != "epoch"]


class HubStore:
    """The repository of the hub's SQLite file: every statement the hub runs is here, in
    ``staff`` (notices, escalations), ``notify`` (patient notifications), ``revocations``,
    ``epochs`` (``hub/epoch.py``) or in ``audit`` (the hash-chained trail)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.staff = StaffRecords(db)
        self.notify = NotifyRecords(db)
        self.audit = AuditLog(db)
        self.revocations = Revocations(db)
        self.epochs = EpochRecords(db)

    @classmethod
    def open(cls, path: str | Path, readonly: bool = False, key: KeySource | None = None) -> HubStore:
        """Open (migrate, encrypt) the hub's file; ``StorageError`` names the path and what is
        wrong. ``key``: ``sync.vault.store_key_source(settings)``; default ``store.key`` beside it."""
        return cls(open_hub_database(Path(path), readonly=readonly, key=key))

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> AbstractContextManager[None]:
        """BEGIN IMMEDIATE ... COMMIT; a failed commit is a ``StorageError``."""
        return transaction(self.db)

    # --- the day ----------------------------------------------------------------------

    def load_day(self, plan: DayPlan) -> list[str]:
        """Replace the day with ``plan``; returns the providers whose schedule changed.

        Appointments already checked in keep that state; a changed schedule gets a new
        version so kiosks replace what they hold.
        """
        changed: list[str] = []
        with transaction(self.db):
            self.notify.forget_contacts(list(plan.providers))  # a new day's patients, a new day's contacts
            for provider_id, name in plan.providers.items():
                appts = [a for a in plan.appointments if a.provider_id == provider_id]
                before = self.wire_schedule(provider_id)
                row = self.db.execute(
                    "SELECT schedule_version FROM providers WHERE id = ?", [provider_id]
                ).fetchone()
                version = row[0] if row else 0
                checked = {
                    r[0]
                    for r in self.db.execute(
                        "SELECT id FROM appointments WHERE provider_id = ? AND state = 'checked_in'",
                        [provider_id],
                    )
                }
                self.db.execute("DELETE FROM appointments WHERE provider_id = ?", [provider_id])
                self.db.table("appointments").insert_all(
                    (
                        {**dataclasses.asdict(a), "state": "checked_in" if a.id in checked else a.state}
                        for a in appts
                    ),
                    batch_size=500,
                )
                self.db.table("providers").upsert(
                    {"id": provider_id, "name": name, "date": plan.date, "schedule_version": version}, pk="id"
                )
                after = self.wire_schedule(provider_id)
                if before is None or after is None or _content(before) != _content(after):
                    self.db.table("providers").update(provider_id, {"schedule_version": version + 1})
                    changed.append(provider_id)
            self.notify.save_contacts(plan.contacts)
        return changed

    def provider_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM providers ORDER BY id")]

    def providers(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT id, name FROM providers ORDER BY name")}

    def schedule_versions(self) -> dict[str, int]:
        """Each provider's schedule version (what changes it: a day loaded, a check-in)."""
        rows = self.db.execute("SELECT id, schedule_version FROM providers")
        return {str(r[0]): max(1, int(r[1])) for r in rows}

    def day(self) -> str:
        row = self.db.execute("SELECT max(date) FROM providers").fetchone()
        return row[0] or ""

    def wire_schedule(self, provider_id: str) -> m.ProviderSchedule | None:
        row = self.db.execute(
            "SELECT name, date, schedule_version FROM providers WHERE id = ?", [provider_id]
        ).fetchone()
        if row is None:
            return None
        appts = [a.to_wire() for a in self.appointments(provider_id)]
        return m.ProviderSchedule(provider_id, row[0], row[1], max(1, row[2]), appts)

    def appointments(self, provider_id: str | None = None) -> list[HubAppointment]:
        where, params = ("WHERE provider_id = ?", [provider_id]) if provider_id else ("", [])
        return self._appointments(where, params)

    def appointment(self, appointment_id: str) -> HubAppointment | None:
        """One row by key (a check-in looks its appointment up: no scan of the day)."""
        found = self._appointments("WHERE id = ?", [appointment_id])
        return found[0] if found else None

    def _appointments(self, where: str, params: list[str]) -> list[HubAppointment]:
        cols = [f.name for f in dataclasses.fields(HubAppointment)]
        sql = f"SELECT {', '.join(cols)} FROM appointments {where} ORDER BY start, id"  # noqa: S608
        return [HubAppointment(**dict(zip(cols, r, strict=True))) for r in self.db.execute(sql, params)]

    # --- check-ins --------------------------------------------------------------------

    def record_checkin(self, msg: m.CheckIn, recorded_at: str) -> m.AppointmentChange | bool | None:
        """Record once. False: a duplicate; None: recorded, no appointment changed;
        otherwise the appointment change to publish. Call inside ``transaction``."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO checkins (key, kiosk_id, appointment_id, provider_id, arrived_at, method,"
            " outcome, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                msg.key,
                msg.kiosk_id,
                msg.appointment_id,
                msg.provider_id,
                msg.arrived_at,
                msg.method,
                msg.outcome,
                recorded_at,
            ],
        )
        if cur.rowcount == 0:
            return False
        row = self.db.execute(
            "SELECT a.state, p.schedule_version, p.date FROM appointments a"
            " JOIN providers p ON p.id = a.provider_id WHERE a.id = ? AND a.provider_id = ?",
            [msg.appointment_id, msg.provider_id],
        ).fetchone()
        if row is None or row[0] == "checked_in" or msg.outcome not in m.ARRIVED:
            return None
        version = row[1] + 1
        self.db.execute("UPDATE appointments SET state = 'checked_in' WHERE id = ?", [msg.appointment_id])
        self.db.execute("UPDATE providers SET schedule_version = ? WHERE id = ?", [version, msg.provider_id])
        appt = self.appointment(msg.appointment_id)
        if appt is None:  # joined above in this transaction: only a broken file gets here
            raise StorageError(f"appointment {msg.appointment_id} vanished while being checked in")
        return m.AppointmentChange(msg.provider_id, row[2], version, appt.to_wire())

    def remember_key(self, key: str, kind: str, kiosk_id: str, recorded_at: str) -> bool:
        """Note a kiosk message's key; False when it was noted before (a repeat).
        Call inside ``transaction``."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO received_keys (key, kind, kiosk_id, recorded_at) VALUES (?, ?, ?, ?)",
            [key, kind, kiosk_id, recorded_at],
        )
        return cur.rowcount == 1

    def checkins(self) -> list[dict[str, object]]:
        return list(self.db.table("checkins").rows_where(order_by="arrived_at, key"))

    def checkin_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM checkins").fetchone()[0])

    # --- provider status --------------------------------------------------------------

    def status(self, provider_id: str) -> m.ProviderStatus | None:
        row = self.db.execute(
            f"SELECT {', '.join(_STATUS_FIELDS)} FROM status WHERE provider_id = ?",  # noqa: S608
            [provider_id],
        ).fetchone()
        return None if row is None else m.ProviderStatus(**dict(zip(_STATUS_FIELDS, row, strict=True)))

    def statuses(self) -> list[m.ProviderStatus]:
        out = []
        for pid in self.provider_ids():
            status = self.status(pid)
            out.append(status or m.ProviderStatus(pid, 0, "on_time", date=self.day()))
        return out

    def set_status(self, status: m.ProviderStatus, request_key: str) -> None:
        """Persist a new current status and its history row. Call inside ``transaction``."""
        record = {name: getattr(status, name) for name in _STATUS_FIELDS}
        self.db.table("status").upsert(record, pk="provider_id")
        self.db.table("status_history").insert({**record, "request_key": request_key})

    def next_status_version(self, provider_id: str) -> int:
        row = self.db.execute("SELECT max(version) FROM status_history WHERE provider_id = ?", [provider_id])
        return int(row.fetchone()[0] or 0) + 1

    def request_result(self, key: str) -> m.RequestResult | None:
        row = self.db.execute(
            "SELECT key, kiosk_id, accepted, result_reason, provider_id, status_version FROM requests"
            " WHERE key = ?",
            [key],
        ).fetchone()
        return None if row is None else m.RequestResult(row[0], row[1], bool(row[2]), row[3], row[4], row[5])

    def record_request(
        self,
        msg: m.StatusChangeRequest,
        result: m.RequestResult,
        recorded_at: str,
        origin: RequestOrigin,
    ) -> None:
        fields = dataclasses.asdict(msg)
        for name in PROOF_FIELDS:  # checked by the policy before this; proofs are not kept
            fields.pop(name, None)
        self.db.table("requests").insert(
            {
                **fields,
                "origin": origin.value,
                "accepted": int(result.accepted),
                "result_reason": result.reason,
                "status_version": result.status_version,
                "recorded_at": recorded_at,
            },
            pk="key",
        )

    def request_origins(self) -> dict[str, RequestOrigin]:
        """Each recorded request's origin, by request key."""
        rows = self.db.execute("SELECT key, origin FROM requests ORDER BY recorded_at, key")
        return {r[0]: RequestOrigin(r[1]) for r in rows}

    # --- kiosks -----------------------------------------------------------------------

    def kiosk_availability(self, msg: m.KioskAvailability, seen_at: str) -> None:
        self._kiosk(
            msg.kiosk_id,
            {
                "online": int(msg.online),
                "software_version": msg.software_version,
                "availability_at": msg.at,
                "last_seen": seen_at,
            },
        )

    def kiosk_display(self, msg: m.DisplayAck, seen_at: str) -> None:
        self._kiosk(
            msg.kiosk_id,
            {
                "display": json.dumps(msg.versions),
                "display_at": seen_at,
                "display_screen": int(msg.screen),
                "display_epoch": f"{msg.epoch.seq}:{msg.epoch.id}" if msg.epoch.id else "",
                "last_seen": seen_at,
            },
        )

    def kiosk_health(self, msg: m.KioskHealth, seen_at: str) -> None:
        health = {
            "connected": msg.connected,
            "cache_age_s": msg.cache_age_s,
            "outbox_depth": msg.outbox_depth,
            "outbox_queued": msg.outbox_queued,
            "outbox_sent": msg.outbox_sent,
            "oldest_unacked_s": msg.oldest_unacked_s,
            "oldest_unacked_checkin_s": msg.oldest_unacked_checkin_s,
            "oldest_unacked_checkin_seq": msg.oldest_unacked_checkin_seq,
            "at": msg.at,
            "rejected": msg.rejected,
            "devices": {k: dataclasses.asdict(v) for k, v in msg.devices.items()},
        }
        self._kiosk(msg.kiosk_id, {"health": json.dumps(health), "last_seen": seen_at})
        self._kiosk_flow(msg)

    def _kiosk_flow(self, msg: m.KioskHealth) -> None:
        counts = {
            k: int(v)
            for k, v in msg.metrics.items()
            if k.startswith(FLOW_PREFIX) and not k.endswith("_p50") and 0 <= v < 1e9
        }
        if not counts or len(msg.at) < 10:
            return
        row = self.db.execute("SELECT availability_at FROM kiosks WHERE id = ?", [msg.kiosk_id]).fetchone()
        boot = str(row[0] or "") if row else ""
        self.db.table("kiosk_flow").upsert(
            {"kiosk_id": msg.kiosk_id, "day": msg.at[:10], "boot": boot, "counts": json.dumps(counts)},
            pk=("kiosk_id", "day", "boot"),
        )

    def flow_counts(self, day: str) -> dict[str, int]:
        """The day's check-in flow counts summed over kiosks and their restarts."""
        total: dict[str, int] = {}
        for (raw,) in self.db.execute("SELECT counts FROM kiosk_flow WHERE day = ?", [day]):
            for key, value in json.loads(raw).items():
                total[key] = total.get(key, 0) + int(value)
        return total

    def _kiosk(self, kiosk_id: str, values: dict[str, object]) -> None:
        self.db.table("kiosks").upsert({"id": kiosk_id, **values}, pk="id")

    def kiosks(self) -> list[dict[str, object]]:
        rows = list(self.db.table("kiosks").rows_where(order_by="id"))
        for row in rows:
            row["display"] = json.loads(str(row.get("display") or "{}"))
            row["health"] = json.loads(str(row.get("health") or "{}"))
        return rows

    def kiosk_backlogs(self) -> list[Backlog]:
        """Each kiosk's oldest unacknowledged check-in as it last reported it."""
        out = []
        for row in self.kiosks():
            health = row["health"]
            if not isinstance(health, dict):
                continue
            out.append(
                Backlog(
                    str(row["id"]),
                    float(health.get("oldest_unacked_checkin_s", -1.0)),
                    int(health.get("oldest_unacked_checkin_seq", 0)),
                    str(row.get("last_seen") or ""),
                )
            )
        return out

    def bump(self, counts: dict[str, int]) -> None:
        for name, n in counts.items():
            self.db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                [name, n],
            )

    def counters(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute("SELECT name, value FROM counters")}

    # --- rejected messages ------------------------------------------------------------

    def count_rejections(self, counts: Mapping[tuple[str, str], int], at: str) -> None:
        """Add ``{(source, reason): n}`` to the persisted rejection counts."""
        for (source, reason), n in counts.items():
            self.db.execute(
                "INSERT INTO rejections (source, reason, count, last_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(source, reason) DO UPDATE SET count = count + excluded.count,"
                " last_at = excluded.last_at",
                [source, reason, n, at],
            )

    def rejections(self) -> list[dict[str, object]]:
        rows = self.db.execute(
            "SELECT source, reason, count, last_at FROM rejections ORDER BY source, reason"
        ).fetchall()
        return [{"source": r[0], "reason": r[1], "count": r[2], "last_at": r[3]} for r in rows]


def _content(schedule: m.ProviderSchedule) -> tuple[object, ...]:
    return (schedule.provider_name, schedule.date, tuple(schedule.appointments))
