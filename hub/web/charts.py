"""Charts as server-side SVG: no script, no CDN, readable offline and in the screenshots.

Each function returns one ``<svg>`` element (role="img" with a label saying the numbers,
so a screen reader reads what the bars show). Colours pass 4.5:1 on white.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from hub.web.views import ChartData

_W, _H, _PAD = 460, 210, 28
_BAR = "#1f5fa8"
_STATE_COLOURS = {"on_time": "#1b6e3a", "late": "#8a5300", "out": "#a4262c", "leaving_early": "#6b3fa0"}


def _svg(text: str) -> Markup:
    return Markup(text)  # noqa: S704 - every label and title in it went through escape()


def bars(title: str, items: Sequence[tuple[str, int]], empty: str = "nothing yet") -> Markup:
    """Vertical bars, one per (label, count)."""
    label = f"{title}: " + (", ".join(f"{k} {v}" for k, v in items) or empty)
    head = (
        f'<svg viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
    )
    if not items:
        return _svg(
            f'{head}<text x="{_W // 2}" y="{_H // 2}" text-anchor="middle">{escape(empty)}</text></svg>'
        )
    top = max(v for _, v in items) or 1
    width = (_W - 2 * _PAD) / len(items)
    parts = [head, f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" stroke="#333"/>']
    for i, (key, value) in enumerate(items):
        h = (_H - 2 * _PAD) * value / top
        x = _PAD + i * width
        y = _H - _PAD - h
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{max(width - 4, 1):.1f}" height="{h:.1f}"'
            f' fill="{_BAR}"/><text x="{x + width / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle"'
            f' font-size="15">{value}</text>'
        )
        if len(items) <= 16 or i % 2 == 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{_H - _PAD + 14}" text-anchor="middle"'
                f' font-size="14">{escape(key)}</text>'
            )
    parts.append("</svg>")
    return _svg("".join(parts))


def histogram(title: str, values: Sequence[int], step: int = 5) -> Markup:
    """Counts of ``values`` in buckets of ``step`` (e.g. minutes early/late)."""
    buckets: dict[int, int] = {}
    for v in values:
        buckets[v // step * step] = buckets.get(v // step * step, 0) + 1
    items = [(f"{k:+d}", buckets[k]) for k in sorted(buckets)]
    return bars(title, items)


Timelines = Sequence[tuple[str, Sequence[tuple[str, str]]]]


def timeline(rows: Timelines, start: int = 7, end: int = 19) -> Markup:
    """One strip per provider from ``start`` to ``end`` o'clock, coloured by status."""
    height = 30 * max(len(rows), 1) + 34
    label = "; ".join(
        f"{name}: " + (", ".join(f"{t} {s}" for t, s in ch) or "no change") for name, ch in rows
    )
    parts = [
        f'<svg viewBox="0 0 {_W} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
    ]
    left, span = 150, _W - 160
    for i, (name, changes) in enumerate(rows):
        y = 10 + i * 30
        parts.append(f'<text x="4" y="{y + 16}" font-size="14">{escape(name.removeprefix("Dr. "))}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{span}" height="20" fill="{_STATE_COLOURS["on_time"]}"/>'
        )
        for j, (at, state) in enumerate(changes):
            x0 = left + span * _frac(at, start, end)
            x1 = left + span * (_frac(changes[j + 1][0], start, end) if j + 1 < len(changes) else 1.0)
            colour = _STATE_COLOURS.get(state, "#444")
            parts.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="20" fill="{colour}"/>'
            )
    for hour in range(start, end + 1, 2 if end - start <= 14 else 3):
        x = left + span * (hour - start) / (end - start)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="14">{hour:02d}</text>'
        )
    parts.append("</svg>")
    return _svg("".join(parts))


def _frac(hhmm: str, start: int, end: int) -> float:
    try:
        hours = int(hhmm[:2]) + int(hhmm[3:5]) / 60
    except ValueError:
        return 0.0
    return min(max((hours - start) / (end - start), 0.0), 1.0)


def all_charts(data: ChartData) -> dict[str, Markup]:
    return {
        "per_quarter": bars("Check-ins per 15 minutes", data.per_quarter),
        "arrival": histogram(
            "Arrival against appointment time (minutes, 5-minute buckets)", data.arrival_offsets
        ),
        "methods": bars(
            "Check-in method and outcomes",
            [*sorted(data.methods.items()), ("to desk", data.to_desk), ("no-show", data.no_shows)],
        ),
        "timeline": timeline(data.timelines, *data.hours),
        "time_to_checkin": bars(
            "Time to check in, first touch to done, and sessions abandoned", data.time_to_checkin
        ),
        "voice": bars("Sessions that used voice, of them finished by touch, and abandoned", data.voice),
    }
