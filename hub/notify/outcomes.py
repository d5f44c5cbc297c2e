"""What a channel's answer, a receipt or a reply does to the outbox (on the notify worker,
inside its transaction). Staff hear of a patient who cannot be reached through
``row.escalate``; the notifier raises the escalation from there (``escalations``)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from config.settings import HubNotifySettings
from core.backoff import Backoff
from hub.notify.channels import Event, InDoubt, Receipt, Reply, Result, Retry, Submitted, Unavailable
from hub.notify.planner import stamp
from hub.notify.records import OutboxRow
from hub.notify.reply_check import check_reply
from hub.notify.texts import reply_meaning
from hub.store import HubStore

_REPLY_WINDOW = timedelta(days=2)  # a reply answers the newest message of the last two days


class Outcomes:
    def __init__(self, cfg: HubNotifySettings, stats: Counter[str]) -> None:
        self.cfg = cfg
        self.stats = stats
        self._backoff = Backoff(cfg.retry_min_s, cfg.retry_max_s)
        self._rng = random.Random()

    def retry_delay(self, attempt: int) -> float:
        return self._backoff.delay(attempt, self._rng)

    def record(self, store: HubStore, rows: list[OutboxRow], results: list[Result], now: datetime) -> None:
        """Settle what the channel answered. Only an answer about the message itself spends
        an attempt: a channel that is down (``Unavailable``) or throttles leaves the
        message waiting as it was."""
        at = now.isoformat()
        records = store.notify
        for row, result in zip(rows, results, strict=True):
            tries = row.attempts + 1
            if isinstance(result, Unavailable):
                records.update(row.key, state="pending", error=result.reason)
                self.stats["waited"] += 1
            elif isinstance(result, Retry) and result.throttled:
                due = now + timedelta(seconds=self.retry_delay(0))
                records.update(row.key, state="pending", due_at=stamp(due), error=result.reason)
                self.stats["retried"] += 1
            elif isinstance(result, Submitted):
                state = "sent" if result.final else "submitted"
                records.update(
                    row.key, state=state, message_id=result.message_id, sent_at=at, error="", attempts=tries
                )
                self.stats["submitted"] += 1
            elif isinstance(result, InDoubt):  # no answer came: nothing spent (its receipt decides)
                records.update(row.key, state="in_doubt", in_doubt_since=at, error=result.reason)
                self.stats["in_doubt"] += 1
            elif isinstance(result, Retry):
                records.update(row.key, attempts=tries)
                if tries >= self.cfg.max_attempts:
                    self._give_up(store, row, "failed", f"{result.reason}; gave up after {tries} tries")
                else:
                    due = now + timedelta(seconds=self.retry_delay(row.attempts))
                    records.update(row.key, state="pending", due_at=stamp(due), error=result.reason)
                    self.stats["retried"] += 1
            else:
                records.update(row.key, attempts=tries)
                self._give_up(store, row, "undeliverable", result.reason)

    def _give_up(self, store: HubStore, row: OutboxRow, state: str, why: str) -> None:
        store.notify.update(row.key, state=state, error=why, escalate=f"{row.channel} {state}: {why}")
        self.stats[state] += 1

    def apply(self, store: HubStore, channel: str, events: list[Event], now: datetime) -> None:
        for event in events:
            if isinstance(event, Receipt):
                self._receipt(store, event, now)
            else:
                self._reply(store, channel, event, now)

    def _receipt(self, store: HubStore, receipt: Receipt, now: datetime) -> None:
        records = store.notify
        row = records.by_message_id(receipt.message_id) if receipt.message_id else None
        if row is None:
            # A message whose submission a crash cut off: the SMSC had it after all.
            row = records.in_doubt_for(receipt.address)
            if row is None:
                self.stats["receipts_unmatched"] += 1
                return
            records.update(
                row.key, message_id=receipt.message_id, sent_at=now.isoformat(), attempts=row.attempts + 1
            )
            self.stats["in_doubt_confirmed"] += 1
        if row.state in ("delivered", "undeliverable") or row.receipt == receipt.status:
            return  # the same receipt again (a crash before we answered the SMSC)
        at = now.isoformat()
        records.add_receipt(at, row.key, receipt.message_id, receipt.status)
        self.stats["receipts"] += 1
        if receipt.delivered:
            records.update(row.key, state="delivered", receipt=receipt.status, receipt_at=at, error="")
        else:
            records.update(row.key, receipt=receipt.status, receipt_at=at)
            self._give_up(store, row, "undeliverable", f"the carrier reports {receipt.status}")

    def _reply(self, store: HubStore, channel: str, reply: Reply, now: datetime) -> None:
        records = store.notify
        at = now.isoformat()
        checked = check_reply(reply.address, reply.text, channel)
        address = records.known_address(reply.address) if checked.valid_sender else reply.address
        meaning = reply_meaning(checked.text) if checked.valid_sender else "refused"
        row = (
            records.last_sent_to(address, (now - _REPLY_WINDOW).isoformat()) if checked.valid_sender else None
        )
        appointment = row.appointment_id if row else ""
        records.add_reply(
            at=at,
            channel=channel,
            address=address[:254],
            outbox_key=row.key if row else "",
            appointment_id=appointment,
            meaning=meaning,
            text=checked.text,
            note=checked.note,
        )
        self.stats[f"replies_{meaning}"] += 1
        if checked.note and checked.valid_sender:  # a refused one is counted as replies_refused
            self.stats["replies_cleaned"] += 1
        if meaning == "stop":
            dropped = records.opt_out(address, at, channel)
            store.audit.append(
                at,
                "patient",
                "",
                "",
                "notify_opt_out",
                appointment=appointment,
                channel=channel,
                dropped=dropped,
            )
        elif meaning == "start" and records.opt_in(address):
            store.audit.append(
                at, "patient", "", "", "notify_opt_in", appointment=appointment, channel=channel
            )
        elif row is not None and meaning in ("keep", "reschedule"):
            records.update(row.key, answer=meaning)
