"""A practice-system feed against a whole site: the real MLLP listener, a real broker, the
hub and a kiosk on it; what the hub published, checked by the kiosks' decoder; and random
SIU sequences (orphans, MSH-7 out of order, repeats, missing optional fields, an ADT that
reuses an MSH-10) for the property test and ``make bench`` (``ehr_property_msgs``)."""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sync import messages as m
from sync.inbound import InboundDecoder, Rejected
from sync.topics import TopicTree
from sync.wire import Message, decode, encode
from tests.support.broker import Broker
from tests.support.clock import wall_now
from tests.support.site import RecordingKiosk, wait_for
from tests.support.siu import EhrHub, ehr_settings, exchange

TREE = TopicTree("acme", "main")
_KIOSK_READS = {
    "schedule": m.ProviderSchedule,
    "appointment": m.AppointmentChange,
    "status": m.ProviderStatus,
}


class FeedSite:
    """Broker, hub with its EHR interface (D1 = chen, D2 = okafor), one kiosk; every message
    the hub publishes for kiosks is kept in ``published``."""

    def __init__(self, root: Path, providers: dict[str, str] | None = None) -> None:
        self.broker = Broker(root / "broker")
        self.broker.start()
        mapping = {"D1": "chen", "D2": "okafor", **(providers or {})}
        self.site = EhrHub(ehr_settings(root, broker=self.broker.settings(), providers=mapping))
        self.published: list[tuple[str, Message]] = []
        self._checked = 0  # of ``published``, decoded by ``problems`` already
        self._refused: list[str] = []
        self.site.hub.add_listener(self._keep)
        self.kiosk = RecordingKiosk(self.broker.settings(), root).start()
        wait_for(lambda: self.kiosk.sync.link.connected, 20, "the kiosk connected")

    def _keep(self, event: str, msg: Message) -> None:
        if event in _KIOSK_READS:
            self.published.append((event, msg))

    @property
    def port(self) -> int:
        return self.site.port

    def stop(self) -> None:
        self.kiosk.stop()
        self.site.stop()
        self.broker.stop()

    def send(self, *frames: str | bytes) -> list[str]:
        return [
            r.code for r in exchange(self.port, [f.encode() if isinstance(f, str) else f for f in frames])
        ]

    def settle(self, timeout: float = 20.0) -> None:
        """Until the hub has published every change and the kiosk holds each schedule version."""

        def in_step() -> bool:
            if self.site.ehr.listener.schedules.pending:
                return False
            hub = {p: v for p, v in self.site.hub.call(lambda s: s.schedule_versions()).items() if v}
            held = self.kiosk.sync.call(lambda c: c.summary().schedule_versions)
            return all(held.get(p, 0) >= v for p, v in hub.items())

        wait_for(in_step, timeout, "the kiosk in step with the hub")

    def kiosk_rows(self) -> set[str]:
        def rows(cache: Any) -> set[str]:
            return {a.id for p in ("chen", "okafor") for a in cache.appointments_for(p)}

        return set(self.kiosk.sync.call(rows))

    def hub_rows(self) -> set[str]:
        return {str(r[0]) for r in self.site.query("SELECT id FROM appointments")}

    def problems(self) -> list[str]:
        """What a kiosk refused or would refuse: the hub's guard held something back (the
        store made a row a kiosk refuses), the kiosk rejected or left out something, or a
        published message fails the strict whole-message decode (the kiosks before row
        decoding). Empty when the invariant holds."""
        found = []
        if self.site.hub.guard.held_total:
            found.append(f"the hub held back {self.site.hub.guard.held_total} (a stored row a kiosk refuses)")
        rejected = self.kiosk.sync.call(lambda _c: self.kiosk.sync.health()).rejected
        if rejected:
            found.append(f"the kiosk rejected {rejected}")
        errors = self.kiosk.sync.worker.health().errors
        if errors:
            found.append(f"the kiosk failed to apply {errors} messages")
        fresh, self._checked = self.published[self._checked :], len(self.published)
        for kind, msg in fresh:
            try:
                decode(encode(msg), _KIOSK_READS[kind])
            except Exception as exc:
                self._refused.append(f"a published {kind} fails the kiosk decoder: {exc}")
        return found + self._refused


def kiosk_verdict(topic: str, msg: Message, today: date) -> str:
    """'' when a kiosk serving ``today`` takes ``msg`` whole on ``topic``, else why not."""
    decoded, bad = InboundDecoder(TREE, today=lambda: today).decode_rows(topic, encode(msg))
    if isinstance(decoded, Rejected):
        return decoded.reason
    return f"{len(bad)} rows left out" if bad else ""


