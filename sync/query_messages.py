"""The practice terminal's read-only questions to the hub, and the hub's answers.

A front-desk PC holds only the practice's MQTT login (docs/security.md), not the hub's
database: ``kiosk hub kiosks``, ``health``, ``notifications``, ``escalations`` and the
provider names ``kiosk hub status`` needs are asked of the running hub on ``hub/query``
(which the broker's ACL lets only practice logins write) and answered on
``hub/answer/cli``, which kiosks may not read. A question changes nothing at the hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sync.validate import check, check_key
from sync.wire import Message, declare

QueryView = Literal["providers", "kiosks", "health", "notifications", "escalations"]
MAX_LIMIT = 500


@declare
@dataclass(frozen=True)
class HubQuery(Message):
    """At ``hub/query`` (practice logins only): which view of the hub's database to send."""

    KIND = "hub_query"

    key: str  # names the answer; a resent question gets the same key
    view: QueryView
    limit: int = 50  # newest rows of a list (notifications)
    include_resolved: bool = False  # escalations: the resolved ones too

    def validate(self) -> None:
        check_key(self.key)
        check(0 < self.limit <= MAX_LIMIT, f"limit: expected 1 to {MAX_LIMIT}")


@declare
@dataclass(frozen=True)
class HubQueryAnswer(Message):
    """At ``hub/answer/cli``: the view as JSON text (the object the hub machine's own command
    builds from its database), or why there is none."""

    KIND = "hub_query_answer"
    MAX_BYTES = 1024 * 1024

    key: str
    view: QueryView
    body: str = ""  # JSON text; empty with an error
    error: str = ""

    def validate(self) -> None:
        check_key(self.key)


__all__ = ["MAX_LIMIT", "HubQuery", "HubQueryAnswer", "QueryView"]
