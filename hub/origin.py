"""Where a message reached the hub from: a kiosk, or the practice's own terminal.

The hub tells them apart by the topic a message arrived on (the broker's ACL lets only
practice credentials write ``hub/command`` and ``hub/query``), never by an id the sender
chose. The origin travels with the message into the decision, the ``requests`` table and
the audit trail.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from sync.topics import TopicTree
from sync.wire import Message

# The address the practice terminal's answers go to (``hub/result/cli``). Only an address:
# a request is the practice's because of the topic it came on, not because of this id.
PRACTICE_CLI_ID = "cli"
# The address the dashboard's requests carry (``hub/result/dashboard``); the dashboard runs
# in the hub's process, so its origin is set there, never read from a topic.
DASHBOARD_ID = "dashboard"


class RequestOrigin(StrEnum):
    """Stored as its value; append members, never rename one (old rows keep theirs)."""

    KIOSK = "kiosk"
    PRACTICE_CLI = "practice_cli"
    DASHBOARD = "dashboard"  # a signed-in staff member on the hub's web dashboard

    @classmethod
    def of_topic(cls, tree: TopicTree, topic: str) -> RequestOrigin:
        practice = (tree.hub_command(), tree.hub_command_ack(), tree.hub_query())
        return cls.PRACTICE_CLI if topic in practice else cls.KIOSK


class Received(NamedTuple):
    """One decoded inbound message and where it came from."""

    message: Message
    origin: RequestOrigin
