"""The metadata every setting carries: its documentation and optional bounds."""

from __future__ import annotations

from typing import Any


def doc(text: str, **bounds: Any) -> dict[str, Any]:
    return {"doc": text, **bounds}
