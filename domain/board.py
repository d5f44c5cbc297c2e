"""The provider board: one row per provider with the status that counts today, for the
attract screen (``ui.board_model``), the staff panel and the headless kiosk's text board.

Pure: built from the cache's providers and statuses. The one rule of which status counts
lives here (``status_on``) and is shared with the wait estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.cache import Provider
from sync.messages import ProviderStatus


def status_on(status: ProviderStatus | None, day: str) -> ProviderStatus | None:
    """``status`` when it counts for ``day`` (YYYY-MM-DD): a status only counts for its own
    date (an undated one counts every day). Yesterday's "out" never colours today."""
    if status is None or status.date not in ("", day):
        return None
    return status


@dataclass(frozen=True)
class BoardRow:
    provider_id: str
    name: str
    state: str  # on_time, late, leaving_early, out
    delay_min: int
    leaving_at: str
    reason: str = ""


def board_rows(providers: list[Provider], statuses: dict[str, ProviderStatus]) -> list[BoardRow]:
    rows = []
    for p in providers:
        s = status_on(statuses.get(p.id), p.date)
        state = s.state if s is not None else "on_time"
        rows.append(
            BoardRow(
                p.id,
                p.name,
                state,
                s.delay_min if s is not None and state == "late" else 0,
                s.leaving_at if s is not None and state == "leaving_early" else "",
                s.reason if s is not None and state == "out" else "",
            )
        )
    return rows


def row_words(row: BoardRow) -> str:
    if row.state == "late":
        return f"running {row.delay_min} min late"
    if row.state == "leaving_early":
        return f"leaving early at {row.leaving_at}"
    if row.state == "out":
        return "out today" + (f" ({row.reason})" if row.reason else "")
    return "on time"


def render_board(
    providers: list[Provider],
    statuses: dict[str, ProviderStatus],
    age_s: float,
    now: datetime | None = None,
) -> str:
    """The board as text. ``age_s``: 0 while in step with a live hub, the seconds since it
    last was when offline, -1 when never; with ``now`` an offline board says since when."""
    rows = board_rows(providers, statuses)
    width = max((len(r.name) for r in rows), default=10)
    lines = ["PROVIDERS TODAY"]
    lines += [f"  {r.name:<{width}}  {row_words(r)}" for r in rows]
    if age_s > 0 and now is not None:
        since = (now - timedelta(seconds=age_s)).strftime("%H:%M")
        lines.append(f"  (offline: the practice hub was last reached at {since}, {int(age_s // 60)} min ago)")
    elif age_s > 60:
        lines.append(f"  (schedule last updated {int(age_s // 60)} minutes ago)")
    elif age_s < 0:
        lines.append("  (offline: not yet in step with the practice hub)")
    if not providers:
        lines.append("  (no schedule received yet)")
    return "\n".join(lines)
