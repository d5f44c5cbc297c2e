"""The kiosk's offline cache: today's schedule, provider status, counters, meta.

One writer (the sync loop thread) and any number of readers, each with its own
connection (``KioskCache.open(path)`` per thread). The outbox lives in the same file
(``sync.outbox``) so a check-in and the state it saw commit together.

The file is encrypted (SQLCipher): by the key source given, else with ``cache.key``
beside it (``sync.vault``). ``cache_key_source(settings)`` is the configured one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from core.errors import StorageError
from sync import cipher, state
from sync.messages import (
    Appointment,
    AppointmentChange,
    CacheSummary,
    Epoch,
    ProviderSchedule,
    ProviderStatus,
)
from sync.migrations import KIOSK_MIGRATIONS
from sync.sqlite import open_database, transaction
from sync.vault import KeySource, default_key_source

_APPT_FIELDS = [f.name for f in dataclasses.fields(Appointment)]
# A status row belongs to the followed epoch (meta "epoch"; rows of an older one are dropped).
_STATUS_FIELDS = [f.name for f in dataclasses.fields(ProviderStatus) if f.name != "epoch"]
_EPOCH_META = "epoch"
# One statement per change: a replayed backlog sends the kiosks one AppointmentChange per
# check-in, and sqlite-utils' upsert reads the table's columns on every call.
_COLS = ", ".join(_APPT_FIELDS)
_MARKS = ", ".join("?" * len(_APPT_FIELDS))
_SET = ", ".join(f"{name} = excluded.{name}" for name in _APPT_FIELDS if name != "id")
_UPSERT_APPT = f"INSERT INTO appointments ({_COLS}) VALUES ({_MARKS}) ON CONFLICT(id) DO UPDATE SET {_SET}"  # noqa: S608 - fixed column names


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    date: str
    schedule_version: int


@dataclass(frozen=True)
class Applied:
    """The outcome of applying one message: ``decision`` is a ``sync.state`` constant."""

    decision: str
    provider_id: str = ""
    new_epoch: bool = False  # the message's epoch was newer: followed, the older one's state dropped
    dropped: int = 0  # statuses of the older epoch dropped then

    @property
    def changed(self) -> bool:
        return self.decision in (state.APPLY, state.GAP)


class KioskCache:
    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: str | Path, key: KeySource | None = None) -> KioskCache:
        """Open (create, migrate, encrypt) the cache; ``key`` defaults to ``cache.key`` beside it."""
        path = Path(path)
        source = key if key is not None else default_key_source(path)
        db = open_database(path, KIOSK_MIGRATIONS, synchronous="NORMAL", key=source)
        db.execute("PRAGMA secure_delete = ON")  # a purged row's bytes are overwritten, not left free
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    # --- applying hub state (writer thread) -------------------------------------------

    # --- the hub's epoch ----------------------------------------------------------------

    def epoch(self) -> Epoch:
        """The hub epoch this cache follows (``Epoch()``: none seen yet)."""
        seq, _, epoch_id = self.get_meta(_EPOCH_META).partition(":")
        return Epoch(int(seq), epoch_id) if seq.isdigit() else Epoch()

    def follow_epoch(self, incoming: Epoch, now_s: float | None = None) -> Applied:
        """``sync.state.decide_epoch`` as the decision; on ``NEW_EPOCH`` the cache follows
        ``incoming`` and drops what the older epoch left: every status, and the standing
        of every held schedule (kept to serve patients until the new epoch's replaces it,
        whatever its version). The outbox is untouched: check-ins owed are owed to any epoch."""
        decision = state.decide_epoch(self.epoch(), incoming, now_s)
        if decision != state.NEW_EPOCH:
            return Applied(decision)
        with transaction(self.db):
            dropped = self.db.execute("DELETE FROM provider_status").rowcount
            self.db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [_EPOCH_META, f"{incoming.seq}:{incoming.id}"],
            )
        return Applied(decision, new_epoch=True, dropped=max(0, dropped))

    def _gate(self, incoming: Epoch, provider_id: str, now_s: float | None) -> Applied | None:
        """None to go on (same epoch), the newer epoch now followed, or the refusal."""
        followed = self.follow_epoch(incoming, now_s)
        if followed.decision in (state.OLD_EPOCH, state.FUTURE_EPOCH):
            return Applied(followed.decision, provider_id)
        return followed if followed.new_epoch else None

    # --- applying hub state (writer thread) -------------------------------------------

    def apply_schedule(self, msg: ProviderSchedule, received_at: str, now_s: float | None = None) -> Applied:
        gate = self._gate(msg.epoch, msg.provider_id, now_s)
        if gate is not None and not gate.new_epoch:
            return gate
        decision = state.decide_schedule(self._held(msg.provider_id), msg.date, msg.version)
        if decision == state.APPLY:
            with transaction(self.db):
                self.db.execute("DELETE FROM appointments WHERE provider_id = ?", [msg.provider_id])
                # replace: an appointment moved from another provider arrives in this
                # schedule before that provider's (without it) does; refusing this whole
                # schedule for it would hold back this provider's day.
                self.db.table("appointments").insert_all(
                    (dataclasses.asdict(a) for a in msg.appointments), batch_size=500, replace=True
                )
                self.db.table("providers").upsert(
                    {
                        "id": msg.provider_id,
                        "name": msg.provider_name,
                        "date": msg.date,
                        "schedule_version": msg.version,
                        "received_at": received_at,
                        "epoch": _epoch_text(msg.epoch),
                    },
                    pk="id",
                )
        return _followed(Applied(decision, msg.provider_id), gate)

    def apply_appointment_change(self, msg: AppointmentChange, now_s: float | None = None) -> Applied:
        gate = self._gate(msg.epoch, msg.provider_id, now_s)
        if gate is not None:  # refused, or a new epoch: its full schedule comes first
            return _followed(Applied(state.OTHER_DAY, msg.provider_id), gate) if gate.new_epoch else gate
        decision = state.decide_appointment_change(self._held(msg.provider_id), msg.date, msg.version)
        if decision in (state.APPLY, state.GAP):
            with transaction(self.db):
                appt = msg.appointment
                self.db.execute(_UPSERT_APPT, [getattr(appt, name) for name in _APPT_FIELDS])
                if decision == state.APPLY:
                    self.db.execute(
                        "UPDATE providers SET schedule_version = ? WHERE id = ?",
                        [msg.version, msg.provider_id],
                    )
        return Applied(decision, msg.provider_id)

    def apply_status(self, msg: ProviderStatus, received_at: str, now_s: float | None = None) -> Applied:
        gate = self._gate(msg.epoch, msg.provider_id, now_s)
        if gate is not None and not gate.new_epoch:
            return gate
        row = self.db.execute(
            "SELECT version FROM provider_status WHERE provider_id = ?", [msg.provider_id]
        ).fetchone()
        decision = state.decide_status(None if row is None else row[0], msg.version)
        if decision == state.APPLY:
            with transaction(self.db):
                record = {name: getattr(msg, name) for name in _STATUS_FIELDS}
                record["received_at"] = received_at
                self.db.table("provider_status").upsert(record, pk="provider_id")
        return _followed(Applied(decision, msg.provider_id), gate)

    def mark_checked_in(self, appointment_id: str) -> None:
        """Local mark until the hub's own change arrives: a second try reads "already checked in"."""
        self.db.execute("UPDATE appointments SET state = 'checked_in' WHERE id = ?", [appointment_id])

    def _held(self, provider_id: str) -> state.Held | None:
        """What counts of a provider's schedule: nothing when it came under another epoch."""
        row = self.db.execute(
            "SELECT date, schedule_version, epoch FROM providers WHERE id = ?", [provider_id]
        ).fetchone()
        if row is None or row[2] != _epoch_text(self.epoch()):
            return None
        return state.Held(row[0], row[1])

    # --- reading (any thread, its own connection) -------------------------------------

    def providers(self) -> list[Provider]:
        rows = self.db.execute("SELECT id, name, date, schedule_version FROM providers ORDER BY name")
        return [Provider(*r) for r in rows.fetchall()]

    def provider(self, provider_id: str) -> Provider | None:
        row = self.db.execute(
            "SELECT id, name, date, schedule_version FROM providers WHERE id = ?", [provider_id]
        ).fetchone()
        return None if row is None else Provider(*row)

    def status(self, provider_id: str) -> ProviderStatus | None:
        cols = ", ".join(_STATUS_FIELDS)
        row = self.db.execute(
            f"SELECT {cols} FROM provider_status WHERE provider_id = ?",  # noqa: S608 - fixed column names
            [provider_id],
        ).fetchone()
        return None if row is None else ProviderStatus(**dict(zip(_STATUS_FIELDS, row, strict=True)))

    def statuses(self) -> dict[str, ProviderStatus]:
        cols = ", ".join(_STATUS_FIELDS)
        rows = self.db.execute(f"SELECT {cols} FROM provider_status").fetchall()  # noqa: S608
        return {r[0]: ProviderStatus(**dict(zip(_STATUS_FIELDS, r, strict=True))) for r in rows}

    def appointment(self, appointment_id: str) -> Appointment | None:
        found = self._appointments("id = ?", [appointment_id])
        return found[0] if found else None

    def appointments_by_dob(self, dobs: Iterable[str]) -> list[Appointment]:
        dobs = list(dobs)
        if not dobs:
            return []
        marks = ", ".join("?" for _ in dobs)
        return self._appointments(f"dob IN ({marks})", dobs)

    def appointment_by_code(self, code: str) -> Appointment | None:
        found = self._appointments("code = ?", [code.strip().upper()])
        return found[0] if found else None

    def appointments_for(self, provider_id: str) -> list[Appointment]:
        return self._appointments("provider_id = ?", [provider_id])

    def _appointments(self, where: str, params: list[str]) -> list[Appointment]:
        cols = ", ".join(_APPT_FIELDS)
        sql = f"SELECT {cols} FROM appointments WHERE {where} ORDER BY start"  # noqa: S608 - callers pass fixed SQL
        return [Appointment(**dict(zip(_APPT_FIELDS, r, strict=True))) for r in self.db.execute(sql, params)]

    def summary(self) -> CacheSummary:
        providers = self.providers()
        depth = self.db.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]
        return CacheSummary(
            schedule_date=max((p.date for p in providers), default=""),
            schedule_versions={p.id: p.schedule_version for p in providers},
            status_versions={k: v.version for k, v in self.statuses().items()},
            outbox_depth=int(depth),
        )

    # --- meta and counters ------------------------------------------------------------

    def get_meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        try:
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])
        except cipher.DatabaseError as exc:
            raise StorageError(str(exc)) from exc

    def bump(self, counts: dict[str, int]) -> None:
        if not counts:
            return
        with transaction(self.db):
            for name, n in counts.items():
                self.db.execute(
                    "INSERT INTO counters (name, value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                    [name, n],
                )

    def counters(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute("SELECT name, value FROM counters")}

    def purge_before(self, date: str) -> int:
        """Remove every schedule older than ``date`` (patient data is kept for today only)."""
        with transaction(self.db):
            old = [r[0] for r in self.db.execute("SELECT id FROM providers WHERE date < ?", [date])]
            removed = 0
            for provider_id in old:
                cur = self.db.execute("DELETE FROM appointments WHERE provider_id = ?", [provider_id])
                removed += cur.rowcount
            self.db.execute("DELETE FROM providers WHERE date < ?", [date])
            # Only what the hub acknowledged: a row it has not is a check-in still owed.
            self.db.execute("DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?", [date])
        # The WAL would still hold the pages as they were before the delete.
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed


def _epoch_text(epoch: Epoch) -> str:
    """How ``providers.epoch`` names an epoch ('' before epochs)."""
    return f"{epoch.seq}:{epoch.id}" if epoch.id else ""


def _followed(applied: Applied, gate: Applied | None) -> Applied:
    """``applied``, saying the epoch that ``gate`` followed first (if it did)."""
    if gate is None or not gate.new_epoch:
        return applied
    return dataclasses.replace(applied, new_epoch=True, dropped=gate.dropped)