# --- random sequences ------------------------------------------------------------------

TRIGGERS = ("S12", "S13", "S14", "S15", "S16", "S17", "S26")
PIDS = ("full", "full", "none", "legal_incomplete", "alias_then_legal", "no_dob", "dob_time_offset",
        "dob_bad", "no_given", "mrn_reps", "empty_first_rep")  # fmt: skip
STARTS = ("tq1", "tq1", "sch11", "aip6", "none", "garbled_then_aip6")
PROVIDERS = ("D1", "D1", "D2", "unknown", "none", "reps")
DURATIONS = ("tq1", "sch9", "ais", "none", "zero", "huge")
STATUSES = ("Booked", "", "Pending", "Cancelled", "Noshow", "Arrived", "Deleted", "Whatever")
VERSIONS = ("2.3", "2.4", "2.5", "2.5.1", "2.8")
DAYS = (0, 0, 0, -1, 1)


@dataclass(frozen=True)
class Op:
    trigger: str = "S12"
    appt: int = 0  # of a small pool: updates meet bookings, and orphans happen
    minute: int = 0  # MSH-7 = the sequence's base + minute: the sending order is not MSH-7's
    pid: str = "full"
    start: str = "tq1"
    provider: str = "D1"
    duration: str = "tq1"
    status: str = "Booked"
    version: str = "2.5"
    day: int = 0
    msh7: bool = True
    repeat: bool = False  # send the previous frame again, as it was
    adt: bool = False  # an ADT^A60 reusing the previous frame's MSH-10


def random_op(rng: random.Random, pool: int = 4) -> Op:
    return Op(
        trigger=rng.choice(TRIGGERS),
        appt=rng.randrange(pool),
        minute=rng.randrange(120),
        pid=rng.choice(PIDS),
        start=rng.choice(STARTS),
        provider=rng.choice(PROVIDERS),
        duration=rng.choice(DURATIONS),
        status=rng.choice(STATUSES),
        version=rng.choice(VERSIONS),
        day=rng.choice(DAYS),
        msh7=rng.random() > 0.1,
        repeat=rng.random() < 0.1,
        adt=rng.random() < 0.05,
    )


def _fields(name: str, values: dict[int, str]) -> str:
    return "|".join([name, *(values.get(i, "") for i in range(1, max(values) + 1))])


def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%d%H%M")


def op_text(op: Op, prefix: str, n: int, base: datetime) -> str:
    """The SIU message of ``op`` (control id ``{prefix}C{n}``, appointment ``{prefix}A{appt}``)."""
    aid = f"{prefix}A{op.appt}"
    start = _stamp(base.replace(hour=8, minute=0) + timedelta(days=op.day, minutes=15 * op.appt))
    sent = _stamp(base + timedelta(minutes=op.minute)) + "00" if op.msh7 else ""
    sch: dict[int, str] = {1: f"P-{aid}^EHR", 2: f"{aid}^EHR", 25: op.status if op.trigger <= "S14" else ""}
    tq1: dict[int, str] = {1: "1"}
    aip: dict[int, str] = {1: "1"}
    if op.start == "tq1":
        tq1[7] = start
    elif op.start == "sch11":
        sch[11] = f"^^^{start}"
    elif op.start in ("aip6", "garbled_then_aip6"):
        aip[6] = start
        if op.start == "garbled_then_aip6":
            tq1[7] = "SOON"
    minutes = {"zero": "0", "huge": "9000"}.get(op.duration, "20")
    extra: list[str] = []
    if op.duration in ("tq1", "zero", "huge"):
        tq1[13] = f"{minutes}^min"
    elif op.duration == "sch9":
        sch[9], sch[10] = "30", "min"
    elif op.duration == "ais":
        extra.append(_fields("AIS", {1: "1", 3: "VISIT", 7: "45", 8: "min"}))
    provider = {"unknown": "D9^Who", "none": "", "reps": "~N7^Nurse~D2^Okafor^Ngozi"}.get(op.provider)
    aip[3] = f"{op.provider}^Chen^Wei^^^Dr" if provider is None else provider
    segs = [f"MSH|^~\\&|PROP|CLINIC|KIOSK|PRACTICE|{sent}||SIU^{op.trigger}|{prefix}C{n}|P|{op.version}"]
    segs.append(_fields("SCH", sch))
    if len(tq1) > 1:
        segs.append(_fields("TQ1", tq1))
    if op.pid != "none":
        segs.append(_fields("PID", _pid(op.pid, op.appt)))
    segs += ["RGS|1", *extra]
    if len(aip) > 1 and (aip.get(3) or aip.get(6)):
        segs.append(_fields("AIP", aip))
    return "\r".join(segs) + "\r"


