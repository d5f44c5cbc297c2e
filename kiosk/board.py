"""The provider board as text: what the attract screen shows, for headless runs and logs
of the demo. Pure: built from the cache's providers and statuses."""

from __future__ import annotations

from sync.cache import Provider
from sync.messages import ProviderStatus


def status_words(status: ProviderStatus | None) -> str:
    if status is None or status.state == "on_time":
        return "on time"
    if status.state == "late":
        return f"running {status.delay_min} min late"
    if status.state == "leaving_early":
        return f"leaving early at {status.leaving_at}"
    return "out today" + (f" ({status.reason})" if status.reason else "")


def render_board(providers: list[Provider], statuses: dict[str, ProviderStatus], age_s: float) -> str:
    width = max((len(p.name) for p in providers), default=10)
    lines = ["PROVIDERS TODAY"]
    lines += [f"  {p.name:<{width}}  {status_words(statuses.get(p.id))}" for p in providers]
    if age_s > 60:
        lines.append(f"  (schedule last updated {int(age_s // 60)} minutes ago)")
    if not providers:
        lines.append("  (no schedule received yet)")
    return "\n".join(lines)
