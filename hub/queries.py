"""The views of the hub's database the practice's front desk reads: built here once, for
``kiosk hub kiosks|health|notifications|escalations`` on the hub machine (from its own
database) and for the running hub's answer to a terminal's ``HubQuery`` (on the hub worker,
inside its batch's transaction: a question only reads).

Only a question that came on ``hub/query`` (practice logins, by the broker's ACL) is
answered; the answer goes to ``hub/answer/cli``, which kiosks may not read."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from core.errors import KioskError
from hub.desk import Out
from hub.health_view import health_rows
from hub.notify.cli import notification_view
from hub.origin import PRACTICE_CLI_ID, RequestOrigin
from hub.store import HubStore
from sync.query_messages import HubQuery, HubQueryAnswer, QueryView
from sync.topics import TopicTree

# Room left in an answer for its envelope (key, view, JSON escaping of the body's quotes).
_ENVELOPE = 64 * 1024


def kiosks_view(store: HubStore) -> dict[str, Any]:
    return {"epoch": str(store.epochs.current()), "kiosks": store.kiosks()}


def escalations_view(store: HubStore, include_resolved: bool = False) -> dict[str, Any]:
    return {"escalations": store.staff.escalations(only_open=not include_resolved), "all": include_resolved}


def providers_view(store: HubStore) -> dict[str, str]:
    """Provider id -> name (what ``kiosk hub status`` resolves a name against)."""
    return store.providers()


def view_of(store: HubStore, view: QueryView, *, limit: int = 50, include_resolved: bool = False) -> Any:
    builders: dict[str, Callable[[], Any]] = {
        "providers": lambda: providers_view(store),
        "kiosks": lambda: kiosks_view(store),
        "health": lambda: health_rows(store),
        "notifications": lambda: notification_view(store, limit),
        "escalations": lambda: escalations_view(store, include_resolved),
    }
    return builders[view]()


def answer_query(
    store: HubStore, tree: TopicTree, stats: Counter[str], query: HubQuery, origin: RequestOrigin
) -> Out:
    """The answer to publish (none to a question that did not come from a practice login)."""
    if origin is not RequestOrigin.PRACTICE_CLI:
        stats["queries_refused"] += 1
        return []
    body, error = "", ""
    try:
        view = view_of(store, query.view, limit=query.limit, include_resolved=query.include_resolved)
        body = json.dumps(view)
    except KioskError as exc:
        error = f"the hub could not read its database: {exc}"
    if len(body.encode()) > HubQueryAnswer.MAX_BYTES - _ENVELOPE:
        body, error = "", f"the {query.view} view is larger than an answer carries: run it on the hub machine"
    stats["queries_answered"] += 1
    return [(tree.hub_answer(PRACTICE_CLI_ID), HubQueryAnswer(query.key, query.view, body, error), False)]


__all__ = ["answer_query", "escalations_view", "kiosks_view", "providers_view", "view_of"]