def _pid(kind: str, appt: int) -> dict[int, str]:
    pid = {1: "1", 3: f"MRN{appt}^^^C^MR", 5: f"Okoro{appt}^Ada^^^^^L", 7: "19800101", 8: "F"}
    if kind == "legal_incomplete":
        pid[5] = f"Okoro{appt}^^^^^^L~Okoro{appt}^Ada^^^^^D"
    elif kind == "alias_then_legal":
        pid[5] = f"Alias^Al^^^^^A~Okoro{appt}^Ada^^^^^L"
    elif kind == "no_dob":
        pid[7] = ""
    elif kind == "dob_time_offset":
        pid[7] = "198001012359-0500"
    elif kind == "dob_bad":
        pid[7] = "19800230"
    elif kind == "no_given":
        pid[5] = f"Okoro{appt}^^^^^^L"
    elif kind == "mrn_reps":
        pid[3] = f"999^^^S^SS~~MRN{appt}^^^C^MR"
    elif kind == "empty_first_rep":
        pid[5] = f"~Okoro{appt}^Ada"
    return pid


def adt_reusing(control_id: str) -> str:
    return f"MSH|^~\\&|PROP|CLINIC|KIOSK|PRACTICE|||ADT^A60|{control_id}|P|2.5\rEVN|A60\rPID|1||M1||Doe^Jo\r"


@dataclass
class Outcome:
    messages: int = 0
    wrong_acks: list[str] | None = None


def run_sequence(feed: FeedSite, ops: list[Op], prefix: str, base: datetime | None = None) -> Outcome:
    """Send ``ops`` on one connection; the ACKs that break a rule (a repeat of an AA not AA,
    an ADT not AR, anything outside AA/AE/AR) are returned."""
    base = base or wall_now().replace(second=0, microsecond=0)
    frames: list[str] = []
    expect: list[str] = []  # '' any of AA/AE; else that code
    for n, op in enumerate(ops):
        if op.adt and frames:
            frames.append(adt_reusing(f"{prefix}C{n - 1}"))
            expect.append("AR")
        frames.append(op_text(op, prefix, n, base))
        expect.append("")
        if op.repeat:
            frames.append(frames[-1])
            expect.append("same")
    codes = feed.send(*frames)
    wrong = []
    for i, (code, want) in enumerate(zip(codes, expect, strict=True)):
        if want == "same" and codes[i - 1] == "AA" and code != "AA":
            wrong.append(f"frame {i}: a repeat of an accepted message got {code}")
        elif want == "AR" and code != "AR":
            wrong.append(f"frame {i}: an ADT reusing an MSH-10 got {code}")
        elif code not in ("AA", "AE", "AR"):
            wrong.append(f"frame {i}: {code}")
    return Outcome(len(frames), wrong)


def run_property(root: Path, total: int, seed: int = 28, per_sequence: int = 20) -> dict[str, Any]:
    """``make bench``: random sequences of ``per_sequence`` operations until ``total``
    messages went through the listener; what a kiosk refused or would refuse, wrong ACKs,
    and rows the hub holds for today that the kiosk does not (or the reverse)."""
    rng = random.Random(seed)
    feed = FeedSite(root)
    sent = wrong = 0
    started = time.monotonic()
    try:
        for run in itertools.count():
            if sent >= total:
                break
            outcome = run_sequence(feed, [random_op(rng) for _ in range(per_sequence)], f"B{run}")
            sent += outcome.messages
            wrong += len(outcome.wrong_acks or [])
        feed.settle(60)
        problems = feed.problems()
        missing = len(feed.kiosk_rows() ^ feed.hub_rows())
        guard = feed.site.hub.guard.held_total
    finally:
        feed.stop()
    return {
        "ehr_property_msgs": sent,
        "ehr_published_rejected": len(problems),
        "ehr_property_held_back": guard,
        "ehr_property_wrong_acks": wrong,
        "ehr_property_rows_not_on_kiosk": missing,
        "ehr_property_s": round(time.monotonic() - started, 1),
    }
